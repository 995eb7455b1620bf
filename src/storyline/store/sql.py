"""The SQL layer both backends share: every query, every row <-> record mapping, id resolution,
article, annotation, entity and story I/O, and the whole-database copy live here, once.

A backend (`sqlite.py`, `postgres.py`) subclasses `SQLStore` and supplies only what truly differs:

| hook | SQLite | PostgreSQL |
|---|---|---|
| `_read()`, `_write(fn)` | one connection, `BEGIN IMMEDIATE` | a pool, retried on deadlock |
| `Tx` subclass | `?` placeholders as written | `%s` placeholders, NUL -> U+FFFD |
| `NO_LIMIT` (LIMIT meaning all rows) | `-1` | `NULL` |
| `FOR_UPDATE`, `_lock_table` | nothing (writers are serialised) | row and table locks |
| `ARTICLE_SEQ`, `_next_cluster_seq`, `_after_reset`, `_after_load` | `MAX(...) + 1` | a sequence, a counter row |
| `ROW_ORDER` (insertion order of annotation rows) | `rowid` | `ord` |
| `_fts_query`, `_search`, `_index_articles` | FTS5 table, bm25 | tsvector column, ts_rank_cd |
| `_index_entity_names`, `find_entities` | the interface's scan | pg_trgm table |
| `_hold_cluster_lock` | flock beside the file | advisory lock |
| `_snapshot`, `_stream`, `_load_rows` | one read transaction | REPEATABLE READ, named cursor, COPY |

The shared SQL is written with `?` placeholders and contains no other `?` or `%` (so a backend can
rewrite placeholders mechanically); it uses only what both dialects accept (`ON CONFLICT`,
`RETURNING`, `CASE`, `COALESCE`, `LENGTH` of a blob).
"""

from __future__ import annotations

import abc
import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from itertools import islice
from typing import Any, ClassVar, TypeVar

from storyline.clean.templates import SourceTemplate
from storyline.curate.decision import Decision
from storyline.feeds.state import Feed, FeedPoll, feed_id
from storyline.model import Article, Entity, EntityMention, Quantity, TimeExpression, content_hash

# `article_id` is also the name of upsert_article's keyword argument, hence the alias.
from storyline.model import article_id as derive_article_id
from storyline.store.base import (
    BOOL_COLUMNS,
    TABLE_COLUMNS,
    AmbiguousId,
    Annotations,
    ArticleState,
    ConsolidationRow,
    NotFound,
    Placement,
    SearchHit,
    SourceLines,
    Store,
    StoredArticle,
    StoredInferredDate,
    StoreError,
    StoryRebuild,
    StoryRecord,
    TableDump,
    UpsertResult,
    UpsertStatus,
)
from storyline.watches.model import Alert, Delivery, Watch

T = TypeVar("T")
Row = Any  # a row by column name: sqlite3.Row or a psycopg dict row

ARTICLE_FIELDS = (
    "title", "text", "url", "source", "published", "published_time", "language", "authors", "agency", "path",
    "fetched", "format", "external_id", "extra",
)
SELECT_ARTICLE = (
    "SELECT id, version, content_hash, ingested_at, updated_at, story_id, duplicate_of, "
    + ", ".join(ARTICLE_FIELDS) + " FROM articles"
)
# Schema shared by both dialects (their migrations 4 and 6), `{key}` being the dialect's type of a text id.
LIVE_TABLES_DDL = """
    CREATE TABLE feeds (
        id {key} PRIMARY KEY, url TEXT NOT NULL UNIQUE, every_seconds INTEGER NOT NULL, title TEXT,
        added_at TEXT NOT NULL, etag TEXT, last_modified TEXT, last_poll TEXT, next_poll TEXT,
        status TEXT NOT NULL DEFAULT 'new', error TEXT, failures INTEGER NOT NULL DEFAULT 0,
        articles INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX feeds_next_poll ON feeds(next_poll);
    CREATE TABLE feed_entries (
        feed_id TEXT NOT NULL REFERENCES feeds(id) ON DELETE CASCADE, entry_key TEXT NOT NULL,
        url TEXT, article_id TEXT, seen_at TEXT NOT NULL,
        PRIMARY KEY (feed_id, entry_key)
    );
    CREATE TABLE watches (
        id {key} PRIMARY KEY, kind TEXT NOT NULL, value TEXT NOT NULL, webhook TEXT, secret TEXT,
        growth INTEGER NOT NULL, created_at TEXT NOT NULL
    );
    CREATE TABLE alerts (
        id {key} PRIMARY KEY, watch_id TEXT NOT NULL REFERENCES watches(id) ON DELETE CASCADE,
        event TEXT NOT NULL, story_id TEXT NOT NULL, key TEXT NOT NULL, title TEXT NOT NULL,
        detail TEXT NOT NULL, payload TEXT NOT NULL, created_at TEXT NOT NULL,
        UNIQUE (watch_id, key)
    );
    CREATE INDEX alerts_created ON alerts(created_at);
    CREATE TABLE deliveries (
        alert_id TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE, watch_id TEXT NOT NULL,
        url TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT 'pending',
        next_try TEXT, last_error TEXT,
        PRIMARY KEY (alert_id)
    );
    """
CURATIONS_DDL = """
    CREATE TABLE curations (
        id {key} PRIMARY KEY, action TEXT NOT NULL, args TEXT NOT NULL, who TEXT NOT NULL,
        at TEXT NOT NULL, undone_at TEXT, undone_by TEXT
    );
    """
# Migration 9: publication dates inferred for undated articles (storyline.consolidate.inferred_dates),
# rewritten when their story is consolidated; derived data, like the consolidations (not dumped).
INFERRED_DATES_DDL = """
    CREATE TABLE inferred_dates (
        article_id {key} PRIMARY KEY REFERENCES articles(id),
        story_id {key} NOT NULL, day TEXT NOT NULL, method TEXT NOT NULL, confidence {real} NOT NULL,
        evidence TEXT NOT NULL, resolved TEXT NOT NULL, computed_at TEXT NOT NULL
    );
    CREATE INDEX inferred_dates_story ON inferred_dates(story_id);
    """

# Source templates (storyline.clean.templates), both dialects' migration 8: per source the articles
# learned from, per (source, line fingerprint) the distinct articles holding the line, and per article
# what was learned from it (so an updated article is unlearned first, and a re-sent one counted once).
SOURCE_TEMPLATES_DDL = """
    CREATE TABLE source_templates (
        source TEXT PRIMARY KEY, articles INTEGER NOT NULL, updated_at TEXT NOT NULL
    );
    CREATE TABLE source_lines (
        source TEXT NOT NULL, fingerprint TEXT NOT NULL, articles INTEGER NOT NULL,
        PRIMARY KEY (source, fingerprint)
    );
    CREATE TABLE source_line_articles (
        article_id TEXT PRIMARY KEY, source TEXT NOT NULL, content_hash TEXT NOT NULL,
        lines_hash TEXT NOT NULL, counted INTEGER NOT NULL, fingerprints TEXT NOT NULL
    );
    CREATE INDEX source_line_articles_lines ON source_line_articles(source, lines_hash);
    """

