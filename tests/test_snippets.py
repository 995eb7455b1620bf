"""Search snippets: the store's [ ] match markers apart from the brackets of the article's own text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from storyline.snippets import snippet_parts

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéü", min_size=4, max_size=10)
TEXT = st.text(alphabet=st.characters(blacklist_characters="[]", blacklist_categories=("Cs",)), max_size=40)


@given(TEXT, WORD, TEXT)
def test_a_marked_query_word_is_the_one_match(before: str, word: str, after: str) -> None:
    parts = snippet_parts(f"{before}[{word}]{after}", word.upper())
    assert "".join(p for p, _ in parts) == before + word + after
    assert [p for p, matched in parts if matched] == [word]


@given(TEXT, st.sampled_from(["[sic]", "[1]", "[/yellow]", "[bold]", "[]", "[", "]"]), WORD)
def test_brackets_of_the_text_stay_text(before: str, bracket: str, word: str) -> None:
    parts = snippet_parts(before + bracket, word)
    assert "".join(p for p, _ in parts) == before + bracket
    assert not any(matched for _, matched in parts)


def test_stemmed_and_prefix_matches() -> None:
    parts = snippet_parts("two [explosions] at [Shirakawa] plant [2]", "explosion shira*")
    assert [p for p, m in parts if m] == ["explosions", "Shirakawa"]
    assert "".join(p for p, _ in parts) == "two explosions at Shirakawa plant [2]"
    assert snippet_parts("[battery plant] fire", '"battery plant"') == [("battery plant", True), (" fire", False)]
