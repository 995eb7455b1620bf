"""The word gates in front of costly cue patterns never turn away a text the pattern matches."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.consolidate.cues import (
    ATTRIBUTION,
    ATTRIBUTION_WORDS,
    PLACE_EVENT_WORDS,
    PLACE_EVENTS,
    VARIANT,
    VARIANT_WORDS,
    WordGate,
)
from storyline.consolidate.focus import explicit_variants, qualifier_key

GATED: list[tuple[WordGate, list[re.Pattern[str]]]] = [
    (PLACE_EVENT_WORDS, [pattern for pattern, _, _ in PLACE_EVENTS]),
    (VARIANT_WORDS, [VARIANT]),
    (ATTRIBUTION_WORDS, [ATTRIBUTION]),
]
# the gates' words and the cue words around them, in odd cases and with the non-ASCII letters that
# a case-insensitive pattern folds onto ASCII ("ſ" is "s", "K" is "k", "İ" is "i")
PIECES = [
    "First", "shown", "UNVEILED", "debuted", "premiered", "signed", "inaugurated", "Launched", "at",
    "in", "during", "the", "armoured", "Version", "model", "export", "for", "made", "police", "said",
    "Geneva", "ſigned", "İnaugurated", "unveıled", "ınaugurated", "ACCORDİNG", "according to",
    "Accordıng to", ", ", ";",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12).map(" ".join))
def test_gate_admits_every_text_its_patterns_match(text: str) -> None:
    for gate, patterns in GATED:
        if any(pattern.search(text) for pattern in patterns):
            assert gate.admits(text), (gate.words, text)


def test_gate_turns_away_a_sentence_without_its_words() -> None:
    assert not PLACE_EVENT_WORDS.admits("The well leaked for 87 days.")
    assert PLACE_EVENT_WORDS.admits("The car was first shown at the Moscow Motor Show.")
    assert explicit_variants("The well leaked for 87 days.") == []
    assert explicit_variants("The armoured version costs more.") == ["armoured version"]


@given(st.text(max_size=20))
def test_qualifier_key_folds_our_to_or(phrase: str) -> None:
    assert qualifier_key(phrase) == re.sub(r"ou(?=r)", "o", phrase.lower())
