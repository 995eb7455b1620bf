"""The server: the JSON API under /api/v1 and the server-rendered pages, on one shared store.

    create_app("storyline.db")                  # localhost: writes allowed without a token
    create_app("storyline.db", public=True)     # beyond localhost: POST needs STORYLINE_TOKEN
    serve("storyline.db", "127.0.0.1", 8000)    # runs uvicorn
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from storyline.config import SERVE, PipelineConfig
from storyline.serve.data import Catalog
from storyline.serve.ratelimit import limiter_from_settings
from storyline.settings import load_settings
from storyline.store import AmbiguousId, NotFound, QuerySyntaxError, StoreError, open_store

log = logging.getLogger("storyline.serve")

HERE = Path(__file__).resolve().parent
API_PREFIX = "/api/v1"

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def error_body(status: int, message: str) -> dict[str, Any]:
    """The one error shape of the API."""
    return {"error": {"status": status, "message": message}}


class _TooLarge(Exception):
    pass


class GuardMiddleware:
    """Security headers on every response; request bodies over `max_body` bytes are a 413, whether
    announced by Content-Length or streamed (a streamed body is read, up to the limit, before the app
    runs; the server itself holds a request to its Content-Length)."""

    def __init__(self, app: ASGIApp, max_body: int = SERVE.max_body) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                message["headers"] = headers
            await send(message)

        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_body
            except ValueError:
                too_big = False
            if too_big:
                await self._reject(send_with_headers)
                return
        if declared is None and scope.get("method") in ("POST", "PUT", "PATCH"):
            # A streamed (chunked) body: read it here, up to the limit, before the app sees it. (An
            # exception raised from receive() inside the app would be turned into a 400 by FastAPI.)
            buffered: list[Message] = []
            size = 0
            while True:
                message = await receive()
                buffered.append(message)
                if message["type"] != "http.request":
                    break
                size += len(message.get("body", b""))
                if size > self.max_body:
                    await self._reject(send_with_headers)
                    return
                if not message.get("more_body", False):
                    break
            replay = iter(buffered)

            async def replay_receive() -> Message:
                return next(replay, None) or await receive()

            await self.app(scope, replay_receive, send_with_headers)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counting_receive, send_with_headers)
        except _TooLarge:
            if started:
                raise
            await self._reject(send_with_headers)

    async def _reject(self, send: Send) -> None:
        response = JSONResponse(error_body(413, f"request body larger than {self.max_body} bytes"), 413)
        await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:  # pragma: no cover - a JSONResponse never reads
    return {"type": "http.disconnect"}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _wants_html(request: Request) -> bool:
    """Errors under /api (and /openapi.json, /static) are JSON; the pages answer an HTML page, unless the
    client asks for JSON and not for HTML."""
    path = request.url.path
    if path.startswith(("/api/", "/static/")) or path in ("/api", "/openapi.json"):
        return False
    accept = request.headers.get("accept", "").lower()
    return "text/html" in accept or "application/json" not in accept


def _error(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if _wants_html(request):
        from storyline.serve.web import render_error

        return render_error(request, status, message)
    return JSONResponse(error_body(status, message), status_code=status, headers=headers)


_BRANCH = re.compile(r"^(?:[\w-]+\[.*\]|ArticleIn)$", re.DOTALL)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        # A union body's location names its branches ("ArticleIn", "list[...]"): not the user's fields.
        where = ".".join(str(p) for p in err.get("loc", ())
                         if p != "body" and not _BRANCH.match(str(p))) or "request"
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "invalid request: " + "; ".join(parts)


def create_app(store_url: str, *, token: str | None = None, public: bool = False,
               write_rate: float | None = None, write_burst: int | None = None,
               workers: int | None = None, watch: bool = False, watch_every: float = 5.0,
               config: PipelineConfig | None = None) -> FastAPI:
    """The server on the database at `store_url` (opened at startup: one writer, and readers).

    `public`: the server listens beyond localhost; writes (POST) then need the bearer token
    (`token`, else env STORYLINE_TOKEN) and are refused when none is configured. A configured
    token is required on localhost too.

    `write_rate`/`write_burst`: the token bucket per client on writes (else STORYLINE_WRITE_RATE /
    STORYLINE_WRITE_BURST, else `config.serve`: 5 a second with bursts of 60); a rate of 0 turns it off.

    `workers`: processes that consolidate stories beside the server (else STORYLINE_WORKERS, else
    none: in the server's threads).

    `watch`: poll the followed feeds beside the server (`storyline.feeds.poll.poll_due` in a thread
    with a store of its own, every `watch_every` seconds; stopped at shutdown).

    `config`: the pipeline configuration (`storyline.config`): its `serve` section (limits, page sizes),
    and the stages the server's ingest and consolidation run."""
    from storyline.serve.api import router as api_router
    from storyline.serve.live import api as live_api
    from storyline.serve.live import pages as live_pages
    from storyline.serve.web import precompile_templates
    from storyline.serve.web import router as web_router

    settings = load_settings()
    token = token if token is not None else settings.token
    n_workers = workers if workers is not None else (settings.workers or 0)
    config = config or PipelineConfig()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        catalog = Catalog(open_store(store_url), store_url, workers=n_workers, config=config)
        app.state.catalog = catalog
        precompile_templates()
        if n_workers:
            catalog.warm()
        poller = FeedPoller(store_url, watch_every) if watch else None
        app.state.poller = poller
        if poller is not None:
            poller.start()
        try:
            yield
        finally:
            if poller is not None:
                poller.stop()
            catalog.close()

    app = FastAPI(
        title="storyline",
        version="1",
        summary="Stories built from news articles: cited briefs, timelines, cross-checked facts.",
        lifespan=lifespan,
        docs_url=None,  # the Swagger page loads scripts from a CDN: not under this CSP
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.token = token
    app.state.public = public
    app.state.store_url = store_url
    app.state.config = config
    app.state.write_limiter = limiter_from_settings(write_rate, write_burst, config=config.serve)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return _error(request, exc.status_code, message, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return _error(request, 422, _validation_message(exc))

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return _error(request, 404, exc.message)

    @app.exception_handler(AmbiguousId)
    async def ambiguous(request: Request, exc: AmbiguousId) -> Response:
        return _error(request, 400, exc.message)

    @app.exception_handler(QuerySyntaxError)
    async def bad_query(request: Request, exc: QuerySyntaxError) -> Response:
        return _error(request, 400, f"bad search query: {exc.message}")

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError) -> Response:
        return _error(request, 400, exc.message)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error(request, 500, "internal server error")

    app.include_router(api_router, prefix=API_PREFIX)
    app.include_router(live_api, prefix=API_PREFIX)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(live_pages)  # before the pages: /stories/{id}.atom is not a story page
    app.include_router(web_router)
    app.add_middleware(GuardMiddleware, max_body=config.serve.max_body)
    return app


class FeedPoller:
    """`storyline watch` in a thread beside the server: polls the feeds that are due, on a store of its
    own, until stopped."""

    def __init__(self, store_url: str, every: float = 5.0) -> None:
        import threading

        self.store_url = store_url
        self.every = every
        self.stopping = threading.Event()
        self.polls = 0  # rounds done (tests wait on it)
        self.thread = threading.Thread(target=self._run, name="storyline-watch", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout: float = 60.0) -> None:
        self.stopping.set()
        self.thread.join(timeout)

    def _run(self) -> None:
        from storyline.feeds.fetch import Fetcher
        from storyline.feeds.poll import poll_due

        with open_store(self.store_url) as store, Fetcher() as fetcher:
            while not self.stopping.is_set():
                try:
                    for report in poll_due(store, fetcher):
                        log.info("feed %s", report.line())
                except Exception:
                    log.exception("polling the feeds failed")
                self.polls += 1
                self.stopping.wait(self.every)


def serve(db: str | None, host: str = "127.0.0.1", port: int = 8000, *, token: str | None = None,
          watch: bool = False, config: PipelineConfig | None = None) -> None:
    """Run the server with uvicorn (blocking). Beyond localhost, writes need STORYLINE_TOKEN. Stories
    are consolidated in one process beside the server (STORYLINE_WORKERS to change; 0: none)."""
    import uvicorn

    from storyline.store import default_db_url

    public = not is_loopback(host)
    settings = load_settings()
    app = create_app(db or default_db_url(), token=token, public=public,
                     workers=1 if settings.workers is None else settings.workers, watch=watch, config=config)
    if public and not app.state.token:
        log.warning("listening on %s without STORYLINE_TOKEN: POST /api/v1/articles is disabled", host)
    # Keep-alive beyond uvicorn's 5 s: under load a request can sit unread in a connection's buffer for
    # longer, and closing that connection as idle then drops the request.
    uvicorn.run(app, host=host, port=port, proxy_headers=False, server_header=False, timeout_keep_alive=75)
