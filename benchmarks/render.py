"""Server time to render a story page of 500 articles.

    .venv/bin/python benchmarks/render.py [--articles 500] [--runs 15]

Builds a temporary database holding one generated story (500 articles from 25 outlets over 30 days,
with entity, date and quantity annotations and some near-copies), then times GET /stories/{id}
through the app:
- the first request on a story not consolidated yet (consolidation on read, stored, then rendered);
- the first request of a freshly started server on the stored consolidation (what a reader sees after
  an ingest, which consolidates the stories it touched): the story read from the store and rendered;
- the median of the following ones.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from storyline.consolidate.stored import runs
from storyline.model import Article, EntityMention, Quantity, TimeExpression
from storyline.serve import create_app
from storyline.store import Annotations, open_store

PEOPLE = ["Ana Ribeiro", "Tomas Vale", "Ines Corda", "Piet Hallberg", "Mara Lind"]
PLACES = ["Castrelo", "Velmora", "Duran", "Hallberg", "Osterby"]


def generate(db: Path, n: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    store = open_store(str(db))
    story = "s00000001"
    ids: list[str] = []
    for i in range(n):
        day = 1 + (i * 30) // n
        person, place = rng.choice(PEOPLE), rng.choice(PLACES)
        toll = rng.choice([12, 12, 12, 14, 15])
        s1 = f"The bridge at {place} collapsed on 4 March 2024, killing {toll} people, {person} said."
        s2 = f"Report {i}: rescue teams in {place} searched the river for survivors on day {day}."
        s3 = "An inquiry will report within 30 days, officials said. " * rng.randint(1, 4)
        text = f"{s1} {s2} {s3}"
        art = Article(text=text, title=f"Bridge collapse at {place}: report {i}", source=f"Outlet {i % 25}",
                      published=f"2024-03-{day:02d}", language="en", url=f"https://example.org/{i}")
        p0 = text.index(person)
        pl = text.index(place)
        t0 = text.index("4 March 2024")
        q0 = text.index(f"{toll} people")
        ann = Annotations(
            timexes=(TimeExpression(t0, t0 + 12, "4 March 2024", "DATE", "2024-03-04"),),
            quantities=(Quantity(q0, q0 + len(f"{toll} people"), f"{toll} people", float(toll), None, "count",
                                 measured="people"),),
            mentions=(EntityMention(pl, pl + len(place), place, "GPE"),
                      EntityMention(p0, p0 + len(person), person, "PERSON")),
        )
        ids.append(store.upsert_article(art, ann).id)
    for i, aid in enumerate(ids):
        store.assign_story(aid, story, duplicate_of=ids[i - 1] if i % 10 == 9 else None)
    store.close()
    return story


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--articles", type=int, default=500)
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        story = generate(db, args.articles)
        app = create_app(str(db))
        with TestClient(app) as client:
            client.get("/")
            t = time.perf_counter()
            r = client.get(f"/stories/{story}", headers={"accept": "text/html"})
            unconsolidated = time.perf_counter() - t
            assert r.status_code == 200, r.status_code
            degraded = app.state.catalog.story(story).get("degraded")
        app = create_app(str(db))  # a new server: nothing in memory, the consolidation is stored
        with TestClient(app) as client:
            client.get("/")
            before = sum(runs.values())
            t = time.perf_counter()
            r = client.get(f"/stories/{story}", headers={"accept": "text/html"})
            first = time.perf_counter() - t
            assert r.status_code == 200, r.status_code
            warm = []
            for _ in range(args.runs):
                t = time.perf_counter()
                r = client.get(f"/stories/{story}", headers={"accept": "text/html"})
                warm.append(time.perf_counter() - t)
            assert sum(runs.values()) == before, "the stored consolidation was not reused"
        print(f"story page, {args.articles} articles, {len(r.content) // 1024} KiB of HTML")
        print(f"  first request, story not consolidated yet (consolidate + store + render): "
              f"{unconsolidated * 1000:.0f} ms" + (f"  [dossier fallback: {degraded}]" if degraded else ""))
        print(f"  first request of a new server, stored consolidation (read + render): {first * 1000:.0f} ms")
        print(f"  following requests: median {statistics.median(warm) * 1000:.1f} ms over {args.runs} runs"
              f" (min {min(warm) * 1000:.1f}, max {max(warm) * 1000:.1f})")

if __name__ == "__main__":
    main()
