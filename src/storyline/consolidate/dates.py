"""Calendar dates at their granularity ("2024", "2024-05", "2024-05-12") taken from TimeML values,
with the comparisons the consolidation stages need."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from storyline.model import IsoDate, TimeExpression

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
