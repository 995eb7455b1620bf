"""SQLite backend (the default): one file, WAL journal, FTS5 full-text index.

One writer connection per process; every write is one `BEGIN IMMEDIATE` transaction, so a
process killed mid-batch leaves only whole articles behind, and writers never run at once (no row
locks needed). The SQL itself is shared with PostgreSQL (`storyline.store.sql`); this module holds
the schema and what only SQLite does.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from storyline.store.base import QuerySyntaxError, StoreError, parse_query
from storyline.store.sql import (
    CURATIONS_DDL,
    INFERRED_DATES_DDL,
    LIVE_TABLES_DDL,
    SOURCE_TEMPLATES_DDL,
    SQLStore,
    T,
    Tx,
)

# Each migration takes the schema from version i to i+1. Never edit a released one: add another.
_MIGRATIONS: list[str] = [
    # 1: articles, versions with raw input, sources, full-text index
    """
    CREATE TABLE sources (
        name TEXT PRIMARY KEY,
        first_seen TEXT NOT NULL
    );
    CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        title TEXT,
        text TEXT NOT NULL,
        url TEXT,
        source TEXT REFERENCES sources(name),
        published TEXT,
        published_time TEXT,
        language TEXT,
        authors TEXT NOT NULL DEFAULT '[]',
        agency TEXT,
        path TEXT,
        fetched TEXT,
        format TEXT,
        external_id TEXT,
        extra TEXT NOT NULL DEFAULT '{}',
        ingested_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        seq INTEGER NOT NULL
    );
    CREATE INDEX articles_published ON articles(published);
    CREATE INDEX articles_seq ON articles(seq);
    CREATE TABLE article_versions (
        article_id TEXT NOT NULL REFERENCES articles(id),
        version INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        title TEXT,
        text TEXT NOT NULL,
        raw BLOB,
        ingested_at TEXT NOT NULL,
        PRIMARY KEY (article_id, version)
    );
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        article_id UNINDEXED, title, text, tokenize = 'unicode61 remove_diacritics 2'
    );
    """,
    # 2: annotations with offsets into the cleaned text
    """
    CREATE TABLE timexes (
        article_id TEXT NOT NULL REFERENCES articles(id),
        start INTEGER NOT NULL, "end" INTEGER NOT NULL,
        text TEXT NOT NULL, type TEXT NOT NULL, value TEXT, anchored INTEGER NOT NULL
    );
    CREATE INDEX timexes_article ON timexes(article_id);
    CREATE INDEX timexes_value ON timexes(value);
    CREATE TABLE quantities (
        article_id TEXT NOT NULL REFERENCES articles(id),
        start INTEGER NOT NULL, "end" INTEGER NOT NULL,
        text TEXT NOT NULL, value REAL, value_max REAL, unit TEXT, kind TEXT NOT NULL,
        approximate INTEGER NOT NULL, measured TEXT, normalized TEXT
    );
    CREATE INDEX quantities_article ON quantities(article_id);
    CREATE TABLE mentions (
        article_id TEXT NOT NULL REFERENCES articles(id),
        start INTEGER NOT NULL, "end" INTEGER NOT NULL,
        text TEXT NOT NULL, label TEXT NOT NULL, entity_key TEXT
    );
    CREATE INDEX mentions_article ON mentions(article_id);
    CREATE INDEX mentions_entity ON mentions(entity_key);
    CREATE TABLE annotation_notes (
        article_id TEXT NOT NULL REFERENCES articles(id),
        annotator TEXT NOT NULL, note TEXT NOT NULL,
        PRIMARY KEY (article_id, annotator)
    );
    CREATE TABLE entities (
        key TEXT PRIMARY KEY, name TEXT NOT NULL, label TEXT NOT NULL, aliases TEXT NOT NULL
    );
    """,
    # 3: stories, near-duplicates, the online clusterer's persisted state
    """
    ALTER TABLE articles ADD COLUMN story_id TEXT;
    ALTER TABLE articles ADD COLUMN duplicate_of TEXT;
    ALTER TABLE articles ADD COLUMN cluster_seq INTEGER;
    CREATE INDEX articles_story ON articles(story_id);
    CREATE TABLE stories (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        merged_into TEXT
    );
    CREATE TABLE story_merges (
        story_id TEXT NOT NULL, merged_id TEXT NOT NULL, merged_at TEXT NOT NULL,
        PRIMARY KEY (story_id, merged_id)
    );
    CREATE TABLE cluster_state (
        id INTEGER PRIMARY KEY CHECK (id = 1), state BLOB NOT NULL, applied INTEGER NOT NULL,
        updated_at TEXT NOT NULL
    );
    """,
    # 4: feeds followed live and the entries seen in each; watches, their alerts and webhook deliveries
    LIVE_TABLES_DDL.format(key="TEXT"),
    # 5: consolidated stories, by story version (storyline.consolidate.stored)
    """
    CREATE TABLE consolidations (
        story_id TEXT PRIMARY KEY,
        version TEXT NOT NULL,
        payload TEXT NOT NULL,
        summary TEXT NOT NULL,
        computed_at TEXT NOT NULL
    );
    """,
    # 6: hand-curation decisions (storyline.curate): the audit trail, and constraints on clustering
    CURATIONS_DDL.format(key="TEXT"),
    # 7 (self-contained): each article's multilingual vector (storyline.embed: float16 bytes), NULL until computed
    """
    ALTER TABLE articles ADD COLUMN vector BLOB;
    """,
    # 8 (self-contained): source templates (storyline.clean.templates): per-source line fingerprints
    SOURCE_TEMPLATES_DDL,
    # 9 (self-contained): publication dates inferred
    # for undated articles, with their evidence (storyline.consolidate.inferred_dates)
    INFERRED_DATES_DDL.format(key="TEXT", real="REAL"),
]

SCHEMA_VERSION = len(_MIGRATIONS)
MIN_SQLITE = (3, 35, 0)  # RETURNING (the shared SQL uses it), ON CONFLICT DO UPDATE, FTS5


def sqlite_path(url: str) -> str:
    """`sqlite:///rel/path.db`, `sqlite:////abs/path.db` or a plain path."""
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///") :]
    if url.startswith("sqlite://"):
        raise StoreError(f"unsupported SQLite URL {url!r}: use sqlite:///path/to/file.db")
    return url


class SQLiteStore(SQLStore):
    ARTICLE_SEQ = "(SELECT COALESCE(MAX(seq), 0) + 1 FROM articles)"
    ROW_ORDER = "rowid"
    NO_LIMIT = -1

    def __init__(self, url: str, *, migrate_to: int = SCHEMA_VERSION) -> None:
        self.url = url
        if sqlite3.sqlite_version_info < MIN_SQLITE:  # pragma: no cover - depends on the system library
            raise StoreError(
                f"SQLite {sqlite3.sqlite_version} is too old: storyline needs {'.'.join(map(str, MIN_SQLITE))}"
                " or newer (INSERT ... RETURNING)"
            )
        path = sqlite_path(url)
        if path != ":memory:":
            parent = Path(path).expanduser().resolve().parent
            if not parent.is_dir():
                raise StoreError(f"{path}: directory {parent} does not exist")
        try:
            self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=60)
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.execute("PRAGMA busy_timeout=60000")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: cannot open database: {exc}") from exc
        self._lock = threading.RLock()  # the one connection: one thread at a time
        self._init_cluster_lock()
        self._migrate(migrate_to)

    # -- connection -----------------------------------------------------------------------------
    @contextmanager
    def _read(self) -> Iterator[Tx]:
        with self._lock:
            yield Tx(self._conn)

    def _write(self, fn: Callable[[Tx], T], *, retry: bool = True) -> T:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                result = fn(Tx(self._conn))
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            return result

    @contextmanager
    def _snapshot(self) -> Iterator[Tx]:
        with self._lock:
            self._conn.execute("BEGIN")  # one read snapshot for every table
            try:
                yield Tx(self._conn)
            finally:
                self._conn.execute("COMMIT")

    def _migrate(self, target: int) -> None:
        try:
            current = self.schema_version()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.url}: not a storyline database: {exc}") from exc
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"{self.url}: schema version {current} is newer than this storyline ({SCHEMA_VERSION})"
            )
        for version in range(current, target):

            def step(tx: Tx, version: int = version) -> None:
                if self.schema_version() > version:  # another process upgraded it meanwhile
                    return
                for statement in _split_sql(_MIGRATIONS[version]):
                    tx.execute(statement)
                tx.execute(f"PRAGMA user_version = {version + 1}")

            self._write(step)

    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- counters -------------------------------------------------------------------------------
    def _next_cluster_seq(self, tx: Tx) -> int:
        return int(tx.first("SELECT COALESCE(MAX(cluster_seq), 0) + 1 AS n FROM articles")["n"])

    # -- full-text search (FTS5) ----------------------------------------------------------------
    def _index_articles(self, tx: Tx, rows: Sequence[tuple[str, str | None, str]], *, replace: bool) -> None:
        if replace:
            tx.many("DELETE FROM articles_fts WHERE article_id = ?", [(ident,) for ident, _, _ in rows])
        tx.many("INSERT INTO articles_fts(article_id, title, text) VALUES (?, ?, ?)",
                [(ident, title or "", text) for ident, title, text in rows])

    def _fts_query(self, query: str) -> str:
        return fts5_query(query)

    def _search(self, tx: Tx, fts: Any, limit: int, offset: int) -> list[Any]:
        # bm25 weights: the title counts ten times the body (as ts_rank_cd's weights in PostgreSQL).
        try:
            return tx.all(
                "SELECT a.id, a.title, a.source, a.published, a.story_id,"
                " snippet(articles_fts, 2, '[', ']', ' … ', 24) AS snippet,"
                " -bm25(articles_fts, 10.0, 1.0) AS score"
                " FROM articles_fts f JOIN articles a ON a.id = f.article_id"
                " WHERE articles_fts MATCH ? ORDER BY bm25(articles_fts, 10.0, 1.0), a.seq LIMIT ? OFFSET ?",
                (fts, limit, offset),
            )
        except sqlite3.OperationalError as exc:  # pragma: no cover - terms are quoted; kept as a guard
            raise QuerySyntaxError(f"cannot search for {fts!r}: {exc}") from exc

    # -- cluster lock ---------------------------------------------------------------------------
    @contextmanager
    def _hold_cluster_lock(self) -> Iterator[None]:
        """An exclusive flock on `<db>-cluster.lock` beside the database (never on the database file
        itself: closing another descriptor of it would drop SQLite's own POSIX locks). An in-memory
        database is private to this process: the thread lock is enough."""
        path = sqlite_path(self.url)
        if path == ":memory:":
            yield
            return
        fd = os.open(path + "-cluster.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the flock


def fts5_query(query: str) -> str:
    """An FTS5 MATCH string built only from the words of `parse_query`, each one a quoted string."""
    return " ".join('"' + t.replace('"', '""') + '"' + ("*" if prefix else "") for t, prefix in parse_query(query))


def _split_sql(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
