"""The JSON API, version 1 (mounted under /api/v1). Every error is {"error": {"status", "message"}}."""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, field_validator

from storyline.model import Article
from storyline.serve.data import Catalog, StorySummary, entity_id, filter_stories
from storyline.serve.ratelimit import TokenBucketLimiter, retry_after

MAX_PAGE = 200
MAX_BATCH = 100

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_LANG = re.compile(r"^[a-z]{2}$")


class ErrorDetail(BaseModel):
    status: int
    message: str


class ErrorResponse(BaseModel):
    error: ErrorDetail


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": desc}
    for code, desc in ((400, "Bad request"), (404, "Not found"), (413, "Body too large"),
                       (422, "Invalid input"), (500, "Server error"))
}

router = APIRouter(responses=ERRORS)


def catalog(request: Request) -> Catalog:
    cat: Catalog = request.app.state.catalog
    return cat


CatalogDep = Annotated[Catalog, Depends(catalog)]


# -- models --------------------------------------------------------------------------------------


class StorySummaryOut(BaseModel):
    id: str
    title: str
    size: int = Field(description="articles, near-copies counted once")
    articles: int = Field(description="articles, near-copies included")
    sources: list[str]
    languages: list[str]
    first_date: str | None
    last_date: str | None
    last_update: str | None
    per_day: list[tuple[str, int]] = Field(description="articles per publication day (at most 60 days)")
    url: str


class StoryPage(BaseModel):
    total: int
    limit: int
    offset: int
    stories: list[StorySummaryOut]


class ArticleIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    text: str = Field(min_length=1, max_length=2_000_000, description="body text (HTML is cleaned)")
    title: str | None = Field(default=None, max_length=2000)
    url: str | None = Field(default=None, max_length=4000)
    source: str | None = Field(default=None, max_length=500, description="outlet name or domain")
    published: str | None = Field(default=None, description="ISO date or date-time")
    language: str | None = Field(default=None, description="ISO 639-1 code; detected when absent")

    @field_validator("text")
    @classmethod
    def _has_text(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("text is empty")
        return v

    @field_validator("published")
    @classmethod
    def _date(cls, v: str | None) -> str | None:
        if v is None or not v.strip():
            return None
        v = v.strip()
        if not (_DATE.match(v) or _DATETIME.match(v)):
            raise ValueError("published must be an ISO date (2024-02-19) or date-time (2024-02-19T10:30Z)")
        return v

    @field_validator("language")
    @classmethod
    def _lang(cls, v: str | None) -> str | None:
        if v is None or not v.strip():
            return None
        v = v.strip().lower()
        if not _LANG.match(v):
            raise ValueError("language must be an ISO 639-1 code such as 'en'")
        return v

    def to_article(self) -> Article:
        published, published_time = self.published, None
        if published and (m := _DATETIME.match(published)):
            published, published_time = m.group(1), m.group(2) + (m.group(3) or "")
        # Empty strings mean "unknown" (the store keys outlets by name: "" is not an outlet).
        return Article(text=self.text, title=self.title or None, url=(self.url or "").strip() or None,
                       source=(self.source or "").strip() or None,
                       published=published, published_time=published_time, language=self.language,
                       format="api")


class IngestedOut(BaseModel):
    id: str
    story_id: str | None
    duplicate_of: str | None
    version: int


class RejectedOut(BaseModel):
    input: str
    reason: str


class IngestOut(BaseModel):
    articles: list[IngestedOut]
    story_ids: list[str]
    rejected: list[RejectedOut]


# -- helpers -------------------------------------------------------------------------------------


def summary_json(s: StorySummary) -> dict[str, Any]:
    return {
        "id": s.id, "title": s.title, "size": s.size, "articles": s.count, "sources": list(s.sources),
        "languages": list(s.languages), "first_date": s.first_date, "last_date": s.last_date,
        "last_update": s.last_update, "per_day": s.per_day, "url": f"/api/v1/stories/{s.id}",
    }


def _check_date(name: str, value: str | None) -> str | None:
    if value is not None and not _DATE.match(value):
        raise HTTPException(400, f"{name} must be a date: YYYY, YYYY-MM or YYYY-MM-DD")
    return value


def token_matches(given: str, token: str) -> bool:
    """Constant time in the content and the length of both: digests of equal size are compared."""
    a = hashlib.sha256(given.encode("utf-8", "surrogateescape")).digest()
    b = hashlib.sha256(token.encode("utf-8", "surrogateescape")).digest()
    return hmac.compare_digest(a, b)


def require_writer(request: Request) -> None:
    """Writes need the bearer token when one is configured, and always beyond localhost."""
    token: str | None = request.app.state.token
    public: bool = request.app.state.public
    if token is None:
        if public:
            raise HTTPException(403, "writes are disabled: this server listens beyond localhost and has no "
                                     "STORYLINE_TOKEN configured")
        return
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    # Both checks always run: a wrong scheme costs the same time as a wrong token.
    ok = token_matches(given.strip(), token)
    if scheme.lower() != "bearer" or not ok:
        raise HTTPException(401, "missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"})


