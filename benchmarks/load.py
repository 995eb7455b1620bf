"""Load on the HTTP API: concurrent readers and writers against the real server on loopback.

Starts `python -m storyline.cli serve` as a subprocess on a free 127.0.0.1 port over a database
holding the sample corpus (samples/), then drives it for `--seconds` with a bounded asyncio client:
`--readers` tasks (GET /api/v1/stories, /stories/{id}, /articles/{id}, /search) and `--writers` tasks
(POST /api/v1/articles, one to three new articles each). Reports requests/second, p50/p99 latency
per endpoint group and the error count (must be 0), then checks that every posted article can be
read back and belongs to a story. The write rate limit is turned off (every client is 127.0.0.1).

    .venv/bin/python benchmarks/load.py                        # 60 s on a fresh SQLite file
    .venv/bin/python benchmarks/load.py --seconds 10
    .venv/bin/python benchmarks/load.py --db postgresql://user@127.0.0.1:5433/bench   # an empty database

Exit status 1 when any request failed or a posted article is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

from storyline.serve import testing as serve_testing

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
WORDS = ["fire", "bridge", "tunnel", "factory", "minister", "police", "battery", "explosion", "deal", "train",
         "Modderkloof", "Sorvenne", "Fenwright", "\"paint factory\"", "sarath*", "opens", "workers", "2024"]
PLACES = ["Velmora", "Osterby", "Lindqvist", "Harbourton", "Castrelo", "Duran", "Hallberg", "Marisco"]
THINGS = ["bridge", "ferry", "orchard", "quarry", "tram line", "harbour", "dam", "stadium"]


def prepare_db(url: str) -> int:
    """The sample corpus ingested into `url` (skipped when it already holds articles)."""
    from storyline.pipeline import ingest_paths
    from storyline.store import open_store

    with open_store(url) as store:
        if store.count_articles() == 0 and SAMPLES.is_dir():
            ingest_paths(store, [str(SAMPLES)])
        return store.count_articles()


def start_server(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    try:
        return serve_testing.start_server(url, port, log, write_rate="off", timeout=90)
    except serve_testing.ServerStartError as exc:
        raise SystemExit(str(exc)) from None


class Stats:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)

    def record(self, group: str, seconds: float, problem: str | None) -> None:
        self.latency[group].append(seconds)
        if problem:
            self.errors[group].append(problem)

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.latency.values())

    @property
    def error_count(self) -> int:
        return sum(len(v) for v in self.errors.values())


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def timed(stats: Stats, group: str, call: Any) -> httpx.Response | None:
    start = time.perf_counter()
    try:
        response: httpx.Response = await call
    except httpx.HTTPError as exc:
        stats.record(group, time.perf_counter() - start,
                     f"{type(exc).__name__} at {time.strftime('%H:%M:%S')}: {exc!r}")
        return None
    ok = response.status_code < 400
    stats.record(group, time.perf_counter() - start,
                 None if ok else f"{response.status_code} {response.request.url.path}: {response.text[:200]}")
    return response if ok else None


async def reader(client: httpx.AsyncClient, stats: Stats, stop: float, rng: random.Random,
                 stories: list[str], articles: list[str]) -> None:
    while time.monotonic() < stop:
        kind = rng.random()
        if kind < 0.25:
            params: dict[str, Any] = {"limit": rng.choice([10, 50, 200]), "sort": rng.choice(["updated", "size"])}
            if rng.random() < 0.3:
                params["q"] = rng.choice(WORDS)
            r = await timed(stats, "GET /stories", client.get("/api/v1/stories", params=params))
            if r is not None:
                for s in r.json()["stories"]:
                    if s["id"] not in stories:
                        stories.append(s["id"])
        elif kind < 0.5:
            await timed(stats, "GET /stories/{id}", client.get(f"/api/v1/stories/{rng.choice(stories)}"))
        elif kind < 0.75:
            await timed(stats, "GET /articles/{id}", client.get(f"/api/v1/articles/{rng.choice(articles)}"))
        else:
            q = " ".join(rng.sample(WORDS, rng.choice([1, 1, 2])))
            await timed(stats, "GET /search", client.get("/api/v1/search", params={"q": q}))


def new_article(n: int, rng: random.Random) -> dict[str, Any]:
    place, thing = rng.choice(PLACES), rng.choice(THINGS)
    day = 1 + n % 28
    return {
        "title": f"{place} {thing} reopens after repairs ({n})",
        "source": f"Load Outlet {n % 9}", "language": "en", "published": f"2024-05-{day:02d}",
        "url": f"https://load{n % 9}.example/{place.lower()}-{n}",
        "text": (f"The {place} {thing} reopened on Monday after three weeks of repairs, officials in {place} "
                 f"said in report {n}. About {100 + n % 400} people attended the reopening. The mayor of "
                 f"{place} said the repairs cost {2 + n % 7} million euros. Engineers said the {thing} "
                 f"was inspected on {day} May."),
    }


async def writer(client: httpx.AsyncClient, stats: Stats, stop: float, rng: random.Random,
                 counter: itertools.count[int], posted: list[str], articles: list[str]) -> None:
    while time.monotonic() < stop:
        batch = [new_article(next(counter), rng) for _ in range(rng.choice([1, 1, 2, 3]))]
        r = await timed(stats, "POST /articles", client.post("/api/v1/articles", json=batch))
        if r is not None:
            ids = [a["id"] for a in r.json()["articles"]]
            posted.extend(ids)
            articles.extend(ids)


async def seed_ids(client: httpx.AsyncClient) -> tuple[list[str], list[str]]:
    listed = (await client.get("/api/v1/stories", params={"limit": 200})).json()["stories"]
    stories = [s["id"] for s in listed]
    articles: list[str] = []
    for sid in stories:
        articles.extend(a["id"] for a in (await client.get(f"/api/v1/stories/{sid}")).json()["articles"])
    return stories, articles


async def drive(base: str, seconds: float, readers: int, writers: int, seed: int) -> tuple[Stats, list[str], float]:
    limits = httpx.Limits(max_connections=readers + writers, max_keepalive_connections=readers + writers)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        stories, articles = await seed_ids(client)
        if not stories or not articles:
            raise SystemExit("the database holds no story: nothing to read")
        stats, posted = Stats(), list[str]()
        counter = itertools.count(int(time.time()) % 1_000_000 * 1000)
        start = time.monotonic()
        stop = start + seconds
        tasks = [reader(client, stats, stop, random.Random(seed + i), stories, articles) for i in range(readers)]
        tasks += [writer(client, stats, stop, random.Random(seed + 1000 + i), counter, posted, articles)
                  for i in range(writers)]
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - start
    return stats, posted, elapsed


async def verify(base: str, posted: list[str]) -> list[str]:
    """Ids of posted articles that cannot be read back, or that have no story."""
    missing: list[str] = []
    sem = asyncio.Semaphore(20)
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        async def check(aid: str) -> None:
            async with sem:
                r = await client.get(f"/api/v1/articles/{aid}")
                if r.status_code != 200 or not r.json().get("story_id"):
                    missing.append(f"{aid}: {r.status_code}")
        await asyncio.gather(*(check(a) for a in dict.fromkeys(posted)))
    return missing


def report(stats: Stats, elapsed: float, posted: list[str], missing: list[str], db: str) -> None:
    print(f"database: {db}")
    print(f"{stats.total} requests in {elapsed:.1f} s: {stats.total / elapsed:.1f} requests/s; "
          f"errors: {stats.error_count}")
    print(f"{'group':<20} {'count':>7} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>6}")
    for group in sorted(stats.latency):
        lat = stats.latency[group]
        print(f"{group:<20} {len(lat):>7} {len(lat) / elapsed:>7.1f} {_pct(lat, 0.5) * 1000:>8.1f} "
              f"{_pct(lat, 0.99) * 1000:>8.1f} {max(lat) * 1000:>8.1f} {len(stats.errors.get(group, [])):>6}")
    reads = [v for g, vals in stats.latency.items() if g.startswith("GET") for v in vals]
    if reads:
        print(f"{'all reads':<20} {len(reads):>7} {len(reads) / elapsed:>7.1f} {_pct(reads, 0.5) * 1000:>8.1f} "
              f"{_pct(reads, 0.99) * 1000:>8.1f} {statistics.fmean(reads) * 1000:>8.1f} (mean)")
    print(f"posted {len(set(posted))} articles; not retrievable afterwards: {len(missing)}")
    for group, problems in stats.errors.items():
        for p in problems[:3]:
            print(f"  error in {group}: {p}")
    for m in missing[:5]:
        print(f"  missing: {m}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--writers", type=int, default=5)
    parser.add_argument("--db", help="database URL (default: a new SQLite file in a temporary folder)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="storyline-load-") as tmp:
        db = args.db or str(Path(tmp) / "load.db")
        t0 = time.perf_counter()
        n = prepare_db(db)
        print(f"{n} articles in the database ({time.perf_counter() - t0:.1f} s to prepare)")
        port = serve_testing.free_port()
        log = Path(tmp) / "server.log"
        proc = start_server(db, port, log)
        base = f"http://127.0.0.1:{port}"
        try:
            stats, posted, elapsed = asyncio.run(drive(base, args.seconds, args.readers, args.writers, args.seed))
            missing = asyncio.run(verify(base, posted))
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        report(stats, elapsed, posted, missing, db)
        if stats.error_count and not missing:
            print("server log (tail):\n" + log.read_text(errors="replace")[-3000:])
        if "Traceback" in log.read_text(errors="replace"):
            print("server log has tracebacks:\n" + log.read_text(errors="replace")[-3000:])
            return 1
    return 1 if stats.error_count or missing else 0


if __name__ == "__main__":
    sys.exit(main())
