"""Consolidation as a stored stage, on both backends: written once per touched story at the end of an
ingest batch and on recluster, reused on read (no recomputation), recomputed when the story changes."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from storyline.consolidate import stored as stage
from storyline.dossier import export_json, story_json
from storyline.model import Article
from storyline.pipeline import Config, ingest_articles, recluster
from storyline.store import Store, open_store

CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "contracts" / "export.schema.json"


def bridge(n: int, text: str | None = None) -> Article:
    return Article(
        text=text or (f"The Velmora bridge collapsed on 4 March 2024, killing 12 people, Ana Ribeiro said. "
                      f"Rescue teams searched the Velmora river on day {n} of the search."),
        title=f"Velmora bridge collapse: report {n}", source=f"Outlet {n}", published=f"2024-03-0{4 + n}",
        language="en", url=f"https://outlet{n}.example/velmora-bridge",
    )


def flood(n: int) -> Article:
    return Article(
        text=f"Floods hit Osterby harbour on 2 June 2023; 300 homes were evacuated, mayor Piet Hallberg said. "
             f"Water levels in Osterby fell on day {n}.",
        title=f"Osterby floods: update {n}", source=f"Paper {n}", published=f"2023-06-0{2 + n}", language="en",
        url=f"https://paper{n}.example/osterby-floods",
    )


def runs() -> int:
    return sum(stage.runs.values())


def test_an_ingest_batch_consolidates_each_touched_story_once(store: Store) -> None:
    before = runs()
    report = ingest_articles(store, [bridge(1), flood(1), bridge(2), flood(2), bridge(3)])
    stories = store.list_stories()
    assert len(stories) == 2
    assert report.consolidated == 2
    assert runs() - before == 2  # once per story, not once per article
    for record in stories:
        row = store.load_consolidation(record.id)
        assert row is not None
        version, payload, summary, computed_at = row
        assert version == stage.story_version(store, record)
        story = json.loads(payload)
        assert story["version"] == version and computed_at
        assert {a["id"] for a in story["articles"]} == set(record.article_ids)
        assert json.loads(summary)["count"] == len(record.article_ids)
    # Entity folding ran as a step of that consolidation: the links are stored with the mentions.
    keys = {m.entity_key for r in stories for a in r.article_ids for m in store.get_annotations(a).mentions}
    assert keys - {None}


def test_reads_reuse_the_stored_consolidation(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    ingest_articles(store, [bridge(1), bridge(2)])
    sid = store.list_stories()[0].id
    stored = store.load_consolidation(sid)
    assert stored is not None

    def fail(*_: object) -> None:
        raise AssertionError("consolidated again on read")

    monkeypatch.setattr("storyline.dossier.consolidate", fail)
    before = runs()
    first = story_json(store, sid)
    assert story_json(store, sid) == first
    assert export_json(store)["stories"] == [first]
    assert runs() == before
    assert first == json.loads(stored[1])


def test_a_changed_story_is_recomputed_never_served_stale(store: Store) -> None:
    no_consolidation = Config(consolidate=False)
    ingest_articles(store, [bridge(1), bridge(2)])
    sid = store.list_stories()[0].id
    old = story_json(store, sid)
    # An article of the story updated in place (same URL, new text), the batch not consolidated: the
    # stored consolidation is of an older version, and a read consolidates the story again.
    changed = bridge(2, "The Velmora bridge collapsed on 4 March 2024, killing 14 people, officials said.")
    ingest_articles(store, [changed], no_consolidation)
    record = store.get_story(sid)
    assert store.load_consolidation(record.id)[0] != stage.story_version(store, record)  # type: ignore[index]
    before = runs()
    new = story_json(store, sid)
    assert runs() - before == 1
    assert new["version"] != old["version"]
    assert any("14 people" in a["text"] for a in new["articles"])
    assert story_json(store, sid) == new and runs() - before == 1
    # A new article in the story, consolidated at the end of its batch: the read finds it stored.
    ingest_articles(store, [bridge(3)])
    before = runs()
    latest = story_json(store, sid)
    assert runs() == before
    assert len(latest["articles"]) == 3


def test_recluster_rewrites_every_consolidation(store: Store) -> None:
    ingest_articles(store, [bridge(1), flood(1), bridge(2)], Config(consolidate=False))
    assert store.consolidation_summaries() == {}
    before = runs()
    recluster(store)
    live = {r.id: r for r in store.list_stories()}
    summaries = store.consolidation_summaries()
    assert set(summaries) == set(live)
    assert runs() - before == len(live)
    for sid, (version, _summary) in summaries.items():
        assert version == stage.story_version(store, live[sid])
    assert stage.consolidate_all(store) == len(live)
    assert runs() - before == len(live)  # current ones are not consolidated again
    assert stage.consolidate_all(store, force=True) == len(live)
    assert runs() - before == 2 * len(live)


def test_stored_stories_follow_the_export_contract(store: Store) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    if not CONTRACT.exists():
        pytest.skip(f"{CONTRACT} is absent")
    ingest_articles(store, [bridge(1), flood(1), bridge(2)])
    jsonschema.validate(export_json(store), json.loads(CONTRACT.read_text()))


def test_the_queue_consolidates_a_burst_once() -> None:
    done: list[str] = []
    queue = stage.ConsolidationQueue(done.append, delay=0.2, max_wait=5.0)
    for _ in range(20):
        queue.add(["s1"])
        queue.add(["s2", "s1"])
        time.sleep(0.01)
    assert queue.pending("s1")
    deadline = time.monotonic() + 10
    while len(done) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(done) == ["s1", "s2"]
    assert not queue.pending("s1")
    queue.add(["s3"])
    queue.close()  # drains what is pending
    assert sorted(done) == ["s1", "s2", "s3"]


def test_the_queue_does_not_wait_forever_under_a_steady_stream() -> None:
    done: list[str] = []
    queue = stage.ConsolidationQueue(done.append, delay=0.3, max_wait=0.5)
    stop = threading.Event()

    def feed() -> None:
        while not stop.is_set():
            queue.add(["busy"])
            time.sleep(0.05)

    feeder = threading.Thread(target=feed)
    feeder.start()
    try:
        deadline = time.monotonic() + 10
        while not done and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        feeder.join()
        queue.close(drain=False)
    assert done and done[0] == "busy"


def test_the_consolidate_command_builds_missing_and_stale_ones(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from storyline.cli import app

    db = str(tmp_path / "cli.db")
    with open_store(db) as store:
        ingest_articles(store, [bridge(1), flood(1), bridge(2)], Config(consolidate=False))
    runner = CliRunner()
    first = runner.invoke(app, ["consolidate", "--db", db, "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout) == {"stories": 2, "consolidated": 2}
    again = runner.invoke(app, ["consolidate", "--db", db, "--json"])
    assert json.loads(again.stdout) == {"stories": 2, "consolidated": 0}
    with open_store(db) as store:
        assert len(store.consolidation_summaries()) == 2


def test_a_server_on_a_database_without_consolidations_serves_and_catches_up(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from storyline.serve import create_app

    db = str(tmp_path / "old.db")
    with open_store(db) as store:  # as a database from before stored consolidation
        ingest_articles(store, [bridge(1), flood(1), bridge(2), flood(2)], Config(consolidate=False))
        records = {r.id: r for r in store.list_stories()}
    app = create_app(db)
    with TestClient(app) as client:
        catalog = app.state.catalog
        catalog.queue.delay = catalog.queue.max_wait = 120.0  # the queue waits: this test flushes it
        listed = client.get("/api/v1/stories").json()["stories"]
        assert {s["id"]: s["articles"] for s in listed} == {sid: len(r.article_ids) for sid, r in records.items()}
        assert all(catalog.queue.pending(sid) for sid in records)  # listed from their records, queued
        sid = next(iter(records))
        before = runs()
        story = client.get(f"/api/v1/stories/{sid}").json()  # consolidated on read, not served unconsolidated
        assert runs() - before == 1 and {a["id"] for a in story["articles"]} == set(records[sid].article_ids)
        catalog.queue.flush()
        assert runs() - before == len(records)  # the others; the one read is current already
        assert catalog.view().stale == []
        found = client.get("/api/v1/entities/Osterby")
        assert found.status_code == 200, found.text
        assert found.json()["stories"] and runs() - before == len(records)
