"""Benchmark of the clean stage: boilerplate line precision/recall on the hand-labelled set
(tune and held-out parts reported apart), articles/second of clean_article and lines/second of the
learned line model.

    .venv/bin/python benchmarks/cleaning.py [--errors] [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import trafilatura

from storyline.clean import clean_article
from storyline.clean.evaluate import LabelledArticle, Scores, load_labelled, score
from storyline.clean.lines import shipped_model
from storyline.model import Article

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data" / "cleaning"
TIMELINE17 = ROOT.parent / "shared" / "data" / "timeline17"


def labelled_set() -> list[LabelledArticle]:
    return load_labelled(DATA)


def check_html_extractions(articles: list[LabelledArticle]) -> list[str]:
    """Labelled HTML articles whose page trafilatura now extracts differently."""
    drift = []
    for article in articles:
        source = article.headers.get("source")
        if source:
            extracted = trafilatura.extract((DATA / source).read_text(encoding="utf-8")) or ""
            if extracted.split("\n") != [line for _label, line in article.lines if line]:
                drift.append(article.id)
    return drift


def throughput(texts: list[str], rounds: int) -> float:
    articles = [Article(text=t) for t in texts]
    clean_article(articles[0])  # builds the language detector and loads its models
    start = time.perf_counter()
    for _ in range(rounds):
        for article in articles:
            clean_article(article)
    return rounds * len(articles) / (time.perf_counter() - start)


def learned_speed(texts: list[str], rounds: int) -> str:
    """Lines/second of the learned line model alone, and its share of the clean stage's time."""
    model = shipped_model()
    if model is None:
        return "learned line model: none shipped"
    docs = [[line for line in t.split("\n") if line.strip()] for t in texts]
    lines = sum(map(len, docs))
    model.scores(docs[0])
    start = time.perf_counter()
    for _ in range(rounds):
        for doc in docs:
            model.scores(doc)
    learned = time.perf_counter() - start
    articles = [Article(text=t) for t in texts]
    start = time.perf_counter()
    for _ in range(rounds):
        for article in articles:
            clean_article(article)
    total = time.perf_counter() - start
    return (
        f"learned line model: {rounds * lines / learned:.0f} lines/s "
        f"({lines} lines in {len(docs)} articles; {learned / total:.0%} of clean_article's time)"
    )


def share_of_ingest(limit: int = 100) -> str:
    """The clean stage's share of the whole ingest (read, clean, enrich, store, cluster) of real articles:
    `clean_article` timed inside `storyline.pipeline.ingest_paths` on Timeline17 articles."""
    import tempfile

    import storyline.pipeline as pipeline
    from storyline.store import open_store

    source = TIMELINE17 / "bpoil_reuters" / "articles.jsonl"
    if not source.exists():
        return "clean share of ingest: no Timeline17 articles here"
    spent = [0.0]
    original = pipeline.clean_article

    def timed(*args: Any, **kwargs: Any) -> Article:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - start

    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "sample.jsonl"
        with source.open(encoding="utf-8") as f:
            sample.write_text("".join(line for _, line in zip(range(limit), f, strict=False)), encoding="utf-8")
        store = open_store(str(Path(tmp) / "bench.db"))
        pipeline.clean_article = timed  # type: ignore[assignment]
        try:
            start = time.perf_counter()
            pipeline.ingest_paths(store, [str(sample)], pipeline.Config())
            total = time.perf_counter() - start
        finally:
            pipeline.clean_article = original  # type: ignore[assignment]
    return f"clean share of ingest ({limit} Timeline17 articles, full ingest): {spent[0] / total:.1%} ({spent[0]:.2f} s of {total:.1f} s)"


def _report(name: str, s: Scores) -> str:
    return (
        f"{name:8s} articles={s.articles:3d} lines={s.lines:4d} boilerplate P={s.precision:.3f} "
        f"R={s.recall:.3f} (tp={s.true_positives} fp={s.false_positives} fn={s.false_negatives}) "
        f"metadata lines removed={s.metadata_removed}/{s.metadata_lines} "
        f"fields={s.fields_right}/{s.fields_checked}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--errors", action="store_true", help="list the errors on the tune part")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    articles = labelled_set()
    for name in ("tune", "heldout", "samples"):
        part = [a for a in articles if a.split == name]
        s = score(part)
        print(_report(name, s))
        if args.errors and name == "tune":
            for error in s.errors:
                print("   ", error)
    print(_report("all", score(articles)))
    drift = check_html_extractions(articles)
    if drift:
        print("trafilatura extraction differs from the labels for:", ", ".join(drift))
    texts = [a.text for a in articles]
    print(f"labelled set: {throughput(texts, args.rounds):.0f} articles/s")
    print(learned_speed(texts, args.rounds))
    sample = TIMELINE17 / "bpoil_reuters" / "articles.jsonl"
    if sample.exists():
        with sample.open(encoding="utf-8") as f:
            real = [json.loads(line)["text"] for _, line in zip(range(100), f, strict=False)]
        chars = sum(map(len, real)) / len(real)
        print(f"timeline17 bpoil_reuters (100, {chars:.0f} chars avg): {throughput(real, 1):.0f} articles/s")
    print(share_of_ingest())


if __name__ == "__main__":
    main()