ANNOTATION_TABLES = ("timexes", "quantities", "mentions", "annotation_notes")
# Undated articles last; a date without a time counts as the start of that day.
PUBLICATION_ORDER = "CASE WHEN published IS NULL THEN 1 ELSE 0 END, published"
DUMP_ORDER = {
    "sources": "name", "articles": "id", "article_versions": "article_id, version", "entities": "key",
    "stories": "id", "story_merges": "story_id, merged_id", "annotation_notes": "article_id, annotator",
    "cluster_state": "id", "feeds": "id", "feed_entries": "feed_id, entry_key",
    "watches": "id", "alerts": "id", "deliveries": "alert_id",
    "curations": "at, id",
    "source_templates": "source", "source_lines": "source, fingerprint", "source_line_articles": "article_id",
}
LOAD_BATCH = 1000
_PREFIX_ROWS = 6  # ids shown when a prefix is ambiguous: five, and one to know there are more


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def as_bytes(value: Any) -> bytes | None:
    return None if value is None else bytes(value)


class Tx:
    """One connection inside a transaction (or a read), speaking the shared SQL.

    This base runs the SQL as written (`?` placeholders, values as given); a backend's subclass
    rewrites the placeholders (`sql`) and adapts values (`params`)."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def sql(self, sql: str) -> str:
        return sql

    def params(self, params: Sequence[Any]) -> Sequence[Any]:
        return params

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The cursor (rowcount, fetchone, fetchall, iteration)."""
        return self.conn.execute(self.sql(sql), self.params(params))

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        return self.execute(sql, params).fetchone()

    def first(self, sql: str, params: Sequence[Any] = ()) -> Row:
        """The first row of a query that always has one."""
        row = self.one(sql, params)
        if row is None:  # pragma: no cover - callers ask only for rows that exist
            raise StoreError("the database returned no row")
        return row

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(self.execute(sql, params).fetchall())

    def many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        batch = [self.params(r) for r in rows]
        if batch:
            self.conn.executemany(self.sql(sql), batch)


# -- rows <-> records -------------------------------------------------------------------------------


def article_values(a: Article) -> tuple[Any, ...]:
    """The ARTICLE_FIELDS of an article as stored (JSON text for the list and mapping fields)."""
    return (
        a.title, a.text, a.url, a.source, a.published, a.published_time, a.language,
        json.dumps(list(a.authors)), a.agency, a.path, a.fetched, a.format, a.external_id,
        json.dumps(a.extra, default=str, sort_keys=True),
    )


def stored_article(row: Row) -> StoredArticle:
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


def entity_row(e: Entity) -> tuple[Any, ...]:
    return (e.key, e.name, e.label, json.dumps(list(e.aliases)))


def stored_entity(row: Row) -> Entity:
    return Entity(row["key"], row["name"], row["label"], tuple(json.loads(row["aliases"])))


def _story_record(row: Row, arts: Sequence[Row], merged: Sequence[str]) -> StoryRecord:
    dates = [a["published"] for a in arts if a["published"]]
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
        merged_from=tuple(merged),
    )


def _grouped(rows: Iterable[Row], key: str) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {}
    for r in rows:
        out.setdefault(r[key], []).append(r)
    return out


