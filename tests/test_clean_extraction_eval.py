"""The extraction evaluation's own parts: visible blocks, derived dumps, site grouping, scores."""

from __future__ import annotations

from storyline.eval.extraction import (
    AFTER_BLOCKS,
    BEFORE_BLOCKS,
    PRF,
    GoldIndex,
    derive_dump,
    registrable,
    site_folds,
    visible_blocks,
)

PAGE = """<html><head><title>T</title><script>var x = "hidden";</script></head><body>
<nav><ul><li><a href="/">Home</a></li><li>World</li></ul></nav>
<h1>Bridge closed</h1><div class="byline">By Ann Lee</div>
<p>The council voted on <b>Tuesday</b> to close the old bridge after engineers found cracks.</p>
<p>Repairs will take eight months, officials said on Wednesday evening.<br>They will cost 4 million.</p>
<div style="display: none">Hidden promo</div>
<aside>Most read</aside><footer>Contact us</footer>
</body></html>"""
GOLD = (
    "The council voted on Tuesday to close the old bridge after engineers found cracks.\n\n"
    "Repairs will take eight months, officials said on Wednesday evening. They will cost 4 million."
)


def test_visible_blocks_one_block_a_line_without_scripts_or_hidden_text() -> None:
    blocks = visible_blocks(PAGE)
    assert blocks[:4] == ["Home", "World", "Bridge closed", "By Ann Lee"]
    assert "The council voted on Tuesday to close the old bridge after engineers found cracks." in blocks
    assert not any("hidden" in b.lower() for b in blocks)
    assert blocks[-2:] == ["Most read", "Contact us"]


def test_derived_dump_spans_a_few_blocks_before_the_body_to_a_dozen_after() -> None:
    blocks = [f"Menu item {i}" for i in range(20)] + GOLD.split("\n\n") + [f"Related {i}" for i in range(30)]
    dump = derive_dump(blocks, GoldIndex(GOLD).covers)
    assert dump is not None
    lines = dump.strip().split("\n")
    assert lines[:BEFORE_BLOCKS] == [f"Menu item {i}" for i in range(20 - BEFORE_BLOCKS, 20)]
    assert lines[-1] == f"Related {AFTER_BLOCKS - 1}"
    assert derive_dump(["nothing", "here at all"], GoldIndex(GOLD).covers) is None


def test_gold_index_short_lines_must_appear_whole() -> None:
    index = GoldIndex(GOLD)
    assert index.covers("officials said")
    assert not index.covers("Most read")
    assert not index.covers("Cracks found in the engineers council")  # words there, not in that order


def test_sites_and_folds() -> None:
    assert registrable("www.bbc.co.uk") == "bbc.co.uk"
    assert registrable("edition.cnn.com") == "cnn.com"
    folds = site_folds(["a.com", "b.com", "a.com"])
    assert set(folds) == {"a.com", "b.com"}
    assert folds == site_folds(["b.com", "a.com"])  # fixed by the name, not by order


def test_token_scores() -> None:
    prf = PRF()
    prf.add("the bridge closed", "the bridge closed today")
    assert prf.precision == 1.0
    assert prf.recall == 0.75
    assert abs(prf.f1 - 2 * 0.75 / 1.75) < 1e-9
