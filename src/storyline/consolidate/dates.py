"""Calendar dates at their granularity ("2024", "2024-05", "2024-05-12") taken from TimeML values,
with the comparisons the consolidation stages need."""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from storyline.model import IsoDate, TimeExpression
from storyline.text.numbers import number_value

if TYPE_CHECKING:
    from storyline.consolidate.sentences import Sentence

_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:T.*)?$")


def iso_date(value: str | None) -> IsoDate | None:
    """The calendar part of a TimeML value cut to its granularity; None for durations, weeks,
    seasons, unresolved ('XXXX-05-12') or reference values ('PRESENT_REF')."""
    if not value:
        return None
    match = _ISO.match(value.strip())
    if not match:
        return None
    year, month, day = match.groups()
    try:
        if day is not None:
            date(int(year), int(month), int(day))
            return f"{year}-{month}-{day}"
        if month is not None:
            if not 1 <= int(month) <= 12:
                return None
            return f"{year}-{month}"
    except ValueError:
        return None
    return year


def timex_date(timex: TimeExpression) -> IsoDate | None:
    """The calendar date a DATE or TIME expression resolves to, None otherwise."""
    if timex.type not in ("DATE", "TIME") or not timex.anchored:
        return None
    return iso_date(timex.value)


def granularity(value: IsoDate) -> str:
    return {4: "year", 7: "month", 10: "day"}.get(len(value), "unknown")


