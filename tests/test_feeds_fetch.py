"""Polite fetching against a local server: robots.txt, conditional GET, caps, retries, politeness."""

from __future__ import annotations

import pytest

from feedserver import Route, feed_server
from storyline.errors import BadContentType, FetchError, HTTPStatusError, ResponseTooLarge, RobotsDisallowed
from storyline.feeds.fetch import FetchConfig, Fetcher

FAST = FetchConfig(host_interval=0.0, backoff_initial=0.01, backoff_max=0.02, read_timeout=1.0, max_bytes=50_000)


def test_conditional_get_and_validators() -> None:
    with feed_server() as srv, Fetcher(FAST) as fetcher:
        srv.routes["/feed.xml"] = Route(b"<rss/>", etag='"v1"', last_modified="Tue, 01 Dec 2026 10:00:00 GMT")
        first = fetcher.get(srv.url("/feed.xml"), "feed")
        assert (first.status, first.body, first.etag) == (200, b"<rss/>", '"v1"')
        again = fetcher.get(srv.url("/feed.xml"), "feed", etag=first.etag, last_modified=first.last_modified)
        assert again.not_modified and again.body == b""
        assert srv.hits[-1][1].get("If-None-Match") == '"v1"'
        assert "storyline/" in srv.hits[-1][1]["User-Agent"]


def test_robots_txt_is_respected_and_fetched_once() -> None:
    with feed_server() as srv, Fetcher(FAST) as fetcher:
        srv.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
        srv.routes["/private/a.html"] = Route(b"<p>x</p>", content_type="text/html")
        srv.routes["/public/a.html"] = Route(b"<p>x</p>", content_type="text/html")
        with pytest.raises(RobotsDisallowed, match=r"^\[E501\] .*/private/a.html: disallowed by robots.txt$"):
            fetcher.get(srv.url("/private/a.html"))
        assert fetcher.get(srv.url("/public/a.html")).status == 200
        assert srv.count("/private/a.html") == 0
        assert srv.count("/robots.txt") == 1


def test_server_errors_are_retried_with_backoff() -> None:
    with feed_server() as srv, Fetcher(FAST) as fetcher:
        srv.routes["/flaky.xml"] = Route(b"<rss/>", fail_times=2)
        assert fetcher.get(srv.url("/flaky.xml"), "feed").status == 200
        assert srv.count("/flaky.xml") == 3
        srv.routes["/down.xml"] = Route(b"", fail_times=99)
        with pytest.raises(HTTPStatusError, match=r"HTTP 500"):
            fetcher.get(srv.url("/down.xml"), "feed")
        assert srv.count("/down.xml") == FAST.attempts


def test_client_errors_are_not_retried() -> None:
    with feed_server() as srv, Fetcher(FAST) as fetcher:
        with pytest.raises(HTTPStatusError, match="HTTP 404"):
            fetcher.get(srv.url("/missing.xml"), "feed")
        assert srv.count("/missing.xml") == 1


def test_redirect_loops_sizes_types_and_timeouts() -> None:
    with feed_server() as srv, Fetcher(FAST) as fetcher:
        srv.routes["/a"] = Route(location="/b")
        srv.routes["/b"] = Route(location="/a")
        with pytest.raises(FetchError, match="more than 5 redirects"):
            fetcher.get(srv.url("/a"))
        srv.routes["/big.html"] = Route(b"x" * 60_000, content_type="text/html")
        with pytest.raises(ResponseTooLarge):
            fetcher.get(srv.url("/big.html"))
        srv.routes["/img.html"] = Route(b"\x89PNG", content_type="image/png")
        with pytest.raises(BadContentType, match="image/png"):
            fetcher.get(srv.url("/img.html"))
        srv.routes["/slow.xml"] = Route(b"<rss/>", delay=1.5)
        with pytest.raises(FetchError, match="timed out"):
            fetcher.get(srv.url("/slow.xml"), "feed")


def test_one_request_per_interval_per_host() -> None:
    clock = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += seconds

    with feed_server() as srv, Fetcher(FetchConfig(host_interval=1.0), clock=lambda: clock[0], sleep=sleep) as f:
        srv.routes["/p.html"] = Route(b"<p>x</p>", content_type="text/html")
        for _ in range(3):
            f.get(srv.url("/p.html"))
        # robots.txt, then three pages: each request waits for the host's next one-second slot
        assert waits == [1.0, 1.0, 1.0]


def test_a_url_that_cannot_be_fetched_is_a_fetch_error() -> None:
    with Fetcher(FAST) as fetcher, pytest.raises(FetchError):
        fetcher.get("http://exa mple.org/\x07feed", "feed")
