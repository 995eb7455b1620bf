"""The live parts of the server (issue 16): feeds followed, watches and their alerts, hand curation,
as JSON under /api/v1 (writes token-protected like POST /articles), as pages, and as Atom feeds.

Web forms write only on a loopback server with no token configured (a browser form cannot send the
bearer token): the same rule as an API write there, plus a same-origin check (the Origin header, else
the Referer, must name this server) so another site cannot post a form to it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from storyline import curate
from storyline.curate.decision import Decision
from storyline.exports import ATOM_TYPE, alerts_atom, story_atom
from storyline.feeds.poll import PollReport
from storyline.feeds.state import Feed, parse_every
from storyline.serve.api import ERRORS, ErrorResponse, limit_writes, require_writer
from storyline.serve.app import is_loopback
from storyline.serve.data import Catalog
from storyline.watches.model import WATCH_KINDS, Alert, Watch, watch_id

WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "Token missing or wrong"},
    403: {"model": ErrorResponse, "description": "Writes disabled"},
    429: {"model": ErrorResponse, "description": "Too many writes from this client"},
}
WRITES = [Depends(limit_writes), Depends(require_writer)]

api = APIRouter(responses=ERRORS)
pages = APIRouter(include_in_schema=False)


def _cat(request: Request) -> Catalog:
    cat: Catalog = request.app.state.catalog
    return cat


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def who(request: Request) -> str:
    """Who a decision is recorded as: the token's name (the part before ':' of a token written
    name:secret, else "token"), or "api" on a loopback server without a token."""
    token: str | None = request.app.state.token
    if not token:
        return "api"
    name, sep, _ = token.partition(":")
    return name.strip() or "token" if sep else "token"


# -- JSON shapes -----------------------------------------------------------------------------------


def feed_json(f: Feed) -> dict[str, Any]:
    return {"id": f.id, "url": f.url, "title": f.title, "every_seconds": f.every_seconds, "added_at": f.added_at,
            "last_poll": f.last_poll, "next_poll": f.next_poll, "status": f.status, "error": f.error,
            "failures": f.failures, "articles": f.articles}


def watch_json(w: Watch) -> dict[str, Any]:
    return {"id": w.id, "kind": w.kind, "value": w.value, "created_at": w.created_at, "webhook": w.webhook,
            "growth": w.growth, "alerts_atom": f"/watches/{w.id}/alerts.atom"}


def alert_json(a: Alert) -> dict[str, Any]:
    return {"id": a.id, "watch_id": a.watch_id, "event": a.event, "story_id": a.story_id, "title": a.title,
            "detail": a.detail, "created_at": a.created_at, "story_url": f"/api/v1/stories/{a.story_id}"}


def decision_json(d: Decision) -> dict[str, Any]:
    return {"id": d.id, "action": d.action, "args": d.args, "who": d.who, "at": d.at, "active": d.active,
            "undone_at": d.undone_at, "undone_by": d.undone_by, "description": d.describe()}


class FeedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=8, max_length=2000, pattern=r"^https?://\S+$", description="RSS, Atom, JSON Feed "
                     "or news sitemap URL")
    every: str = Field("15m", max_length=20, description="polling interval: 90s, 15m, 2h, 1d")


class FeedOut(BaseModel):
    id: str
    url: str
    title: str | None
    every_seconds: int
    added_at: str | None
    last_poll: str | None
    next_poll: str | None
    status: str
    error: str | None
    failures: int
    articles: int = Field(description="articles brought in over the feed's life")


class WatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["entity", "query", "outlet"]
    value: str = Field(min_length=1, max_length=500, pattern=r"\S")
    webhook: str | None = Field(None, max_length=2000, pattern=r"^https?://\S+$")
    secret: str | None = Field(None, min_length=8, max_length=200, description="HMAC-SHA256 key of the webhook "
                               "signature (default: a new random one, returned once)")
    growth: int = Field(5, ge=1, le=100_000, description="alert again each time a story gains this many reports")


class WatchOut(BaseModel):
    id: str
    kind: str
    value: str
    created_at: str
    webhook: str | None
    growth: int
    alerts_atom: str
    secret: str | None = None


class AlertOut(BaseModel):
    id: str
    watch_id: str
    event: str
    story_id: str
    title: str
    detail: str
    created_at: str
    story_url: str


class DecisionOut(BaseModel):
    id: str
    action: str
    args: dict[str, Any]
    who: str
    at: str
    active: bool
    undone_at: str | None
    undone_by: str | None
    description: str


Ident = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[\w.:-]+$")]


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    story: Ident = Field(description="the story kept")
    other: Ident = Field(description="the story merged into it")


class MoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    article: Ident
    story: Ident = Field(description='the target story, or "new" for a story of its own')


class SplitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    story: Ident
    articles: list[Ident] = Field(min_length=1, max_length=10_000)


class RetitleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    story: Ident
    title: str = Field(min_length=1, max_length=500, pattern=r"\S")


class UndoIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Ident


# -- the operations, shared by the API and the pages ---------------------------------------------------


def check_url(url: str) -> str:
    """An http(s) URL with a host and no spaces or control characters, else a 400."""
    import httpx

    url = url.strip()
    bad = HTTPException(400, "a feed URL is http:// or https://, a host, and no spaces or control characters")
    if not url.startswith(("http://", "https://")) or any(c.isspace() or not c.isprintable() for c in url):
        raise bad
    try:
        if not httpx.URL(url).host:
            raise bad
    except httpx.InvalidURL:
        raise bad from None
    return url


def add_feed(cat: Catalog, url: str, every: str) -> Feed:
    url = check_url(url)
    try:
        seconds = parse_every(every)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    with cat.write_lock:
        return cat.store.add_feed(url, seconds)


def remove_feed(cat: Catalog, ident: str) -> Feed:
    with cat.write_lock:
        return cat.store.remove_feed(ident)


def poll_now(store_url: str) -> list[PollReport]:
    """Poll every followed feed once, now (`storyline watch --once`), on a store of its own: the
    server's writer is not held while feeds are fetched."""
    from storyline.feeds.fetch import Fetcher
    from storyline.feeds.poll import poll_due
    from storyline.store import open_store

    with open_store(store_url) as store, Fetcher() as fetcher:
        return poll_due(store, fetcher, every_feed=True)


