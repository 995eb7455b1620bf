"""Evaluation text goes through the cleaner, as the engine's does; gold offsets follow it.

Gold spans of the corpora point into their raw text (Timeline17 is tokenised Penn-Treebank style:
"-LRB-", "# 50m", "60 ,000"). Extractors never see such quirks: the evaluations normalize the text with
the cleaner first and move every gold span onto the normalized text with a character alignment.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from storyline.clean.normalize import normalize_text


@dataclass(frozen=True)
class CleanedText:
    raw: str
    text: str
    # matching blocks of the alignment: (raw start, text start, length), in order
    blocks: tuple[tuple[int, int, int], ...]

    def position(self, raw_offset: int, *, end: bool = False) -> int:
        """Where a raw offset lands in the cleaned text. Inside a stretch the cleaner dropped or
        rewrote, a start moves to the beginning of what replaced it and an end to its finish, so a
        span keeps the rewritten characters ("-LRB- 14km" -> "(14km")."""
        # an end belongs to the block it closes, a start to the block it opens
        i = (bisect_left if end else bisect_right)(self._starts, raw_offset) - 1
        if i >= 0:
            a, b, size = self.blocks[i]
            if raw_offset < a + size or (end and raw_offset == a + size):
                return b + (raw_offset - a)
            if not end:
                return b + size
        nxt = self.blocks[i + 1] if i + 1 < len(self.blocks) else None
        return nxt[1] if nxt else len(self.text)

    @property
    def _starts(self) -> list[int]:
        return [b[0] for b in self.blocks]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """A raw span on the cleaned text."""
        new_start, new_end = self.position(start), self.position(end, end=True)
        while new_start < new_end and self.text[new_start].isspace():
            new_start += 1
        while new_end > new_start and self.text[new_end - 1].isspace():
            new_end -= 1
        return new_start, max(new_start, new_end)


_TOKEN = re.compile(r"\S+")


def _align_characters(
    raw: str, raw_at: int, raw_to: int, text: str, text_at: int, text_to: int
) -> list[tuple[int, int, int]]:
    """One-character blocks for the visible characters two differing stretches share (spaces are
    left out: the cleaner moves them, and a space matched first would hide the figure beside it)."""
    raw_chars = [i for i in range(raw_at, raw_to) if not raw[i].isspace()]
    text_chars = [i for i in range(text_at, text_to) if not text[i].isspace()]
    chars = difflib.SequenceMatcher(
        None, "".join(raw[i] for i in raw_chars), "".join(text[i] for i in text_chars), autojunk=False
    )
    return [
        (raw_chars[c.a + k], text_chars[c.b + k], 1)
        for c in chars.get_matching_blocks()
        for k in range(c.size)
    ]


def _align(raw: str, text: str) -> list[tuple[int, int, int]]:
    """Character blocks shared by raw and text, in order: tokens aligned first (fast on whole
    articles), then characters inside each stretch of differing tokens."""
    raw_tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(raw)]
    text_tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    words = difflib.SequenceMatcher(
        None, [raw[s:e] for s, e in raw_tokens], [text[s:e] for s, e in text_tokens], autojunk=False
    )
    blocks: list[tuple[int, int, int]] = []
    raw_at = text_at = 0  # character positions up to which both sides are aligned
    for m in words.get_matching_blocks():
        raw_to = raw_tokens[m.a][0] if m.a < len(raw_tokens) else len(raw)
        text_to = text_tokens[m.b][0] if m.b < len(text_tokens) else len(text)
        blocks += _align_characters(raw, raw_at, raw_to, text, text_at, text_to)
        for k in range(m.size):
            (rs, re_), (ts, _) = raw_tokens[m.a + k], text_tokens[m.b + k]
            blocks.append((rs, ts, re_ - rs))
        if m.size:
            raw_at, text_at = raw_tokens[m.a + m.size - 1][1], text_tokens[m.b + m.size - 1][1]
    return blocks


def clean_for_eval(raw: str) -> CleanedText:
    """The raw text normalized by the cleaner, with the alignment to map gold offsets."""
    text = normalize_text(raw)
    return CleanedText(raw, text, tuple(_align(raw, text)))
