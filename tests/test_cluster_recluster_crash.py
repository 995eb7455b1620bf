"""Issue 10 item 8: `storyline recluster` killed with SIGKILL at any moment leaves every article that had
a story in a story (the old ones or the rebuilt ones, never none), on SQLite and on PostgreSQL.

A real `storyline recluster` process works on the samples plus a Timeline17 topic; while it holds the
cluster lock the test reads the database again and again (every article has a story that exists),
then kills it at several points of its run, and checks the database and a final full recluster."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import storyline
from conftest import SAMPLES, require_shared
from storyline.pipeline import Config, ingest_paths
from storyline.store import open_store

# (articles without a story, articles whose story row is missing, stories): one consistent snapshot
_CHECK = (
    "SELECT (SELECT COUNT(*) FROM articles WHERE story_id IS NULL),"
    " (SELECT COUNT(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM stories s WHERE s.id = a.story_id)),"
    " (SELECT COUNT(*) FROM stories WHERE merged_into IS NULL)"
)
_PG_LOCK = 0x5354_4F52_594C_0002  # storyline.store.postgres._LOCK_CLUSTER
_SRC = str(Path(storyline.__file__).resolve().parents[1])  # the child runs the storyline under test


class _Db:
    """Read-only probes of the database from the test process."""

    def __init__(self, url: str, backend: str) -> None:
        self.url, self.backend = url, backend

    def check(self) -> tuple[int, int, int]:
        if self.backend == "sqlite":
            import sqlite3

            with sqlite3.connect(self.url, timeout=5) as conn:
                row = conn.execute(_CHECK).fetchone()
        else:
            import psycopg

            with psycopg.connect(self.url, autocommit=True) as conn:
                row = conn.execute(_CHECK).fetchone()
        assert row is not None
        return int(row[0]), int(row[1]), int(row[2])

    def cluster_locked(self) -> bool:
        """Whether some process holds the cluster lock (a recluster is under way)."""
        if self.backend == "sqlite":
            fd = os.open(self.url + "-cluster.lock", os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            finally:
                os.close(fd)  # also releases a lock taken here
            return False
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND ((classid::bigint << 32) | objid::bigint) = %s",
                (_PG_LOCK,),
            ).fetchone()
        return bool(row and row[0])


def _recluster(url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "storyline.cli", "recluster", "--db", url],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": _SRC},
    )


def _watch(db: _Db, proc: subprocess.Popen[bytes], n_articles: int, stop: Callable[[float], bool]) -> float:
    """Probe the database until `proc` exits or `stop(seconds the lock has been held)`; asserts at every
    probe that each article is in an existing story. Returns how long the lock was seen held."""
    held_since: float | None = None
    held = 0.0
    while proc.poll() is None:
        unassigned, dangling, stories = db.check()
        assert (unassigned, dangling) == (0, 0), f"{unassigned} articles without a story, {dangling} dangling"
        assert 0 < stories <= n_articles
        if db.cluster_locked():
            held_since = held_since or time.monotonic()
            held = time.monotonic() - held_since
            if stop(held):
                break
        time.sleep(0.02)
    return held


def _after(seconds: float) -> Callable[[float], bool]:
    return lambda held: held >= seconds


def _stories(url: str) -> list[list[str]]:
    with open_store(url) as store:
        return sorted(sorted(s.article_ids) for s in store.list_stories())


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_recluster_killed_at_any_point_leaves_every_article_in_a_story(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    topic = require_shared("timeline17", "MJ_bbc", "articles.jsonl")
    url = str(tmp_path / "t.db") if backend == "sqlite" else request.getfixturevalue("pg_url")
    with open_store(url) as store:
        report = ingest_paths(store, [str(SAMPLES), str(topic)], Config(enrich=False, embed=False))
        n = store.count_articles()
    assert n == report.stored > 150 and report.clustered == n
    incremental = _stories(url)
    db = _Db(url, backend)

    # a full run, watched: how long the lock is held
    proc = _recluster(url)
    full = _watch(db, proc, n, lambda held: False)
    assert proc.wait(timeout=600) == 0, proc.stderr.read().decode() if proc.stderr else ""
    rebuilt = _stories(url)
    assert rebuilt == incremental  # the rebuild gives the stories the ingest gave
    assert full > 0.2

    killed: list[float] = []
    for fraction in (0.15, 0.5, 0.85):
        proc = _recluster(url)
        held = _watch(db, proc, n, _after(fraction * full))
        if proc.poll() is None and db.cluster_locked():  # mid-recluster: it holds the lock
            killed.append(held)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        unassigned, dangling, _ = db.check()
        assert (unassigned, dangling) == (0, 0)
        assert _stories(url) == rebuilt  # the old stories, or the identical new ones
    assert len(killed) >= 2, killed  # the kills did land in the middle of the run

    # and the next run finishes as if nothing had happened
    proc = _recluster(url)
    assert proc.wait(timeout=600) == 0
    assert _stories(url) == rebuilt

