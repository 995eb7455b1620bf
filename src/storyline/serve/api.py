"""The JSON API, version 1 (mounted under /api/v1). Every error is {"error": {"status", "message"}}."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import replace
from typing import Annotated, Any, Literal

import lxml.etree
import lxml.html
from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from storyline.config import SERVE
from storyline.model import Article, Rejection
from storyline.read import detect_format
from storyline.read.html import html_to_article
from storyline.serve.data import Catalog, StorySummary, entity_id, filter_stories
from storyline.serve.ratelimit import TokenBucketLimiter, retry_after
from storyline.store import StoredInferredDate

# The page cap of the API schema (ServeConfig.max_page of the defaults: the schema is built when this
# module loads; a configured cap lower than it is applied per request by `page_limit`).
MAX_PAGE = SERVE.max_page

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
    size: int = Field(description="reports: articles, a near-copy of another article of the story not "
                                  "counted (see storyline.counts)")
    articles: int = Field(description="articles, near-copies included")
    sources: list[str] = Field(description="outlets: distinct outlet names of the articles, near-copies "
                                           "included")
    unnamed_outlets: int = Field(0, description="articles with no outlet name (not counted as outlets)")
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

    text: str | None = Field(
        default=None, min_length=1, max_length=2_000_000,
        description="body text; text that is HTML (tags such as <p> or <div>, or a whole page) is read "
                    "like an HTML file: main text extracted, markup and boilerplate dropped")
    html: str | None = Field(
        default=None, min_length=1, max_length=2_000_000,
        description="the article as HTML (a whole page or a fragment), read like an HTML file: main text, "
                    "title, outlet, date and language are taken from the page where the fields above do "
                    "not give them. Give `text` or `html`, not both")
    format: Literal["auto", "text", "html"] = Field(
        default="auto",
        description="how `text` is read: auto (HTML when it has markup, else plain text), text (plain text, "
                    "a '<' is a character: for articles about markup) or html")
    title: str | None = Field(default=None, max_length=2000)
    url: str | None = Field(default=None, max_length=4000)
    source: str | None = Field(default=None, max_length=500, description="outlet name or domain")
    published: str | None = Field(default=None, description="ISO date or date-time")
    language: str | None = Field(default=None, description="ISO 639-1 code; detected when absent")

    @field_validator("text", "html")
    @classmethod
    def _has_text(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is not None and not v.strip():
            raise ValueError(f"{info.field_name} is empty")
        return v

    @model_validator(mode="after")
    def _text_or_html(self) -> ArticleIn:
        if (self.text is None) == (self.html is None):
            raise ValueError("give the article as `text` or as `html` (one of them)")
        return self

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

    def to_article(self, where: str = "api") -> Article | Rejection:
        """The article, read through the same HTML reader as files when it is HTML (the cleaner then
        runs on it at ingest like on any article); a Rejection when an HTML body has no text."""
        published, published_time = self.published, None
        if published and (m := _DATETIME.match(published)):
            published, published_time = m.group(1), m.group(2) + (m.group(3) or "")
        url = (self.url or "").strip() or None
        # Empty strings mean "unknown" (the store keys outlets by name: "" is not an outlet).
        fields = {"title": self.title or None, "source": (self.source or "").strip() or None,
                  "published": published, "published_time": published_time, "language": self.language}
        if self.html is not None:
            markup: str | None = self.html
        elif self.format == "html" or (self.format == "auto" and looks_like_html(self.text)):
            markup = self.text
        else:
            markup = None
        if markup is None:
            return Article(text=self.text or "", url=url, format="api", title=self.title or None,
                           source=fields["source"], published=published, published_time=published_time,
                           language=self.language)
        page = html_article(markup, where, url)
        if isinstance(page, Rejection):
            return page
        given: dict[str, Any] = {k: v for k, v in fields.items() if v is not None}
        given["path"] = None
        if "published" in given:
            given.setdefault("published_time", None)
        return replace(page, **given)


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

# Markup in a `text` body: a closing tag of an HTML element, a void element, or a document type.
_MARKUP = re.compile(
    r"</(?:p|div|span|a|b|i|u|em|strong|small|li|ul|ol|dl|dd|dt|h[1-6]|section|article|aside|main|header|"
    r"footer|nav|table|thead|tbody|tr|td|th|blockquote|figure|figcaption|script|style|noscript|body|html|head|"
    r"title|form|button|label|iframe|time|q|cite|sup|sub)\s*>|<(?:br|hr|img|meta|link|input)\b[^<>]*>"
    r"|<!doctype\s+html",
    re.IGNORECASE,
)


def looks_like_html(text: str | None) -> bool:
    """Whether a `text` body is HTML rather than plain text (a lone "a < b" is not)."""
    return bool(text) and (_MARKUP.search(text or "") is not None
                           or detect_format((text or "")[:65536].encode("utf-8", "replace"), "api") == "html")


_BLOCKS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
           "blockquote", "figure", "header", "footer", "table", "ul", "ol", "dd", "dt", "pre")


def html_article(markup: str, where: str, url: str | None) -> Article | Rejection:
    """HTML read like an HTML file (`storyline.read.html`); a fragment too short for main-text
    extraction falls back to its visible text, scripts, styles and forms dropped."""
    data = markup.encode("utf-8", "surrogatepass")
    page = html_to_article(data, where, url=url, fmt="api")
    if isinstance(page, Article):
        return page
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return page
    for junk in list(root.iter("script", "style", "noscript", "template", "form", "button", "nav", "iframe")):
        junk.drop_tree()
    for block in root.iter(*_BLOCKS):
        block.tail = "\n\n" + (block.tail or "")
        if block.tag != "br":
            block.text = "\n\n" + (block.text or "")
    paragraphs = [" ".join(p.split()) for p in root.text_content().split("\n\n")]
    text = "\n\n".join(p for p in paragraphs if p)
    if not text:
        return page
    return Article(text=text, url=url, path=where, format="api", raw=data)



def summary_json(s: StorySummary) -> dict[str, Any]:
    return {
        "id": s.id, "title": s.title, "size": s.size, "articles": s.count, "sources": list(s.sources),
        "unnamed_outlets": s.unnamed,
        "languages": list(s.languages), "first_date": s.first_date, "last_date": s.last_date,
        "last_update": s.last_update, "per_day": s.per_day, "url": f"/api/v1/stories/{s.id}",
    }


def is_date(value: str) -> bool:
    """YYYY, YYYY-MM or YYYY-MM-DD naming a real year, month or day (not 2024-13-45)."""
    import datetime as dt

    if not _DATE.match(value):
        return False
    parts = [int(p) for p in value.split("-")]
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return parts[0] >= 1


def check_date(name: str, value: str | None) -> str | None:
    """The query parameter `name` when it is a date, None when absent or empty; else a 400."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not is_date(value):
        raise HTTPException(400, f"{name} must be a date: YYYY, YYYY-MM or YYYY-MM-DD, not {value[:40]!r}")
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


