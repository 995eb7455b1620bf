"""Throughput and memory of dedup + online clustering on Timeline17 text at growing sizes.

    .venv/bin/python benchmarks/cluster.py [--sizes 1000,10000,100000]

Real Timeline17 articles (read in place from ../shared/data/timeline17) are resampled to reach each
size; every resampled article gets a new date spread over a long span (about 30 new articles a day,
so the number of active stories stays realistic); beyond the real articles, each new article is
made of runs of sentences from three real articles of one topic, so that it is a new text. Each size runs in a fresh process state: peak Python memory from tracemalloc
(with --trace, which slows the run) and the process's max RSS are printed. Rates are given per wall-clock
second and per CPU second of the process (the latter is steadier on a shared machine). Per-article cost must stay flat: the ratio of the rate at the
largest size to the rate at the smallest is printed (target >= 0.8).

With --learned: the multilingual vectors (`storyline.embed`, one thread) are timed on a sample of
`--embed-sample` articles (title + lead) and the learned clusterer (`storyline.storyscore`) replaces
the hand-set one, fed with the sample's vectors in turn (embedding 100k articles here would take
hours); the combined per-core rate of embedding + dedup + clustering is then printed.
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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from storyline.cluster import ClusterInput, OnlineClusterer  # noqa: E402
from storyline.dedup import NearDuplicateIndex  # noqa: E402
from storyline.embed import LEAD_WORDS, embed_texts, embedder, lead  # noqa: E402
from storyline.storyscore import LearnedClusterer  # noqa: E402

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


def embed_rate(docs: list[ClusterInput]) -> tuple[float, Any]:
    """Articles per CPU second of the embedder (weights already loaded), and the vectors."""
    embedder()  # load the weights outside the timing
    c0 = time.process_time()
    vectors = embed_texts([lead(d.title, d.text) for d in docs])
    return len(docs) / (time.process_time() - c0), vectors


def run(docs: list[ClusterInput], trace: bool, vectors: Any = None) -> dict[str, float]:
    if trace:
        tracemalloc.start()
    dedup = NearDuplicateIndex()
    clusterer: Any = OnlineClusterer() if vectors is None else LearnedClusterer()
    duplicates = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for i, d in enumerate(docs):
        if dedup.add(d.article_id, d.title + "\n" + d.text) is not None:
            duplicates += 1
            continue  # a near-copy goes to its original's story; the engine does not re-cluster it
        if vectors is None:
            clusterer.add(d)
        else:
            clusterer.add(d, vectors[i % len(vectors)])
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
        "stories": clusterer.stories_opened if vectors is None else len(clusterer.stories),
        "active": clusterer.active_stories if vectors is None else len(clusterer.stories),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--trace", action="store_true", help="also measure peak Python memory (slower)")
    parser.add_argument("--learned", action="store_true", help="vectors + the learned scorer")
    parser.add_argument("--embed-sample", type=int, default=500)
    args = parser.parse_args(argv)
    real = load()
    vectors = None
    e_rate = 0.0
    if args.learned:
        e_rate, vectors = embed_rate(stream(real, args.embed_sample, seed=1))
        print(f"embedding: {e_rate:.1f} articles per CPU second (title + {LEAD_WORDS}-word lead, one thread)")
    rates, cpu_rates = [], []
    for size in [int(s) for s in args.sizes.split(",") if s]:
        r = run(stream(real, size), args.trace, vectors)
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
        if args.learned:
            print(f"  embedding + dedup + clustering: {1 / (1 / e_rate + 1 / r['cpu_rate']):.1f} articles per CPU "
                  "second (target >= 100)")
    if len(rates) > 1:
        print(f"rate at largest / rate at smallest: {rates[-1] / rates[0]:.2f} wall, "
              f"{cpu_rates[-1] / cpu_rates[0]:.2f} CPU (target >= 0.8)")


if __name__ == "__main__":
    main()
