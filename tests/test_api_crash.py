"""Crash safety of the API server: the real server (`python -m storyline.cli serve`, a subprocess on a
free loopback port, over a temporary SQLite database) is killed with SIGKILL while it ingests batches
of articles, restarted, and sent everything again. Afterwards every article is stored exactly once,
every article is in exactly one (live) story, and the database passes its integrity checks."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from storyline.serve import testing as serve_testing

BATCH = 8
KILLS = 3

_TOPICS = [
    ("Velmora", "bridge", "collapsed", "engineers inspected the steel girders"),
    ("Osterby", "ferry", "ran aground", "the coast guard towed the vessel to port"),
    ("Lindqvist", "orchard", "won the apple prize", "the cooperative plans new cold storage"),
    ("Harbourton", "quarry", "will close", "forty workers will be offered new jobs"),
    ("Castrelo", "tram line", "opened", "the first trams carried 9,000 passengers"),
]


def corpus(n: int) -> list[dict[str, Any]]:
    """n distinct articles over a few topics (so stories form and merge), each with its own URL."""
    docs = []
    for i in range(n):
        place, thing, event, detail = _TOPICS[i % len(_TOPICS)]
        day = 1 + (i // len(_TOPICS)) % 27
        docs.append({
            "title": f"{place} {thing} {event}, report {i}",
            "source": f"Outlet {i % 7}",
            "published": f"2024-03-{day:02d}",
            "language": "en",
            "url": f"https://outlet{i % 7}.example/{place.lower()}-{thing.replace(' ', '-')}-{i}",
            "text": (f"The {place} {thing} {event} on Monday, officials in {place} said in report number {i}. "
                     f"According to the council, {detail}. Residents of {place} gathered near the {thing} "
                     f"on day {day} and {i % 13 + 2} witnesses described what they saw. "
                     f"A spokesperson said a full statement on the {place} {thing} would follow."),
        })
    return docs


def start_server(db: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    # the test writes as fast as it can: no write rate limit
    return serve_testing.start_server(str(db), port, log, write_rate="0", timeout=60, cwd=str(db.parent))


@contextmanager
def running(db: Path, port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    proc = start_server(db, port, log)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


def _post_until_dead(base: str, batches: list[list[dict[str, Any]]], done: list[int]) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        for n, batch in enumerate(batches):
            try:
                r = client.post("/api/v1/articles", json=batch)
            except httpx.HTTPError:
                return  # the server was killed
            assert r.status_code == 201, r.text
            done.append(n)


@pytest.mark.slow
def test_kill_9_mid_write_then_repost_everything(tmp_path: Path) -> None:
    docs = corpus(BATCH * 12)
    batches = [docs[i : i + BATCH] for i in range(0, len(docs), BATCH)]
    db, log = tmp_path / "crash.db", tmp_path / "server.log"
    rng = random.Random(20240304)
    sent = 0
    kills = 0
    for _ in range(KILLS):
        port = serve_testing.free_port()
        with running(db, port, log) as proc:
            done: list[int] = []
            poster = threading.Thread(target=_post_until_dead,
                                      args=(f"http://127.0.0.1:{port}", batches[sent:], done), daemon=True)
            poster.start()
            # Let one batch through (the models are loaded), then kill while later batches are written.
            deadline = time.monotonic() + 60
            while not done and poster.is_alive() and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(rng.uniform(0.02, 0.4))
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(10)
                kills += 1
            poster.join(60)
            sent += len(done) + 1  # the batch cut by the kill is sent again below, with everything
            if sent >= len(batches):
                break
    assert kills >= 1, "the server was never killed mid-run"
    with sqlite3.connect(db) as conn:  # what the kills left: shown with -s (a partial batch is typical)
        stored, pending = conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(story_id IS NULL), 0) FROM articles").fetchone()
    print(f"after {kills} kills: {stored} articles stored, {pending} without a story; {sent} batches sent")

    # Restart and send everything again: nothing may be stored twice, nothing lost.
    port = serve_testing.free_port()
    ids: set[str] = set()
    with running(db, port, log), httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
        for batch in batches:
            r = client.post("/api/v1/articles", json=batch)
            assert r.status_code == 201, r.text
            body = r.json()
            assert not body["rejected"], body["rejected"]
            assert all(a["story_id"] for a in body["articles"])
            ids.update(a["id"] for a in body["articles"])
        listed = client.get("/api/v1/stories", params={"limit": 200}).json()
        assert sum(s["articles"] for s in listed["stories"]) == len(docs)
        for aid in list(ids)[:: max(1, len(ids) // 10)]:
            assert client.get(f"/api/v1/articles/{aid}").status_code == 200
    assert len(ids) == len(docs)

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        rows = conn.execute("SELECT id, version, story_id FROM articles").fetchall()
        assert len(rows) == len(docs) and {r[0] for r in rows} == ids  # each article exactly once
        assert all(r[1] == 1 for r in rows), "an identical re-post must not make a new version"
        assert conn.execute("SELECT COUNT(*) FROM article_versions").fetchone()[0] == len(docs)
        fts = conn.execute("SELECT article_id, COUNT(*) FROM articles_fts GROUP BY article_id").fetchall()
        assert len(fts) == len(docs) and all(c == 1 for _, c in fts)
        live = {r[0] for r in conn.execute("SELECT id FROM stories WHERE merged_into IS NULL")}
        assert all(r[2] in live for r in rows), "every article in exactly one live story"
        assert conn.execute("SELECT COUNT(*) FROM articles WHERE cluster_seq IS NULL").fetchone()[0] == 0
        seqs = [r[0] for r in conn.execute("SELECT cluster_seq FROM articles")]
        assert len(set(seqs)) == len(seqs)
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
