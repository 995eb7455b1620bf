"""Polite HTTP fetching of feeds and pages: robots.txt (protego), at most one request per interval
per host, conditional GET, connect/read timeouts, a redirect cap, a size cap, a content-type check,
and retries with exponential backoff and jitter on transient failures (tenacity).

One `Fetcher` per poller; it is thread-safe. Every failure is a `storyline.errors.FetchError`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from storyline import __version__
from storyline.errors import BadContentType, FetchError, HTTPStatusError, ResponseTooLarge, RobotsDisallowed

Kind = Literal["feed", "page", "robots"]

# Content types accepted per kind (substring of the media type; a missing type is let through to
# the readers, which sniff the content).
ACCEPTED_TYPES: dict[Kind, tuple[str, ...]] = {
    "feed": ("xml", "rss", "atom", "json", "text/plain"),
    "page": ("text/html", "application/xhtml", "text/plain", "xml"),
    "robots": ("text/plain", "text/html"),
}
TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class FetchConfig:
    user_agent: str = f"storyline/{__version__} (news story engine; polite feed reader)"
    robots_token: str = "storyline"  # the name robots.txt rules address
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    max_redirects: int = 5
    max_bytes: int = 10 * 1024 * 1024
    host_interval: float = 1.0  # seconds between two requests to one host (robots.txt may ask more)
    attempts: int = 3
    backoff_initial: float = 1.0
    backoff_max: float = 30.0
    robots_ttl: float = 3600.0
    robots_error_ttl: float = 300.0  # a robots.txt that failed (5xx, network) blocks the host this long


@dataclass(frozen=True)
class Response:
    url: str  # as asked
    final_url: str  # after redirects
    status: int
    body: bytes
    content_type: str
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class TransientFetchError(FetchError):
    """A failure worth retrying: a timeout, a refused connection, a 5xx or 429."""


def _is_transient(exc: BaseException) -> bool:
    return isinstance(exc, TransientFetchError) or (
        isinstance(exc, HTTPStatusError) and exc.status in TRANSIENT_STATUS
    )


def host_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class Fetcher:
    def __init__(
        self,
        config: FetchConfig = FetchConfig(),
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self._clock = clock
        self._sleep = sleep
        self._client = httpx.Client(
            timeout=httpx.Timeout(config.read_timeout, connect=config.connect_timeout),
            follow_redirects=False,  # followed here, so each hop is polite and checked against robots.txt
            headers={"User-Agent": config.user_agent},
            transport=transport,
        )
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}
        self._robots: dict[str, tuple[float, Protego | None, bool]] = {}  # host -> (expires, rules, blocked)
        self.requests = 0

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- politeness ------------------------------------------------------------------------------

    def _interval(self, host: str) -> float:
        entry = self._robots.get(host)
        delay = entry[1].crawl_delay(self.config.robots_token) if entry and entry[1] else None
        return max(self.config.host_interval, float(delay or 0))

    def _wait_turn(self, host: str) -> None:
        """Block until this host may be asked again, and book the next slot."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = slot + self._interval(host)
        if slot > now:
            self._sleep(slot - now)

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets us fetch `url` (fetched once per host and TTL)."""
        host = host_key(url)
        now = self._clock()
        entry = self._robots.get(host)
        if entry is None or entry[0] <= now:
            entry = self._load_robots(host, now)
            self._robots[host] = entry
        _, rules, blocked = entry
        if blocked:
            return False
        return rules is None or bool(rules.can_fetch(url, self.config.robots_token))

    def _load_robots(self, host: str, now: float) -> tuple[float, Protego | None, bool]:
        try:
            response = self._request(host + "/robots.txt", "robots", {})
        except HTTPStatusError as exc:
            if exc.status >= 500 or exc.status == 429:
                return now + self.config.robots_error_ttl, None, True
            return now + self.config.robots_ttl, None, False  # no robots.txt: everything is allowed
        except FetchError:
            return now + self.config.robots_error_ttl, None, True
        text = response.body.decode("utf-8", errors="replace")
        return now + self.config.robots_ttl, Protego.parse(text), False

    # -- requests --------------------------------------------------------------------------------

    def get(
        self, url: str, kind: Kind = "page", *, etag: str | None = None, last_modified: str | None = None
    ) -> Response:
        """GET `url` (conditionally when validators are given); retried with backoff when transient."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        retrying = Retrying(
            stop=stop_after_attempt(self.config.attempts),
            wait=wait_random_exponential(multiplier=self.config.backoff_initial, max=self.config.backoff_max),
            retry=retry_if_exception(_is_transient),
            sleep=self._sleep,
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                return self._request(url, kind, headers)
        raise FetchError(url, "no attempt made")  # pragma: no cover - Retrying always attempts once

    def _request(self, url: str, kind: Kind, headers: dict[str, str]) -> Response:
        current = url
        for _hop in range(self.config.max_redirects + 1):
            if kind != "robots" and not self.allowed(current):
                raise RobotsDisallowed(current)
            self._wait_turn(host_key(current))
            self.requests += 1
            try:
                with self._client.stream("GET", current, headers=headers) as response:
                    if response.is_redirect and "location" in response.headers:
                        current = urljoin(current, response.headers["location"])
                        continue
                    return self._read(url, current, kind, response)
            except httpx.InvalidURL as exc:
                raise FetchError(current, f"not a URL that can be fetched: {exc}") from None
            except httpx.TimeoutException:
                raise TransientFetchError(current, "timed out") from None
            except httpx.TransportError as exc:
                raise TransientFetchError(current, f"connection failed: {type(exc).__name__}") from None
        raise FetchError(url, f"more than {self.config.max_redirects} redirects")

    def _read(self, url: str, final: str, kind: Kind, response: httpx.Response) -> Response:
        status = response.status_code
        etag = response.headers.get("etag")
        modified = response.headers.get("last-modified")
        content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if status == 304:
            return Response(url, final, status, b"", content_type, etag, modified)
        if status >= 400:
            raise HTTPStatusError(final, status)
        if content_type and not any(t in content_type for t in ACCEPTED_TYPES[kind]):
            raise BadContentType(final, content_type)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.config.max_bytes:
            raise ResponseTooLarge(final, self.config.max_bytes)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.config.max_bytes:
                raise ResponseTooLarge(final, self.config.max_bytes)
            chunks.append(chunk)
        return Response(url, final, status, b"".join(chunks), content_type, etag, modified)
