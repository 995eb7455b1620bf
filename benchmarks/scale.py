"""Scale-out throughput: one process against 1 and 2 local Dask workers, with per-stage costs.

The input is the Timeline17 articles (../shared/data/timeline17/*/articles.jsonl) repeated and
resampled to --n articles; every copy gets its own id and URL so that none is stored as an
unchanged copy of another (the clusterer still sees repeated copies as near-duplicates). The
copies are written as JSON Lines files of --per-file articles (each under the 20 MB input limit).

Prints, for each engine, articles/second of the whole ingest (read, clean, enrich, store, cluster)
and of the per-article part alone (up to the last article stored), then the per-stage medians in
ms/article measured in one process, and the 2-workers/1-worker ratio of the per-article stages.

    .venv/bin/python benchmarks/scale.py [--n 10000] [--engines local,dask1,dask2] [--stages-n 300]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from storyline.pipeline import Config, cluster_pending
from storyline.store import open_store

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "timeline17"


def resample(out_dir: Path, n: int, per_file: int, seed: int = 17) -> list[str]:
    """n Timeline17 articles (all of them, then random repeats) as JSONL files with distinct ids and URLs."""
    rows: list[tuple[str, dict[str, object]]] = []
    for path in sorted(DATA.glob("*/articles.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append((path.parent.name, json.loads(line)))
    rng = random.Random(seed)
    order = list(range(len(rows)))
    picked: list[int] = []
    while len(picked) < n:
        rng.shuffle(order)
        picked.extend(order[: n - len(picked)])
    files: list[str] = []
    for start in range(0, n, per_file):
        target = out_dir / f"part-{start // per_file:05d}.jsonl"
        with target.open("w", encoding="utf-8") as fh:
            for k in range(start, min(n, start + per_file)):
                topic, obj = rows[picked[k]]
                copy = dict(obj)
                copy["id"] = f"{topic}-{obj.get('id')}-{k}"
                copy["url"] = f"https://timeline17.example/{topic}/{obj.get('id')}/{k}"
                fh.write(json.dumps(copy, ensure_ascii=False) + "\n")
        files.append(str(target))
    return files


def run_engine(engine: str, files: list[str], db: Path, workers: int, partition_size: int) -> dict[str, float]:
    """Wall time of a whole ingest, split into the per-article part (read..store) and clustering."""
    from storyline.pipeline import ingest_paths
    from storyline.scale import ingest_dask

    config = Config(cluster=False)
    cluster = None
    startup = 0.0
    if engine != "local":  # started outside the timing: a standing cluster serves many batches
        from distributed import LocalCluster

        t0 = time.perf_counter()
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        startup = time.perf_counter() - t0
    try:
        with open_store(str(db)) as store:
            start = time.perf_counter()
            if cluster is None:
                report = ingest_paths(store, files, config)
            else:
                report = ingest_dask(store, files, config, scheduler=cluster.scheduler_address,
                                     partition_size=partition_size)
            stored_at = time.perf_counter()
            clustered = cluster_pending(store, Config())
            end = time.perf_counter()
    finally:
        if cluster is not None:
            cluster.close()
    return {"stored": report.stored, "clustered": clustered, "per_article_s": stored_at - start,
            "cluster_s": end - stored_at, "total_s": end - start, "startup_s": startup}


def stage_costs(files: list[str], limit: int) -> dict[str, float]:
    """Median ms/article of each stage, measured one article at a time in this process."""
    from storyline.clean import clean_article
    from storyline.enrich import REGISTRY, Annotations
    from storyline.model import Article
    from storyline.read import read_paths

    times: dict[str, list[float]] = {k: [] for k in ("read", "clean", "timex", "quantities", "ner", "store")}
    with tempfile.TemporaryDirectory() as tmp, open_store(str(Path(tmp) / "stages.db")) as store:
        items = read_paths(files)
        done = 0
        while done < limit:
            t0 = time.perf_counter()
            item = next(items, None)
            t1 = time.perf_counter()
            if item is None:
                break
            if not isinstance(item, Article):
                continue
            times["read"].append(t1 - t0)
            t0 = time.perf_counter()
            cleaned = clean_article(item, languages=Config().languages)
            times["clean"].append(time.perf_counter() - t0)
            outputs = {}
            for name, key in (("timex", "timex"), ("quantities", "quantities"), ("entities", "ner")):
                t0 = time.perf_counter()
                outputs[name] = REGISTRY[name].run(cleaned)
                times[key].append(time.perf_counter() - t0)
            annotations = Annotations(outputs["timex"].timexes, outputs["quantities"].quantities,
                                      outputs["entities"].mentions, {})
            t0 = time.perf_counter()
            store.upsert_article(cleaned, annotations)
            times["store"].append(time.perf_counter() - t0)
            done += 1
        t0 = time.perf_counter()
        clustered = cluster_pending(store, Config())
        cluster_ms = (time.perf_counter() - t0) / max(1, clustered)
    result = {f"{k} {how}": 1000 * f(v) for k, v in times.items() if v
              for how, f in (("median", statistics.median), ("mean", statistics.fmean))}
    result["cluster mean"] = 1000 * cluster_ms
    result["articles"] = done
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10000, help="articles to ingest (default 10000)")
    parser.add_argument("--per-file", type=int, default=500, help="articles per JSONL file")
    parser.add_argument("--partition-size", type=int, default=50, help="articles per Dask task")
    parser.add_argument("--engines", default="local,dask1,dask2", help="comma-separated: local, daskN")
    parser.add_argument("--stages-n", type=int, default=300, help="articles for the per-stage medians (0: skip)")
    args = parser.parse_args()
    if not DATA.exists():
        print(f"{DATA} is absent: the benchmark needs ../shared/data", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        files = resample(Path(tmp), args.n, args.per_file)
        print(f"input: {args.n} articles in {len(files)} JSONL files (Timeline17 resampled)")
        if args.stages_n:
            costs = stage_costs(files, args.stages_n)
            print(f"per-stage costs over {int(costs.pop('articles'))} articles (ms/article):")
            for key, value in costs.items():
                print(f"  {key:<18} {value:8.2f}")
        rates: dict[str, float] = {}
        for engine in args.engines.split(","):
            workers = int(engine[4:] or 1) if engine.startswith("dask") else 1
            result = run_engine("local" if engine == "local" else "dask", files,
                                Path(tmp) / f"{engine}.db", workers, args.partition_size)
            rates[engine] = result["stored"] / result["per_article_s"]
            print(f"{engine}: {result['stored']:.0f} stored in {result['per_article_s']:.1f} s "
                  f"({rates[engine]:.2f} articles/s up to storing); clustering {result['cluster_s']:.1f} s; "
                  f"whole ingest {result['stored'] / result['total_s']:.2f} articles/s"
                  + (f"; cluster start-up {result['startup_s']:.1f} s (not counted)" if engine != "local" else ""),
                  flush=True)
        if "dask1" in rates and "dask2" in rates:
            print(f"ratio 2 workers / 1 worker (per-article stages): {rates['dask2'] / rates['dask1']:.2f}")
        if "local" in rates and "dask2" in rates:
            print(f"ratio 2 workers / single process: {rates['dask2'] / rates['local']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