def limit_writes(request: Request) -> None:
    """The token bucket of the client: 429 (with Retry-After) when it is empty. Runs before the token
    check, so it also slows down token guessing."""
    limiter: TokenBucketLimiter | None = request.app.state.write_limiter
    if limiter is None:
        return
    client = request.client.host if request.client else "unknown"
    wait = limiter.acquire(client)
    if wait > 0:
        raise HTTPException(429, f"too many writes from {client}: retry in {retry_after(wait)} s",
                            headers={"Retry-After": retry_after(wait)})


# -- routes --------------------------------------------------------------------------------------

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"page size, at most {MAX_PAGE}")]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


@router.get("/stories", response_model=StoryPage, summary="Stories, most recently active first")
def list_stories(
    cat: CatalogDep,
    limit: Limit = 50,
    offset: Offset = 0,
    date_from: Annotated[str | None, Query(alias="from", description="YYYY[-MM[-DD]]")] = None,
    date_to: Annotated[str | None, Query(alias="to", description="YYYY[-MM[-DD]]")] = None,
    language: Annotated[str | None, Query(max_length=20)] = None,
    outlet: Annotated[str | None, Query(max_length=500)] = None,
    entity: Annotated[str | None, Query(max_length=500, description="entity id, key or name")] = None,
    q: Annotated[str | None, Query(max_length=1000, description="full-text query")] = None,
    sort: Annotated[Literal["updated", "size"], Query()] = "updated",
) -> dict[str, Any]:
    stories = filter_stories(
        cat, date_from=_check_date("from", date_from), date_to=_check_date("to", date_to), language=language,
        outlet=outlet, entity=entity, q=q, sort=sort,
    )
    page = stories[offset : offset + limit]
    return {"total": len(stories), "limit": limit, "offset": offset,
            "stories": [summary_json(s) for s in page]}


@router.get("/stories/{story_id}", summary="One story: the export contract's story object",
            response_model=dict[str, Any])
def get_story(story_id: str, cat: CatalogDep) -> Response:
    # The JSON is encoded once per state of the story (and here, in the threadpool, not on the loop).
    return Response(cat.story_entry(story_id).body, media_type="application/json")


@router.get("/stories/{story_id}/timeline", summary="A story's dated timeline")
def get_timeline(story_id: str, cat: CatalogDep) -> dict[str, Any]:
    story = cat.story(story_id)
    return {"story_id": story["id"], "timeline": story["timeline"]}


@router.get("/stories/{story_id}/facts", summary="A story's facts, cross-checked across outlets")
def get_facts(story_id: str, cat: CatalogDep) -> dict[str, Any]:
    story = cat.story(story_id)
    return {"story_id": story["id"], "facts": story["facts"]}


