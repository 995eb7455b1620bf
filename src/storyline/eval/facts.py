"""Evaluation of the cross-check on labelled pairs of claims from different outlets.

`benchmarks/data/fact_pairs.jsonl` holds references only: for each pair, the file (relative to the
shared data folder), the article id and the character offsets of each claim's value, and the label
`agreed` or `conflicting`. Each pair is checked as a two-article story: the articles are annotated
with the quantity extractor, claims are extracted and cross-checked, and the pair is predicted
`agreed` when both values land in the same fact and the same agreeing cluster, `conflicting` when they
land in the same fact but different clusters, and `none` otherwise (a miss for either label).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storyline.consolidate.facts import Claim, cross_check, extract_claims
from storyline.model import AnnotatedArticle, Article, Quantity

Extractor = Callable[[str, str | None], Sequence[Quantity]]
LABELS = ("agreed", "conflicting")


@dataclass
class PairResult:
    label: str
    predicted: str  # "agreed", "conflicting" or "none"
    topic: str


@dataclass
class FactReport:
    results: list[PairResult] = field(default_factory=list)

    def precision(self, label: str) -> float:
        predicted = [r for r in self.results if r.predicted == label]
        return sum(r.label == label for r in predicted) / len(predicted) if predicted else 0.0

    def recall(self, label: str) -> float:
        gold = [r for r in self.results if r.label == label]
        return sum(r.predicted == label for r in gold) / len(gold) if gold else 0.0

    def summary(self) -> dict[str, float]:
        out: dict[str, float] = {"pairs": float(len(self.results))}
        for label in LABELS:
            out[f"{label}_precision"] = self.precision(label)
            out[f"{label}_recall"] = self.recall(label)
        return out


def read_pairs(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _default_extractor() -> Extractor:
    from storyline.enrich.quantities import extract_quantities

    return extract_quantities


class _Articles:
    """Articles of the referenced files, read once each."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[str, dict[str, dict[str, Any]]] = {}

    def get(self, file: str, article: str) -> dict[str, Any]:
        if file not in self.files:
            with (self.root / file).open(encoding="utf-8") as handle:
                rows = (json.loads(line) for line in handle if line.strip())
                self.files[file] = {str(row["id"]): row for row in rows}
        return self.files[file][article]


def predict_pair(
    a: AnnotatedArticle, span_a: tuple[int, int], b: AnnotatedArticle, span_b: tuple[int, int]
) -> str:
    """'agreed', 'conflicting' or 'none' for the two values at the given spans."""
    claims = extract_claims([a, b], [])

    def find(article: AnnotatedArticle, span: tuple[int, int]) -> Claim | None:
        for claim in claims:
            if claim.article_id == article.id and claim.span.start < span[1] and span[0] < claim.span.end:
                return claim
        return None

    ca, cb = find(a, span_a), find(b, span_b)
    if ca is None or cb is None:
        return "none"
    for fact in cross_check(claims):
        cluster_a = cluster_b = None
        for value in fact.values:
            for s in value.spans:
                if s == ca.span:
                    cluster_a = value.cluster
                if s == cb.span:
                    cluster_b = value.cluster
        if cluster_a is not None and cluster_b is not None:
            return "agreed" if cluster_a == cluster_b else "conflicting"
        if cluster_a is not None or cluster_b is not None:
            return "none"
    return "none"


def evaluate_fact_pairs(
    pairs_path: Path, data_root: Path, extractor: Extractor | None = None, sets: Sequence[str] | None = None
) -> FactReport:
    """Precision and recall of `agreed` and `conflicting` over the labelled pairs."""
    extract = extractor or _default_extractor()
    articles = _Articles(data_root)
    annotated: dict[tuple[str, str], AnnotatedArticle] = {}

    def load(ref: dict[str, Any]) -> AnnotatedArticle:
        key = (ref["file"], str(ref["id"]))
        if key not in annotated:
            row = articles.get(ref["file"], str(ref["id"]))
            day = str(row.get("time") or row.get("published") or "")[:10] or None
            text = str(row["text"])
            annotated[key] = AnnotatedArticle(
                id=f"{ref['file']}#{ref['id']}",
                article=Article(text=text, published=day, source=ref["file"].split("/")[-2]),
                quantities=tuple(extract(text, day)),
            )
        return annotated[key]

    report = FactReport()
    for pair in read_pairs(pairs_path):
        if sets is not None and pair.get("set") not in sets:
            continue
        a, b = load(pair["a"]), load(pair["b"])
        predicted = predict_pair(
            a, (pair["a"]["start"], pair["a"]["end"]), b, (pair["b"]["start"], pair["b"]["end"])
        )
        report.results.append(PairResult(pair["label"], predicted, str(pair.get("topic", ""))))
    return report
