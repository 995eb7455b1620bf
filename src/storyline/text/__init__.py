"""The text toolkit every stage uses: stems and stop words per language, number words, phonetic
keys, and the one sentence splitter (`storyline.text.sentences`). Built on maintained libraries
(snowballstemmer, spaCy's stop-word lists, text2num, jellyfish)."""

from storyline.text.numbers import NUMBER_WORD_LANGUAGES, digits_for_words, number_value
from storyline.text.phonetic import phonetic_key, sound_key
from storyline.text.words import SNOWBALL_LANGUAGES, content_stems, stem, stemmer, stop_words, words

__all__ = [
    "NUMBER_WORD_LANGUAGES",
    "SNOWBALL_LANGUAGES",
    "content_stems",
    "digits_for_words",
    "number_value",
    "phonetic_key",
    "sound_key",
    "stem",
    "stemmer",
    "stop_words",
    "words",
]
