"""The held-out claims evaluation: its labels (references only, split by story) and a gated run on two
tune stories of real multi-outlet reports."""

from __future__ import annotations

from collections import defaultdict

from conftest import require_shared
from storyline.eval.claims import ATTRIBUTES, LABELS_DIR, PAIR_LABELS, evaluate_claims, read_jsonl


def test_labels_are_references_split_by_story() -> None:
    claims = read_jsonl(LABELS_DIR / "claims.jsonl")
    pairs = read_jsonl(LABELS_DIR / "pairs.jsonl")
    assert len(claims) >= 150 and len(pairs) >= 60
    splits: dict[str, set[str]] = defaultdict(set)
    for claim in claims:
        splits[claim["story"]].add(claim["split"])
        assert claim["attribute"] in ATTRIBUTES, claim["id"]
        assert claim["end"] - claim["start"] == len(claim["text"]) <= 40, claim["id"]  # a value, not a text
        assert claim["subject"], claim["id"]
    assert len(splits) >= 6
    assert all(len(found) == 1 for found in splits.values())  # one split per story
    assert {"tune", "test"} == set().union(*splits.values())
    by_id = {c["id"]: c for c in claims}
    assert len(by_id) == len(claims)
    for pair in pairs:
        a, b = by_id[pair["a"]], by_id[pair["b"]]
        assert pair["label"] in PAIR_LABELS
        assert a["story"] == b["story"] == pair["story"] and a["split"] == pair["split"]
        assert a["doc"] != b["doc"]  # cross-outlet: two different reports


def test_claims_of_two_real_stories() -> None:
    """Auckland's abandoned boats (two outlets) and Kubica's signing (two outlets), tune split: the
    figures found are attributed to the right subject, and the figures both outlets give agree."""
    root = require_shared("semeval2022-task8")
    report = evaluate_claims(root.parent, splits=("tune",), stories=("sem-auckland", "sem-kubica"))
    summary = report.summary("tune")
    assert summary["claims"] == 16
    assert summary["subject accuracy (found)"] >= 0.8
    # values: the quantity extractor reads "half a dozen" as 12 (an enrich matter, not claims')
    assert summary["value accuracy (found)"] >= 0.6
    assert summary["agree P"] == 1.0
    agreed = [p for p in report.pairs if p.predicted == "agree"]
    assert len(agreed) >= 1  # both reports give Kubica's age, 35
