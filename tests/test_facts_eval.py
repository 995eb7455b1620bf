"""Gate: precision/recall of the cross-check on the labelled cross-outlet fact pairs, per set."""

from __future__ import annotations

from collections import Counter

import pytest

from conftest import ROOT, require_shared
from storyline.eval.facts import evaluate_fact_pairs, read_pairs

PAIRS = ROOT / "benchmarks" / "data" / "fact_pairs.jsonl"

# reached (192 pairs): timeline17 (64) agreed P 1.00 R 0.96, conflicting P 1.00 R 1.00;
# H1N1 (44) agreed P 1.00 R 0.90, conflicting P 1.00 R 0.93;
# samples (84) agreed P 1.00 R 0.58, conflicting P 1.00 R 1.00;
# overall agreed P 1.00 R 0.76, conflicting P 1.00 R 0.98
GATES = {
    "timeline17": {"agreed": (0.9, 0.9), "conflicting": (0.9, 0.9)},
    "H1N1": {"agreed": (0.9, 0.82), "conflicting": (0.9, 0.86)},
    "samples": {"agreed": (0.9, 0.52), "conflicting": (0.9, 0.9)},
    "overall": {"agreed": (0.9, 0.7), "conflicting": (0.9, 0.9)},
}


def test_pairs_file_holds_references_only_and_enough_pairs() -> None:
    pairs = read_pairs(PAIRS)
    assert len(pairs) >= 60
    assert {p["label"] for p in pairs} == {"agreed", "conflicting"}
    counts = Counter(p["set"] for p in pairs)
    assert counts["timeline17"] >= 60 and counts["H1N1"] >= 20 and counts["samples"] >= 20
    for pair in pairs:
        for side in ("a", "b"):
            ref = pair[side]
            if pair["set"] == "samples":  # sample file (+ item title) + the value as the manifest writes it
                assert set(ref) <= {"file", "title", "text"} and ref["file"].startswith("samples/")
                assert (ROOT / ref["file"]).exists() and len(ref["text"]) <= 60
            else:
                assert set(ref) == {"file", "id", "start", "end"} and ref["end"] > ref["start"]
                assert ref["end"] - ref["start"] <= 60
        assert (pair["a"]["file"], pair["a"].get("title")) != (pair["b"]["file"], pair["b"].get("title"))


@pytest.mark.eval
def test_fact_pairs_gate() -> None:
    root = require_shared()
    by_set = evaluate_fact_pairs(PAIRS, root).by_set()
    assert set(by_set) == set(GATES)
    failures = []
    for name, gates in GATES.items():
        for label, (precision, recall) in gates.items():
            got_p, got_r = by_set[name][f"{label}_precision"], by_set[name][f"{label}_recall"]
            if got_p < precision or got_r < recall:
                failures.append(f"{name} {label}: P {got_p:.2f} R {got_r:.2f} (gate {precision}, {recall})")
    assert not failures, failures
