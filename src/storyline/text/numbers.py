"""Numbers written as words, in the languages text2num reads ("twenty-five", "vingt-cinq",
"fünfundzwanzig")."""

from __future__ import annotations

import re
from functools import lru_cache

from text_to_num import alpha2digit, text2num

# languages text2num supports (ISO 639-1)
NUMBER_WORD_LANGUAGES = ("en", "fr", "de", "es", "it", "pt", "nl")


def number_value(text: str, language: str = "en") -> int | None:
    """The value of a number written in words ("twenty-five" -> 25), or None when it is not one."""
    if language not in NUMBER_WORD_LANGUAGES or not text.strip():
        return None
    try:
        return int(text2num(text.strip().lower(), language))
    except ValueError:
        return None


def digits_for_words(text: str, language: str = "en") -> str:
    """The text with its spelled-out numbers replaced by digits (isolated "one"/"un" are kept,
    as text2num does: they are too often not a count)."""
    if language not in NUMBER_WORD_LANGUAGES:
        return text
    return str(alpha2digit(text, language))


# ---------------------------------------------------------------- figures written in digits

# How each language writes "1,234.5": the decimal mark, and the marks that group thousands.
# English groups with commas; French with (narrow) no-break or plain spaces, sometimes dots;
# German, Spanish, Italian, Portuguese and Dutch with dots or spaces. All but English mark decimals with a comma.
_SPACES = " \u00a0\u202f"
DECIMAL_MARK: dict[str, str] = {"en": ".", "fr": ",", "de": ",", "es": ",", "it": ",", "pt": ",", "nl": ","}
GROUP_MARKS: dict[str, str] = {
    "en": ",",
    "fr": _SPACES + ".",
    "de": "." + _SPACES,
    "es": "." + _SPACES,
    "it": "." + _SPACES,
    "pt": "." + _SPACES,
    "nl": "." + _SPACES,
}


def digits_pattern(language: str) -> str:
    """A regular expression for a figure as `language` writes it: "1 234,5" or "1.234,5" in French,
    German, Spanish ..., "1,234.5" in English (and any language it does not know). Thousands
    groups are exactly three digits, so "2.500" is 2500 in German and "0,2" is 0.2 in French; a
    mark not followed by three digits is a decimal mark in any language but English ("1.5 Mio.")."""
    decimal = re.escape(DECIMAL_MARK.get(language, "."))
    groups = "[" + re.escape(GROUP_MARKS.get(language, ",")) + "]"
    grouped = rf"\d{{1,3}}(?:{groups}\d{{3}})+(?:{decimal}\d+)?"
    if language == "en":
        return rf"(?:{grouped}|\d+(?:{decimal}\d+)?)"
    # a point or comma not followed by exactly three digits can only be a decimal mark ("1.5 milliard")
    return rf"(?:{grouped}|{_ANY_DECIMAL}|\d+(?:{decimal}\d+)?)"


_ANY_DECIMAL = r"\d+[.,](?!\d{3}(?!\d))\d+"


@lru_cache(maxsize=16)
def _digits_re(language: str) -> re.Pattern[str]:
    return re.compile(digits_pattern(language))


def figure_value(text: str, language: str = "en") -> float | None:
    """The value of a figure written in digits the way `language` writes them ("1,5" -> 1.5 and
    "12 000" -> 12000 in French, "2.500" -> 2500 in German); None when `text` is not one."""
    t = text.strip()
    if not _digits_re(language).fullmatch(t):
        return None
    decimal = DECIMAL_MARK.get(language, ".")
    if language != "en" and re.fullmatch(_ANY_DECIMAL, t):
        decimal = "." if "." in t else ","
    whole, _, fraction = t.partition(decimal)
    whole = re.sub(r"\D", "", whole)
    return float(f"{whole}.{fraction}" if fraction else whole)


def format_figure(value: float, language: str = "en", decimals: int = 0, group: str | None = None) -> str:
    """`value` written as `language` writes it, grouped by `group` (the language's first mark by
    default): the inverse of `figure_value`, used to test it."""
    mark = GROUP_MARKS.get(language, ",")[0] if group is None else group
    whole, _, fraction = f"{abs(value):,.{decimals}f}".partition(".")
    whole = whole.replace(",", mark)
    sign = "-" if value < 0 else ""
    return sign + whole + (DECIMAL_MARK.get(language, ".") + fraction if fraction else "")
