"""Word lists of the temporal tagger: month, weekday, number and unit words as regex pieces."""

from __future__ import annotations

from storyline.text.numbers import number_value

MONTHS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip

WEEKDAYS: dict[str, int] = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
    "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4, "sat": 5, "sun": 6,
}  # fmt: skip

SMALL_NUMBERS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "single": 1,
}  # fmt: skip

TENS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}  # fmt: skip

VAGUE_NUMBERS = ("a few", "a couple of", "a number of", "several", "few", "many", "some", "couple of")

ORDINALS: dict[str, int] = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "last": 4, "final": 4,
}  # fmt: skip

# unit word -> TimeML duration letter (with "T" prefix for clock units) and multiplier
UNITS: dict[str, tuple[str, int]] = {
    "second": ("TS", 1), "minute": ("TM", 1), "hour": ("TH", 1), "day": ("D", 1), "night": ("D", 1),
    "week": ("W", 1), "fortnight": ("W", 2), "month": ("M", 1), "quarter": ("Q", 1), "year": ("Y", 1),
    "decade": ("Y", 10), "century": ("Y", 100), "centurie": ("Y", 100), "weekend": ("D", 2),
}  # fmt: skip

SEASONS: dict[str, str] = {"spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA", "winter": "WI"}
SEASON_ORDER = ("WI", "SP", "SU", "FA")

DAY_PARTS: dict[str, str] = {
    "morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI", "overnight": "NI",
}  # fmt: skip

SET_ADVERBS: dict[str, str] = {
    "hourly": "PT1H", "daily": "P1D", "nightly": "P1D", "weekly": "P1W", "biweekly": "P2W",
    "monthly": "P1M", "annually": "P1Y", "yearly": "P1Y", "semiannually": "P6M",
}  # fmt: skip


def alternation(words: object) -> str:
    """A regex alternation of the words, longest first, with dots escaped."""
    items = sorted((str(w) for w in words), key=len, reverse=True)  # type: ignore[attr-defined]
    return "|".join(w.replace(".", r"\.").replace(" ", r"\s+") for w in items)


_TEN_ALT = alternation(TENS)
_UNIT_ALT = "one|two|three|four|five|six|seven|eight|nine"
NUMBER_WORD = rf"(?:(?:{_TEN_ALT})(?:[\s-](?:{_UNIT_ALT}))?|{alternation(SMALL_NUMBERS)}|hundred)"
NUMBER = rf"(?:\d+(?:\.\d+)?|{NUMBER_WORD}|{alternation(VAGUE_NUMBERS)})"


def parse_number(text: str) -> int | float | None:
    """The number a NUMBER match denotes; None for vague quantities ("several"). Spelled-out
    cardinals are read by text2num (`storyline.text.numbers`)."""
    t = " ".join(text.lower().replace("-", " ").split())
    if not t:
        return None
    if t[0].isdigit():
        value = float(t)
        return int(value) if value.is_integer() else value
    if t in ("a couple of", "couple of"):
        return 2
    if t in ("a", "an", "single"):  # "a week", "a single day": one, though not a numeral
        return 1
    return number_value(t, "en")
