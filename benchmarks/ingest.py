"""Ingest throughput on real news: the Timeline17 articles (../shared/data/timeline17/*/articles.jsonl).

Prints articles/second for the whole ingest (read, clean, enrich, store, cluster) and, separately,
without enrichment, as medians over repeated runs into fresh databases.

    .venv/bin/python benchmarks/ingest.py [--runs 3] [--no-enrich-only]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from storyline.pipeline import Config, ingest_paths
from storyline.store import open_store

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "timeline17"


def run_once(paths: list[str], config: Config) -> tuple[int, float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(str(Path(tmp) / "bench.db"))
        start = time.perf_counter()
        report = ingest_paths(store, paths, config)
        elapsed = time.perf_counter() - start
        stories = len(store.list_stories())
        store.close()
    return report.stored, elapsed, stories


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-enrich-only", action="store_true", help="skip the run with enrichment")
    args = parser.parse_args()
    if not DATA.exists():
        print(f"{DATA} is absent: the benchmark needs ../shared/data", file=sys.stderr)
        return 2
    paths = sorted(str(p) for p in DATA.glob("*/articles.jsonl"))
    variants = [("without enrichment", Config(enrich=False))]
    if not args.no_enrich_only:
        variants.append(("full ingest", Config()))
    for label, config in variants:
        rates = []
        for _ in range(args.runs):
            n, elapsed, stories = run_once(paths, config)
            rates.append(n / elapsed)
        print(f"{label}: {n} articles -> {stories} stories; median {statistics.median(rates):.1f} articles/s "
              f"(runs: {', '.join(f'{r:.1f}' for r in rates)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
