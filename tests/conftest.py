"""Shared fixtures. Data in ../shared/data is read in place, never copied."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from storyline.store import Store, StoredArticle

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
SAMPLES = ROOT / "samples"
SAMPLES_MANIFEST = json.loads((ROOT / "tests" / "data" / "samples_manifest.json").read_text(encoding="utf-8"))


def require_shared(*parts: str) -> Path:
    """Path under ../shared/data; skip where it is absent (a user's clone), fail under CI."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        reason = f"{path} is absent: the evaluation corpora live in ../shared/data beside the project"
        if os.environ.get("CI"):
            pytest.fail(reason + " (required when CI is set)")
        pytest.skip(reason)
    return path


@pytest.fixture
def shared_data() -> Path:
    return require_shared()


def wait_for_stored_rows(proc: subprocess.Popen[Any], db: Path, least: int, timeout: float) -> int:
    """Poll the SQLite file `db` until its articles table holds `least` rows, `proc` exits or `timeout`
    seconds pass; the last count seen."""
    deadline = time.monotonic() + timeout
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
        if not db.exists():
            continue
        try:
            with sqlite3.connect(db, timeout=1) as conn:
                stored = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        except sqlite3.OperationalError:
            continue
        if stored >= least:
            break
    return stored


def stored_by_manifest_id(store: Store) -> dict[str, StoredArticle]:
    """The stored article of each sample in the manifest, by manifest id: found by file name, and by
    title where one file holds several articles; exactly one each."""
    stored = list(store.iter_articles())
    found: dict[str, StoredArticle] = {}
    for entry in SAMPLES_MANIFEST["articles"]:
        name = Path(entry["file"]).name
        candidates = [s for s in stored if s.article.path and Path(s.article.path).name == name]
        if len(candidates) > 1:
            candidates = [s for s in candidates if s.article.title == entry["title"]]
        assert len(candidates) == 1, (entry["id"], [c.article.title for c in candidates])
        found[entry["id"]] = candidates[0]
    return found


# -- PostgreSQL: one throwaway cluster per test session (per xdist worker), a fresh database per test --


def require_postgres() -> None:
    """Skip when no PostgreSQL server binaries are installed here; fail under CI."""
    import pg

    reason = pg.unavailable_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason + " (required when CI is set)")
        pytest.skip(reason)


@contextmanager
def started_cluster() -> Iterator[Any]:
    """A PostgreSQL cluster of its own in a temp dir on a free loopback port, removed on leaving."""
    import pg

    require_postgres()
    cluster = pg.start_cluster()
    try:
        yield cluster
    finally:
        cluster.cleanup()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Any]:
    """A PostgreSQL cluster in a temp dir on a free loopback port, stopped at the end of the session."""
    with started_cluster() as cluster:
        yield cluster


@pytest.fixture
def pg_url(pg_cluster: Any) -> Iterator[str]:
    """A new, empty database in the session cluster; dropped afterwards."""
    import psycopg

    url = pg_cluster.create_database()
    yield url
    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _pg_shared_url(pg_cluster: Any) -> str:
    return str(pg_cluster.create_database("shared"))


@pytest.fixture
def pg_clean_url(_pg_shared_url: str) -> str:
    """A migrated database shared by the session, emptied before each test (faster than a new one)."""
    import psycopg

    from storyline.store import open_store

    open_store(_pg_shared_url).close()  # create the schema on first use
    with psycopg.connect(_pg_shared_url, autocommit=True) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_migrations'"
        )]
        conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
        conn.execute("INSERT INTO counters(name, value) VALUES ('cluster_seq', 0)")
        conn.execute("ALTER SEQUENCE articles_seq_counter RESTART")
    return _pg_shared_url


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store on each backend (the PostgreSQL one skips where no server can start, fails under CI)."""
    from storyline.store import open_store

    url = str(tmp_path / "t.db") if request.param == "sqlite" else request.getfixturevalue("pg_clean_url")
    opened = open_store(url)
    yield opened
    opened.close()
