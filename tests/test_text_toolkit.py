"""The text toolkit: stems, stop words, number words and phonetic keys from maintained libraries."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storyline.text import (
    content_stems,
    digits_for_words,
    number_value,
    phonetic_key,
    stem,
    stop_words,
    words,
)


@pytest.mark.parametrize(
    ("forms", "language"),
    [
        (("president", "presidents"), "en"),
        (("explosion", "explosions"), "en"),
        (("président", "présidents"), "fr"),
        (("Präsident", "Präsidenten"), "de"),
        (("президент", "президента", "президентом"), "ru"),
        (("prezydent", "prezydenta", "prezydentem"), "pl"),
    ],
)
def test_inflections_share_a_stem(forms: tuple[str, ...], language: str) -> None:
    assert len({stem(form, language) for form in forms}) == 1


def test_languages_without_a_stemmer_keep_their_words() -> None:
    assert stem("東京", "ja") == "東京"
    assert stem("Kyiv", None) == "kyiv"


def test_stop_words_are_per_language() -> None:
    assert {"the", "and"} <= stop_words("en")
    assert {"le", "et"} <= stop_words("fr")
    assert {"der", "und"} <= stop_words("de")
    assert "и" in stop_words("ru")
    assert stop_words("xx") == frozenset() and stop_words(None) == frozenset()
    assert content_stems("Les présidents sont arrivés à Paris", "fr") == ["président", "arriv", "paris"]


@pytest.mark.parametrize(
    ("text", "language", "value"),
    [("twenty-five", "en", 25), ("three hundred", "en", 300), ("vingt-cinq", "fr", 25), ("fünfzig", "de", 50),
     ("cuarenta", "es", 40), ("yesterday", "en", None), ("", "en", None), ("twenty", "xx", None)],
)
def test_number_words(text: str, language: str, value: int | None) -> None:
    assert number_value(text, language) == value


def test_digits_for_words_in_running_text() -> None:
    assert digits_for_words("three hundred people died", "en") == "300 people died"
    assert digits_for_words("il y a vingt-cinq morts", "fr") == "il y a 25 morts"


def test_phonetic_keys_across_scripts() -> None:
    assert phonetic_key("Zelenskyy") == phonetic_key("Зеленський") == phonetic_key("Zelensky")
    assert phonetic_key("1234") == ""


@given(st.text(max_size=60))
def test_words_are_lower_case_and_stems_stable(text: str) -> None:
    for w in words(text):
        assert w == w.lower() and w
        assert stem(stem(w, "en"), "en") == stem(stem(stem(w, "en"), "en"), "en")


@given(st.integers(min_value=0, max_value=10**6), st.sampled_from(["en", "fr", "de"]))
def test_digits_survive_number_reading(n: int, language: str) -> None:
    assert digits_for_words(f"{n}", language) == f"{n}"