def list_feeds(cat: Catalog) -> list[Feed]:
    with cat.readers.get() as store:
        return store.list_feeds()


def curation(cat: Catalog, action: str, *args: Any, who: str) -> Decision:
    """Take a decision through the writer store (the stories it changed are consolidated at once)."""
    ops: dict[str, Callable[..., Decision]] = {"merge": curate.merge, "move": curate.move, "split": curate.split, "retitle": curate.retitle,
           "undo": curate.undo}
    try:
        with cat.write_lock:
            decision: Decision = ops[action](cat.store, *args, who=who)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    return decision


def decisions(cat: Catalog) -> list[Decision]:
    with cat.readers.get() as store:
        return list(reversed(store.list_curations()))


# -- API -------------------------------------------------------------------------------------------


@api.get("/feeds", response_model=list[FeedOut], summary="The feeds followed: last poll, status, articles")
def api_feeds(request: Request) -> list[dict[str, Any]]:
    return [feed_json(f) for f in list_feeds(_cat(request))]


@api.post("/feeds", status_code=201, response_model=FeedOut, summary="Follow a feed",
          responses=WRITE_ERRORS, dependencies=WRITES)
def api_add_feed(request: Request, body: FeedIn) -> dict[str, Any]:
    return feed_json(add_feed(_cat(request), body.url, body.every))


@api.delete("/feeds/{feed_id}", response_model=FeedOut, summary="Stop following a feed (its articles stay)",
            responses=WRITE_ERRORS, dependencies=WRITES)
def api_remove_feed(request: Request, feed_id: str) -> dict[str, Any]:
    return feed_json(remove_feed(_cat(request), feed_id))


@api.get("/watches", response_model=list[WatchOut], summary="The watches")
def api_watches(request: Request) -> list[dict[str, Any]]:
    with _cat(request).readers.get() as store:
        return [watch_json(w) for w in store.list_watches()]


@api.post("/watches", status_code=201, response_model=WatchOut, responses=WRITE_ERRORS, dependencies=WRITES,
          summary="Watch an entity, a query or an outlet: alerts on new stories, growth, conflicting facts")
