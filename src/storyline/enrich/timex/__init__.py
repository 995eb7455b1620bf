"""Rule-based temporal tagger: finds dates, times, durations and sets in English text and
normalizes them to TimeML values anchored on the document creation time.

`tag(text, dct)` is a pure function. Relative expressions are resolved against `dct`
("YYYY-MM-DD") with past or future chosen by the tense of the clause; when `dct` is None they
get value None and `anchored=False`, while absolute ones ("March 3, 1998") still resolve.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from datetime import date
from functools import partial

from storyline.config import ENRICH, EnrichConfig
from storyline.enrich.timex.rules import RULES, Context
from storyline.enrich.timex.tense import index_tense
from storyline.model import TimeExpression

__all__ = ["parse_dct", "tag"]

_PERIOD_VALUE = re.compile(r"^\d{4}-[QH]\d$")
_CALENDAR_VALUE = re.compile(r"^\d{4}(?:-(?:\d\d|Q\d|H\d|W\d\d|SP|SU|FA|WI)(?:-\d\d)?)?")


# rules whose values are computed from the reference: they do not become the reference
_ANAPHORIC = frozenset({"amount", "quarter_anaphora"})


def _sets_period(rule: str, m: re.Match[str]) -> bool:
    """Whether an expression names the fiscal period being reported on ("the third quarter",
    "the latest quarter"), not a comparison with an earlier one ("the year-ago quarter")."""
    if rule == "amount":
        return False
    return rule != "quarter_anaphora" or "year" not in m.group(0).lower()


def parse_dct(dct: str | None) -> date | None:
    """The date of a "YYYY-MM-DD" creation time (longer ISO strings are cut), else None."""
    if not dct:
        return None
    try:
        return date.fromisoformat(dct.strip()[:10])
    except ValueError:
        return None


def _candidates(text: str) -> list[tuple[int, int, int, re.Match[str]]]:
    found: list[tuple[int, int, int, re.Match[str]]] = []
    lowered = text.lower()
    for index, rule in enumerate(RULES):
        if rule.triggers and not any(t in lowered for t in rule.triggers):
            continue
        has_x = "x" in rule.pattern.groupindex
        for m in rule.pattern.finditer(text):
            if has_x and m.group("x") is not None:
                start, end = m.span("x")
            else:
                start, end = m.span()
            while end > start and text[end - 1] in " \t\n,":
                end -= 1
            if end <= start or (rule.check is not None and not rule.check(m)):
                continue
            found.append((start, end, index, m))
    return found


def _select(found: list[tuple[int, int, int, re.Match[str]]]) -> list[tuple[int, int, int, re.Match[str]]]:
    """Longest candidates first (earlier rules break ties), never overlapping."""
    found.sort(key=lambda c: (c[0] - c[1], c[2], c[0]))
    starts: list[int] = []
    ends: list[int] = []
    chosen: list[tuple[int, int, int, re.Match[str]]] = []
    for cand in found:
        start, end = cand[0], cand[1]
        i = bisect_left(starts, start)
        if i > 0 and ends[i - 1] > start:
            continue
        if i < len(starts) and starts[i] < end:
            continue
        starts.insert(i, start)
        ends.insert(i, end)
        chosen.append(cand)
    chosen.sort(key=lambda c: c[0])
    return chosen


def tag(text: str, dct: str | None, *, config: EnrichConfig = ENRICH) -> list[TimeExpression]:
    """Temporal expressions of `text` in order, with TimeML types and values."""
    anchor = parse_dct(dct)
    chosen = _select(_candidates(text))
    if not chosen:
        return []
    tenses = index_tense(text)
    ref: str | None = None
    period: tuple[int, str] | None = None  # sentence start and value of the last fiscal period
    out: list[TimeExpression] = []
    for start, end, index, m in chosen:
        sentence = tenses.sentence_bounds(start)[0]
        recent_period = period[1] if period and period[0] >= tenses.previous_sentence_start(start) else None
        ctx = Context(anchor, ref, partial(tenses.tense_at, start, end), recent_period, config)
        result = RULES[index].normalize(m, ctx)
        if result is None:
            continue
        kind, value = result
        out.append(TimeExpression(start, end, text[start:end], kind, value, anchored=value is not None))  # type: ignore[arg-type]
        if (
            RULES[index].name not in _ANAPHORIC
            and kind in ("DATE", "TIME")
            and value
            and _CALENDAR_VALUE.match(value)
            and "X" not in value
        ):
            ref = value
        if kind == "DATE" and value and _PERIOD_VALUE.match(value) and _sets_period(RULES[index].name, m):
            period = (sentence, value)
    return out
