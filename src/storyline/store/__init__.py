"""The `store` stage: one interface (`Store`), backends chosen by the database URL."""

from __future__ import annotations

from storyline.store.base import (
    AmbiguousId,
    Annotations,
    ArticleState,
    NotFound,
    Placement,
    QuerySyntaxError,
    SearchHit,
    SourceLines,
    Store,
    StoredArticle,
    StoredInferredDate,
    StoreError,
    StoryRebuild,
    StoryRecord,
    UpsertResult,
)

DEFAULT_DB = "storyline.db"

__all__ = [
    "DEFAULT_DB",
    "AmbiguousId",
    "Annotations",
    "ArticleState",
    "NotFound",
    "Placement",
    "QuerySyntaxError",
    "SearchHit",
    "SourceLines",
    "Store",
    "StoreError",
    "StoredArticle",
    "StoredInferredDate",
    "StoryRebuild",
    "StoryRecord",
    "UpsertResult",
    "default_db_url",
    "open_store",
]


def default_db_url() -> str:
    from storyline.settings import load_settings

    return load_settings().db or DEFAULT_DB


def open_store(url: str | None = None) -> Store:
    """Open (creating and upgrading as needed) the database at `url`: a path, sqlite:///path,
    or postgresql://... (the server backend)."""
    url = url or default_db_url()
    if url.startswith(("postgresql://", "postgres://")):
        try:
            from storyline.store.postgres import PostgresStore
        except ImportError as exc:  # pragma: no cover - psycopg is a dependency
            raise StoreError(f"the PostgreSQL backend needs psycopg 3 and psycopg-pool: {exc}") from exc
        return PostgresStore(url)
    from storyline.store.sqlite import SQLiteStore

    return SQLiteStore(url)
