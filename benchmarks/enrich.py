"""Enrichment throughput on real news: each annotator alone and the whole stage, on Timeline17.

Articles are read and cleaned first (not timed); then each registered annotator runs over all of
them, and finally `annotate` (the whole stage). Prints articles/second, medians over `--runs`.

    .venv/bin/python benchmarks/enrich.py [--limit 500] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from storyline.clean import clean_article
from storyline.enrich import REGISTRY, annotate
from storyline.model import Article
from storyline.read import read_paths

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "timeline17"


def load(limit: int | None) -> list[Article]:
    paths = sorted(str(p) for p in DATA.glob("*/articles.jsonl"))
    out: list[Article] = []
    for item in read_paths(paths):
        if isinstance(item, Article):
            out.append(clean_article(item))
            if limit and len(out) >= limit:
                break
    return out


def rate(articles: list[Article], fn: object, runs: int) -> tuple[float, list[float]]:
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        for a in articles:
            fn(a)  # type: ignore[operator]
        rates.append(len(articles) / (time.perf_counter() - start))
    return statistics.median(rates), rates


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=None, help="at most this many articles (default: all)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not DATA.exists():
        print(f"{DATA} is absent: the benchmark needs ../shared/data", file=sys.stderr)
        return 2
    articles = load(args.limit)
    chars = sum(len(a.text) for a in articles)
    print(f"{len(articles)} cleaned Timeline17 articles, {chars / len(articles):.0f} characters on average")
    # Warm-up: the spaCy model loads once per process; keep that out of the rates.
    annotate(articles[0])
    for name, annotator in REGISTRY.items():
        median, rates = rate(articles, annotator.run, args.runs)
        print(f"{name:<12} {median:8.1f} articles/s  (runs: {', '.join(f'{r:.1f}' for r in rates)})")
    median, rates = rate(articles, annotate, args.runs)
    print(f"{'whole stage':<12} {median:8.1f} articles/s  (runs: {', '.join(f'{r:.1f}' for r in rates)})")
    from storyline.enrich.entities import load_nlp

    # The entity stage against spaCy's English NER alone, interleaved article by article so
    # both see the same load on a shared machine.
    nlp = load_nlp()
    entity_run = REGISTRY["entities"].run
    spent = {"spacy": 0.0, "entities": 0.0}
    for _ in range(args.runs):
        for a in articles:
            start = time.perf_counter()
            nlp(a.text)
            spent["spacy"] += time.perf_counter() - start
            start = time.perf_counter()
            entity_run(a)
            spent["entities"] += time.perf_counter() - start
    n = len(articles) * args.runs
    print(f"{'spaCy NER':<12} {n / spent['spacy']:8.1f} articles/s  (interleaved with the entity stage)")
    print(f"{'entities':<12} {n / spent['entities']:8.1f} articles/s  (interleaved)")
    print(f"entity stage / spaCy English NER alone: {spent['spacy'] / spent['entities']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
