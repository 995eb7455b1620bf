"""Evaluations read corpora through the cleaner; gold offsets follow the text onto its cleaned form."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from storyline.eval._cleaned import clean_for_eval


def test_gold_spans_follow_the_detokenised_text() -> None:
    raw = "The spill -LRB- 14km -RRB- cost # 50m , and 60 ,000 barrels . He said `` no '' ."
    cleaned = clean_for_eval(raw)
    assert cleaned.text == 'The spill (14km) cost £50m, and 60,000 barrels. He said "no".'
    moved = {}
    for gold in ("# 50m", "60 ,000", "14km", "-LRB- 14km -RRB-", "barrels"):
        start = raw.index(gold)
        a, b = cleaned.span(start, start + len(gold))
        moved[gold] = cleaned.text[a:b]
    assert moved == {
        "# 50m": "£50m",
        "60 ,000": "60,000",
        "14km": "14km",
        "-LRB- 14km -RRB-": "(14km)",
        "barrels": "barrels",
    }


def test_a_figure_inside_rewritten_brackets_keeps_its_span() -> None:
    raw = "Switzerland -LRB- 1 -RRB- and Poland -LRB- 2 -RRB- , officials said ."
    cleaned = clean_for_eval(raw)
    for figure in ("1", "2"):
        start = raw.index(f" {figure} ") + 1
        a, b = cleaned.span(start, start + 1)
        assert cleaned.text[a:b] == figure


@given(st.lists(st.sampled_from(["word", "Word", "12", "3.5", "a", "the"]), min_size=1, max_size=30))
def test_untouched_text_maps_to_itself(words: list[str]) -> None:
    raw = " ".join(words)
    cleaned = clean_for_eval(raw)
    assert cleaned.text == raw
    for i in range(len(raw)):
        if not raw[i].isspace():
            assert cleaned.span(i, i + 1) == (i, i + 1)
