from __future__ import annotations

import pytest

from storyline.clean.language import DEFAULT_LANGUAGES, detect_language, detector_for, too_short


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("The city council voted on Tuesday to close the old bridge for repairs.", "en"),
        ("Le conseil régional a adopté jeudi un plan de soutien aux agriculteurs.", "fr"),
        ("Die Stadt will bis 2030 alle Buslinien auf Elektroantrieb umstellen.", "de"),
        ("La policía detuvo el martes a cinco personas acusadas de robar obras de arte.", "es"),
        ("Власти города объявили о ремонте центральной площади до осени.", "ru"),
        ("川端市は月曜日、市内の全ての小学校に太陽光パネルを設置する計画を発表した。", "ja"),
    ],
)
def test_detects_languages(text: str, code: str) -> None:
    assert detect_language(text) == code


@pytest.mark.parametrize(
    "text", ["", "Hello there", "Oui, merci.", "Breaking news today", "12 34 56 78 90 11 22"]
)
def test_short_texts_get_none(text: str) -> None:
    assert too_short(text)
    assert detect_language(text) is None


def test_only_configured_languages_are_answered() -> None:
    dutch = "De gemeenteraad heeft dinsdag besloten de oude brug te sluiten voor reparaties."
    assert detect_language(dutch, ("en", "fr")) in ("en", "fr")
    assert detect_language(dutch, ("en", "nl")) == "nl"


def test_detector_cached_per_list() -> None:
    assert detector_for(DEFAULT_LANGUAGES) is detector_for(DEFAULT_LANGUAGES)
    assert detector_for(("en", "fr")) is not detector_for(DEFAULT_LANGUAGES)


def test_needs_two_languages() -> None:
    with pytest.raises(ValueError):
        detector_for(("en",))