class SQLStore(Store):
    """`Store` over SQL: everything but the dialect hooks below."""

    # -- dialect hooks ------------------------------------------------------------------------------
    FOR_UPDATE: ClassVar[str] = ""  # appended to a single-row lookup that a write then changes
    ARTICLE_SEQ: ClassVar[str]  # SQL expression: the next article's ingestion number
    ROW_ORDER: ClassVar[str]  # column keeping the insertion order of annotation rows
    NO_LIMIT: ClassVar[int | None]  # the LIMIT parameter meaning "all rows"

    @abc.abstractmethod
    def _read(self) -> AbstractContextManager[Tx]:
        """A connection for reading (committed data only)."""

    @abc.abstractmethod
    def _write(self, fn: Callable[[Tx], T], *, retry: bool = True) -> T:
        """`fn` in one write transaction; committed when it returns, rolled back when it raises.
        With `retry`, the backend may run `fn` again after a transient conflict."""

    def _lock_table(self, tx: Tx, table: str) -> None:
        """Keep other writers out of `table` until the transaction ends."""

    @abc.abstractmethod
    def _next_cluster_seq(self, tx: Tx) -> int:
        """The next cluster sequence number (called first in `assign_story`'s transaction)."""

    def _after_reset(self, tx: Tx) -> None:
        """Reset any counter `reset_stories` leaves behind."""

    def _after_load(self, tx: Tx) -> None:
        """Bring counters in line with the rows `load_tables` just copied."""

    def _index_articles(self, tx: Tx, rows: Sequence[tuple[str, str | None, str]], *, replace: bool) -> None:
        """Index (id, title, text) for search; `replace` when the ids were indexed before."""

    @abc.abstractmethod
    def _fts_query(self, query: str) -> Any:
        """The user's query as the backend's full-text query (QuerySyntaxError when malformed)."""

    @abc.abstractmethod
    def _search(self, tx: Tx, fts: Any, limit: int, offset: int) -> list[Row]:
        """One page of hits, best first, ties in ingestion order; rows carry id, title, source,
        published, story_id, snippet and score (higher is better)."""

    def _index_entity_names(self, tx: Tx, entities: Sequence[Entity]) -> None:
        """Index the names and aliases of these (new or changed) entities for `find_entities`."""

    @abc.abstractmethod
    def _hold_cluster_lock(self) -> AbstractContextManager[None]:
        """The cross-process part of `cluster_lock` (not reentrant; `cluster_lock` handles that)."""

    @abc.abstractmethod
    def _snapshot(self) -> AbstractContextManager[Tx]:
        """One consistent read snapshot, held while `dump_tables` is consumed."""

    def _stream(self, tx: Tx, sql: str) -> Iterable[Row]:
        """The rows of a large query, without holding them all in memory."""
        return tx.execute(sql)

    def _load_rows(self, tx: Tx, table: str, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> int:
        """Insert dumped rows into `table` (derived data through `_derived_rows`); returns how many."""
        sql = f"INSERT INTO {table}({', '.join(_quoted(columns))}) VALUES ({', '.join('?' * len(columns))})"
        n = 0
        for chunk in _chunks(rows, LOAD_BATCH):
            tx.many(sql, [[row[c] for c in columns] for row in chunk])
            self._derived_rows(tx, table, chunk)
            n += len(chunk)
        return n

    def _derived_rows(self, tx: Tx, table: str, rows: Sequence[dict[str, Any]]) -> None:
        """Rebuild what is derived from loaded rows (search index, entity names)."""
        if table == "articles":
            self._index_articles(tx, [(r["id"], r["title"], r["text"]) for r in rows], replace=False)
        elif table == "entities":
            self._index_entity_names(tx, [stored_entity(r) for r in rows])

    # -- cluster lock: reentrant in the holding thread -----------------------------------------------
    def _init_cluster_lock(self) -> None:
        self._cluster_thread_lock = threading.RLock()
        self._cluster_depth = 0

    @contextmanager
    def cluster_lock(self) -> Iterator[None]:
        with self._cluster_thread_lock:  # reentrant: a nested cluster_lock() in the holder is a no-op
            if self._cluster_depth:
                self._cluster_depth += 1
                try:
                    yield
                finally:
                    self._cluster_depth -= 1
                return
            with self._hold_cluster_lock():
                self._cluster_depth = 1
                try:
                    yield
                finally:
                    self._cluster_depth = 0

    # -- ids ----------------------------------------------------------------------------------------
    def _resolve_id(self, tx: Tx, table: str, kind: str, prefix: str) -> str:
        """A full id, or the one id starting with `prefix` (exact, case-sensitive; NotFound /
        AmbiguousId otherwise). Ids compare bytewise on both backends, so the ids with a given
        prefix are the first ones from the prefix on: an index range scan, no LIKE patterns."""
        row = tx.one(f"SELECT id FROM {table} WHERE id = ?", (prefix,))
        if row is not None:
            return str(row["id"])
        if not prefix:
            raise NotFound(kind, prefix)
        rows = tx.all(f"SELECT id FROM {table} WHERE id >= ? ORDER BY id LIMIT {_PREFIX_ROWS}", (prefix,))
        matches = [str(r["id"]) for r in rows if str(r["id"]).startswith(prefix)]
        if not matches:
            raise NotFound(kind, prefix)
        if len(matches) > 1:
            raise AmbiguousId(kind, prefix, matches)
        return matches[0]

    # -- articles -----------------------------------------------------------------------------------
    def upsert_article(
        self, article: Article, annotations: Annotations | None = None, *, article_id: str | None = None,
        lines: SourceLines | None = None,
    ) -> UpsertResult:
        if article.source is not None and not article.source.strip():
            article = replace(article, source=None)
        ident = article_id or derive_article_id(article)
        digest = content_hash(article)
        values = article_values(article)
        lookup = "SELECT version, content_hash FROM articles WHERE id = ?" + self.FOR_UPDATE
        insert = (
            f"INSERT INTO articles(id, version, content_hash, {', '.join(ARTICLE_FIELDS)}, ingested_at, updated_at,"
            f" seq) VALUES (?, 1, ?, {', '.join('?' * len(ARTICLE_FIELDS))}, ?, ?, {self.ARTICLE_SEQ})"
            " ON CONFLICT (id) DO NOTHING RETURNING id"
        )
        update = (
            "UPDATE articles SET version = ?, content_hash = ?, "
            + ", ".join(f"{c} = ?" for c in ARTICLE_FIELDS) + ", updated_at = ? WHERE id = ?"
        )

        def write(tx: Tx) -> UpsertResult:
            stamp = now()
            row = tx.one(lookup, (ident,))
            if row is not None and row["content_hash"] == digest:
                return UpsertResult(ident, "unchanged", int(row["version"]))
            if lines is not None and row is not None and self._learned(tx, ident, lines):
                # the same cleaned article, its text since cut by a grown template (storyline enrich)
                return UpsertResult(ident, "unchanged", int(row["version"]))
            if article.source:
                tx.execute(
                    "INSERT INTO sources(name, first_seen) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                    (article.source, stamp),
                )
            if row is None and tx.one(insert, (ident, digest, *values, stamp, stamp)) is None:
                # Another process created it meanwhile (only where writers run at once): lock theirs, compare.
                row = tx.one(lookup, (ident,))
                if row is not None and row["content_hash"] == digest:
                    return UpsertResult(ident, "unchanged", int(row["version"]))
            status: UpsertStatus
            if row is None:
                version, status = 1, "new"
            else:
                version, status = int(row["version"]) + 1, "updated"
                tx.execute(update, (version, digest, *values, stamp, ident))
            self._index_articles(tx, [(ident, article.title, article.text)], replace=status == "updated")
            tx.execute(
                "INSERT INTO article_versions(article_id, version, content_hash, title, text, raw, ingested_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (ident, version, digest, article.title, article.text, article.raw, stamp),
            )
            if annotations is not None:
                self._replace_annotations(tx, ident, annotations)
            if lines is not None:
                self._learn_lines(tx, ident, lines, stamp)
            return UpsertResult(ident, status, version)

        return self._write(write)

    # -- source templates ----------------------------------------------------------------------------
    @staticmethod
    def _learned(tx: Tx, ident: str, lines: SourceLines) -> bool:
        row = tx.one("SELECT source, content_hash FROM source_line_articles WHERE article_id = ?", (ident,))
        return row is not None and (row["source"], row["content_hash"]) == (lines.source, lines.content_hash)

    def _learn_lines(self, tx: Tx, ident: str, lines: SourceLines, stamp: str) -> None:
        """The source's template learns one article's lines (having unlearned its previous version)."""
        if self._learned(tx, ident, lines):
            return
        self._unlearn_lines(tx, ident)
        prints = lines.fingerprints
        lines_hash = hashlib.sha256(" ".join(prints).encode()).hexdigest()[:32]
        # The source's row, locked (PostgreSQL): two writers of one source never both count one re-send.
        tx.execute(
            "INSERT INTO source_templates(source, articles, updated_at) VALUES (?, 0, ?) ON CONFLICT (source)"
            " DO NOTHING", (lines.source, stamp),
        )
        tx.one("SELECT articles FROM source_templates WHERE source = ?" + self.FOR_UPDATE, (lines.source,))
        resent = tx.one(
            "SELECT 1 AS x FROM source_line_articles WHERE source = ? AND lines_hash = ? AND counted = 1",
            (lines.source, lines_hash),
        )
        counted = resent is None and bool(prints)
        tx.execute(
            "INSERT INTO source_line_articles(article_id, source, content_hash, lines_hash, counted, fingerprints)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (ident, lines.source, lines.content_hash, lines_hash, int(counted), " ".join(prints)),
        )
        if not counted:
            return
        tx.execute(
            "UPDATE source_templates SET articles = articles + 1, updated_at = ? WHERE source = ?",
            (stamp, lines.source),
        )
        tx.many(
            "INSERT INTO source_lines(source, fingerprint, articles) VALUES (?, ?, 1) ON CONFLICT (source,"
            " fingerprint) DO UPDATE SET articles = source_lines.articles + 1",
            [(lines.source, fp) for fp in prints],
        )

    @staticmethod
    def _unlearn_lines(tx: Tx, ident: str) -> None:
        row = tx.one("SELECT source, counted, fingerprints FROM source_line_articles WHERE article_id = ?", (ident,))
        if row is None:
            return
        tx.execute("DELETE FROM source_line_articles WHERE article_id = ?", (ident,))
        if not row["counted"]:
            return
        source = row["source"]
        tx.execute("UPDATE source_templates SET articles = articles - 1 WHERE source = ?", (source,))
        tx.many(
            "UPDATE source_lines SET articles = articles - 1 WHERE source = ? AND fingerprint = ?",
            [(source, fp) for fp in str(row["fingerprints"]).split()],
        )
        tx.execute("DELETE FROM source_lines WHERE source = ? AND articles <= 0", (source,))

    def source_template(self, source: str, fingerprints: Sequence[str] | None = None) -> SourceTemplate:
        select = "SELECT fingerprint, articles FROM source_lines WHERE source = ?"
        with self._read() as tx:
            row = tx.one("SELECT articles FROM source_templates WHERE source = ?", (source,))
            if row is None or not row["articles"]:
                return SourceTemplate()
            if fingerprints is None:
                counts = tx.all(select, (source,))
            else:
                wanted = sorted(set(fingerprints))
                counts = []
                for at in range(0, len(wanted), 500):
                    chunk = wanted[at : at + 500]
                    counts += tx.all(f"{select} AND fingerprint IN ({', '.join('?' * len(chunk))})", (source, *chunk))
        return SourceTemplate(int(row["articles"]), {str(r["fingerprint"]): int(r["articles"]) for r in counts})

    def get_article(self, article_id: str) -> StoredArticle:
        with self._read() as tx:
            ident = self._resolve_id(tx, "articles", "article", article_id)
            return stored_article(tx.first(SELECT_ARTICLE + " WHERE id = ?", (ident,)))

    def list_articles(self, *, limit: int | None = None, offset: int = 0) -> list[StoredArticle]:
        with self._read() as tx:
            rows = tx.all(SELECT_ARTICLE + " ORDER BY seq LIMIT ? OFFSET ?",
                          (self.NO_LIMIT if limit is None else limit, offset))
        return [stored_article(r) for r in rows]

    def count_articles(self) -> int:
        with self._read() as tx:
            return int(tx.first("SELECT COUNT(*) AS n FROM articles")["n"])

    def article_versions(self, article_id: str) -> list[dict[str, Any]]:
        with self._read() as tx:
            ident = self._resolve_id(tx, "articles", "article", article_id)
            rows = tx.all(
                "SELECT version, content_hash, ingested_at, title, LENGTH(raw) AS raw_size"
                " FROM article_versions WHERE article_id = ? ORDER BY version",
                (ident,),
            )
        return [dict(r) for r in rows]

    def raw_input(self, article_id: str, version: int | None = None) -> bytes | None:
        with self._read() as tx:
            ident = self._resolve_id(tx, "articles", "article", article_id)
            if version is None:
                row = tx.one(
                    "SELECT raw FROM article_versions WHERE article_id = ? ORDER BY version DESC LIMIT 1", (ident,)
                )
            else:
                row = tx.one("SELECT raw FROM article_versions WHERE article_id = ? AND version = ?", (ident, version))
        return None if row is None else as_bytes(row["raw"])

    def search(self, query: str, *, limit: int = 20, offset: int = 0) -> list[SearchHit]:
        fts = self._fts_query(query)  # user input reaches the database only as quoted words
        with self._read() as tx:
            rows = self._search(tx, fts, limit, offset)
        return [
            SearchHit(r["id"], r["title"], r["source"], r["published"], r["snippet"], float(r["score"]), r["story_id"])
            for r in rows
        ]

    # -- annotations --------------------------------------------------------------------------------
    def set_annotations(self, article_id: str, annotations: Annotations) -> None:
        def write(tx: Tx) -> None:
            if tx.one("SELECT id FROM articles WHERE id = ?" + self.FOR_UPDATE, (article_id,)) is None:
                raise NotFound("article", article_id)
            self._replace_annotations(tx, article_id, annotations)

        self._write(write)

    def _replace_annotations(self, tx: Tx, ident: str, ann: Annotations) -> None:
        for table in ANNOTATION_TABLES:
            tx.execute(f"DELETE FROM {table} WHERE article_id = ?", (ident,))
        tx.many(
            'INSERT INTO timexes(article_id, start, "end", text, type, value, anchored) VALUES (?, ?, ?, ?, ?, ?, ?)',
            [(ident, t.start, t.end, t.text, t.type, t.value, bool(t.anchored)) for t in ann.timexes],
        )
        tx.many(
            'INSERT INTO quantities(article_id, start, "end", text, value, value_max, unit, kind, approximate,'
            " measured, normalized) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (ident, q.start, q.end, q.text, q.value, q.value_max, q.unit, q.kind, bool(q.approximate),
                 q.measured, None if q.normalized is None else json.dumps(q.normalized))
                for q in ann.quantities
            ],
        )
        tx.many(
            'INSERT INTO mentions(article_id, start, "end", text, label, entity_key) VALUES (?, ?, ?, ?, ?, ?)',
            [(ident, m.start, m.end, m.text, m.label, m.entity_key) for m in ann.mentions],
        )
        tx.many(
            "INSERT INTO annotation_notes(article_id, annotator, note) VALUES (?, ?, ?)",
            [(ident, k, v) for k, v in sorted(ann.notes.items())],
        )
        tx.execute("UPDATE articles SET vector = ? WHERE id = ?", (ann.vector, ident))

    def get_annotations(self, article_id: str) -> Annotations:
        order = f'ORDER BY start, "end", {self.ROW_ORDER}'  # ties in the order they were given
        with self._read() as tx:
            ident = self._resolve_id(tx, "articles", "article", article_id)
            timexes = tuple(
                TimeExpression(r["start"], r["end"], r["text"], r["type"], r["value"], bool(r["anchored"]))
                for r in tx.all(f"SELECT * FROM timexes WHERE article_id = ? {order}", (ident,))
            )
            quantities = tuple(
                Quantity(
                    r["start"], r["end"], r["text"], r["value"], r["unit"], r["kind"], bool(r["approximate"]),
                    r["measured"], r["value_max"], None if r["normalized"] is None else json.loads(r["normalized"]),
                )
                for r in tx.all(f"SELECT * FROM quantities WHERE article_id = ? {order}", (ident,))
            )
            mentions = tuple(
                EntityMention(r["start"], r["end"], r["text"], r["label"], r["entity_key"])
                for r in tx.all(f"SELECT * FROM mentions WHERE article_id = ? {order}", (ident,))
            )
            notes = {
                r["annotator"]: r["note"]
                for r in tx.all("SELECT * FROM annotation_notes WHERE article_id = ? ORDER BY annotator", (ident,))
            }
            vector = as_bytes(tx.first("SELECT vector FROM articles WHERE id = ?", (ident,))["vector"])
        return Annotations(timexes, quantities, mentions, notes, vector)

    def set_article_vector(self, article_id: str, vector: bytes | None) -> None:
        def write(tx: Tx) -> None:
            if tx.one("SELECT id FROM articles WHERE id = ?" + self.FOR_UPDATE, (article_id,)) is None:
                raise NotFound("article", article_id)
            tx.execute("UPDATE articles SET vector = ? WHERE id = ?", (vector, article_id))

        self._write(write)

    def article_vector(self, article_id: str) -> bytes | None:
        with self._read() as tx:
            row = tx.one("SELECT vector FROM articles WHERE id = ?", (article_id,))
        return None if row is None else as_bytes(row["vector"])

    def articles_without_vector(self) -> list[str]:
        with self._read() as tx:
            return [r["id"] for r in tx.all("SELECT id FROM articles WHERE vector IS NULL ORDER BY seq")]

    # -- entities -----------------------------------------------------------------------------------
    def replace_entities(self, entities: Sequence[Entity], links: dict[tuple[str, int, int], str]) -> None:
        def write(tx: Tx) -> None:
            self._lock_table(tx, "entities")
            tx.execute("DELETE FROM entities")
            tx.many("INSERT INTO entities(key, name, label, aliases) VALUES (?, ?, ?, ?)",
                    [entity_row(e) for e in entities])
            self._index_entity_names(tx, entities)
            tx.execute("UPDATE mentions SET entity_key = NULL WHERE entity_key IS NOT NULL")
            self._link_mentions(tx, links)

        self._write(write)

    def merge_entities(self, entities: Sequence[Entity], links: dict[tuple[str, int, int], str]) -> None:
        def write(tx: Tx) -> None:
            merged: dict[str, Entity] = {}
            for e in sorted(entities, key=lambda x: x.key):  # a fixed lock order: no deadlock between writers
                row = tx.one("SELECT aliases FROM entities WHERE key = ?" + self.FOR_UPDATE, (e.key,))
                old = json.loads(row["aliases"]) if row else []
                aliases = tuple(dict.fromkeys([*old, *e.aliases]))
                tx.execute(
                    "INSERT INTO entities(key, name, label, aliases) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (key) DO UPDATE SET aliases = excluded.aliases",
                    entity_row(replace(e, aliases=aliases)),
                )
                first = merged.get(e.key, e)  # the stored name and label are the first ones
                merged[e.key] = replace(first, aliases=aliases)
            self._index_entity_names(tx, list(merged.values()))
            self._link_mentions(tx, links)

        self._write(write)

    @staticmethod
    def _link_mentions(tx: Tx, links: dict[tuple[str, int, int], str]) -> None:
        tx.many(
            'UPDATE mentions SET entity_key = ? WHERE article_id = ? AND start = ? AND "end" = ?',
            [(key, aid, s, e) for (aid, s, e), key in links.items()],
        )

    def list_entities(self) -> list[Entity]:
        with self._read() as tx:
            rows = tx.all("SELECT key, name, label, aliases FROM entities ORDER BY key")
        return [stored_entity(r) for r in rows]

    # -- stories ------------------------------------------------------------------------------------
    def unclustered_articles(self) -> list[StoredArticle]:
        with self._read() as tx:
            rows = tx.all(
                SELECT_ARTICLE + f" WHERE story_id IS NULL ORDER BY {PUBLICATION_ORDER},"
                " COALESCE(published_time, ''), seq"
            )
        return [stored_article(r) for r in rows]

    def assign_story(
        self, article_id: str, story_id: str, *, duplicate_of: str | None, merged_from: Sequence[str] = ()
    ) -> int:
        def write(tx: Tx) -> int:
            seq = self._next_cluster_seq(tx)  # first: where writers run at once, this serialises them
            stamp = now()
            # The story an article joins is live: if it had been merged away, it comes back (an article
            # in a merged-away story would be in no listed story, and a later merge could close a cycle).
            tx.execute(
                "INSERT INTO stories(id, created_at, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, merged_into = NULL",
                (story_id, stamp, stamp),
            )
            for old in merged_from:
                if old == story_id:
                    continue
                tx.execute("UPDATE articles SET story_id = ? WHERE story_id = ?", (story_id, old))
                tx.execute("UPDATE stories SET merged_into = ? WHERE id = ?", (story_id, old))
                tx.execute(
                    "INSERT INTO story_merges(story_id, merged_id, merged_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    (story_id, old, stamp),
                )
            cur = tx.execute(
                "UPDATE articles SET story_id = ?, duplicate_of = ?, cluster_seq = ? WHERE id = ?",
                (story_id, duplicate_of, seq, article_id),
            )
            if cur.rowcount != 1:
                raise NotFound("article", article_id)  # rolls back: no story, no number used up
            return seq

        return self._write(write)

    def save_cluster_state(self, state: bytes, applied: int) -> None:
        self._write(lambda tx: tx.execute(
            "INSERT INTO cluster_state(id, state, applied, updated_at) VALUES (1, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET state = excluded.state, applied = excluded.applied,"
            " updated_at = excluded.updated_at",
            (state, applied, now()),
        ))

    def load_cluster_state(self) -> tuple[bytes, int] | None:
        with self._read() as tx:
            row = tx.one("SELECT state, applied FROM cluster_state WHERE id = 1")
        return None if row is None else (bytes(row["state"]), int(row["applied"]))

    def clustered_after(self, seq: int) -> list[StoredArticle]:
        with self._read() as tx:
            rows = tx.all(SELECT_ARTICLE + " WHERE cluster_seq > ? ORDER BY cluster_seq", (seq,))
        return [stored_article(r) for r in rows]

    def reset_stories(self) -> None:
        def write(tx: Tx) -> None:
            tx.execute(
                "UPDATE articles SET story_id = NULL, duplicate_of = NULL, cluster_seq = NULL"
                " WHERE story_id IS NOT NULL OR duplicate_of IS NOT NULL OR cluster_seq IS NOT NULL"
            )
            for table in ("stories", "story_merges", "cluster_state", "consolidations", "inferred_dates"):
                tx.execute(f"DELETE FROM {table}")
            self._after_reset(tx)

        self._write(write)

    def undated_articles(self) -> list[StoredArticle]:
        with self._read() as tx:
            rows = tx.all(SELECT_ARTICLE + " WHERE published IS NULL ORDER BY id")
        return sorted((stored_article(r) for r in rows), key=lambda a: a.id)  # one order in every collation

    def place_articles(self, placements: Sequence[Placement]) -> None:
        def write(tx: Tx) -> None:
            stamp = now()
            left: set[str] = set()
            for p in placements:
                row = tx.one("SELECT story_id, duplicate_of FROM articles WHERE id = ?" + self.FOR_UPDATE,
                             (p.article_id,))
                if row is None or (row["story_id"], row["duplicate_of"]) == (p.story_id, p.duplicate_of):
                    continue
                if row["story_id"] is not None and row["story_id"] != p.story_id:
                    left.add(row["story_id"])
                tx.execute(
                    "INSERT INTO stories(id, created_at, updated_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, merged_into = NULL",
                    (p.story_id, stamp, stamp),
                )
                tx.execute("UPDATE articles SET story_id = ?, duplicate_of = ? WHERE id = ?",
                           (p.story_id, p.duplicate_of, p.article_id))
            for story_id in sorted(left):
                tx.execute(
                    "DELETE FROM stories WHERE id = ? AND merged_into IS NULL"
                    " AND NOT EXISTS (SELECT 1 FROM articles WHERE story_id = stories.id)",
                    (story_id,),
                )

        self._write(write)

    def replace_stories(self, rebuild: StoryRebuild) -> None:
        def write(tx: Tx) -> None:
            stamp = now()
            tx.execute(
                "UPDATE articles SET story_id = NULL, duplicate_of = NULL, cluster_seq = NULL"
                " WHERE story_id IS NOT NULL OR duplicate_of IS NOT NULL OR cluster_seq IS NOT NULL"
            )
            for table in ("stories", "story_merges", "cluster_state"):
                tx.execute(f"DELETE FROM {table}")
            stories = dict.fromkeys(p.story_id for p in [*rebuild.clustered, *rebuild.placed])
            tx.many("INSERT INTO stories(id, title, created_at, updated_at) VALUES (?, ?, ?, ?)",
                    [(sid, rebuild.titles.get(sid, ""), stamp, stamp) for sid in stories])
            tx.many(
                "UPDATE articles SET story_id = ?, duplicate_of = ?, cluster_seq = ? WHERE id = ?",
                [(p.story_id, p.duplicate_of, n, p.article_id) for n, p in enumerate(rebuild.clustered, 1)]
                + [(p.story_id, p.duplicate_of, None, p.article_id) for p in rebuild.placed],
            )
            for keep, gone in rebuild.merges:
                tx.execute(
                    "INSERT INTO stories(id, created_at, updated_at, merged_into) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (id) DO UPDATE SET merged_into = excluded.merged_into",
                    (gone, stamp, stamp, keep),
                )
                tx.execute(
                    "INSERT INTO story_merges(story_id, merged_id, merged_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    (keep, gone, stamp),
                )
            tx.execute("INSERT INTO cluster_state(id, state, applied, updated_at) VALUES (1, ?, ?, ?)",
                       (rebuild.state, len(rebuild.clustered), stamp))
            self._after_load(tx)  # counters in line with the cluster sequence just written

        self._write(write)

    _STORY = "SELECT id, title, created_at, updated_at, merged_into FROM stories"
    _STORY_ARTICLES = "SELECT story_id, id, published, language, source FROM articles"

    def list_stories(self) -> list[StoryRecord]:
        """Three queries, whatever the number of stories."""
        with self._read() as tx:
            rows = tx.all(self._STORY + " WHERE merged_into IS NULL ORDER BY id")
            arts = _grouped(tx.all(
                self._STORY_ARTICLES + f" WHERE story_id IS NOT NULL ORDER BY story_id, {PUBLICATION_ORDER}, seq"
            ), "story_id")
            merges = _grouped(tx.all("SELECT story_id, merged_id FROM story_merges ORDER BY story_id, merged_id"),
                              "story_id")
        return [
            _story_record(r, arts.get(r["id"], []), [m["merged_id"] for m in merges.get(r["id"], [])]) for r in rows
        ]

    def get_story(self, story_id: str) -> StoryRecord:
        """By id or unique prefix; a merged-away id gives the story it was merged into (following the
        chain, and stopping where it would come back to a story already passed)."""
        with self._read() as tx:
            ident = self._resolve_id(tx, "stories", "story", story_id)
            row = tx.first(self._STORY + " WHERE id = ?", (ident,))
            seen = {ident}
            while row["merged_into"] and row["merged_into"] not in seen:
                seen.add(row["merged_into"])
                nxt = tx.one(self._STORY + " WHERE id = ?", (row["merged_into"],))
                if nxt is None:  # merged into a story that is gone: this one is as far as it goes
                    break
                row = nxt
            arts = tx.all(self._STORY_ARTICLES + f" WHERE story_id = ? ORDER BY {PUBLICATION_ORDER}, seq",
                          (row["id"],))
            merged = tx.all("SELECT merged_id FROM story_merges WHERE story_id = ? ORDER BY merged_id", (row["id"],))
        return _story_record(row, arts, [m["merged_id"] for m in merged])

    def set_story_title(self, story_id: str, title: str) -> None:
        self._write(lambda tx: tx.execute("UPDATE stories SET title = ? WHERE id = ?", (title, story_id)))

    # -- feeds ----------------------------------------------------------------------------------------
    def add_feed(self, url: str, every_seconds: int, title: str | None = None) -> Feed:
        ident = feed_id(url)

        def write(tx: Tx) -> None:
            tx.execute(
                "INSERT INTO feeds(id, url, every_seconds, title, added_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (url) DO UPDATE SET every_seconds = excluded.every_seconds, "
                "title = COALESCE(feeds.title, excluded.title)",
                (ident, url, every_seconds, title, now()),
            )

        self._write(write)
        return self.get_feed(ident)

    def get_feed(self, ident: str) -> Feed:
        with self._read() as tx:
            row = tx.one("SELECT * FROM feeds WHERE url = ?", (ident,))
            if row is None:
                row = tx.first("SELECT * FROM feeds WHERE id = ?", (self._resolve_id(tx, "feeds", "feed", ident),))
        return _feed(row)

    def list_feeds(self) -> list[Feed]:
        with self._read() as tx:
            return [_feed(r) for r in tx.all("SELECT * FROM feeds ORDER BY added_at, url")]

    def due_feeds(self, now: str) -> list[Feed]:
        with self._read() as tx:
            rows = tx.all(
                "SELECT * FROM feeds WHERE next_poll IS NULL OR next_poll <= ? "
                "ORDER BY CASE WHEN next_poll IS NULL THEN 0 ELSE 1 END, next_poll, url",
                (now,),
            )
        return [_feed(r) for r in rows]

    def remove_feed(self, ident: str) -> Feed:
        feed = self.get_feed(ident)

        def write(tx: Tx) -> None:
            tx.execute("DELETE FROM feed_entries WHERE feed_id = ?", (feed.id,))
            tx.execute("DELETE FROM feeds WHERE id = ?", (feed.id,))

        self._write(write)
        return feed

    def record_feed_poll(self, poll: FeedPoll) -> None:
        def write(tx: Tx) -> None:
            updated = tx.execute(
                "UPDATE feeds SET last_poll = ?, next_poll = ?, status = ?, error = ?, failures = ?, "
                "etag = CASE WHEN ? = 'error' THEN etag ELSE ? END, "
                "last_modified = CASE WHEN ? = 'error' THEN last_modified ELSE ? END, "
                "title = COALESCE(?, title), articles = articles + ? WHERE id = ?",
                (poll.polled_at, poll.next_poll, poll.status, poll.error, poll.failures, poll.status, poll.etag,
                 poll.status, poll.last_modified, poll.title, poll.articles_added, poll.feed_id),
            )
            if updated.rowcount == 0:
                raise NotFound("feed", poll.feed_id)

        self._write(write)

    def seen_feed_entries(self, feed_id: str, keys: Sequence[str]) -> set[str]:
        seen: set[str] = set()
        with self._read() as tx:
            for chunk in _chunks(keys, 500):
                marks = ", ".join("?" * len(chunk))
                rows = tx.all(
                    f"SELECT entry_key FROM feed_entries WHERE feed_id = ? AND entry_key IN ({marks})",
                    (feed_id, *chunk),
                )
                seen.update(str(r["entry_key"]) for r in rows)
        return seen

    def mark_feed_entry(self, feed_id: str, key: str, url: str | None, article_id: str | None, seen_at: str) -> None:
        self._write(
            lambda tx: tx.execute(
                "INSERT INTO feed_entries(feed_id, entry_key, url, article_id, seen_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (feed_id, entry_key) DO NOTHING",
                (feed_id, key, url, article_id, seen_at),
            )
        )

    # -- watches and alerts ---------------------------------------------------------------------------
    def add_watch(self, watch: Watch) -> Watch:
        self._write(
            lambda tx: tx.execute(
                "INSERT INTO watches(id, kind, value, webhook, secret, growth, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET growth = excluded.growth",
                (watch.id, watch.kind, watch.value, watch.webhook, watch.secret, watch.growth, watch.created_at),
            )
        )
        return self.get_watch(watch.id)

    def get_watch(self, ident: str) -> Watch:
        with self._read() as tx:
            row = tx.first("SELECT * FROM watches WHERE id = ?", (self._resolve_id(tx, "watches", "watch", ident),))
        return _watch(row)

    def list_watches(self) -> list[Watch]:
        with self._read() as tx:
            return [_watch(r) for r in tx.all("SELECT * FROM watches ORDER BY created_at, id")]

    def remove_watch(self, ident: str) -> Watch:
        watch = self.get_watch(ident)

        def write(tx: Tx) -> None:
            tx.execute("DELETE FROM deliveries WHERE watch_id = ?", (watch.id,))
            tx.execute("DELETE FROM alerts WHERE watch_id = ?", (watch.id,))
            tx.execute("DELETE FROM watches WHERE id = ?", (watch.id,))

        self._write(write)
        return watch

    def alert_keys(self, watch_id: str, story_id: str) -> set[str]:
        with self._read() as tx:
            rows = tx.all("SELECT key FROM alerts WHERE watch_id = ? AND story_id = ?", (watch_id, story_id))
        return {str(r["key"]) for r in rows}

    def add_alerts(self, alerts: Sequence[Alert]) -> list[Alert]:
        def write(tx: Tx) -> list[Alert]:
            added: list[Alert] = []
            for alert in alerts:
                row = tx.one(
                    "INSERT INTO alerts(id, watch_id, event, story_id, key, title, detail, payload, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                    (alert.id, alert.watch_id, alert.event, alert.story_id, alert.key, alert.title, alert.detail,
                     json.dumps(alert.payload, ensure_ascii=False, sort_keys=True), alert.created_at),
                )
                if row is None:
                    continue
                added.append(alert)
                hook = tx.one("SELECT webhook FROM watches WHERE id = ?", (alert.watch_id,))
                if hook is not None and hook["webhook"]:
                    tx.execute(
                        "INSERT INTO deliveries(alert_id, watch_id, url, next_try) VALUES (?, ?, ?, ?)",
                        (alert.id, alert.watch_id, hook["webhook"], alert.created_at),
                    )
            return added

        return self._write(write)

    def list_alerts(self, *, watch_id: str | None = None, limit: int = 100) -> list[Alert]:
        where, params = ("WHERE watch_id = ? ", (watch_id,)) if watch_id else ("", ())
        with self._read() as tx:
            rows = tx.all(f"SELECT * FROM alerts {where}ORDER BY created_at DESC, id LIMIT {int(limit)}", params)
        return [_alert(r) for r in rows]

    def due_deliveries(self, now: str) -> list[Delivery]:
        with self._read() as tx:
            rows = tx.all(
                "SELECT * FROM deliveries WHERE status = 'pending' AND (next_try IS NULL OR next_try <= ?) "
                "ORDER BY next_try, alert_id",
                (now,),
            )
        return [_delivery(r) for r in rows]

    def record_delivery(self, delivery: Delivery) -> None:
        self._write(
            lambda tx: tx.execute(
                "UPDATE deliveries SET attempts = ?, status = ?, next_try = ?, last_error = ? WHERE alert_id = ?",
                (delivery.attempts, delivery.status, delivery.next_try, delivery.last_error, delivery.alert_id),
            )
        )

    # -- consolidated stories (storyline.consolidate.stored) -----------------------------------------
    def save_consolidation(self, story_id: str, version: str, payload: str, summary: str,
                           computed_at: str) -> None:
        self._write(lambda tx: tx.execute(
            "INSERT INTO consolidations(story_id, version, payload, summary, computed_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (story_id) DO UPDATE SET version = excluded.version, payload = excluded.payload,"
            " summary = excluded.summary, computed_at = excluded.computed_at",
            (story_id, version, payload, summary, computed_at),
        ))

    def load_consolidation(self, story_id: str) -> ConsolidationRow | None:
        with self._read() as tx:
            row = tx.one("SELECT version, payload, summary, computed_at FROM consolidations WHERE story_id = ?",
                         (story_id,))
        return None if row is None else (row["version"], row["payload"], row["summary"], row["computed_at"])

    def consolidation_summaries(self) -> dict[str, tuple[str, str]]:
        with self._read() as tx:
            rows = tx.all("SELECT story_id, version, summary FROM consolidations")
        return {r["story_id"]: (r["version"], r["summary"]) for r in rows}

    def drop_consolidations(self, *, keep: Iterable[str]) -> int:
        kept = set(keep)

        def write(tx: Tx) -> int:
            gone = [r["story_id"] for r in tx.all("SELECT story_id FROM consolidations") if r["story_id"] not in kept]
            tx.many("DELETE FROM consolidations WHERE story_id = ?", [(g,) for g in gone])
            return len(gone)

        return self._write(write)

    # -- inferred publication dates (storyline.consolidate.inferred_dates) ---------------------------
    def save_inferred_dates(self, story_id: str, inferred: Sequence[StoredInferredDate],
                            clear: Sequence[str] = ()) -> int:
        def write(tx: Tx) -> int:
            tx.many("DELETE FROM inferred_dates WHERE article_id = ?", [(a,) for a in dict.fromkeys(clear)])
            written = 0
            for row in inferred:
                tx.execute("DELETE FROM inferred_dates WHERE article_id = ?", (row.article_id,))
                # only while the article has no stated date: a stated date is never overridden
                done = tx.one(
                    "INSERT INTO inferred_dates(article_id, story_id, day, method, confidence, evidence, resolved,"
                    " computed_at) SELECT id, ?, ?, ?, ?, ?, ?, ? FROM articles WHERE id = ? AND published IS NULL"
                    " RETURNING article_id",
                    (story_id, row.date, row.method, float(row.confidence),
                     json.dumps(row.evidence, ensure_ascii=False, sort_keys=True),
                     json.dumps([_timex_json(t) for t in row.resolved], ensure_ascii=False),
                     row.computed_at, row.article_id),
                )
                written += done is not None
            return written

        return self._write(write)

    def inferred_dates(self, article_ids: Sequence[str]) -> dict[str, StoredInferredDate]:
        ids = list(dict.fromkeys(article_ids))
        out: dict[str, StoredInferredDate] = {}
        with self._read() as tx:
            for chunk in _chunks(ids, 500):
                rows = tx.all(f"SELECT * FROM inferred_dates WHERE article_id IN ({', '.join('?' * len(chunk))})",
                              chunk)
                for r in rows:
                    out[r["article_id"]] = StoredInferredDate(
                        r["article_id"], r["story_id"], r["day"], r["method"], float(r["confidence"]),
                        json.loads(r["evidence"]), tuple(_timex_of(t) for t in json.loads(r["resolved"])),
                        r["computed_at"],
                    )
        return out

    def article_states(self, article_ids: Sequence[str]) -> list[ArticleState]:
        ids = list(article_ids)
        found: dict[str, ArticleState] = {}
        with self._read() as tx:
            for chunk in _chunks(ids, 500):
                rows = tx.all("SELECT id, version, content_hash, duplicate_of, published, source FROM articles"
                              f" WHERE id IN ({', '.join('?' * len(chunk))})", chunk)
                found.update({r["id"]: (r["id"], int(r["version"]), r["content_hash"], r["duplicate_of"],
                                        r["published"], r["source"]) for r in rows})
        return [found[i] for i in ids if i in found]

    # -- hand curation --------------------------------------------------------------------------------
    def add_curation(self, decision: Decision) -> None:
        self._write(
            lambda tx: tx.execute(
                "INSERT INTO curations(id, action, args, who, at) VALUES (?, ?, ?, ?, ?)",
                (decision.id, decision.action, json.dumps(decision.args, sort_keys=True), decision.who, decision.at),
            )
        )

    def list_curations(self) -> list[Decision]:
        with self._read() as tx:
            return [_decision(r) for r in tx.all("SELECT * FROM curations ORDER BY at, id")]

    def undo_curation(self, ident: str, at: str, who: str) -> Decision:
        def write(tx: Tx) -> Decision:
            row = tx.first("SELECT * FROM curations WHERE id = ?", (self._resolve_id(tx, "curations", "decision", ident),))
            if row["undone_at"] is not None:
                raise StoreError(f"decision {row['id']} was undone already ({row['undone_at']})")
            tx.execute("UPDATE curations SET undone_at = ?, undone_by = ? WHERE id = ?", (at, who, row["id"]))
            return replace(_decision(row), undone_at=at, undone_by=who)

        return self._write(write)

    # -- whole-database copy ------------------------------------------------------------------------
    def dump_tables(self) -> TableDump:
        with self._snapshot() as tx:
            for table, columns in TABLE_COLUMNS.items():
                yield table, self._dump_rows(tx, table, columns)

    def _dump_rows(self, tx: Tx, table: str, columns: tuple[str, ...]) -> Iterator[dict[str, Any]]:
        order = self.ROW_ORDER if table in ANNOTATION_TABLES[:3] else DUMP_ORDER[table]
        bools = [c for c in columns if (table, c) in BOOL_COLUMNS]
        blobs = [c for c in columns if (table, c) in _BLOB_COLUMNS]
        for row in self._stream(tx, f"SELECT {', '.join(_quoted(columns))} FROM {table} ORDER BY {order}"):
            record = {c: row[c] for c in columns}
            for c in bools:
                record[c] = bool(record[c])
            for c in blobs:
                record[c] = as_bytes(record[c])
            yield record

    def load_tables(self, tables: Iterable[tuple[str, Iterable[dict[str, Any]]]]) -> dict[str, int]:
        counts: dict[str, int] = {}

        def write(tx: Tx) -> None:
            for table in TABLE_COLUMNS:
                self._lock_table(tx, table)
                if tx.one(f"SELECT 1 AS x FROM {table} LIMIT 1") is not None:
                    raise StoreError(f"{self._shown_url()}: cannot load into a database that holds data ({table})")
            for table, rows in tables:
                if table not in TABLE_COLUMNS:
                    raise StoreError(f"unknown table {table!r} in dump")
                columns = list(TABLE_COLUMNS[table])
                if table == "cluster_state":  # the one row's fixed key
                    columns.append("id")
                    rows = ({**r, "id": 1} for r in rows)
                counts[table] = self._load_rows(tx, table, columns, rows)
            self._after_load(tx)

        self._write(write, retry=False)  # the dump is consumed once
        return counts

    def _shown_url(self) -> str:
        return self.url


