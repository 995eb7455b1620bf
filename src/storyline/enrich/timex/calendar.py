"""Calendar arithmetic on dates and TimeML values (pure functions, no I/O)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from storyline.enrich.timex.lexicon import SEASON_ORDER

_DAY = re.compile(r"^(\d{4})-(\d\d)-(\d\d)")
_MONTH = re.compile(r"^(\d{4})-(\d\d)$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_HALF = re.compile(r"^(\d{4})-H([12])$")
_SEASON = re.compile(r"^(\d{4})-(SP|SU|FA|WI)$")
_WEEK = re.compile(r"^(\d{4})-W(\d\d)")
_YEAR = re.compile(r"^(\d{4})$")


def parse_day(value: str | None) -> date | None:
    """The date of a day-granular value ("1998-02-06", "1998-02-06TMO"), else None."""
    if not value:
        return None
    m = _DAY.match(value)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def day(d: date) -> str:
    return d.isoformat()


def month(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}"


def week(d: date) -> str:
    iso = d.isocalendar()
    return f"{iso[0]:04d}-W{iso[1]:02d}"


def quarter_of(d: date) -> int:
    return (d.month - 1) // 3 + 1


def season_of(d: date) -> tuple[int, str]:
    """Season and its year; December belongs to the winter of the next year's start."""
    if d.month in (12, 1, 2):
        return (d.year + 1 if d.month == 12 else d.year), "WI"
    return d.year, ("SP" if d.month <= 5 else "SU" if d.month <= 8 else "FA")


def add_months(y: int, m: int, n: int) -> tuple[int, int]:
    total = y * 12 + (m - 1) + n
    return total // 12, total % 12 + 1


def safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def shift_day(d: date, n: int | float, unit: str) -> date | None:
    """`d` moved by n units (D, W, M, Q, Y) — months clip to the month's last day."""
    n = int(n)
    if unit == "D":
        return d + timedelta(days=n)
    if unit == "W":
        return d + timedelta(weeks=n)
    months = {"M": 1, "Q": 3, "Y": 12}.get(unit)
    if months is None:
        return None
    y, m = add_months(d.year, d.month, n * months)
    for dd in (d.day, 30, 29, 28):
        out = safe_date(y, m, dd)
        if out:
            return out
    return None


def granular(d: date, unit: str) -> str:
    """`d` written at the granularity of a unit letter."""
    if unit == "D":
        return day(d)
    if unit == "W":
        return week(d)
    if unit == "M":
        return month(d.year, d.month)
    if unit == "Q":
        return f"{d.year:04d}-Q{quarter_of(d)}"
    return f"{d.year:04d}"


def shift_value(value: str, n: int | float, unit: str) -> str | None:
    """A TimeML value moved by n units, at the coarser of its granularity and the unit's
    (`1989-Q3` minus a year is `1988-Q3`; `1998-02-06` plus two days is `1998-02-08`)."""
    if isinstance(n, float) and not n.is_integer():
        return None
    n = int(n)
    if m := _QUARTER.match(value):
        y, q = int(m.group(1)), int(m.group(2))
        if unit == "Y":
            return f"{y + n:04d}-Q{q}"
        if unit == "Q":
            total = y * 4 + q - 1 + n
            return f"{total // 4:04d}-Q{total % 4 + 1}"
        return None
    if m := _HALF.match(value):
        return f"{int(m.group(1)) + n:04d}-H{m.group(2)}" if unit == "Y" else None
    if m := _SEASON.match(value):
        return f"{int(m.group(1)) + n:04d}-{m.group(2)}" if unit == "Y" else None
    if m := _YEAR.match(value):
        return f"{int(m.group(1)) + n:04d}" if unit == "Y" else None
    if m := _MONTH.match(value):
        if unit in ("M", "Q", "Y"):
            y, mm = add_months(int(m.group(1)), int(m.group(2)), n * {"M": 1, "Q": 3, "Y": 12}[unit])
            return f"{y:04d}" if unit == "Y" else month(y, mm)
        return None
    if m := _WEEK.match(value):
        base = safe_date(int(m.group(1)), 1, 4)
        if base is None or unit not in ("W", "D"):
            return None
        monday = base - timedelta(days=base.weekday()) + timedelta(weeks=int(m.group(2)) - 1)
        return week(monday + timedelta(weeks=n) if unit == "W" else monday + timedelta(days=n))
    d = parse_day(value)
    if d is None:
        return None
    moved = shift_day(d, n, unit)
    return granular(moved, unit) if moved else None


def weekday_near(anchor: date, weekday: int, direction: str) -> date:
    """The given weekday near `anchor`: "past" (on or before), "future" (on or after),
    "before"/"after" (strictly), "near" (closest, ties to the past)."""
    back = (anchor.weekday() - weekday) % 7
    ahead = (weekday - anchor.weekday()) % 7
    if direction == "past":
        return anchor - timedelta(days=back)
    if direction == "future":
        return anchor + timedelta(days=ahead)
    if direction == "before":
        return anchor - timedelta(days=back or 7)
    if direction == "after":
        return anchor + timedelta(days=ahead or 7)
    return anchor - timedelta(days=back) if back <= ahead else anchor + timedelta(days=ahead)


def year_for(anchor: date, m: int, d: int | None, direction: str) -> int:
    """The year of month `m` (day `d`) seen from `anchor` in a direction: "past" (on or before),
    "future" (on or after), "before"/"after" (strictly), "near" (closest)."""
    here = (m, d or 0)
    now = (anchor.month, anchor.day if d else 0)
    y = anchor.year
    if direction == "past":
        return y if here <= now else y - 1
    if direction == "future":
        return y if here >= now else y + 1
    if direction == "before":
        return y if here < now else y - 1
    if direction == "after":
        return y if here > now else y + 1
    diff = (m - anchor.month) * 31 + ((d or 15) - (anchor.day if d else 15))
    if diff > 186:
        return y - 1
    if diff < -186:
        return y + 1
    return y


def season_year(anchor: date, season: str, direction: str) -> int:
    """The year of a season seen from `anchor` in a direction (as in `year_for`)."""
    y, current = season_of(anchor)
    here, now = SEASON_ORDER.index(season), SEASON_ORDER.index(current)
    if direction == "near":
        return anchor.year
    if direction == "past":
        return y if here <= now else y - 1
    if direction == "before":
        return y if here < now else y - 1
    if direction == "after":
        return y if here > now else y + 1
    return y if here >= now else y + 1


def two_digit_year(yy: int, anchor: date | None) -> int:
    """A two-digit year in the century that puts it no more than 10 years after the anchor."""
    pivot = (anchor.year if anchor else 2030) + 10
    year = (pivot // 100) * 100 + yy
    return year - 100 if year > pivot else year


def nth_weekday(y: int, m: int, weekday: int, n: int) -> date | None:
    """The n-th weekday of a month (n = -1 for the last)."""
    if n > 0:
        first = date(y, m, 1)
        d = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
        return d if d.month == m else None
    nxt = date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)
    return nxt - timedelta(days=(nxt.weekday() - weekday) % 7)


def easter(y: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian computus)."""
    a, b, c = y % 19, y // 100, y % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    mo = (h + ell - 7 * m + 114) // 31
    da = (h + ell - 7 * m + 114) % 31 + 1
    return date(y, mo, da)