def article_json(cat: Catalog, article_id: str) -> dict[str, Any]:
    stored, ann = cat.article(article_id)
    art = stored.article
    mentions = []
    for m in ann.mentions:
        key = m.entity_key  # linked by the consolidation of the article's story
        mentions.append({"start": m.start, "end": m.end, "text": m.text, "label": m.label, "entity_key": key,
                         "entity_id": entity_id(key) if key else None})
    return {
        "id": stored.id, "version": stored.version, "story_id": stored.story_id,
        "duplicate_of": stored.duplicate_of, "title": art.title, "source": art.source, "url": art.url,
        "published": art.published, "published_time": art.published_time, "language": art.language,
        "authors": list(art.authors), "agency": art.agency, "path": art.path,
        "ingested_at": stored.ingested_at, "updated_at": stored.updated_at, "text": art.text,
        "annotations": {
            "mentions": mentions,
            "timexes": [{"start": t.start, "end": t.end, "text": t.text, "type": t.type, "value": t.value,
                         "anchored": t.anchored} for t in ann.timexes],
            "quantities": [{"start": q.start, "end": q.end, "text": q.text, "value": q.value,
                            "value_max": q.value_max, "unit": q.unit, "kind": q.kind,
                            "approximate": q.approximate, "measured": q.measured, "normalized": q.normalized}
                           for q in ann.quantities],
            "notes": dict(ann.notes),
        },
    }


@router.get("/articles/{article_id}", summary="One article: metadata, cleaned text, annotations (offsets)")
def get_article(article_id: str, cat: CatalogDep) -> dict[str, Any]:
    return article_json(cat, article_id)


@router.get("/entities/{entity_ref}", summary="A canonical entity: aliases and stories")
def get_entity(entity_ref: str, cat: CatalogDep) -> dict[str, Any]:
    view = cat.view(entities=True)
    found = view.find_entity(entity_ref)
    if found is None:
        raise HTTPException(404, f"no entity with id {entity_ref!r}")
    stories = sorted((view.stories[s] for s in found.per_story), key=lambda s: (s.first_date or "", s.id))
    return {
        "id": found.id, "key": found.key, "name": found.name, "type": found.label,
        "aliases": list(found.aliases), "articles": found.articles,
        "stories": [summary_json(s) for s in stories],
    }


@router.get("/search", summary="Full-text search over articles; the stories they belong to")
def search(
    cat: CatalogDep,
    q: Annotated[str, Query(min_length=1, max_length=1000, description='words, "phrases", prefix*')],
    limit: Limit = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    hits = cat.search(q, limit=limit, offset=offset)
    view = cat.view()
    stories: dict[str, dict[str, Any]] = {}
    for h in hits:
        summary = view.story_of(h.story_id)
        if summary is not None:
            entry = stories.setdefault(summary.id, {**summary_json(summary), "hits": 0})
            entry["hits"] += 1
    return {
        "query": q, "limit": limit, "offset": offset,
        "articles": [{"id": h.article_id, "title": h.title, "source": h.source, "published": h.published,
                      "snippet": h.snippet, "score": h.score, "story_id": h.story_id} for h in hits],
        "stories": list(stories.values()),
    }


@router.post(
    "/articles", status_code=201, response_model=IngestOut,
    summary="Ingest one article or a batch: cleaned, enriched, stored and clustered at once",
    responses={401: {"model": ErrorResponse, "description": "Token missing or wrong"},
               403: {"model": ErrorResponse, "description": "Writes disabled"},
               429: {"model": ErrorResponse, "description": "Too many writes from this client"}},
    dependencies=[Depends(limit_writes), Depends(require_writer)],
)
async def post_articles(
    cat: CatalogDep,
    body: Annotated[ArticleIn | list[ArticleIn], Body()],
) -> dict[str, Any]:
    items = body if isinstance(body, list) else [body]
    if not items:
        raise HTTPException(422, "invalid request: the batch is empty")
    if len(items) > MAX_BATCH:
        raise HTTPException(413, f"at most {MAX_BATCH} articles per request")
    stored, rejected = await run_in_threadpool(cat.ingest, [i.to_article() for i in items])
    if not stored:
        reasons = "; ".join(r["reason"] for r in rejected[:5]) or "nothing stored"
        raise HTTPException(422, f"no article stored: {reasons}")
    story_ids = list(dict.fromkeys(s["story_id"] for s in stored if s["story_id"]))
    return {"articles": stored, "story_ids": story_ids, "rejected": rejected}
