"""Source templates: lines an outlet repeats across its articles (navigation, widgets, sign-offs).

Each line of a cleaned article has a fingerprint: a hash of the line casefolded, Unicode-normalized
(NFKC), its digits masked and its whitespace collapsed, so "12 comments" and "3 Comments" are one line.
A source's template counts, per fingerprint, the distinct articles of that source holding the line, and
the articles seen. A line is boilerplate when it was seen in at least `min_articles` articles of the
source and in at least `min_share` of them (both chosen on the extraction corpora, `storyline.eval.templates`).

Templates are learned incrementally (the store keeps the counts, `storyline.store`) and applied to the
cleaned text of later articles at ingest, and of earlier ones by `storyline enrich`.

An article re-sent under another address repeats its own sentences, not a template: the store counts an
exact re-send (same fingerprints) once, and `template_lines` keeps an article's long sentence-like
lines whenever most of them match the template (the article is a near-copy of one seen, not a page whose
furniture repeats).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

FINGERPRINT_CHARS = 16  # 64 bits of sha256: collisions within one source are negligible
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_SENTENCE_END = tuple(".!?。！？…\"'”’»)")
LONG_LINE_WORDS = 12  # a line this long that ends a sentence reads as article text


@dataclass(frozen=True)
class TemplateParams:
    """When a line is part of its source's template. The defaults are what site-grouped cross-validation
    chose on the extraction corpora (`storyline eval extraction`: (2, 0.2) in four folds of five, (2, 0.3)
    in the other)."""

    min_articles: int = 2  # distinct articles of the source holding the line
    min_share: float = 0.2  # of the source's articles seen


DEFAULT_PARAMS = TemplateParams()


def normalize_line(line: str) -> str:
    """The form of a line its fingerprint hashes: NFKC, casefolded, digits masked, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", line).casefold()
    text = _DIGITS.sub("0", text)
    # casefolding can leave a decomposable form (e.g. "ǰ" -> "ǰ"): normalize again, then collapse spaces
    text = unicodedata.normalize("NFKC", text)
    return _SPACES.sub(" ", text).strip()


def fingerprint(line: str) -> str | None:
    """The line's fingerprint, None for a line with no letter or digit (nothing to learn)."""
    key = normalize_line(line)
    if not any(ch.isalnum() for ch in key):
        return None
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:FINGERPRINT_CHARS]


def text_lines(text: str) -> list[str]:
    """The non-blank lines of a text, stripped."""
    return [line.strip() for line in text.split("\n") if line.strip()]


def fingerprints(lines: Iterable[str]) -> tuple[str, ...]:
    """The distinct fingerprints of some lines, sorted (one article counts a line once)."""
    return tuple(sorted({fp for fp in map(fingerprint, lines) if fp is not None}))


@dataclass(frozen=True)
class SourceTemplate:
    """Per fingerprint, the number of distinct articles of one source holding the line."""

    articles: int = 0
    counts: Mapping[str, int] = field(default_factory=dict)

    def support(self, line: str) -> int:
        fp = fingerprint(line)
        return self.counts.get(fp, 0) if fp is not None else 0


def learn(template: SourceTemplate, lines: Iterable[str]) -> SourceTemplate:
    """The template after one more article (its lines) of the source."""
    counts = dict(template.counts)
    for fp in fingerprints(lines):
        counts[fp] = counts.get(fp, 0) + 1
    return SourceTemplate(template.articles + 1, counts)


def _sentence_like(line: str) -> bool:
    return len(_WORD.findall(line)) >= LONG_LINE_WORDS and line.rstrip().endswith(_SENTENCE_END)


def template_lines(
    template: SourceTemplate, lines: Sequence[str], params: TemplateParams = DEFAULT_PARAMS
) -> list[bool]:
    """For each line, whether it is part of the source's template (boilerplate).

    Long sentence-like lines are kept when most of the article's long sentence-like lines match: the
    article then repeats an article seen before (a re-send, an update), it is not furniture."""
    if template.articles < params.min_articles:
        return [False] * len(lines)
    floor = max(params.min_articles, params.min_share * template.articles)
    # A sentence is furniture only once the template is mature: the share of articles, not the least
    # count, decides (early on, a story's background paragraph repeats in its first reports).
    mature = params.min_share * template.articles >= params.min_articles
    marked = [
        template.support(line) >= floor and (mature or not _sentence_like(line)) for line in lines
    ]
    long_lines = [i for i, line in enumerate(lines) if _sentence_like(line)]
    if long_lines and 2 * sum(marked[i] for i in long_lines) > len(long_lines):
        for i in long_lines:
            marked[i] = False
    return marked


def remove_template(
    text: str, template: SourceTemplate, params: TemplateParams = DEFAULT_PARAMS
) -> tuple[str, tuple[str, ...]]:
    """The text without its template lines, and those lines. Paragraph breaks are kept; a text the
    template would empty is returned whole."""
    paragraphs = [p.split("\n") for p in text.split("\n\n")]
    positions = [(i, j) for i, para in enumerate(paragraphs) for j, line in enumerate(para) if line.strip()]
    marked = template_lines(template, [paragraphs[i][j].strip() for i, j in positions], params)
    if not any(marked) or all(marked):
        return text, ()
    dropped = {pos for pos, m in zip(positions, marked, strict=True) if m}
    kept = [
        "\n".join(line for j, line in enumerate(para) if (i, j) not in dropped)
        for i, para in enumerate(paragraphs)
    ]
    removed = tuple(paragraphs[i][j].strip() for i, j in positions if (i, j) in dropped)
    return "\n\n".join(p for p in kept if p.strip()), removed