_BLOB_COLUMNS = frozenset({("article_versions", "raw"), ("cluster_state", "state"), ("articles", "vector")})


def _timex_json(t: TimeExpression) -> dict[str, Any]:
    return {"start": t.start, "end": t.end, "text": t.text, "type": t.type, "value": t.value,
            "anchored": t.anchored}


def _timex_of(data: dict[str, Any]) -> TimeExpression:
    return TimeExpression(int(data["start"]), int(data["end"]), str(data["text"]), data["type"], data["value"],
                          bool(data["anchored"]))


def _feed(row: Row) -> Feed:
    return Feed(**{name: row[name] for name in Feed.__dataclass_fields__ if name != "every_seconds"},
                every_seconds=int(row["every_seconds"]))


def _watch(row: Row) -> Watch:
    return Watch(row["id"], row["kind"], row["value"], row["created_at"], row["webhook"], row["secret"],
                 int(row["growth"]))


def _alert(row: Row) -> Alert:
    return Alert(row["id"], row["watch_id"], row["event"], row["story_id"], row["key"], row["title"], row["detail"],
                 row["created_at"], json.loads(row["payload"]))


def _delivery(row: Row) -> Delivery:
    return Delivery(row["alert_id"], row["watch_id"], row["url"], int(row["attempts"]), row["status"],
                    row["next_try"], row["last_error"])


def _decision(row: Row) -> Decision:
    return Decision(row["id"], row["action"], json.loads(row["args"]), row["who"], row["at"], row["undone_at"],
                    row["undone_by"])


def _quoted(columns: Iterable[str]) -> list[str]:
    return [f'"{c}"' for c in columns]


def _chunks(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk
