"""Evaluation gate: extract_quantities on 33 hand-labelled Timeline17 articles (203 mentions)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT, require_shared
from storyline.eval.quantities import Mention, evaluate, format_report, match

LABELLED = ROOT / "benchmarks" / "data" / "quantities_labelled.jsonl"


@pytest.mark.eval
def test_quantity_extraction_gate() -> None:
    scores = evaluate(LABELLED, require_shared())
    print(format_report(scores))
    assert scores.articles >= 30 and scores.gold >= 200
    # measured: value+unit P 0.985 R 0.941; span-only P 1.000 R 0.956
    assert scores.precision >= 0.97
    assert scores.recall >= 0.91
    assert scores.span_precision >= 0.97
    assert scores.span_recall >= 0.93


def test_matching_needs_overlap_value_and_unit() -> None:
    gold = [Mention("f", "1", 10, 20, 5000.0, "bbl/d"), Mention("f", "1", 30, 35, 11.0, "count")]
    predicted = [
        Mention("f", "1", 12, 18, 5000.0, "bbl"),  # wrong unit
        Mention("f", "1", 31, 40, 11.0, "count"),  # right
        Mention("f", "1", 50, 55, 5000.0, "bbl/d"),  # no overlap
    ]
    g, p = match(gold, predicted)
    assert (g, p) == ({1}, {1})


def test_evaluate_counts_a_small_labelled_set(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "t").mkdir(parents=True)
    text = "BP said 11 workers died and 5,000 barrels a day leaked in 2010 ."
    (data / "t" / "a.jsonl").write_text(json.dumps({"id": "7", "time": "2010-05-01", "text": text}) + "\n")
    start = text.index("11 workers")
    flow = text.index("5,000")
    labelled = tmp_path / "labels.jsonl"
    ref = {"file": "t/a.jsonl", "article_id": "7"}
    lines = [
        {**ref, "labelled": "all"},
        {**ref, "start": start, "end": start + 10, "value": 11, "unit": "count"},
        {**ref, "start": flow, "end": flow + 5, "value": 5000, "unit": "bbl"},  # the extractor says bbl/d
    ]
    labelled.write_text("".join(json.dumps(line) + "\n" for line in lines))
    scores = evaluate(labelled, data)
    assert (scores.gold, scores.predicted, scores.matched_gold, scores.span_gold) == (2, 2, 1, 2)
    assert scores.precision == 0.5 and scores.recall == 0.5
    assert scores.span_precision == 1.0
