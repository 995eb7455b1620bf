"""Gate: precision/recall of the cross-check on the labelled Timeline17 fact pairs."""

from __future__ import annotations

import importlib.util

import pytest

from conftest import ROOT, require_shared
from storyline.eval.facts import evaluate_fact_pairs, read_pairs

PAIRS = ROOT / "benchmarks" / "data" / "fact_pairs.jsonl"


def test_pairs_file_holds_references_only_and_enough_pairs() -> None:
    pairs = read_pairs(PAIRS)
    assert len(pairs) >= 60
    assert {p["label"] for p in pairs} == {"agreed", "conflicting"}
    for pair in pairs:
        for side in ("a", "b"):
            ref = pair[side]
            assert set(ref) == {"file", "id", "start", "end"} and ref["end"] > ref["start"]
        assert pair["a"]["file"] != pair["b"]["file"]  # across outlets


@pytest.mark.eval
def test_fact_pairs_gate() -> None:
    root = require_shared()
    if importlib.util.find_spec("storyline.enrich.quantities") is None:
        pytest.skip("storyline.enrich.quantities is not available yet")
    report = evaluate_fact_pairs(PAIRS, root, sets=["timeline17"])
    summary = report.summary()
    # reached: conflicting P 1.00 R 1.00, agreed P 1.00 R 0.93 (64 pairs)
    assert summary["conflicting_precision"] >= 0.9
    assert summary["conflicting_recall"] >= 0.85
    assert summary["agreed_precision"] >= 0.9
    assert summary["agreed_recall"] >= 0.85