def page_limit(cat: Catalog, limit: int) -> int:
    """The page size asked, within the configured cap (`ServeConfig.max_page`)."""
    return min(limit, cat.config.serve.max_page)


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
        cat, date_from=check_date("from", date_from), date_to=check_date("to", date_to), language=language,
        outlet=outlet, entity=entity, q=q, sort=sort,
    )
    limit = page_limit(cat, limit)
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


def _inferred_json(found: StoredInferredDate | None) -> dict[str, Any] | None:
    """An undated article's inferred publication date (never its stated one), its evidence, and its
    relative expressions resolved from it, each marked inferred."""
    if found is None:
        return None
    return {"date": found.date, "inferred": True, "method": found.method, "confidence": found.confidence,
            "story_id": found.story_id, "evidence": found.evidence, "computed_at": found.computed_at,
            "resolved": [{"start": t.start, "end": t.end, "text": t.text, "type": t.type, "value": t.value,
                          "inferred": True} for t in found.resolved]}


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
        "published_inferred": _inferred_json(cat.inferred_date(stored.id)) if not art.published else None,
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
        "aliases": list(found.aliases), "articles": found.articles, "reports": found.reports,
        "stories": [summary_json(s) for s in stories],
    }


@router.get("/search", summary="Full-text search over articles; the stories they belong to")
def search(
    cat: CatalogDep,
    q: Annotated[str, Query(min_length=1, max_length=1000, description='words, "phrases", prefix*')],
    limit: Limit = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    limit = page_limit(cat, limit)
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
    max_batch = cat.config.serve.max_batch
    if len(items) > max_batch:
        raise HTTPException(413, f"at most {max_batch} articles per request")
    articles = [item.to_article(f"api[{n}]" if len(items) > 1 else "api") for n, item in enumerate(items)]
    stored, rejected = await run_in_threadpool(cat.ingest, articles)
    if not stored:
        reasons = "; ".join(r["reason"] for r in rejected[:5]) or "nothing stored"
        raise HTTPException(422, f"no article stored: {reasons}")
    story_ids = list(dict.fromkeys(s["story_id"] for s in stored if s["story_id"]))
    return {"articles": stored, "story_ids": story_ids, "rejected": rejected}
