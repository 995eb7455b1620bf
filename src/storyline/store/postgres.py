"""PostgreSQL backend (for servers): psycopg 3 with a connection pool, tsvector + GIN full-text
index, pg_trgm trigram index on entity names.

The SQL, the records and their semantics are shared with SQLite (`storyline.store.sql`); this
module holds the schema and what differs, which is mostly concurrency. Several processes may write
at once:
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

import functools
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from storyline.model import Entity
from storyline.settings import load_settings
from storyline.store.base import StoreError, fold_name, parse_query, redact_url
from storyline.store.sql import (
    CURATIONS_DDL,
    INFERRED_DATES_DDL,
    LIVE_TABLES_DDL,
    SOURCE_TEMPLATES_DDL,
    SQLStore,
    T,
    Tx,
    now,
    stored_entity,
)

# Advisory lock keys (any 64-bit constants private to storyline).
_LOCK_MIGRATE = 0x5354_4F52_594C_0001
_LOCK_CLUSTER = 0x5354_4F52_594C_0002

# Text longer than this is not indexed for search (a tsvector holds at most 1 MB).
FTS_MAX_CHARS = 200_000
_HEADLINE = 'StartSel="[", StopSel="]", MaxWords=24, MinWords=8, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "'
# ts_rank_cd weights {D, C, B, A}: title (A) counts ten times the body (B), as in SQLite's bm25.
_WEIGHTS = "{0.1, 0.1, 0.1, 1.0}"


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
    # 4: feeds followed live and the entries seen in each; watches, their alerts and webhook deliveries
    LIVE_TABLES_DDL.format(key='TEXT COLLATE "C"'),
    # 5: consolidated stories, by story version (storyline.consolidate.stored)
    """
    CREATE TABLE consolidations (
        story_id TEXT COLLATE "C" PRIMARY KEY,
        version TEXT NOT NULL,
        payload TEXT NOT NULL,
        summary TEXT NOT NULL,
        computed_at TEXT NOT NULL
    );
    """,
    # 6: hand-curation decisions (storyline.curate): the audit trail, and constraints on clustering
    CURATIONS_DDL.format(key='TEXT COLLATE "C"'),
    # 7 (self-contained): each article's multilingual vector (storyline.embed: float16 bytes), NULL until computed
    """
    ALTER TABLE articles ADD COLUMN vector BYTEA;
    """,
    # 8 (self-contained): source templates (storyline.clean.templates): per-source line fingerprints
    SOURCE_TEMPLATES_DDL,
    # 9 (self-contained): publication dates inferred
    # for undated articles, with their evidence (storyline.consolidate.inferred_dates)
    INFERRED_DATES_DDL.format(key='TEXT COLLATE "C"', real="DOUBLE PRECISION"),
]

SCHEMA_VERSION = len(_MIGRATIONS)

_CURSORS = itertools.count()  # names of server-side cursors
_RETRYABLE = (pg_errors.DeadlockDetected, pg_errors.SerializationFailure)


def _text(value: Any) -> Any:
    """PostgreSQL text cannot hold NUL characters: store U+FFFD instead (SQLite keeps them)."""
    if isinstance(value, str) and "\x00" in value:
        return value.replace("\x00", "\ufffd")
    return value


@functools.lru_cache(maxsize=512)
def _pg_sql(sql: str) -> str:
    """The shared SQL with psycopg's placeholders (it holds no other `?` or `%`)."""
    return sql.replace("%", "%%").replace("?", "%s")


class PgTx(Tx):
    def sql(self, sql: str) -> str:
        return _pg_sql(sql)

    def params(self, params: Sequence[Any]) -> Sequence[Any]:
        return [_text(v) for v in params]

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(self.sql(sql), self.params(params))

    def many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        batch = [self.params(r) for r in rows]
        if batch:
            with self.conn.cursor() as cur:
                cur.executemany(self.sql(sql), batch)


