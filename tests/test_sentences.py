"""The one sentence splitter: abbreviations, offsets, and its properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.consolidate.sentences import split_article
from storyline.dossier import headline
from storyline.enrich.timex.tense import index_tense
from storyline.model import AnnotatedArticle, Article
from storyline.text.sentences import sentence_spans, sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The strike began at 9 a.m. on Friday. Schools reopen at 8 a.m. Monday. The union agreed.",
            ["The strike began at 9 a.m. on Friday.", "Schools reopen at 8 a.m. Monday.", "The union agreed."],
        ),
        (
            "Police said Mr. Smith and Dr. J. R. Jones left at 5 p.m. The roads reopened at 6.30 p.m.",
            ["Police said Mr. Smith and Dr. J. R. Jones left at 5 p.m.", "The roads reopened at 6.30 p.m."],
        ),
        (
            "Sanctions were imposed by the U.S. The U.S. Embassy closed on Jan. 5 and reopened in Feb. 2024.",
            ["Sanctions were imposed by the U.S.", "The U.S. Embassy closed on Jan. 5 and reopened in Feb. 2024."],
        ),
        (
            "Prices rose 3.5 percent. No. 10 said so, e.g. in a note. Acme Inc. agreed. It was 1.2 m. long.",
            ["Prices rose 3.5 percent.", "No. 10 said so, e.g. in a note.", "Acme Inc. agreed.", "It was 1.2 m. long."],
        ),
        ("“Why?” he asked. “Because.” She left!", ["“Why?” he asked.", "“Because.”", "She left!"]),
        ("A headline\n\nFirst line of text\nwrapped here. Next.", ["A headline", "First line of text\nwrapped here.", "Next."]),
    ],
)
def test_abbreviations_do_not_end_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def _article(text: str) -> AnnotatedArticle:
    return AnnotatedArticle(id="a", article=Article(text=text, published="2024-03-14", source="X"))


def test_every_splitter_user_agrees_on_a_m() -> None:
    text = "The ferry left at 6 a.m. Thursday with 40 people on board. It sank near the pier at 7 a.m. on Friday."
    first = "The ferry left at 6 a.m. Thursday with 40 people on board."
    consolidated = [s.text for s in split_article(_article(text))]
    assert consolidated == [first, "It sank near the pier at 7 a.m. on Friday."]
    assert headline(Article(text=text)) == first
    tense = index_tense(text)
    assert tense.sentence_bounds(text.index("Friday"))[0] == text.index("It sank")
    assert tense.sentence_bounds(text.index("Thursday")) == (0, text.index("It sank"))


_WORDS = st.sampled_from(
    ["Mr.", "Dr.", "a.m.", "p.m.", "U.S.", "Jan.", "No.", "J.", "3.5", "1,200", "the", "The", "strike",
     "Friday.", "said", "he", "“Why?”", "ended!", "(police)", "etc.", "…", "é", "北京。", "--", ".", "?"]
)
_SPACES = st.sampled_from([" ", " ", " ", "\n", "\n\n", "  ", "\t"])


@st.composite
def _texts(draw: st.DrawFn) -> str:
    words = draw(st.lists(_WORDS, max_size=40))
    gaps = draw(st.lists(_SPACES, min_size=len(words), max_size=len(words)))
    return draw(_SPACES) + "".join(w + g for w, g in zip(words, gaps, strict=True))


@settings(max_examples=300, deadline=None)
@given(text=_texts() | st.text(max_size=200))
def test_spans_are_ordered_trimmed_non_empty_and_cover_every_word(text: str) -> None:
    spans = sentence_spans(text)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip() and any(ch.isalnum() for ch in piece)
        gap = text[previous_end:start]
        assert not any(ch.isalnum() for ch in gap)
        previous_end = end
    assert not any(ch.isalnum() for ch in text[previous_end:])


@settings(max_examples=300, deadline=None)
@given(text=_texts() | st.text(max_size=200))
def test_splitting_is_stable_a_sentence_splits_into_itself(text: str) -> None:
    for start, end in sentence_spans(text):
        assert sentence_spans(text[start:end]) == [(0, end - start)]


@settings(max_examples=200, deadline=None)
@given(text=_texts())
def test_stored_offsets_round_trip_to_the_sentence_text(text: str) -> None:
    split = split_article(_article(text))
    assert [s.text for s in split] == sentences(text)
    for index, sentence in enumerate(split):
        assert sentence.index == index
        assert text[sentence.start : sentence.end] == sentence.text
