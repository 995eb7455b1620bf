"""Evaluation gate: NER + cross-document resolution on one MEANTIME topic (corpus_gm)."""

from __future__ import annotations

import pytest

from conftest import require_shared
from storyline.eval.entities import evaluate_meantime, format_report, read_meantime

pytestmark = pytest.mark.eval


def test_meantime_gm_reader_reads_names_and_cross_document_chains() -> None:
    root = require_shared("meantime")
    docs = read_meantime(root)["corpus_gm"]
    assert len(docs) == 30
    mentions = [m for d in docs for m in d.mentions]
    assert len(mentions) > 200
    # chains shared by several documents exist (cross-document instances)
    docs_per_chain: dict[str, set[str]] = {}
    for d in docs:
        for m in d.mentions:
            docs_per_chain.setdefault(m.chain, set()).add(d.doc_id)
    assert max(len(v) for v in docs_per_chain.values()) >= 10


def test_meantime_gm_bcubed_gate() -> None:
    root = require_shared("meantime")
    scores = evaluate_meantime(root, topics=["corpus_gm"])
    report = format_report(scores, "MEANTIME corpus_gm")
    p, _, f1 = scores.b3
    # measured: B-cubed P 0.895 R 0.841 F1 0.867; overlap detection R 0.88
    assert f1 >= 0.83, report
    assert p >= 0.85, report
    _, overlap_recall, _ = scores.detection(exact=False)
    assert overlap_recall >= 0.82, report
    assert scores.merge_precision >= 0.85, report
