"""Quality gate: boilerplate removal on the hand-labelled set (benchmarks/data/cleaning)."""

from __future__ import annotations

from conftest import ROOT
from storyline.clean.evaluate import load_labelled, parse_labelled, score

DATA = ROOT / "benchmarks" / "data" / "cleaning"


def test_labelled_set_is_large_enough() -> None:
    articles = load_labelled(DATA)
    assert len(articles) >= 40
    assert sum(1 for a in articles for label, line in a.lines if line) >= 300
    assert {a.split for a in articles} >= {"tune", "heldout"}


def test_boilerplate_precision_and_recall_gate() -> None:
    result = score(load_labelled(DATA))
    assert result.precision >= 0.95, result.errors
    assert result.recall >= 0.90, result.errors
    assert result.metadata_removed >= 0.9 * result.metadata_lines, result.errors
    assert result.fields_right >= 0.9 * result.fields_checked, result.errors


def test_heldout_gate() -> None:
    result = score([a for a in load_labelled(DATA) if a.split == "heldout"])
    assert result.precision >= 0.95 and result.recall >= 0.90


def test_scoring_counts_errors() -> None:
    # the scorer itself: a kept boilerplate line is a miss, a removed sentence a false positive
    labelled = parse_labelled(
        "### id: x\nB| Advertisement\nB| Our reporter saw it.\nThe mayor resigned on Monday.\n"
        "Shares this week rose.\n",
        "tune",
    )
    result = score(labelled)
    assert (result.true_positives, result.false_negatives, result.false_positives) == (1, 1, 0)
    assert result.recall == 0.5 and result.precision == 1.0