def api_add_watch(request: Request, body: WatchIn) -> dict[str, Any]:
    assert body.kind in WATCH_KINDS
    value = body.value.strip()
    key = (body.secret or secrets.token_hex(16)) if body.webhook else None
    cat = _cat(request)
    with cat.write_lock:
        watch = cat.store.add_watch(Watch(watch_id(body.kind, value, body.webhook), body.kind, value, _now(),
                                          body.webhook, key, body.growth))
    return {**watch_json(watch), "secret": key if body.webhook and not body.secret else None}


@api.delete("/watches/{watch_id}", response_model=WatchOut, summary="Remove a watch and its alerts",
            responses=WRITE_ERRORS, dependencies=WRITES)
def api_remove_watch(request: Request, watch_id: str) -> dict[str, Any]:
    cat = _cat(request)
    with cat.write_lock:
        return watch_json(cat.store.remove_watch(watch_id))


@api.get("/alerts", response_model=list[AlertOut], summary="The newest alerts, of every watch or one")
def api_alerts(
    request: Request,
    watch: Annotated[str | None, Query(max_length=200, description="watch id or id prefix")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    with _cat(request).readers.get() as store:
        wid = store.get_watch(watch).id if watch else None
        return [alert_json(a) for a in store.list_alerts(watch_id=wid, limit=limit)]


@api.get("/decisions", response_model=list[DecisionOut], summary="Hand-curation decisions, newest first "
         "(the audit list, undone ones included)")
def api_decisions(request: Request) -> list[dict[str, Any]]:
    return [decision_json(d) for d in decisions(_cat(request))]


_CURATE: dict[str, Any] = {"responses": WRITE_ERRORS, "dependencies": WRITES, "status_code": 201, "response_model": DecisionOut}


@api.post("/curation/merge", summary="Merge story `other` into `story`", **_CURATE)
async def api_merge(request: Request, body: MergeIn) -> dict[str, Any]:
    d = await run_in_threadpool(curation, _cat(request), "merge", body.story, body.other, who=who(request))
    return decision_json(d)


@api.post("/curation/move", summary='Move an article to a story (or "new")', **_CURATE)
async def api_move(request: Request, body: MoveIn) -> dict[str, Any]:
    d = await run_in_threadpool(curation, _cat(request), "move", body.article, body.story, who=who(request))
    return decision_json(d)


@api.post("/curation/split", summary="Split articles from a story into a new story", **_CURATE)
async def api_split(request: Request, body: SplitIn) -> dict[str, Any]:
    d = await run_in_threadpool(curation, _cat(request), "split", body.story, body.articles, who=who(request))
    return decision_json(d)


@api.post("/curation/retitle", summary="Give a story a title of your choosing", **_CURATE)
async def api_retitle(request: Request, body: RetitleIn) -> dict[str, Any]:
    d = await run_in_threadpool(curation, _cat(request), "retitle", body.story, body.title, who=who(request))
    return decision_json(d)


@api.post("/curation/undo", summary="Undo a decision (the stories are rebuilt without it)", **_CURATE)
async def api_undo(request: Request, body: UndoIn) -> dict[str, Any]:
    d = await run_in_threadpool(curation, _cat(request), "undo", body.decision, who=who(request))
    return decision_json(d)


# -- Atom ------------------------------------------------------------------------------------------


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@pages.get("/stories/{story_id}.atom")
def story_feed(request: Request, story_id: str) -> Response:
    entry = _cat(request).story_entry(story_id)
    updated = (entry.computed_at or _now())[:19] + "Z"
    return Response(story_atom(entry.story, _base(request), updated), media_type=ATOM_TYPE)


@pages.get("/watches/{watch_id}/alerts.atom")
def alerts_feed(request: Request, watch_id: str) -> Response:
    with _cat(request).readers.get() as store:
        watch = store.get_watch(watch_id)
        alerts = store.list_alerts(watch_id=watch.id, limit=200)
    return Response(alerts_atom(watch, alerts, _base(request), _now()), media_type=ATOM_TYPE)


# -- pages -----------------------------------------------------------------------------------------


def require_form_writer(request: Request) -> None:
    """Web forms write on a loopback server without a token only, and from this server's own pages."""
    if request.app.state.public or request.app.state.token:
        raise HTTPException(403, "the web forms write only on a server on localhost without STORYLINE_TOKEN; "
                                 "use the API with the token")
    client = request.client.host if request.client else ""
    if client not in ("testclient",) and not is_loopback(client):
        raise HTTPException(403, "the web forms write only for clients on this machine")
    # Same origin: the browser's Sec-Fetch-Site says so, else the Origin (or Referer) names this server.
    # (Pages are served with Referrer-Policy no-referrer: a browser then sends "Origin: null" on a form
    # post, and only Sec-Fetch-Site tells.)
    site = request.headers.get("sec-fetch-site")
    here = urlsplit(str(request.base_url)).netloc
    origin = request.headers.get("origin") or request.headers.get("referer") or ""
    if site != "same-origin" and (site is not None or urlsplit(origin).netloc != here):
        raise HTTPException(403, "a form of another site cannot write here")


async def form(request: Request) -> dict[str, str]:
    body = (await request.body()).decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}


FormWriter = [Depends(limit_writes), Depends(require_form_writer)]


def _back(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@pages.get("/feeds")
def feeds_page(request: Request) -> Response:
    from storyline.serve.web import render

    return render(request, "feeds.html", nav="feeds", feeds=list_feeds(_cat(request)))


@pages.post("/feeds", dependencies=FormWriter)
async def feeds_add_form(request: Request) -> Response:
    data = await form(request)
    await run_in_threadpool(add_feed, _cat(request), data.get("url", ""), data.get("every", "15m") or "15m")
    return _back("/feeds")


@pages.post("/feeds/poll", dependencies=FormWriter)
async def feeds_poll_form(request: Request) -> Response:
    await run_in_threadpool(poll_now, request.app.state.store_url)
    return _back("/feeds")


@pages.post("/feeds/{feed_id}/remove", dependencies=FormWriter)
async def feeds_remove_form(request: Request, feed_id: str) -> Response:
    await run_in_threadpool(remove_feed, _cat(request), feed_id)
    return _back("/feeds")


@pages.get("/alerts")
def alerts_page(
    request: Request, watch: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    from storyline.serve.web import render

    with _cat(request).readers.get() as store:
        watches = store.list_watches()
        chosen = store.get_watch(watch) if watch else None
        alerts = store.list_alerts(watch_id=chosen.id if chosen else None, limit=200)
    names = {w.id: f"{w.kind} {w.value}" for w in watches}
    return render(request, "alerts.html", nav="alerts", watches=watches, chosen=chosen, alerts=alerts, names=names)


@pages.get("/decisions")
def decisions_page(request: Request) -> Response:
    from storyline.serve.web import render

    return render(request, "decisions.html", nav="decisions", decisions=decisions(_cat(request)))


@pages.post("/decisions/{decision_id}/undo", dependencies=FormWriter)
async def undo_form(request: Request, decision_id: str) -> Response:
    await run_in_threadpool(curation, _cat(request), "undo", decision_id, who="web")
    return _back("/decisions")


@pages.post("/stories/{story_id}/move", dependencies=FormWriter)
async def move_form(request: Request, story_id: str) -> Response:
    data = await form(request)
    article, target = data.get("article", ""), data.get("to", "")
    if not article or not target:
        raise HTTPException(400, "choose an article and where to move it")
    d = await run_in_threadpool(curation, _cat(request), "move", article, target, who="web")
    return _back(f"/stories/{d.args['story']}")


@pages.post("/stories/{story_id}/merge", dependencies=FormWriter)
async def merge_form(request: Request, story_id: str) -> Response:
    data = await form(request)
    other = data.get("other", "").strip()
    if not other:
        raise HTTPException(400, "name the story to merge into this one")
    d = await run_in_threadpool(curation, _cat(request), "merge", story_id, other, who="web")
    return _back(f"/stories/{d.args['story']}")


def merge_choices(cat: Catalog, story_id: str, limit: int = 200) -> list[tuple[str, str]]:
    """(id, title) of the other stories, most recently updated first: what the story page's move
    menu and merge search box offer (the records only: no stored summary is read)."""
    with cat.readers.get() as store:
        records = store.list_stories()
    others = sorted((r for r in records if r.id != story_id), key=lambda r: (r.updated_at or "", r.id), reverse=True)
    return [(r.id, r.title or r.id) for r in others[:limit]]
