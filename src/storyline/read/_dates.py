"""Publication dates from the many shapes inputs give them in."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

_DATE_ONLY = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_MIN_YEAR, _MAX_YEAR = 1900, 2100  # what a publication year can be (validity, not tuning)


def _valid_year(year: int) -> bool:
    return _MIN_YEAR <= year <= _MAX_YEAR


def _time_of(moment: datetime) -> str | None:
    """ "HH:MM" with its UTC offset when known; None for a bare midnight (a date posing as a time)."""
    if moment.hour == moment.minute == moment.second == 0 and moment.microsecond == 0:
        return None
    clock = moment.strftime("%H:%M")
    offset = moment.utcoffset()
    if offset is None:
        return clock
    return clock + _format_offset(offset)


def _format_offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def parse_when(value: object) -> tuple[str | None, str | None]:
    """(ISO date cut to its granularity, "HH:MM[+zone]") from a string, epoch number or struct_time.

    Unknown shapes give (None, None): a date is never guessed.
    """
    if isinstance(value, bool):
        return None, None
    if isinstance(value, int | float):
        seconds = float(value) / 1000 if value > 1e11 else float(value)
        try:
            moment = datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None, None
        return _from_datetime(moment)
    if isinstance(value, time.struct_time):
        try:
            moment = datetime(*value[:6], tzinfo=UTC)
        except (TypeError, ValueError):
            return None, None
        return _from_datetime(moment)
    if not isinstance(value, str):
        return None, None
    text = value.strip()
    match = _DATE_ONLY.match(text)
    if match:
        return _from_parts(match.group(1), match.group(2), match.group(3)), None
    candidate = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        return _from_datetime(datetime.fromisoformat(candidate))
    except ValueError:
        pass
    try:
        return _from_datetime(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        return None, None


def _from_parts(year: str, month: str | None, day: str | None) -> str | None:
    try:
        moment = datetime(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    if not _valid_year(moment.year):
        return None
    if day:
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m") if month else moment.strftime("%Y")


def _from_datetime(moment: datetime) -> tuple[str | None, str | None]:
    if not _valid_year(moment.year):
        return None, None
    return moment.strftime("%Y-%m-%d"), _time_of(moment)
