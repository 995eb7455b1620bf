"""The `store` stage: one interface (`Store`), backends chosen by the database URL."""

from __future__ import annotations

import os

from storyline.store.base import (
    AmbiguousId,
    Annotations,
    NotFound,
    QuerySyntaxError,
    SearchHit,
    Store,
    StoredArticle,
    StoreError,
    StoryRecord,
    UpsertResult,
)

DEFAULT_DB = "storyline.db"

__all__ = [
    "DEFAULT_DB",
    "AmbiguousId",
    "Annotations",
    "NotFound",
    "QuerySyntaxError",
    "SearchHit",
    "Store",
    "StoreError",
    "StoredArticle",
    "StoryRecord",
    "UpsertResult",
    "default_db_url",
    "open_store",
]


def default_db_url() -> str:
    return os.environ.get("STORYLINE_DB") or DEFAULT_DB


def open_store(url: str | None = None) -> Store:
    """Open (creating and upgrading as needed) the database at `url`: a path, sqlite:///path,
    or postgresql://... (the server backend)."""
    url = url or default_db_url()
    if url.startswith(("postgresql://", "postgres://")):
        raise StoreError(f"{url}: the PostgreSQL backend is not available in this version")
    from storyline.store.sqlite import SQLiteStore

    return SQLiteStore(url)