def _tsquery(query: str) -> str:
    """A to_tsquery() string built only from the words of `parse_query`, each one quoted."""
    parts = []
    for phrase, prefix in parse_query(query):
        words = ["'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in phrase.split()]
        if prefix:
            words[-1] += ":*"
        parts.append(" <-> ".join(words))
    return " & ".join(f"({p})" for p in parts)


class PostgresStore(SQLStore):
    FOR_UPDATE = " FOR UPDATE"
    ARTICLE_SEQ = "nextval('articles_seq_counter')"
    ROW_ORDER = "ord"
    NO_LIMIT = None

    def __init__(self, url: str, *, migrate_to: int = SCHEMA_VERSION, pool_size: int | None = None) -> None:
        self.url = url
        self._shown = redact_url(url)
        size = pool_size or load_settings().pg_pool
        self._init_cluster_lock()
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

    # -- connections ----------------------------------------------------------------------------
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
                    "INSERT INTO schema_migrations(version, applied_at) VALUES (%s, %s)", (version + 1, now())
                )

    @staticmethod
    def _version(conn: psycopg.Connection[Any]) -> int:
        row = conn.execute("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations").fetchone()
        return int(row["v"]) if row else 0

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

    @contextmanager
    def _read(self) -> Iterator[Tx]:
        with self._conn() as conn:
            yield PgTx(conn)

    def _write(self, fn: Callable[[Tx], T], *, retry: bool = True) -> T:
        attempts = 5 if retry else 1
        for attempt in range(attempts):
            try:
                with self._conn() as conn, conn.transaction():
                    return fn(PgTx(conn))
            except _RETRYABLE:
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    @contextmanager
    def _snapshot(self) -> Iterator[Tx]:
        with self._conn() as conn:
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")  # one snapshot
            yield PgTx(conn)

    def _stream(self, tx: Tx, sql: str) -> Iterator[Any]:
        with tx.conn.cursor(name=f"dump_{next(_CURSORS)}", row_factory=dict_row) as cur:
            cur.itersize = 1000
            cur.execute(sql)
            yield from cur

    def schema_version(self) -> int:
        with self._conn() as conn:
            return self._version(conn)

    def close(self) -> None:
        self._pool.close()

    def _shown_url(self) -> str:
        return self._shown

    # -- locks and counters ---------------------------------------------------------------------
    def _lock_table(self, tx: Tx, table: str) -> None:
        tx.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")

    def _next_cluster_seq(self, tx: Tx) -> int:
        # The counter row is locked until commit: it serialises assignments, so they never deadlock.
        return int(tx.first("UPDATE counters SET value = value + 1 WHERE name = 'cluster_seq' RETURNING value")["value"])

    def _after_reset(self, tx: Tx) -> None:
        tx.execute("UPDATE counters SET value = 0 WHERE name = 'cluster_seq'")

    def _after_load(self, tx: Tx) -> None:
        tx.execute(
            "SELECT setval('articles_seq_counter', GREATEST((SELECT MAX(seq) FROM articles), 1),"
            " (SELECT COUNT(*) > 0 FROM articles))"
        )
        tx.execute(
            "UPDATE counters SET value = COALESCE((SELECT MAX(cluster_seq) FROM articles), 0) WHERE name = 'cluster_seq'"
        )

    @contextmanager
    def _hold_cluster_lock(self) -> Iterator[None]:
        """A session-level advisory lock on a connection held for the whole block. If this process
        dies, the server ends the session and the lock goes with it."""
        with self._conn() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_CLUSTER,))
            conn.commit()  # back to idle: the lock belongs to the session, not to a transaction
            try:
                yield
            finally:
                if not conn.closed:
                    conn.rollback()
                    conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_CLUSTER,))
                    conn.commit()

    # -- full-text search (a generated tsvector column: nothing to index by hand) ---------------------
    def _fts_query(self, query: str) -> str:
        return _tsquery(query)

    def _search(self, tx: Tx, fts: Any, limit: int, offset: int) -> list[Any]:
        # Ranking and highlighting are computed for the requested page only.
        return list(tx.conn.execute(
            "WITH q AS (SELECT to_tsquery('storyline_fts', %(q)s) AS q),"
            " hits AS (SELECT a.id, ts_rank_cd(%(w)s::float4[], a.fts, q.q, 1) AS score"
            "   FROM articles a, q WHERE a.fts @@ q.q ORDER BY score DESC, a.seq LIMIT %(limit)s OFFSET %(offset)s)"
            " SELECT a.id, a.title, a.source, a.published, a.story_id, h.score,"
            "  ts_headline('storyline_fts', a.text, q.q, %(opts)s) AS snippet"
            " FROM hits h JOIN articles a ON a.id = h.id, q ORDER BY h.score DESC, a.seq",
            {"q": fts, "w": _WEIGHTS, "limit": limit, "offset": offset, "opts": _HEADLINE},
        ).fetchall())

    # -- entity names (pg_trgm) -----------------------------------------------------------------
    def _index_entity_names(self, tx: Tx, entities: Sequence[Entity]) -> None:
        if not entities:
            return
        tx.execute("DELETE FROM entity_names WHERE key = ANY(?)", ([_text(e.key) for e in entities],))
        rows = dict.fromkeys((e.key, n) for e in entities for n in (fold_name(x) for x in (e.name, *e.aliases)) if n)
        tx.many("INSERT INTO entity_names(key, name) VALUES (?, ?)", list(rows))

    def find_entities(self, name: str, *, limit: int = 10, threshold: float = 0.3) -> list[Entity]:
        """Trigram search (pg_trgm, GIN index) over entity names and aliases, best first."""
        needle = _text(fold_name(name))
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
        return [stored_entity(r) for r in rows]

    # -- whole-database copy: COPY instead of row inserts -----------------------------------------
    def _load_rows(self, tx: Tx, table: str, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> int:
        cols = ", ".join(f'"{c}"' for c in columns)
        n = 0
        derived: list[dict[str, Any]] = []
        with tx.conn.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([_text(row[c]) for c in columns])
                if table == "entities":
                    derived.append(row)
                n += 1
        self._derived_rows(tx, table, derived)
        return n


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
