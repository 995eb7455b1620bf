"""Throughput and memory of dedup + online clustering on Timeline17 text at growing sizes.

    .venv/bin/python benchmarks/cluster.py [--sizes 1000,10000,100000]

Real Timeline17 articles (read in place from ../shared/data/timeline17) are resampled to reach each
size; every resampled article gets a new date spread over a long span (about 30 new articles a day,
so the number of active stories stays realistic); beyond the real articles, each new article is
made of runs of sentences from three real articles of one topic, so that it is a new text. Each size runs in a fresh process state: peak Python memory from tracemalloc
(with --trace, which slows the run) and the process's max RSS are printed. Rates are given per wall-clock
second and per CPU second of the process (the latter is steadier on a shared machine). Per-article cost must stay flat: the ratio of the rate at the
largest size to the rate at the smallest is printed (target >= 0.8).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from storyline.cluster import ClusterInput, OnlineClusterer  # noqa: E402
from storyline.dedup import NearDuplicateIndex  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "timeline17"
PER_DAY = 30


def load() -> list[tuple[str, list[str]]]:
    out = []
    for path in sorted(DATA.glob("*/articles.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            sentences = [s.strip() for s in rec["text"].split("\n") if s.strip()]
            if len(sentences) >= 3:
                out.append((f"{path.parent.name}/{rec['id']}", sentences[:60]))
    return out


def stream(real: list[tuple[str, list[str]]], size: int, seed: int = 0) -> list[ClusterInput]:
    rng = random.Random(seed)
    start = dt.date(2010, 1, 1)
    docs = []
    for i in range(size):
        rid, sentences = real[rng.randrange(len(real))]
        if i >= len(real):  # a resampled article: runs of sentences from 3 articles of the topic
            topic = rid.split("_")[0]
            sentences = list(sentences[: rng.randint(3, 8)])
            for _ in range(2):
                other = real[rng.randrange(len(real))]
                while other[0].split("_")[0] != topic:
                    other = real[rng.randrange(len(real))]
                k = rng.randrange(len(other[1]))
                sentences += other[1][k : k + rng.randint(3, 8)]
        day = start + dt.timedelta(days=i // PER_DAY)
        docs.append(
            ClusterInput(
                article_id=f"a{i}:{rid}",
                title=sentences[0],
                text="\n".join(sentences[1:]),
                entities=(),
                published=day.isoformat(),
                language="en",
            )
        )
    return docs


def run(docs: list[ClusterInput], trace: bool) -> dict[str, float]:
    if trace:
        tracemalloc.start()
    dedup = NearDuplicateIndex()
    clusterer = OnlineClusterer()
    duplicates = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for d in docs:
        if dedup.add(d.article_id, d.title + "\n" + d.text) is not None:
            duplicates += 1
            continue  # a near-copy goes to its original's story; the engine does not re-cluster it
        clusterer.add(d)
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - c0
    peak = 0
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {
        "rate": len(docs) / elapsed,
        "cpu_rate": len(docs) / cpu,
        "seconds": elapsed,
        "peak_mb": peak / 2**20,
        "duplicates": duplicates,
        "stories": clusterer.stories_opened,
        "active": clusterer.active_stories,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--trace", action="store_true", help="also measure peak Python memory (slower)")
    args = parser.parse_args(argv)
    real = load()
    rates, cpu_rates = [], []
    for size in [int(s) for s in args.sizes.split(",") if s]:
        r = run(stream(real, size), args.trace)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rates.append(r["rate"])
        cpu_rates.append(r["cpu_rate"])
        print(
            f"N={size:>7}  {r['rate']:7.0f} articles/s wall, {r['cpu_rate']:5.0f} per CPU second  "
            f"({r['seconds']:.1f} s)  peak traced {r['peak_mb']:7.1f} MB  "
            f"max RSS so far {rss:7.0f} MB  duplicates {r['duplicates']}  stories {r['stories']}  "
            f"active at end {r['active']}",
            flush=True,
        )
    if len(rates) > 1:
        print(f"rate at largest / rate at smallest: {rates[-1] / rates[0]:.2f} wall, "
              f"{cpu_rates[-1] / cpu_rates[0]:.2f} CPU (target >= 0.8)")


if __name__ == "__main__":
    main()
