"""SQLite backend (the default): one file, WAL journal, FTS5 full-text index.

One writer connection per process; every write is one `BEGIN IMMEDIATE` transaction, so a
process killed mid-batch leaves only whole articles behind.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from storyline.model import Article, Entity, EntityMention, Quantity, TimeExpression, content_hash

# `article_id` is also the name of upsert_article's keyword argument, hence the alias.
from storyline.model import article_id as derive_article_id
from storyline.store.base import (
    BOOL_COLUMNS,
    TABLE_COLUMNS,
    AmbiguousId,
    Annotations,
    NotFound,
    QuerySyntaxError,
    SearchHit,
    Store,
    StoredArticle,
    StoreError,
    StoryRecord,
    TableDump,
    UpsertResult,
    UpsertStatus,
    parse_query,
)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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
]

SCHEMA_VERSION = len(_MIGRATIONS)


def sqlite_path(url: str) -> str:
    """`sqlite:///rel/path.db`, `sqlite:////abs/path.db` or a plain path."""
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///") :]
    if url.startswith("sqlite://"):
        raise StoreError(f"unsupported SQLite URL {url!r}: use sqlite:///path/to/file.db")
    return url


class SQLiteStore(Store):
    def __init__(self, url: str, *, migrate_to: int = SCHEMA_VERSION) -> None:
        self.url = url
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
        self._lock = threading.RLock()
        self._cluster_thread_lock = threading.RLock()
        self._cluster_depth = 0
        self._migrate(migrate_to)

    # -- plumbing -------------------------------------------------------------------------------
    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
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
            with self._write() as conn:
                if self.schema_version() > version:  # another process upgraded it meanwhile
                    continue
                for statement in _split_sql(_MIGRATIONS[version]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {version + 1}")

    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- articles -------------------------------------------------------------------------------
    def upsert_article(
        self, article: Article, annotations: Annotations | None = None, *, article_id: str | None = None
    ) -> UpsertResult:
        if article.source is not None and not article.source.strip():
            article = replace(article, source=None)
        ident = article_id or derive_article_id(article)
        digest = content_hash(article)
        now = _now()
        with self._write() as conn:
            row = conn.execute("SELECT version, content_hash FROM articles WHERE id = ?", (ident,)).fetchone()
            if row is not None and row["content_hash"] == digest:
                return UpsertResult(ident, "unchanged", int(row["version"]))
            if article.source:
                conn.execute(
                    "INSERT INTO sources(name, first_seen) VALUES (?, ?) ON CONFLICT(name) DO NOTHING",
                    (article.source, now),
                )
            values = _article_columns(article)
            status: UpsertStatus
            if row is None:
                version = 1
                seq = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM articles").fetchone()[0]
                conn.execute(
                    "INSERT INTO articles(id, version, content_hash, title, text, url, source, published,"
                    " published_time, language, authors, agency, path, fetched, format, external_id, extra,"
                    " ingested_at, updated_at, seq)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (ident, version, digest, *values, now, now, seq),
                )
                status = "new"
            else:
                version = int(row["version"]) + 1
                conn.execute(
                    "UPDATE articles SET version = ?, content_hash = ?, title = ?, text = ?, url = ?,"
                    " source = ?, published = ?, published_time = ?, language = ?, authors = ?,"
                    " agency = ?, path = ?, fetched = ?, format = ?, external_id = ?, extra = ?,"
                    " updated_at = ? WHERE id = ?",
                    (version, digest, *values, now, ident),
                )
                conn.execute("DELETE FROM articles_fts WHERE article_id = ?", (ident,))
                status = "updated"
            conn.execute(
                "INSERT INTO article_versions(article_id, version, content_hash, title, text, raw, ingested_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (ident, version, digest, article.title, article.text, article.raw, now),
            )
            conn.execute(
                "INSERT INTO articles_fts(article_id, title, text) VALUES (?, ?, ?)",
                (ident, article.title or "", article.text),
            )
            if annotations is not None:
                self._replace_annotations(conn, ident, annotations)
        return UpsertResult(ident, status, version)

    def get_article(self, article_id: str) -> StoredArticle:
        ident = self._resolve_id("articles", "article", article_id)
        row = self._conn.execute("SELECT * FROM articles WHERE id = ?", (ident,)).fetchone()
        return _stored_article(row)

    def _resolve_id(self, table: str, kind: str, prefix: str) -> str:
        row = self._conn.execute(f"SELECT id FROM {table} WHERE id = ?", (prefix,)).fetchone()
        if row is not None:
            return str(row[0])
        if not prefix or any(ch in prefix for ch in "%_\\"):
            raise NotFound(kind, prefix)
        rows = self._conn.execute(
            f"SELECT id FROM {table} WHERE id LIKE ? ESCAPE '\\' ORDER BY id LIMIT 6", (prefix + "%",)
        ).fetchall()
        if not rows:
            raise NotFound(kind, prefix)
        if len(rows) > 1:
            raise AmbiguousId(kind, prefix, [r[0] for r in rows])
        return str(rows[0][0])

    def list_articles(self, *, limit: int | None = None, offset: int = 0) -> list[StoredArticle]:
        rows = self._conn.execute(
            "SELECT * FROM articles ORDER BY seq LIMIT ? OFFSET ?", (-1 if limit is None else limit, offset)
        ).fetchall()
        return [_stored_article(r) for r in rows]

    def count_articles(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def article_versions(self, article_id: str) -> list[dict[str, Any]]:
        ident = self._resolve_id("articles", "article", article_id)
        rows = self._conn.execute(
            "SELECT version, content_hash, ingested_at, title, LENGTH(raw) AS raw_size"
            " FROM article_versions WHERE article_id = ? ORDER BY version",
            (ident,),
        ).fetchall()
        return [dict(r) for r in rows]

    def raw_input(self, article_id: str, version: int | None = None) -> bytes | None:
        ident = self._resolve_id("articles", "article", article_id)
        if version is None:
            row = self._conn.execute(
                "SELECT raw FROM article_versions WHERE article_id = ? ORDER BY version DESC LIMIT 1", (ident,)
            ).fetchone()
        else:
            row = self._conn.execute(
                "SELECT raw FROM article_versions WHERE article_id = ? AND version = ?", (ident, version)
            ).fetchone()
        return None if row is None else row[0]

    def search(self, query: str, *, limit: int = 20, offset: int = 0) -> list[SearchHit]:
        terms = parse_query(query)
        # Every term becomes a quoted FTS5 string: user input never reaches FTS5 syntax.
        fts = " ".join('"' + t.replace('"', '""') + '"' + ("*" if prefix else "") for t, prefix in terms)
        try:
            rows = self._conn.execute(
                "SELECT f.article_id, a.title, a.source, a.published, a.story_id,"
                " snippet(articles_fts, 2, '[', ']', ' … ', 24) AS snip,"
                " bm25(articles_fts, 10.0, 1.0) AS score"
                " FROM articles_fts f JOIN articles a ON a.id = f.article_id"
                " WHERE articles_fts MATCH ? ORDER BY score LIMIT ? OFFSET ?",
                (fts, limit, offset),
            ).fetchall()
        except sqlite3.OperationalError as exc:  # pragma: no cover - terms are escaped; kept as a guard
            raise QuerySyntaxError(f"cannot search for {query!r}: {exc}") from exc
        return [
            SearchHit(r["article_id"], r["title"], r["source"], r["published"], r["snip"], -float(r["score"]),
                      r["story_id"])
            for r in rows
        ]

    # -- annotations ----------------------------------------------------------------------------
    def set_annotations(self, article_id: str, annotations: Annotations) -> None:
        with self._write() as conn:
            self._replace_annotations(conn, article_id, annotations)

    def _replace_annotations(self, conn: sqlite3.Connection, ident: str, ann: Annotations) -> None:
        for table in ("timexes", "quantities", "mentions", "annotation_notes"):
            conn.execute(f"DELETE FROM {table} WHERE article_id = ?", (ident,))
        conn.executemany(
            'INSERT INTO timexes(article_id, start, "end", text, type, value, anchored) VALUES (?,?,?,?,?,?,?)',
            [(ident, t.start, t.end, t.text, t.type, t.value, int(t.anchored)) for t in ann.timexes],
        )
        conn.executemany(
            'INSERT INTO quantities(article_id, start, "end", text, value, value_max, unit, kind, approximate,'
            " measured, normalized) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [
                (ident, q.start, q.end, q.text, q.value, q.value_max, q.unit, q.kind, int(q.approximate),
                 q.measured, None if q.normalized is None else json.dumps(q.normalized))
                for q in ann.quantities
            ],
        )
        conn.executemany(
            'INSERT INTO mentions(article_id, start, "end", text, label, entity_key) VALUES (?,?,?,?,?,?)',
            [(ident, m.start, m.end, m.text, m.label, m.entity_key) for m in ann.mentions],
        )
        conn.executemany(
            "INSERT INTO annotation_notes(article_id, annotator, note) VALUES (?,?,?)",
            [(ident, k, v) for k, v in sorted(ann.notes.items())],
        )

    def get_annotations(self, article_id: str) -> Annotations:
        ident = self._resolve_id("articles", "article", article_id)
        q = self._conn.execute
        timexes = tuple(
            TimeExpression(r["start"], r["end"], r["text"], r["type"], r["value"], bool(r["anchored"]))
            for r in q('SELECT * FROM timexes WHERE article_id = ? ORDER BY start, "end"', (ident,))
        )
        quantities = tuple(
            Quantity(
                r["start"], r["end"], r["text"], r["value"], r["unit"], r["kind"], bool(r["approximate"]),
                r["measured"], r["value_max"], None if r["normalized"] is None else json.loads(r["normalized"]),
            )
            for r in q('SELECT * FROM quantities WHERE article_id = ? ORDER BY start, "end"', (ident,))
        )
        mentions = tuple(
            EntityMention(r["start"], r["end"], r["text"], r["label"], r["entity_key"])
            for r in q('SELECT * FROM mentions WHERE article_id = ? ORDER BY start, "end"', (ident,))
        )
        notes = {r["annotator"]: r["note"] for r in q("SELECT * FROM annotation_notes WHERE article_id = ?",
                                                         (ident,))}
        return Annotations(timexes, quantities, mentions, notes)

    # -- entities -------------------------------------------------------------------------------
    def replace_entities(self, entities: Sequence[Entity], links: dict[tuple[str, int, int], str]) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM entities")
            conn.executemany(
                "INSERT INTO entities(key, name, label, aliases) VALUES (?,?,?,?)",
                [(e.key, e.name, e.label, json.dumps(list(e.aliases))) for e in entities],
            )
            conn.execute("UPDATE mentions SET entity_key = NULL")
            conn.executemany(
                'UPDATE mentions SET entity_key = ? WHERE article_id = ? AND start = ? AND "end" = ?',
                [(key, aid, s, e) for (aid, s, e), key in links.items()],
            )

    def merge_entities(self, entities: Sequence[Entity], links: dict[tuple[str, int, int], str]) -> None:
        with self._write() as conn:
            for e in entities:
                row = conn.execute("SELECT aliases FROM entities WHERE key = ?", (e.key,)).fetchone()
                aliases = list(dict.fromkeys([*(json.loads(row[0]) if row else []), *e.aliases]))
                conn.execute(
                    "INSERT INTO entities(key, name, label, aliases) VALUES (?,?,?,?)"
                    " ON CONFLICT(key) DO UPDATE SET aliases = excluded.aliases",
                    (e.key, e.name, e.label, json.dumps(aliases)),
                )
            conn.executemany(
                'UPDATE mentions SET entity_key = ? WHERE article_id = ? AND start = ? AND "end" = ?',
                [(key, aid, s, e) for (aid, s, e), key in links.items()],
            )

    def list_entities(self) -> list[Entity]:
        rows = self._conn.execute("SELECT * FROM entities ORDER BY key").fetchall()
        return [Entity(r["key"], r["name"], r["label"], tuple(json.loads(r["aliases"]))) for r in rows]

    # -- stories --------------------------------------------------------------------------------
    def unclustered_articles(self) -> list[StoredArticle]:
        rows = self._conn.execute(
            # A date without a time counts as the start of that day.
            "SELECT * FROM articles WHERE story_id IS NULL"
            " ORDER BY CASE WHEN published IS NULL THEN 1 ELSE 0 END, published, COALESCE(published_time, ''), seq"
        ).fetchall()
        return [_stored_article(r) for r in rows]

    def assign_story(
        self, article_id: str, story_id: str, *, duplicate_of: str | None, merged_from: Sequence[str] = ()
    ) -> int:
        now = _now()
        with self._write() as conn:
            conn.execute(
                "INSERT INTO stories(id, created_at, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET updated_at = excluded.updated_at",
                (story_id, now, now),
            )
            for old in merged_from:
                conn.execute("UPDATE articles SET story_id = ? WHERE story_id = ?", (story_id, old))
                conn.execute("UPDATE stories SET merged_into = ? WHERE id = ?", (story_id, old))
                conn.execute(
                    "INSERT INTO story_merges(story_id, merged_id, merged_at) VALUES (?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
                    (story_id, old, now),
                )
            seq = int(conn.execute("SELECT COALESCE(MAX(cluster_seq), 0) + 1 FROM articles").fetchone()[0])
            conn.execute(
                "UPDATE articles SET story_id = ?, duplicate_of = ?, cluster_seq = ? WHERE id = ?",
                (story_id, duplicate_of, seq, article_id),
            )
        return seq

    def save_cluster_state(self, state: bytes, applied: int) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO cluster_state(id, state, applied, updated_at) VALUES (1, ?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET state = excluded.state, applied = excluded.applied,"
                " updated_at = excluded.updated_at",
                (state, applied, _now()),
            )

    def load_cluster_state(self) -> tuple[bytes, int] | None:
        row = self._conn.execute("SELECT state, applied FROM cluster_state WHERE id = 1").fetchone()
        return None if row is None else (bytes(row[0]), int(row[1]))

    def clustered_after(self, seq: int) -> list[StoredArticle]:
        rows = self._conn.execute(
            "SELECT * FROM articles WHERE cluster_seq > ? ORDER BY cluster_seq", (seq,)
        ).fetchall()
        return [_stored_article(r) for r in rows]

    def reset_stories(self) -> None:
        with self._write() as conn:
            conn.execute("UPDATE articles SET story_id = NULL, duplicate_of = NULL, cluster_seq = NULL")
            for table in ("stories", "story_merges", "cluster_state"):
                conn.execute(f"DELETE FROM {table}")

    def list_stories(self) -> list[StoryRecord]:
        rows = self._conn.execute(
            "SELECT s.*, (SELECT MAX(a.published) FROM articles a WHERE a.story_id = s.id) AS last_pub"
            " FROM stories s WHERE s.merged_into IS NULL ORDER BY s.id"
        ).fetchall()
        return [self._story(r) for r in rows]

    def get_story(self, story_id: str) -> StoryRecord:
        ident = self._resolve_id("stories", "story", story_id)
        row = self._conn.execute("SELECT * FROM stories WHERE id = ?", (ident,)).fetchone()
        if row["merged_into"]:
            return self.get_story(row["merged_into"])
        return self._story(row)

    def _story(self, row: sqlite3.Row) -> StoryRecord:
        arts = self._conn.execute(
            "SELECT id, published, language, source FROM articles WHERE story_id = ?"
            " ORDER BY CASE WHEN published IS NULL THEN 1 ELSE 0 END, published, seq",
            (row["id"],),
        ).fetchall()
        dates = [a["published"] for a in arts if a["published"]]
        merged = self._conn.execute(
            "SELECT merged_id FROM story_merges WHERE story_id = ? ORDER BY merged_id", (row["id"],)
        ).fetchall()
        return StoryRecord(
            id=row["id"],
            title=row["title"],
            article_ids=tuple(a["id"] for a in arts),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            first_date=min(dates) if dates else None,
            last_date=max(dates) if dates else None,
            languages=tuple(sorted({a["language"] for a in arts if a["language"]})),
            sources=tuple(sorted({a["source"] for a in arts if a["source"]})),
            merged_from=tuple(m[0] for m in merged),
        )

    def set_story_title(self, story_id: str, title: str) -> None:
        with self._write() as conn:
            conn.execute("UPDATE stories SET title = ? WHERE id = ?", (title, story_id))

    @contextmanager
    def cluster_lock(self) -> Iterator[None]:
        """An exclusive flock on `<db>-cluster.lock` beside the database (never on the database file
        itself: closing another descriptor of it would drop SQLite's own POSIX locks)."""
        path = sqlite_path(self.url)
        with self._cluster_thread_lock:  # reentrant: a nested cluster_lock() in the holder is a no-op
            if self._cluster_depth or path == ":memory:":  # in-memory: private, only threads can race
                self._cluster_depth += 1
                try:
                    yield
                finally:
                    self._cluster_depth -= 1
                return
            fd = os.open(path + "-cluster.lock", os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                self._cluster_depth += 1
                yield
            finally:
                self._cluster_depth = 0
                os.close(fd)  # releases the flock

    # -- whole-database copy ----------------------------------------------------------------------
    def dump_tables(self) -> TableDump:
        with self._lock:
            self._conn.execute("BEGIN")  # one read snapshot for every table
            try:
                for table, columns in TABLE_COLUMNS.items():
                    yield table, self._dump_rows(table, columns)
            finally:
                self._conn.execute("COMMIT")

    def _dump_rows(self, table: str, columns: tuple[str, ...]) -> Iterator[dict[str, Any]]:
        cols = ", ".join(f'"{c}"' for c in columns)
        order = _DUMP_ORDER.get(table, "rowid")
        bools = [c for c in columns if (table, c) in BOOL_COLUMNS]
        for row in self._conn.execute(f"SELECT {cols} FROM {table} ORDER BY {order}"):
            record = dict(zip(columns, row, strict=True))
            for c in bools:
                record[c] = bool(record[c])
            if table == "cluster_state" or (table == "article_versions" and record["raw"] is not None):
                key = "state" if table == "cluster_state" else "raw"
                record[key] = bytes(record[key])
            yield record

    def load_tables(self, tables: Iterable[tuple[str, Iterable[dict[str, Any]]]]) -> dict[str, int]:
        counts: dict[str, int] = {}
        with self._write() as conn:
            for table in TABLE_COLUMNS:
                if conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None:
                    raise StoreError(f"{self.url}: cannot load into a database that holds data ({table})")
            for table, rows in tables:
                if table not in TABLE_COLUMNS:
                    raise StoreError(f"unknown table {table!r} in dump")
                columns = TABLE_COLUMNS[table]
                if table == "cluster_state":
                    columns = ("id", *columns)
                cols = ", ".join(f'"{c}"' for c in columns)
                sql = f"INSERT INTO {table}({cols}) VALUES ({', '.join('?' * len(columns))})"
                n = 0
                for row in rows:
                    values = [1 if c == "id" and table == "cluster_state" else row[c] for c in columns]
                    conn.execute(sql, values)
                    if table == "articles":
                        conn.execute(
                            "INSERT INTO articles_fts(article_id, title, text) VALUES (?, ?, ?)",
                            (row["id"], row["title"] or "", row["text"]),
                        )
                    n += 1
                counts[table] = n
        return counts


_DUMP_ORDER = {
    "sources": "name", "articles": "id", "article_versions": "article_id, version", "entities": "key",
    "stories": "id", "story_merges": "story_id, merged_id", "annotation_notes": "article_id, annotator",
}


def _split_sql(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]



def _article_columns(a: Article) -> tuple[Any, ...]:
    return (
        a.title, a.text, a.url, a.source, a.published, a.published_time, a.language,
        json.dumps(list(a.authors)), a.agency, a.path, a.fetched, a.format, a.external_id,
        json.dumps(a.extra, default=str, sort_keys=True),
    )


def _stored_article(row: sqlite3.Row) -> StoredArticle:
    art = Article(
        text=row["text"], title=row["title"], url=row["url"], source=row["source"], published=row["published"],
        published_time=row["published_time"], language=row["language"], authors=tuple(json.loads(row["authors"])),
        agency=row["agency"], path=row["path"], fetched=row["fetched"], format=row["format"],
        external_id=row["external_id"], extra=json.loads(row["extra"]),
    )
    return StoredArticle(
        id=row["id"], version=row["version"], content_hash=row["content_hash"], article=art,
        ingested_at=row["ingested_at"], updated_at=row["updated_at"], story_id=row["story_id"],
        duplicate_of=row["duplicate_of"],
    )