def first_day(value: IsoDate) -> date:
    parts = [int(p) for p in value.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def last_day(value: IsoDate) -> date:
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        return date(parts[0], parts[1], parts[2])
    if len(parts) == 2:
        return date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    return date(parts[0], 12, 31)


def compatible(a: IsoDate, b: IsoDate) -> bool:
    """True when one date contains the other at its granularity ("2024-05" and "2024-05-12")."""
    return a.startswith(b) or b.startswith(a)


def sort_key(value: IsoDate) -> tuple[date, int]:
    """Chronological order; a coarser date sorts before the finer dates it contains."""
    return first_day(value), len(value)


def days_between(a: date, b: date) -> int:
    return (b - a) // timedelta(days=1)


# --- relative expressions anchored on their sentence or paragraph ----------------------------------

_EXPLICIT_YEAR = re.compile(r"(?<!\d)(?:1[5-9]|20)\d\d(?!\d)")
_UNIT = r"(year|month|week|day|night|morning|afternoon|evening)"
_SAME = re.compile(
    r"^(?:on\s+|in\s+|at\s+|later\s+on\s+|later\s+|earlier\s+)?(?:the\s+same|that\s+same|same|that)\s+"
    + _UNIT
    + r"$"
)
_SHIFT = re.compile(
    r"^(?:on\s+|later\s+|earlier\s+)?(?:(?:the\s+)?(following|subsequent|preceding)|the\s+(next|previous|prior))\s+"
    + _UNIT
    + r"$"
)
_LATER = re.compile(
    r"^(a|an|one|two|three|four|five|six|\d{1,2})\s+"
    + _UNIT
    + r"s?\s+(later|after|afterwards|earlier|before)$"
)
_DAY_AROUND = re.compile(r"^the\s+(day|year|month|week)\s+(after|before)$")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = re.compile(
    r"^(?:on\s+)?(" + "|".join(_WEEKDAYS) + r")(?:\s+(?:morning|afternoon|evening|night))?$"
)
_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
_MONTH_NO_YEAR = re.compile(
    r"^(?:in\s+|on\s+|early\s+|late\s+|mid-?)?(?:\d{1,2}(?:st|nd|rd|th)?\s+)?(?:"
    + "|".join(_MONTHS.split())
    + r")\.?(?:\s+\d{1,2}(?:st|nd|rd|th)?)?$"
)


def is_explicit(timex: TimeExpression) -> bool:
    """True when the expression writes its year ("18 February 2015", "in 2009", "March 2024")."""
    return _EXPLICIT_YEAR.search(timex.text) is not None and timex_date(timex) is not None


def _shift(value: IsoDate, n: int, unit: str) -> IsoDate | None:
    """`value` moved by n units, at the unit's granularity ("the following year" of 2015-03-02 is
    2016); None when the value is coarser than the unit ("the next day" of 2015)."""
    if unit == "year":
        return f"{int(value[:4]) + n:04d}"
    if unit == "month":
        if len(value) < 7:
            return None
        total = int(value[:4]) * 12 + int(value[5:7]) - 1 + n
        return f"{total // 12:04d}-{total % 12 + 1:02d}"
    if len(value) < 10:
        return None
    return (first_day(value) + timedelta(days=n * (7 if unit == "week" else 1))).isoformat()


def _at_unit(value: IsoDate, unit: str) -> IsoDate:
    """The anchor at the granularity spoken of, or at its own when it is coarser ("that day" after
    "in March 2019" is a day of March 2019: 2019-03)."""
    if unit == "year":
        return value[:4]
    if unit == "month":
        return value[:7]
    return value


def anchored_date(timex: TimeExpression, anchor: IsoDate | None, explicit_anchor: bool) -> IsoDate | None:
    """The calendar date of a time expression read against the date its sentence or paragraph is
    about. `anchor` is that explicit date (`explicit_anchor`) or else the publication date.

    - explicit expressions ("18 February 2015") keep their own value;
    - anaphoric ones ("the same year", "that day", "the following month", "two days later") are
      computed from an explicit anchor, at the granularity they speak of or the anchor's when it is
      coarser ("that day" after "in March 2019" is 2019-03), None when a shift needs a finer anchor
      ("the following day" after "in 2015"). With no explicit date in their sentence or paragraph
      they keep the tagger's value, which follows the article's last date (a one-sentence paragraph
      "The same year, ..." speaks of the paragraph before), else are computed from the publication;
    - a weekday ("on Sunday") or a month without its year ("on 18 February") is moved next to an
      explicit anchor of fine enough granularity; otherwise it keeps the tagger's tense-aware value;
    - deictic ones ("yesterday", "next week", "this year") keep the tagger's value (the publication).
    """
    value = timex_date(timex)
    if timex.type not in ("DATE", "TIME") or is_explicit(timex) or anchor is None:
        return value
    text = " ".join(timex.text.lower().replace("\u2019", "'").split())
    anaphoric, computed = _anaphoric(text, anchor)
    if anaphoric:
        return computed if explicit_anchor or value is None else value
    if not explicit_anchor:
        return value
    if m := _WEEKDAY.match(text):
        if len(anchor) != 10:
            return value
        from storyline.enrich.timex.calendar import weekday_near

        return weekday_near(first_day(anchor), _WEEKDAYS.index(m.group(1)), "near").isoformat()
    if _MONTH_NO_YEAR.match(text) and value is not None and len(value) >= 7:
        return anchor[:4] + value[4:]
    return value


def _anaphoric(text: str, anchor: IsoDate) -> tuple[bool, IsoDate | None]:
    """(whether the expression refers back to a date of the discourse, its date from `anchor`)."""
    if m := _SAME.match(text):
        return True, _at_unit(anchor, m.group(1))
    if m := _SHIFT.match(text):
        word = m.group(1) or m.group(2)
        sign = 1 if word in ("following", "next", "subsequent") else -1
        unit = m.group(3) if m.group(3) in ("year", "month", "week") else "day"
        return True, _shift(anchor, sign, unit)
    if m := _LATER.match(text):
        word = m.group(1)
        count = 1 if word in ("a", "an") else int(word) if word.isdigit() else number_value(word, "en") or 1
        sign = 1 if m.group(3) in ("later", "after", "afterwards") else -1
        unit = m.group(2) if m.group(2) in ("year", "month", "week") else "day"
        return True, _shift(anchor, sign * count, unit)
    if m := _DAY_AROUND.match(text):
        return True, _shift(anchor, 1 if m.group(2) == "after" else -1, m.group(1))
    return False, None


def article_timex_dates(
    text: str, published: str | None, sentences: Sequence[Sentence]
) -> list[tuple[IsoDate | None, ...]]:
    """For each sentence of one article (in text order), the date of each of its time expressions,
    a relative one anchored on the explicit date nearest before it in the sentence (else the
    sentence's first), else the last explicit date earlier in its paragraph (lines are paragraphs),
    else the publication date (`anchored_date`)."""
    publication = iso_date((published or "")[:10])
    out: list[tuple[IsoDate | None, ...]] = []
    paragraph = -2
    paragraph_anchor: IsoDate | None = None
    for sentence in sentences:
        here = text.rfind("\n", 0, sentence.start)
        if here != paragraph:
            paragraph, paragraph_anchor = here, None
        explicit = [t for t in sentence.timexes if is_explicit(t)]
        values: list[IsoDate | None] = []
        for timex in sentence.timexes:
            before = [t for t in explicit if t.end <= timex.start]
            own = before[-1] if before else (explicit[0] if explicit else None)
            anchor = timex_date(own) if own is not None else paragraph_anchor
            values.append(anchored_date(timex, anchor or publication, explicit_anchor=anchor is not None))
        out.append(tuple(values))
        if explicit:
            paragraph_anchor = timex_date(explicit[-1])
    return out
