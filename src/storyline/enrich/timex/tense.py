"""Lexical tense of the clause around a position: past, future or present.

Sentences come from the one splitter (`storyline.text.sentences`); within the sentence, the tense cue nearest to the
expression decides (future cues such as "will", "'ll", "going to", "expected to", "plans";
past cues such as "was", "had", "said", "ago" and -ed verb forms).
"""

from __future__ import annotations

import re
from bisect import bisect_right

from storyline.text.sentences import sentence_spans

_FUTURE = (
    r"(?:was|were|is|are)\s+(?:planning|expected|scheduled|due|going)|will|won't|wo\s+n't|shall|'ll|’ll|going\s+to|gonna|expects?\s+to|expected\s+to|plans?\s+to|"
    r"planned\s+to|intends?\s+to|aims?\s+to|scheduled|due\s+to\s+(?:be|start|begin|open|meet|"
    r"arrive|visit|take|hold|announce|report|vote|resume|return)|is\s+to|are\s+to|next(?!\s+to\b)|upcoming|as\s+soon\s+as|"
    r"forthcoming|would|hopes?\s+to|promised\s+to|set\s+to|to\s+be\s+held|(?-i:may)|might|should|must"
)
_IRREGULAR_PAST = (
    "was|were|had|did|said|told|ago|went|came|took|made|got|gave|saw|met|left|won|lost|began|fell|"
    "rose|paid|sold|bought|held|led|found|thought|brought|became|ran|struck|knew|felt|kept|sent|spent|"
    "built|wrote|spoke|broke|chose|drove|flew|grew|threw|wore|fought|caught|taught|sought|stood|"
    "understood|heard|meant|shot|fled|slid|sank|swore|stole|hid|bit|shook|forbade|overtook|quit|"
    "earlier|previously|yesterday|last|recently|former"
)
_PAST_EXCEPTIONS = frozenset(
    [
        "need",
        "needed",
        "compared",
        "united",
        "based",
        "red",
        "bed",
        "shed",
        "feed",
        "seed",
        "speed",
        "weed",
        "bleed",
        "breed",
        "proceed",
        "exceed",
        "succeed",
        "hundred",
        "indeed",
        "embed",
        "wed",
        "tired",
        "detailed",
        "limited",
        "related",
        "expected",
        "scheduled",
        "so-called",
        "supposed",
        "interested",
        "concerned",
        "advanced",
        "continued",
        "estimated",
        "increased",
        "reduced",
        "proposed",
        "unexpected",
        "unprecedented",
    ]
)
# words after "to" that show it is a preposition, not the mark of an infinitive
_NOT_VERBS = (
    "the|a|an|his|her|its|their|our|my|your|this|that|these|those|about|around|nearly|almost|more|less|"
    "some|any|all|each|every|one|two|three|four|five|six|seven|eight|nine|ten|date|him|them|us|me|"
    "what|which|whom|where|court|power|office|prison|jail|school|work|market|death|percent"
)
_CUE = re.compile(
    rf"(?P<future>(?<![\w'’])(?:{_FUTURE})\b)|(?<!\bbe\s)(?<!\bis\s)(?<!\bare\s)(?<!\bam\s)(?<!\bbeing\s)"
    rf"(?<!\bremain\s)(?<!\bremains\s)(?<!\bstay\s)(?<!\bstays\s)"
    rf"(?P<past>\b(?:{_IRREGULAR_PAST})\b|\b[a-z]{{2,}}ed\b)|(?P<infinitive>\bto\s+(?!(?:{_NOT_VERBS})\b)[a-z]{{3,}}\b)",
    re.IGNORECASE,
)


# punctuation or a subordinator between a cue and the expression: they are in different clauses
_CLAUSE_BREAK = re.compile(
    r"[,;:()\"“”]|``|''|\s--?\s|\b(?:that|which|who|when|while|because|but|after|before)\b"
)


_REPORTING = re.compile(
    r"(?:said|says|told|tells|added|announced|reported|stated|declared|noted|explained)\b", re.IGNORECASE
)

# what may follow a closing "said": a word or two ("said on Tuesday", "said in a statement") and punctuation
_ATTRIBUTION_TAIL = re.compile(r"(?:\s+[\w'’-]+){0,4}?[\s.!?\"'”’)]*")


class TenseIndex:
    """Sentence starts of one text; tense cues are scanned per sentence on first use."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.sentence_starts = [0] + [start for start, _ in sentence_spans(text)[1:]]
        self._cues: dict[int, list[tuple[int, str]]] = {}

    def _index(self, pos: int) -> int:
        return bisect_right(self.sentence_starts, pos) - 1

    def sentence_bounds(self, pos: int) -> tuple[int, int]:
        i = self._index(pos)
        end = self.sentence_starts[i + 1] if i + 1 < len(self.sentence_starts) else len(self.text)
        return self.sentence_starts[i], end

    def previous_sentence_start(self, pos: int) -> int:
        return self.sentence_starts[max(0, self._index(pos) - 1)]

    def cues(self, pos: int) -> list[tuple[int, str]]:
        """(position, tense) of the cues in the sentence holding `pos`."""
        lo, hi = self.sentence_bounds(pos)
        if lo not in self._cues:
            found: list[tuple[int, str]] = []
            for m in _CUE.finditer(self.text, lo, hi):
                if m.group("past") and m.group("past").lower() in _PAST_EXCEPTIONS:
                    continue
                # an infinitive ("decided to admit them in March") is not anchored by the
                # tense of its governing verb: it asks for the nearest occurrence
                tense = "future" if m.group("future") else "past" if m.group("past") else "present"
                if (
                    tense == "present"
                    and found
                    and found[-1][1] == "future"
                    and m.start() - found[-1][0] < 25
                ):
                    continue  # "is scheduled to close": the future cue governs the infinitive
                found.append((m.start(), tense))
            self._cues[lo] = found
        return self._cues[lo]

    def _closing_attribution(self, pos: int) -> bool:
        """Whether the cue at `pos` is a verb of saying that closes its sentence ("…, he said.")."""
        verb = _REPORTING.match(self.text, pos)
        if not verb:
            return False
        rest = self.text[verb.end() : self.sentence_bounds(pos)[1]]
        return _ATTRIBUTION_TAIL.fullmatch(rest) is not None

    def tense_at(self, start: int, end: int) -> str:
        """ "past", "future" or "present" for an expression spanning start..end: the nearest cue
        in its sentence decides (future on ties)."""
        best: tuple[int, int, int, int, str] | None = None
        cues = self.cues(start)
        # an expression after a verb of its own clause ("decided to admit them in March, an
        # official said"): a verb of saying dates the report, not the event, so others win
        own_verb = any(pos < start and not _REPORTING.match(self.text, pos) for pos, _ in cues)
        for pos, tense in cues:
            if start <= pos < end:
                continue
            between = self.text[pos:start] if pos < start else self.text[end:pos]
            if pos >= end and _CLAUSE_BREAK.search(between) and self._closing_attribution(pos):
                continue  # "…on Nov. 6, the company said.": the verb of saying dates the report
            dist = start - pos if pos < start else pos - end
            key = (
                1 if _CLAUSE_BREAK.search(between) else 0,
                1 if own_verb and _REPORTING.match(self.text, pos) else 0,
                dist,
                {"future": 0, "past": 1}.get(tense, 2),
                tense,
            )
            if best is None or key < best:
                best = key
        return best[4] if best else "present"


def index_tense(text: str) -> TenseIndex:
    return TenseIndex(text)
