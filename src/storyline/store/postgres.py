"""PostgreSQL backend (for servers): psycopg 3 with a connection pool, tsvector + GIN full-text
index, pg_trgm trigram index on entity names.

Semantics are those of the SQLite backend (same records, statuses, orderings); what differs is
concurrency. Several processes may write at once:
- every write method is one transaction (retried on deadlock / serialization failure);
- `upsert_article` locks the article row (SELECT ... FOR UPDATE) or creates it with
  INSERT ... ON CONFLICT DO NOTHING, so two processes storing the same article create it once and
  the second one sees it as "unchanged" (or makes the next version);
- `assign_story` takes its cluster sequence number from a counter row it locks first, so numbers
  are gap-free and every assignment is serialised;
- `cluster_lock()` is a session-level advisory lock (released by the server if the process dies);
- migrations run under a transaction-level advisory lock, all in one transaction.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar

import psycopg
from psycopg import errors as pg_errors
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from storyline.model import Article, Entity, EntityMention, Quantity, TimeExpression, content_hash

# `article_id` is also the name of upsert_article's keyword argument, hence the alias.
from storyline.model import article_id as derive_article_id
from storyline.store.base import (
    BOOL_COLUMNS,
    TABLE_COLUMNS,
    AmbiguousId,
    Annotations,
    NotFound,
    SearchHit,
    Store,
    StoredArticle,
    StoreError,
    StoryRecord,
    TableDump,
    UpsertResult,
    UpsertStatus,
    fold_name,
    parse_query,
    redact_url,
)

T = TypeVar("T")

# Advisory lock keys (any 64-bit constants private to storyline).
_LOCK_MIGRATE = 0x5354_4F52_594C_0001
_LOCK_CLUSTER = 0x5354_4F52_594C_0002

# Text longer than this is not indexed for search (a tsvector holds at most 1 MB).
FTS_MAX_CHARS = 200_000
_HEADLINE = 'StartSel="[", StopSel="]", MaxWords=24, MinWords=8, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "'
# ts_rank_cd weights {D, C, B, A}: title (A) counts ten times the body (B), as in SQLite's bm25.
_WEIGHTS = "{0.1, 0.1, 0.1, 1.0}"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# Each migration takes the schema from version i to i+1. Never edit a released one: add another.
# Identifier-like and date-like text columns use the "C" collation so ordering and prefix lookup
# match SQLite (bytewise) whatever the database's default collation.
_MIGRATIONS: list[str] = [
    # 1: articles, versions with raw input, sources, full-text index
    f"""
    CREATE EXTENSION IF NOT EXISTS unaccent;
    CREATE TEXT SEARCH CONFIGURATION storyline_fts (COPY = pg_catalog.simple);
    ALTER TEXT SEARCH CONFIGURATION storyline_fts
        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
    CREATE TABLE sources (
        name TEXT COLLATE "C" PRIMARY KEY,
        first_seen TEXT NOT NULL
    );
    CREATE SEQUENCE articles_seq_counter;
    CREATE TABLE articles (
        id TEXT COLLATE "C" PRIMARY KEY,
        version INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        title TEXT,
        text TEXT NOT NULL,
        url TEXT,
        source TEXT COLLATE "C" REFERENCES sources(name),
        published TEXT COLLATE "C",
        published_time TEXT COLLATE "C",
        language TEXT COLLATE "C",
        authors TEXT NOT NULL DEFAULT '[]',
        agency TEXT,
        path TEXT,
        fetched TEXT,
        format TEXT,
        external_id TEXT,
        extra TEXT NOT NULL DEFAULT '{{}}',
        ingested_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        seq BIGINT NOT NULL DEFAULT nextval('articles_seq_counter'),
        fts tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('storyline_fts'::regconfig, coalesce(title, '')), 'A')
            || setweight(to_tsvector('storyline_fts'::regconfig, left(text, {FTS_MAX_CHARS})), 'B')
        ) STORED
    );
    ALTER SEQUENCE articles_seq_counter OWNED BY articles.seq;
    CREATE INDEX articles_published ON articles(published);
    CREATE INDEX articles_seq ON articles(seq);
    CREATE INDEX articles_fts ON articles USING gin(fts);
    CREATE TABLE article_versions (
        article_id TEXT COLLATE "C" NOT NULL REFERENCES articles(id),
        version INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        title TEXT,
        text TEXT NOT NULL,
        raw BYTEA,
        ingested_at TEXT NOT NULL,
        PRIMARY KEY (article_id, version)
    );
    """,
    # 2: annotations with offsets into the cleaned text; entities with a trigram index
    """
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE TABLE timexes (
        ord BIGSERIAL PRIMARY KEY,
        article_id TEXT COLLATE "C" NOT NULL REFERENCES articles(id),
        start INTEGER NOT NULL, "end" INTEGER NOT NULL,
        text TEXT NOT NULL, type TEXT NOT NULL, value TEXT, anchored BOOLEAN NOT NULL
    );
    CREATE INDEX timexes_article ON timexes(article_id);
    CREATE INDEX timexes_value ON timexes(value);
    CREATE TABLE quantities (
        ord BIGSERIAL PRIMARY KEY,
        article_id TEXT COLLATE "C" NOT NULL REFERENCES articles(id),
        start INTEGER NOT NULL, "end" INTEGER NOT NULL,
        text TEXT NOT NULL, value DOUBLE PRECISION, value_max DOUBLE PRECISION, unit TEXT,
        kind TEXT NOT NULL, approximate BOOLEAN NOT NULL, measured TEXT, normalized TEXT
    );
    CREATE INDEX quantities_article ON quantities(article_id);
    CREATE TABLE mentions (
        ord BIGSERIAL PRIMARY KEY,
        article_id TEXT COLLATE "C" NOT NULL REFERENCES articles(id),
        start INTEGER NOT NULL, "end" INTEGER NOT NULL,
        text TEXT NOT NULL, label TEXT NOT NULL, entity_key TEXT COLLATE "C"
    );
    CREATE INDEX mentions_article ON mentions(article_id, start, "end");
    CREATE INDEX mentions_entity ON mentions(entity_key);
    CREATE TABLE annotation_notes (
        article_id TEXT COLLATE "C" NOT NULL REFERENCES articles(id),
        annotator TEXT COLLATE "C" NOT NULL, note TEXT NOT NULL,
        PRIMARY KEY (article_id, annotator)
    );
    CREATE TABLE entities (
        key TEXT COLLATE "C" PRIMARY KEY, name TEXT NOT NULL, label TEXT NOT NULL, aliases TEXT NOT NULL
    );
    -- every folded name and alias of an entity, for fuzzy lookup through the trigram index
    CREATE TABLE entity_names (
        key TEXT COLLATE "C" NOT NULL REFERENCES entities(key) ON DELETE CASCADE,
        name TEXT NOT NULL,
        PRIMARY KEY (key, name)
    );
    CREATE INDEX entity_names_trgm ON entity_names USING gin(name gin_trgm_ops);
    """,
    # 3: stories, near-duplicates, the online clusterer's persisted state
    """
    ALTER TABLE articles ADD COLUMN story_id TEXT COLLATE "C";
    ALTER TABLE articles ADD COLUMN duplicate_of TEXT COLLATE "C";
    ALTER TABLE articles ADD COLUMN cluster_seq BIGINT;
    CREATE INDEX articles_story ON articles(story_id);
    CREATE INDEX articles_cluster_seq ON articles(cluster_seq);
    CREATE INDEX articles_unclustered ON articles(published, published_time, seq) WHERE story_id IS NULL;
    CREATE TABLE stories (
        id TEXT COLLATE "C" PRIMARY KEY,
        title TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        merged_into TEXT COLLATE "C"
    );
    CREATE TABLE story_merges (
        story_id TEXT COLLATE "C" NOT NULL, merged_id TEXT COLLATE "C" NOT NULL, merged_at TEXT NOT NULL,
        PRIMARY KEY (story_id, merged_id)
    );
    CREATE TABLE cluster_state (
        id INTEGER PRIMARY KEY CHECK (id = 1), state BYTEA NOT NULL, applied BIGINT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
    INSERT INTO counters(name, value) VALUES ('cluster_seq', 0);
    """,
]

SCHEMA_VERSION = len(_MIGRATIONS)

_ARTICLE_COLUMNS = (
    "title", "text", "url", "source", "published", "published_time", "language", "authors", "agency", "path",
    "fetched", "format", "external_id", "extra",
)
_SELECT_ARTICLE = (
    "SELECT id, version, content_hash, ingested_at, updated_at, story_id, duplicate_of, "
    + ", ".join(_ARTICLE_COLUMNS)
    + " FROM articles"
)
_DUMP_ORDER = {
    "sources": "name", "articles": "id", "article_versions": "article_id, version", "entities": "key",
    "stories": "id", "story_merges": "story_id, merged_id", "annotation_notes": "article_id, annotator",
    "timexes": "ord", "quantities": "ord", "mentions": "ord", "cluster_state": "id",
}
_RETRYABLE = (pg_errors.DeadlockDetected, pg_errors.SerializationFailure)


def _text(value: Any) -> Any:
    """PostgreSQL text cannot hold NUL characters: store U+FFFD instead (SQLite keeps them)."""
    if isinstance(value, str) and "\x00" in value:
        return value.replace("\x00", "\ufffd")
    return value


def _tsquery(query: str) -> str:
    """A to_tsquery() string built only from the words of `parse_query`, each one quoted."""
    parts = []
    for phrase, prefix in parse_query(query):
        words = ["'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in phrase.split()]
        if prefix:
            words[-1] += ":*"
        parts.append(" <-> ".join(words))
    return " & ".join(f"({p})" for p in parts)


class PostgresStore(Store):
    def __init__(self, url: str, *, migrate_to: int = SCHEMA_VERSION, pool_size: int | None = None) -> None:
        self.url = url
        self._shown = redact_url(url)
        size = pool_size or int(os.environ.get("STORYLINE_PG_POOL", "4"))
        self._cluster_thread_lock = threading.RLock()
        self._cluster_depth = 0
        try:
            with psycopg.connect(url, connect_timeout=10, row_factory=dict_row) as conn:
                self._migrate(conn, migrate_to)
        except psycopg.OperationalError as exc:
            raise StoreError(f"{self._shown}: cannot connect to PostgreSQL: {_first_line(exc)}") from exc
        except psycopg.Error as exc:
            raise StoreError(f"{self._shown}: cannot prepare the database: {_first_line(exc)}") from exc
        self._pool: ConnectionPool[Any] = ConnectionPool(
            url, min_size=1, max_size=max(size, 2), open=True, name="storyline", timeout=60,
            kwargs={"row_factory": dict_row, "connect_timeout": 10},
            check=ConnectionPool.check_connection,
        )

    # -- plumbing -------------------------------------------------------------------------------
    def _migrate(self, conn: psycopg.Connection[Any], target: int) -> None:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_MIGRATE,))
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            current = self._version(conn)
            if current > SCHEMA_VERSION:
                raise StoreError(
                    f"{self._shown}: schema version {current} is newer than this storyline ({SCHEMA_VERSION})"
                )
            for version in range(current, target):
                try:
                    conn.execute(_MIGRATIONS[version])
                except pg_errors.FeatureNotSupported as exc:  # pragma: no cover - depends on the server
                    raise StoreError(f"{self._shown}: {_first_line(exc)}") from exc
                except pg_errors.UndefinedFile as exc:  # extension files missing
                    raise StoreError(
                        f"{self._shown}: the server lacks the unaccent/pg_trgm extensions"
                        f" (install postgresql-contrib): {_first_line(exc)}"
                    ) from exc
                conn.execute(
                    "INSERT INTO schema_migrations(version, applied_at) VALUES (%s, %s)", (version + 1, _now())
                )

    @staticmethod
    def _version(conn: psycopg.Connection[Any]) -> int:
        return int(_one(conn.execute("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations"))["v"])

    @contextmanager
    def _conn(self) -> Iterator[psycopg.Connection[Any]]:
        """A pooled connection; the block is one transaction (committed at the end)."""
        try:
            with self._pool.connection() as conn:
                yield conn
        except PoolTimeout as exc:
            raise StoreError(f"{self._shown}: no database connection available: {exc}") from exc
        except psycopg.OperationalError as exc:
            raise StoreError(f"{self._shown}: database connection failed: {_first_line(exc)}") from exc

    def _write(self, fn: Callable[[psycopg.Connection[Any]], T], attempts: int = 5) -> T:
        for attempt in range(attempts):
            try:
                with self._conn() as conn, conn.transaction():
                    return fn(conn)
            except _RETRYABLE:
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def schema_version(self) -> int:
        with self._conn() as conn:
            return self._version(conn)

    def close(self) -> None:
        self._pool.close()

    # -- articles -------------------------------------------------------------------------------
    def upsert_article(
        self, article: Article, annotations: Annotations | None = None, *, article_id: str | None = None
    ) -> UpsertResult:
        if article.source is not None and not article.source.strip():
            article = replace(article, source=None)
        ident = article_id or derive_article_id(article)
        digest = content_hash(article)
        values = _article_values(article)

        def write(conn: psycopg.Connection[Any]) -> UpsertResult:
            now = _now()
            row = conn.execute(
                "SELECT version, content_hash FROM articles WHERE id = %s FOR UPDATE", (ident,)
            ).fetchone()
            if row is None:
                if article.source:
                    conn.execute(
                        "INSERT INTO sources(name, first_seen) VALUES (%s, %s) ON CONFLICT (name) DO NOTHING",
                        (_text(article.source), now),
                    )
                created = conn.execute(
                    "INSERT INTO articles(id, version, content_hash, " + ", ".join(_ARTICLE_COLUMNS)
                    + ", ingested_at, updated_at) VALUES (%s, 1, %s, "
                    + ", ".join(["%s"] * len(_ARTICLE_COLUMNS))
                    + ", %s, %s) ON CONFLICT (id) DO NOTHING RETURNING id",
                    (ident, digest, *values, now, now),
                ).fetchone()
                if created is None:  # another process created it meanwhile: lock theirs, compare
                    row = conn.execute(
                        "SELECT version, content_hash FROM articles WHERE id = %s FOR UPDATE", (ident,)
                    ).fetchone()
            status: UpsertStatus
            if row is None:
                version, status = 1, "new"
            elif row["content_hash"] == digest:
                return UpsertResult(ident, "unchanged", int(row["version"]))
            else:
                version, status = int(row["version"]) + 1, "updated"
                if article.source:
                    conn.execute(
                        "INSERT INTO sources(name, first_seen) VALUES (%s, %s) ON CONFLICT (name) DO NOTHING",
                        (_text(article.source), now),
                    )
                conn.execute(
                    "UPDATE articles SET version = %s, content_hash = %s, "
                    + ", ".join(f"{c} = %s" for c in _ARTICLE_COLUMNS)
                    + ", updated_at = %s WHERE id = %s",
                    (version, digest, *values, now, ident),
                )
            conn.execute(
                "INSERT INTO article_versions(article_id, version, content_hash, title, text, raw, ingested_at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (ident, version, digest, _text(article.title), _text(article.text), article.raw, now),
            )
            if annotations is not None:
                _replace_annotations(conn, ident, annotations)
            return UpsertResult(ident, status, version)

        return self._write(write)

    def _resolve_id(self, conn: psycopg.Connection[Any], table: str, kind: str, prefix: str) -> str:
        row = conn.execute(f"SELECT id FROM {table} WHERE id = %s", (prefix,)).fetchone()
        if row is not None:
            return str(row["id"])
        if not prefix or any(ch in prefix for ch in "%_\\"):
            raise NotFound(kind, prefix)
        rows = conn.execute(
            f"SELECT id FROM {table} WHERE id LIKE %s ORDER BY id LIMIT 6", (prefix + "%",)
        ).fetchall()
        if not rows:
            raise NotFound(kind, prefix)
        if len(rows) > 1:
            raise AmbiguousId(kind, prefix, [r["id"] for r in rows])
        return str(rows[0]["id"])

    def get_article(self, article_id: str) -> StoredArticle:
        with self._conn() as conn:
            ident = self._resolve_id(conn, "articles", "article", article_id)
            row = _one(conn.execute(_SELECT_ARTICLE + " WHERE id = %s", (ident,)))
        return _stored_article(row)

    def list_articles(self, *, limit: int | None = None, offset: int = 0) -> list[StoredArticle]:
        with self._conn() as conn:
            rows = conn.execute(_SELECT_ARTICLE + " ORDER BY seq LIMIT %s OFFSET %s", (limit, offset)).fetchall()
        return [_stored_article(r) for r in rows]

    def count_articles(self) -> int:
        with self._conn() as conn:
            return int(_one(conn.execute("SELECT COUNT(*) AS n FROM articles"))["n"])

    def article_versions(self, article_id: str) -> list[dict[str, Any]]:
        with self._conn() as conn:
            ident = self._resolve_id(conn, "articles", "article", article_id)
            rows = conn.execute(
                "SELECT version, content_hash, ingested_at, title, octet_length(raw) AS raw_size"
                " FROM article_versions WHERE article_id = %s ORDER BY version",
                (ident,),
            ).fetchall()
        return [dict(r) for r in rows]

    def raw_input(self, article_id: str, version: int | None = None) -> bytes | None:
        with self._conn() as conn:
            ident = self._resolve_id(conn, "articles", "article", article_id)
            if version is None:
                row = conn.execute(
                    "SELECT raw FROM article_versions WHERE article_id = %s ORDER BY version DESC LIMIT 1",
                    (ident,),
                ).fetchone()
            else:
                row = conn.execute(
                    "SELECT raw FROM article_versions WHERE article_id = %s AND version = %s", (ident, version)
                ).fetchone()
        return None if row is None or row["raw"] is None else bytes(row["raw"])

    def search(self, query: str, *, limit: int = 20, offset: int = 0) -> list[SearchHit]:
        # User input only ever reaches to_tsquery as quoted words (see _tsquery); ranking and
        # highlighting are computed for the requested page only.
        tsq = _tsquery(query)
        with self._conn() as conn:
            rows = conn.execute(
                "WITH q AS (SELECT to_tsquery('storyline_fts', %(q)s) AS q),"
                " hits AS (SELECT a.id, ts_rank_cd(%(w)s::float4[], a.fts, q.q, 1) AS score"
                "   FROM articles a, q WHERE a.fts @@ q.q ORDER BY score DESC, a.seq LIMIT %(limit)s OFFSET %(offset)s)"
                " SELECT a.id, a.title, a.source, a.published, a.story_id, h.score,"
                "  ts_headline('storyline_fts', a.text, q.q, %(opts)s) AS snip"
                " FROM hits h JOIN articles a ON a.id = h.id, q ORDER BY h.score DESC, a.seq",
                {"q": tsq, "w": _WEIGHTS, "limit": limit, "offset": offset, "opts": _HEADLINE},
            ).fetchall()
        return [
            SearchHit(r["id"], r["title"], r["source"], r["published"], r["snip"], float(r["score"]), r["story_id"])
            for r in rows
        ]

    # -- annotations ----------------------------------------------------------------------------
    def set_annotations(self, article_id: str, annotations: Annotations) -> None:
        self._write(lambda conn: _replace_annotations(conn, article_id, annotations))

    def get_annotations(self, article_id: str) -> Annotations:
        with self._conn() as conn:
            ident = self._resolve_id(conn, "articles", "article", article_id)
            q = conn.execute
            timexes = tuple(
                TimeExpression(r["start"], r["end"], r["text"], r["type"], r["value"], bool(r["anchored"]))
                for r in q('SELECT * FROM timexes WHERE article_id = %s ORDER BY start, "end", ord', (ident,))
            )
            quantities = tuple(
                Quantity(
                    r["start"], r["end"], r["text"], r["value"], r["unit"], r["kind"], bool(r["approximate"]),
                    r["measured"], r["value_max"], None if r["normalized"] is None else json.loads(r["normalized"]),
                )
                for r in q('SELECT * FROM quantities WHERE article_id = %s ORDER BY start, "end", ord', (ident,))
            )
            mentions = tuple(
                EntityMention(r["start"], r["end"], r["text"], r["label"], r["entity_key"])
                for r in q('SELECT * FROM mentions WHERE article_id = %s ORDER BY start, "end", ord', (ident,))
            )
            notes = {
                r["annotator"]: r["note"]
                for r in q("SELECT * FROM annotation_notes WHERE article_id = %s ORDER BY annotator", (ident,))
            }
        return Annotations(timexes, quantities, mentions, notes)

    # -- entities -------------------------------------------------------------------------------
    def replace_entities(self, entities: Sequence[Entity], links: dict[tuple[str, int, int], str]) -> None:
        def write(conn: psycopg.Connection[Any]) -> None:
            conn.execute("LOCK TABLE entities IN EXCLUSIVE MODE")
            conn.execute("DELETE FROM entities")
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO entities(key, name, label, aliases) VALUES (%s, %s, %s, %s)",
                    [(_text(e.key), _text(e.name), _text(e.label), json.dumps(list(e.aliases))) for e in entities],
                )
                _insert_entity_names(cur, entities)
                cur.execute("UPDATE mentions SET entity_key = NULL WHERE entity_key IS NOT NULL")
                cur.executemany(
                    'UPDATE mentions SET entity_key = %s WHERE article_id = %s AND start = %s AND "end" = %s',
                    [(_text(key), aid, s, e) for (aid, s, e), key in links.items()],
                )

        self._write(write)

    def merge_entities(self, entities: Sequence[Entity], links: dict[tuple[str, int, int], str]) -> None:
        def write(conn: psycopg.Connection[Any]) -> None:
            merged = []
            for e in sorted(entities, key=lambda x: x.key):  # a fixed lock order: no deadlock between writers
                row = conn.execute("SELECT aliases FROM entities WHERE key = %s FOR UPDATE", (_text(e.key),)).fetchone()
                old = json.loads(row["aliases"]) if row else []
                aliases = tuple(dict.fromkeys([*old, *e.aliases]))
                conn.execute(
                    "INSERT INTO entities(key, name, label, aliases) VALUES (%s, %s, %s, %s)"
                    " ON CONFLICT (key) DO UPDATE SET aliases = EXCLUDED.aliases",
                    (_text(e.key), _text(e.name), _text(e.label), json.dumps(list(aliases))),
                )
                conn.execute("DELETE FROM entity_names WHERE key = %s", (_text(e.key),))
                merged.append(Entity(e.key, e.name, e.label, aliases))
            with conn.cursor() as cur:
                _insert_entity_names(cur, merged)
                cur.executemany(
                    'UPDATE mentions SET entity_key = %s WHERE article_id = %s AND start = %s AND "end" = %s',
                    [(_text(key), aid, s, e) for (aid, s, e), key in links.items()],
                )

        self._write(write)

    def list_entities(self) -> list[Entity]:
        with self._conn() as conn:
            rows = conn.execute("SELECT key, name, label, aliases FROM entities ORDER BY key").fetchall()
        return [_entity(r) for r in rows]

    def find_entities(self, name: str, *, limit: int = 10, threshold: float = 0.3) -> list[Entity]:
        """Trigram search (pg_trgm, GIN index) over entity names and aliases, best first."""
        needle = fold_name(name)
        if not needle:
            return []
        with self._conn() as conn:
            conn.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)", (str(threshold),))
            rows = conn.execute(
                "SELECT e.key, e.name, e.label, e.aliases, m.sim FROM entities e JOIN ("
                "  SELECT key, MAX(similarity(name, %(n)s)) AS sim FROM entity_names"
                "  WHERE name %% %(n)s GROUP BY key) m ON m.key = e.key"
                " ORDER BY m.sim DESC, e.key LIMIT %(limit)s",
                {"n": needle, "limit": limit},
            ).fetchall()
        return [_entity(r) for r in rows]

    # -- stories --------------------------------------------------------------------------------
    def unclustered_articles(self) -> list[StoredArticle]:
        with self._conn() as conn:
            rows = conn.execute(
                # A date without a time counts as the start of that day; undated articles come last.
                _SELECT_ARTICLE + " WHERE story_id IS NULL"
                " ORDER BY (published IS NULL), published, COALESCE(published_time, ''), seq"
            ).fetchall()
        return [_stored_article(r) for r in rows]

    def assign_story(
        self, article_id: str, story_id: str, *, duplicate_of: str | None, merged_from: Sequence[str] = ()
    ) -> int:
        def write(conn: psycopg.Connection[Any]) -> int:
            # The counter row first: it serialises assignments, so they never deadlock each other.
            seq = int(
                _one(conn.execute("UPDATE counters SET value = value + 1 WHERE name = 'cluster_seq' RETURNING value"))[
                    "value"
                ]
            )
            now = _now()
            conn.execute(
                "INSERT INTO stories(id, created_at, updated_at) VALUES (%s, %s, %s)"
                " ON CONFLICT (id) DO UPDATE SET updated_at = EXCLUDED.updated_at",
                (story_id, now, now),
            )
            for old in merged_from:
                conn.execute("UPDATE articles SET story_id = %s WHERE story_id = %s", (story_id, old))
                conn.execute("UPDATE stories SET merged_into = %s WHERE id = %s", (story_id, old))
                conn.execute(
                    "INSERT INTO story_merges(story_id, merged_id, merged_at) VALUES (%s, %s, %s)"
                    " ON CONFLICT DO NOTHING",
                    (story_id, old, now),
                )
            conn.execute(
                "UPDATE articles SET story_id = %s, duplicate_of = %s, cluster_seq = %s WHERE id = %s",
                (story_id, duplicate_of, seq, article_id),
            )
            return seq

        return self._write(write)

    def save_cluster_state(self, state: bytes, applied: int) -> None:
        self._write(
            lambda conn: conn.execute(
                "INSERT INTO cluster_state(id, state, applied, updated_at) VALUES (1, %s, %s, %s)"
                " ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, applied = EXCLUDED.applied,"
                " updated_at = EXCLUDED.updated_at",
                (state, applied, _now()),
            )
        )

    def load_cluster_state(self) -> tuple[bytes, int] | None:
        with self._conn() as conn:
            row = conn.execute("SELECT state, applied FROM cluster_state WHERE id = 1").fetchone()
        return None if row is None else (bytes(row["state"]), int(row["applied"]))

    def clustered_after(self, seq: int) -> list[StoredArticle]:
        with self._conn() as conn:
            rows = conn.execute(
                _SELECT_ARTICLE + " WHERE cluster_seq > %s ORDER BY cluster_seq", (seq,)
            ).fetchall()
        return [_stored_article(r) for r in rows]

    def reset_stories(self) -> None:
        def write(conn: psycopg.Connection[Any]) -> None:
            conn.execute("UPDATE counters SET value = 0 WHERE name = 'cluster_seq'")
            conn.execute(
                "UPDATE articles SET story_id = NULL, duplicate_of = NULL, cluster_seq = NULL"
                " WHERE story_id IS NOT NULL OR duplicate_of IS NOT NULL OR cluster_seq IS NOT NULL"
            )
            conn.execute("DELETE FROM stories")
            conn.execute("DELETE FROM story_merges")
            conn.execute("DELETE FROM cluster_state")

        self._write(write)

    def list_stories(self) -> list[StoryRecord]:
        with self._conn() as conn:
            rows = conn.execute("SELECT * FROM stories WHERE merged_into IS NULL ORDER BY id").fetchall()
            return [self._story(conn, r) for r in rows]

    def get_story(self, story_id: str) -> StoryRecord:
        with self._conn() as conn:
            ident = self._resolve_id(conn, "stories", "story", story_id)
            row = _one(conn.execute("SELECT * FROM stories WHERE id = %s", (ident,)))
            seen = {ident}
            while row["merged_into"] and row["merged_into"] not in seen:
                seen.add(row["merged_into"])
                row = _one(conn.execute("SELECT * FROM stories WHERE id = %s", (row["merged_into"],)))
            return self._story(conn, row)

    def _story(self, conn: psycopg.Connection[Any], row: dict[str, Any]) -> StoryRecord:
        arts = conn.execute(
            "SELECT id, published, language, source FROM articles WHERE story_id = %s"
            " ORDER BY (published IS NULL), published, seq",
            (row["id"],),
        ).fetchall()
        dates = [a["published"] for a in arts if a["published"]]
        merged = conn.execute(
            "SELECT merged_id FROM story_merges WHERE story_id = %s ORDER BY merged_id", (row["id"],)
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
            merged_from=tuple(m["merged_id"] for m in merged),
        )

    def set_story_title(self, story_id: str, title: str) -> None:
        self._write(
            lambda conn: conn.execute("UPDATE stories SET title = %s WHERE id = %s", (_text(title), story_id))
        )

    @contextmanager
    def cluster_lock(self) -> Iterator[None]:
        """A session-level advisory lock on a connection held for the whole block. If this process
        dies, the server ends the session and the lock goes with it."""
        with self._cluster_thread_lock:  # reentrant: a nested cluster_lock() in the holder is a no-op
            if self._cluster_depth:
                self._cluster_depth += 1
                try:
                    yield
                finally:
                    self._cluster_depth -= 1
                return
            with self._conn() as conn:
                conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_CLUSTER,))
                conn.commit()  # back to idle: the lock belongs to the session, not to a transaction
                self._cluster_depth = 1
                try:
                    yield
                finally:
                    self._cluster_depth = 0
                    if not conn.closed:
                        conn.rollback()
                        conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_CLUSTER,))
                        conn.commit()

    # -- whole-database copy ----------------------------------------------------------------------
    def dump_tables(self) -> TableDump:
        with self._conn() as conn:
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")  # one snapshot
            for table, columns in TABLE_COLUMNS.items():
                yield table, _dump_rows(conn, table, columns)

    def load_tables(self, tables: Iterable[tuple[str, Iterable[dict[str, Any]]]]) -> dict[str, int]:
        counts: dict[str, int] = {}

        def write(conn: psycopg.Connection[Any]) -> None:
            counts.clear()
            for table in TABLE_COLUMNS:
                conn.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
                if conn.execute(f"SELECT 1 AS x FROM {table} LIMIT 1").fetchone() is not None:
                    raise StoreError(f"{self._shown}: cannot load into a database that holds data ({table})")
            for table, rows in tables:
                if table not in TABLE_COLUMNS:
                    raise StoreError(f"unknown table {table!r} in dump")
                columns = list(TABLE_COLUMNS[table])
                extra = ["id"] if table == "cluster_state" else []
                cols = ", ".join(f'"{c}"' for c in columns + extra)
                n = 0
                entities: list[Entity] = []
                with conn.cursor() as cur:
                    with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row([_text(row[c]) for c in columns] + [1] * len(extra))
                            if table == "entities":
                                aliases = tuple(json.loads(row["aliases"]))
                                entities.append(Entity(_text(row["key"]), row["name"], row["label"], aliases))
                            n += 1
                    _insert_entity_names(cur, entities)
                counts[table] = n
            conn.execute(
                "SELECT setval('articles_seq_counter', GREATEST((SELECT MAX(seq) FROM articles), 1),"
                " (SELECT COUNT(*) > 0 FROM articles))"
            )
            conn.execute(
                "UPDATE counters SET value = COALESCE((SELECT MAX(cluster_seq) FROM articles), 0)"
                " WHERE name = 'cluster_seq'"
            )

        self._write(write, attempts=1)
        return counts


def _one(cur: psycopg.Cursor[Any]) -> dict[str, Any]:
    row = cur.fetchone()
    if row is None:  # pragma: no cover - callers ask only for rows that exist
        raise StoreError("the database returned no row")
    return dict(row)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _dump_rows(conn: psycopg.Connection[Any], table: str, columns: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    cols = ", ".join(f'"{c}"' for c in columns)
    with conn.cursor(name=f"dump_{table}", row_factory=dict_row) as cur:
        cur.itersize = 1000
        cur.execute(f"SELECT {cols} FROM {table} ORDER BY {_DUMP_ORDER[table]}")
        for row in cur:
            record = dict(row)
            for c in columns:
                if (table, c) in BOOL_COLUMNS:
                    record[c] = bool(record[c])
                elif isinstance(record[c], memoryview):
                    record[c] = bytes(record[c])
            yield record


def _insert_entity_names(cur: psycopg.Cursor[Any], entities: Sequence[Entity]) -> None:
    rows = [
        (e.key, n)
        for e in entities
        for n in dict.fromkeys(_text(fold_name(x)) for x in (e.name, *e.aliases))
        if n
    ]
    if rows:
        cur.executemany("INSERT INTO entity_names(key, name) VALUES (%s, %s)", rows)


def _replace_annotations(conn: psycopg.Connection[Any], ident: str, ann: Annotations) -> None:
    for table in ("timexes", "quantities", "mentions", "annotation_notes"):
        conn.execute(f"DELETE FROM {table} WHERE article_id = %s", (ident,))
    with conn.cursor() as cur:
        if ann.timexes:
            cur.executemany(
                'INSERT INTO timexes(article_id, start, "end", text, type, value, anchored)'
                " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [(ident, t.start, t.end, _text(t.text), t.type, _text(t.value), bool(t.anchored)) for t in ann.timexes],
            )
        if ann.quantities:
            cur.executemany(
                'INSERT INTO quantities(article_id, start, "end", text, value, value_max, unit, kind, approximate,'
                " measured, normalized) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (ident, q.start, q.end, _text(q.text), q.value, q.value_max, _text(q.unit), q.kind,
                     bool(q.approximate), _text(q.measured), None if q.normalized is None else json.dumps(q.normalized))
                    for q in ann.quantities
                ],
            )
        if ann.mentions:
            cur.executemany(
                'INSERT INTO mentions(article_id, start, "end", text, label, entity_key) VALUES (%s, %s, %s, %s, %s, %s)',
                [(ident, m.start, m.end, _text(m.text), m.label, _text(m.entity_key)) for m in ann.mentions],
            )
        if ann.notes:
            cur.executemany(
                "INSERT INTO annotation_notes(article_id, annotator, note) VALUES (%s, %s, %s)",
                [(ident, k, _text(v)) for k, v in sorted(ann.notes.items())],
            )



def _article_values(a: Article) -> tuple[Any, ...]:
    return (
        _text(a.title), _text(a.text), _text(a.url), _text(a.source), _text(a.published), _text(a.published_time),
        _text(a.language), json.dumps(list(a.authors)), _text(a.agency), _text(a.path), _text(a.fetched),
        _text(a.format), _text(a.external_id), json.dumps(a.extra, default=str, sort_keys=True),
    )


def _entity(row: dict[str, Any]) -> Entity:
    return Entity(row["key"], row["name"], row["label"], tuple(json.loads(row["aliases"])))


def _stored_article(row: dict[str, Any]) -> StoredArticle:
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
