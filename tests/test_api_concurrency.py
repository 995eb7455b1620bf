"""Reads during writes: the API answers every concurrent read (no 500, no half-written state), and once
a POST has returned, the story it names holds the new article, in the story object, in the list of
stories and in the article itself. Lists match the stored consolidations; a story is consolidated once per version."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from storyline.consolidate.stored import runs
from storyline.serve.data import Catalog
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


def test_listed_stories_match_their_stored_consolidations(served: Served) -> None:
    client: TestClient = served.client
    for n in range(100, 104):
        assert client.post("/api/v1/articles", json=article(n)).status_code == 201
    catalog: Catalog = served.app.state.catalog
    catalog.queue.flush()  # what the queue does after a quiet moment
    view = catalog.view()
    assert view.stale == []
    with catalog.readers.get() as store:
        records = {r.id: r for r in store.list_stories()}
        assert set(view.stories) == set(records)
        for sid, summary in view.stories.items():
            story = json.loads(store.load_consolidation(sid)[1])  # type: ignore[index]
            assert summary.article_ids == records[sid].article_ids
            assert summary.count == len(story["articles"]) and summary.size == story["size"]
    # Every entity of a live story points back to it.
    for e in view.entities.values():
        assert e.story_ids and e.story_ids <= set(view.stories)


def test_a_story_is_consolidated_once_per_version(served: Served) -> None:
    catalog: Catalog = served.app.state.catalog
    catalog.queue.flush()
    sid = served.story_ids[0]
    first = catalog.story_entry(sid)
    before = sum(runs.values())
    assert catalog.story_entry(sid).version == first.version
    assert sum(runs.values()) == before  # read from the store: not consolidated again
    r = served.client.post("/api/v1/articles", json=article(200))
    assert r.status_code == 201
    changed = r.json()["story_ids"][0]
    again = catalog.story_entry(changed)  # read before the queue ran: consolidated now, not served stale
    assert r.json()["articles"][0]["id"] in {a["id"] for a in again.story["articles"]}
    assert sum(runs.values()) == before + 1
    catalog.queue.flush()  # the queued story is current already: nothing to do
    assert sum(runs.values()) == before + 1
    entry = catalog.story_entry(sid)
    if entry.story["id"] == sid and sid not in r.json()["story_ids"]:
        assert entry.version == first.version  # an untouched story keeps its stored consolidation


def test_a_burst_of_posts_into_one_story_is_consolidated_once(served: Served) -> None:
    catalog: Catalog = served.app.state.catalog
    catalog.queue.flush()
    delay, max_wait = catalog.queue.delay, catalog.queue.max_wait
    catalog.queue.delay = catalog.queue.max_wait = 120.0  # the burst is quicker than the quiet moment
    try:
        before = sum(runs.values())
        story_ids = set()
        for n in range(300, 306):
            r = served.client.post("/api/v1/articles", json=article(n))
            assert r.status_code == 201
            story_ids |= set(r.json()["story_ids"])
        assert sum(runs.values()) == before  # nothing consolidated per POST
        assert all(catalog.queue.pending(sid) for sid in story_ids)
        catalog.queue.flush()
        assert sum(runs.values()) - before == len(story_ids) < 6
    finally:
        catalog.queue.delay, catalog.queue.max_wait = delay, max_wait
