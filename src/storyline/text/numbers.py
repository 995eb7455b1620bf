"""Numbers written as words, in the languages text2num reads ("twenty-five", "vingt-cinq",
"fünfundzwanzig")."""

from __future__ import annotations

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
