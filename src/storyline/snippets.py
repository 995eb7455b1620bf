"""Search snippets: the store marks matched terms between [ and ]; the article's own text may hold
brackets too ("[sic]", "[1]", "[/yellow]"). A bracketed group is a match only when its words are the
query's words (or share their stem: the backends stem and fold accents); anything else is text.
"""

from __future__ import annotations

import re
import unicodedata

from storyline.config import SERVE

_GROUP = re.compile(r"\[([^\[\]]*)\]")
_WORD = re.compile(r"\w+", re.UNICODE)


def _fold(text: str) -> list[str]:
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return _WORD.findall(plain.casefold())


def _same_word(word: str, query_word: str, stem: int) -> bool:
    """Two forms of a word: the same, or sharing at least `stem` first letters ("explosion(s)")."""
    common = 0
    for a, b in zip(word, query_word, strict=False):
        if a != b:
            break
        common += 1
    return common >= min(len(word), len(query_word), stem)


def snippet_parts(snippet: str, query: str, stem: int = SERVE.snippet_stem_letters) -> list[tuple[str, bool]]:
    """The snippet cut into (text, matched) parts, the markers of matched parts removed."""
    wanted = _fold(query)
    parts: list[tuple[str, bool]] = []
    pos = 0
    for m in _GROUP.finditer(snippet):
        words = _fold(m.group(1))
        if not words or not all(any(_same_word(w, q, stem) for q in wanted) for w in words):
            continue  # brackets of the text itself
        if m.start() > pos:
            parts.append((snippet[pos : m.start()], False))
        parts.append((m.group(1), True))
        pos = m.end()
    if pos < len(snippet):
        parts.append((snippet[pos:], False))
    return parts
