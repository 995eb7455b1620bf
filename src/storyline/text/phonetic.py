"""Phonetic keys of names (jellyfish), for blocking and matching spellings that sound alike."""

from __future__ import annotations

from functools import cache

import jellyfish
from unidecode import unidecode


@cache
def phonetic_key(token: str) -> str:
    """Metaphone of a name token after transliteration to ASCII ("Zelenskyy", "Зеленський" and
    "Selenskyj" land close together); "" for a token without letters."""
    ascii_form = "".join(ch for ch in unidecode(token) if ch.isalpha())
    return str(jellyfish.metaphone(ascii_form)) if ascii_form else ""


@cache
def sound_key(token: str) -> str:
    """A coarser key (NYSIIS) for blocking candidates cheaply."""
    ascii_form = "".join(ch for ch in unidecode(token) if ch.isalpha())
    return str(jellyfish.nysiis(ascii_form)) if ascii_form else ""
