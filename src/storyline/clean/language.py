"""Language identification restricted to a fixed list of languages (lingua)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from lingua import IsoCode639_1, LanguageDetector, LanguageDetectorBuilder

from storyline.config import CLEAN, DEFAULT_LANGUAGES, CleanConfig

__all__ = ["DEFAULT_LANGUAGES", "detect_language", "detector_for", "too_short"]


@lru_cache(maxsize=8)
def detector_for(languages: tuple[str, ...]) -> LanguageDetector:
    """A detector for exactly these ISO 639-1 codes (built once per list; low-accuracy mode off)."""
    codes = [IsoCode639_1.from_str(code) for code in sorted(set(languages))]
    if len(codes) < 2:
        raise ValueError(f"language identification needs at least two languages, got {languages!r}")
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()


def _unspaced_script(ch: str) -> bool:
    """Scripts written without spaces between words (CJK, kana, Thai)."""
    code = ord(ch)
    return (
        0x3040 <= code <= 0x30FF
        or 0x3400 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0x0E00 <= code <= 0x0E7F
    )


def too_short(text: str, config: CleanConfig = CLEAN) -> bool:
    """True when a text has too few letters (or words) for an honest guess."""
    letters = [ch for ch in text[:400] if ch.isalpha()]
    if len(letters) < config.min_letters:
        return True
    unspaced = sum(map(_unspaced_script, letters))
    return unspaced * 2 < len(letters) and len(text[:400].split()) < config.min_words


def detect_language(text: str, languages: Sequence[str] | None = None, *, config: CleanConfig = CLEAN) -> str | None:
    """ISO 639-1 code of the text's language among `languages` (else `config.languages`); None for too
    short or unknown texts."""
    if too_short(text, config):
        return None
    languages = config.languages if languages is None else languages
    found = detector_for(tuple(languages)).detect_language_of(text[: config.sample_chars])
    return found.iso_code_639_1.name.lower() if found is not None else None
