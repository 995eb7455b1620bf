"""Reads during writes: the API answers every concurrent read (no 500, no half-written state), and once
a POST has returned, the story it names holds the new article, in the story object, in the list of
stories and in the article itself. The incrementally updated index matches a fresh build."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from storyline.serve.data import Catalog, build_index, signature
from test_api_fixtures import Served, serve_corpus

PLACES = ["Velmora", "Osterby", "Lindqvist"]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from serve_corpus(tmp_path_factory.mktemp("concurrency"), write_rate=0)


def article(n: int) -> dict[str, Any]:
    place = PLACES[n % len(PLACES)]
    return {
        "title": f"{place} bridge reopens after repairs ({n})", "source": f"Outlet {n % 4}", "language": "en",
        "published": f"2024-03-{10 + n % 15:02d}", "url": f"https://outlet{n % 4}.example/{place.lower()}-{n}",
        "text": f"The {place} bridge reopened on Monday after repairs, officials in {place} said in report {n}. "
                f"About {100 + n} people attended. The repairs cost {2 + n % 5} million euros.",
    }


def test_reads_during_writes_are_consistent(served: Served) -> None:
    client: TestClient = served.client
    stop = threading.Event()
    problems: list[str] = []
    reads = [0]

    def reader(k: int) -> None:
        i = 0
        while not stop.is_set():
            i += 1
            which = (i + k) % 4
            if which == 0:
                r = client.get("/api/v1/stories", params={"limit": 200})
            elif which == 1:
                r = client.get(f"/api/v1/stories/{served.story_ids[i % len(served.story_ids)]}")
            elif which == 2:
                r = client.get(f"/api/v1/articles/{served.ids[i % len(served.ids)]}")
            else:
                r = client.get("/api/v1/search", params={"q": "bridge"})
            reads[0] += 1
            if r.status_code != 200:
                problems.append(f"{r.request.url.path}: {r.status_code} {r.text[:200]}")
            elif which == 0:
                listed = r.json()["stories"]
                if len({s["id"] for s in listed}) != len(listed):
                    problems.append("a story listed twice")

    threads = [threading.Thread(target=reader, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    try:
        for n in range(6):
            batch = [article(2 * n), article(2 * n + 1)]
            r = client.post("/api/v1/articles", json=batch)
            assert r.status_code == 201, r.text
            body = r.json()
            for posted in body["articles"]:
                # The moment the POST returns, every view shows the article in its story.
                story = client.get(f"/api/v1/stories/{posted['story_id']}")
                assert story.status_code == 200, story.text
                assert posted["id"] in {a["id"] for a in story.json()["articles"]}
                got = client.get(f"/api/v1/articles/{posted['id']}").json()
                assert got["story_id"] == story.json()["id"]
                listed = client.get("/api/v1/stories", params={"limit": 200}).json()["stories"]
                summary = next(s for s in listed if s["id"] == story.json()["id"])
                assert summary["articles"] == len(story.json()["articles"])
                timeline = client.get(f"/api/v1/stories/{posted['story_id']}/timeline")
                assert timeline.status_code == 200
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert reads[0] > 0
    assert not problems, problems[:5]


def test_incremental_index_matches_a_fresh_build(served: Served) -> None:
    client: TestClient = served.client
    for n in range(100, 104):
        assert client.post("/api/v1/articles", json=article(n)).status_code == 201
    catalog: Catalog = served.app.state.catalog
    live = catalog.index()
    with catalog.readers.get() as store:
        fresh = build_index(store, signature(store))
    assert live.signature == fresh.signature
    assert set(live.articles) == set(fresh.articles)
    assert {a.id: a.story_id for a in live.articles.values()} == {a.id: a.story_id
                                                                for a in fresh.articles.values()}
    assert set(live.stories) == set(fresh.stories)
    for sid, s in fresh.stories.items():
        mine = live.stories[sid]
        assert (mine.article_ids, mine.size, mine.count, mine.sources, mine.per_day, mine.title) == (
            s.article_ids, s.size, s.count, s.sources, s.per_day, s.title)
    # Every entity of a live story points back to it.
    for e in live.entities.values():
        assert e.story_ids <= set(live.stories)
        assert e.article_ids <= set(live.articles)


def test_a_story_is_consolidated_once_per_state(served: Served) -> None:
    catalog: Catalog = served.app.state.catalog
    sid = served.story_ids[0]
    first = catalog.story_entry(sid)
    assert catalog.story_entry(sid) is first  # cached: not consolidated again
    r = served.client.post("/api/v1/articles", json=article(200))
    assert r.status_code == 201
    changed = r.json()["story_ids"][0]
    again = catalog.story_entry(changed)
    assert r.json()["articles"][0]["id"] in {a["id"] for a in again.story["articles"]}
    entry = catalog.story_entry(sid)
    if entry.story["id"] == sid and sid not in r.json()["story_ids"]:
        assert entry is first  # an untouched story keeps its cached object
