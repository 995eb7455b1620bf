"""Words per language: stems (Snowball) and stop words (spaCy's lists), one place for every stage.

Both are looked up by ISO 639-1 code. A language without a stemmer keeps its words as they are
(lower-cased); one without a stop-word list gets an empty set: nothing is guessed from English.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from functools import cache, lru_cache

import snowballstemmer

# ISO 639-1 -> Snowball algorithm name, for the algorithms snowballstemmer ships
SNOWBALL_LANGUAGES: dict[str, str] = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "et": "estonian", "eu": "basque", "fi": "finnish", "fr": "french",
    "ga": "irish", "hi": "hindi", "hu": "hungarian", "hy": "armenian", "id": "indonesian", "it": "italian",
    "lt": "lithuanian", "ne": "nepali", "nl": "dutch", "no": "norwegian", "nb": "norwegian", "pl": "polish",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "sv": "swedish", "ta": "tamil",
    "tr": "turkish",
}  # fmt: skip

_WORD = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)


@cache
def _snowball(language: str) -> snowballstemmer.stemmer | None:
    name = SNOWBALL_LANGUAGES.get(language)
    return snowballstemmer.stemmer(name) if name else None


@cache
def stemmer(language: str | None) -> Callable[[str], str]:
    """A function from a word to its stem in `language` (lower-cased; unchanged where Snowball has
    no algorithm for the language)."""
    algorithm = _snowball(language or "")
    if algorithm is None:
        return str.lower
    stem_word = algorithm.stemWord

    @lru_cache(maxsize=200_000)  # bounded: a long ingest meets an ever-growing vocabulary
    def stem(word: str) -> str:
        return str(stem_word(word.lower()))

    return stem


def stem(word: str, language: str | None = "en") -> str:
    return stemmer(language)(word)


@cache
def stop_words(language: str | None) -> frozenset[str]:
    """spaCy's stop words for `language` (lower-case), empty where spaCy has none."""
    if not language or not language.isalpha():
        return frozenset()
    try:
        module = importlib.import_module(f"spacy.lang.{language.lower()}.stop_words")
    except ImportError:  # spaCy has no list for this language: nothing is removed
        return frozenset()
    return frozenset(word.lower() for word in module.STOP_WORDS)


def words(text: str) -> list[str]:
    """The words of a text, lower-cased, in order (letters, digits and inner apostrophes)."""
    return [w.lower() for w in _WORD.findall(text)]


def content_stems(text: str, language: str | None = "en") -> list[str]:
    """Stems of the words that are not stop words of `language`."""
    stop = stop_words(language)
    stem_word = stemmer(language)
    return [stem_word(w) for w in words(text) if w not in stop]
