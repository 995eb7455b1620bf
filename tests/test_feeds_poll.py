"""Polling feeds into the store, against a local server, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from feedserver import FeedServer, Route, feed_server
from storyline.feeds.fetch import FetchConfig, Fetcher
from storyline.feeds.poll import poll_due, poll_feed
from storyline.feeds.state import Feed, parse_every
from storyline.pipeline import Config
from storyline.store import NotFound, Store

FAST = FetchConfig(host_interval=0.0, backoff_initial=0.01, backoff_max=0.02, read_timeout=2.0)
NO_NER = Config(enrich=False)
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

BODY = "The harbour authority said the ferry ran aground at dawn near the northern breakwater. " * 12


def rss(*items: tuple[str, str, str]) -> bytes:
    entries = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><link>https://news.example/{guid}</link>"
        f"<pubDate>Mon, 30 Nov 2026 08:00:00 GMT</pubDate><description>{text}</description></item>"
        for guid, title, text in items
    )
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Daily</title>'
            f"<link>https://news.example/</link>{entries}</channel></rss>").encode()


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with feed_server() as srv:
        yield srv


def test_feed_records(store: Store) -> None:
    feed = store.add_feed("https://news.example/rss", parse_every("15m"))
    assert feed.every_seconds == 900 and feed.status == "new"
    assert store.add_feed("https://news.example/rss", 3600).id == feed.id  # the same feed, a new interval
    assert store.get_feed(feed.id[:6]).every_seconds == 3600
    assert store.get_feed("https://news.example/rss").id == feed.id
    assert [f.id for f in store.due_feeds("2026-12-01T00:00:00Z")] == [feed.id]
    store.mark_feed_entry(feed.id, "k1", None, None, "2026-12-01T00:00:00Z")
    store.mark_feed_entry(feed.id, "k1", None, None, "2026-12-01T00:00:00Z")  # twice is once
    assert store.seen_feed_entries(feed.id, ["k1", "k2"]) == {"k1"}
    store.remove_feed(feed.id)
    assert store.list_feeds() == []
    with pytest.raises(NotFound):
        store.get_feed(feed.id)


def test_poll_ingests_new_entries_once_and_fetches_summaries_pages(store: Store, server: FeedServer) -> None:
    server.routes["/rss"] = Route(
        rss(("a1", "Ferry aground", BODY), ("a2", "Council vote", "Short summary.")),
        etag='"v1"',
    )
    server.routes["/a2"] = Route(
        f"<html><head><title>Council vote</title></head><body><article><p>{BODY}</p></article></body></html>".encode(),
        content_type="text/html",
    )
    # the second entry's link points at the local server
    server.routes["/rss"].body = server.routes["/rss"].body.replace(b"https://news.example/a2", server.url("/a2").encode())
    feed = store.add_feed(server.url("/rss"), 900)
    with Fetcher(FAST) as fetcher:
        report = poll_feed(store, feed, fetcher, config=NO_NER, now=NOW)
        assert (report.status, report.entries, report.new_entries, report.pages, report.stored) == ("ok", 2, 2, 1, 2)
        assert server.count("/a2") == 1
        polled = store.get_feed(feed.id)
        assert (polled.status, polled.etag, polled.articles, polled.title) == ("ok", '"v1"', 2, "Harbour Daily")
        assert polled.next_poll == "2026-12-01T12:15:00Z"
        # unchanged feed: a conditional GET answered 304, nothing else fetched
        again = poll_feed(store, polled, fetcher, config=NO_NER, now=NOW + timedelta(minutes=15))
        assert again.status == "not-modified" and server.count("/a2") == 1
        # a changed feed: only the new entry is read
        server.routes["/rss"] = Route(rss(("a3", "Salvage begins", BODY), ("a1", "Ferry aground", BODY)), etag='"v2"')
        third = poll_feed(store, store.get_feed(feed.id), fetcher, config=NO_NER, now=NOW + timedelta(minutes=30))
        assert (third.new_entries, third.stored) == (1, 1)
    stored = {a.article.title: a for a in store.iter_articles()}
    assert set(stored) == {"Ferry aground", "Council vote", "Salvage begins"}
    assert store.raw_input(stored["Council vote"].id).startswith(b"<html>")  # the raw page is kept
    assert store.count_articles() == 3


def test_a_failing_feed_backs_off_and_recovers(store: Store, server: FeedServer) -> None:
    server.routes["/rss"] = Route(b"", fail_times=100)
    feed = store.add_feed(server.url("/rss"), 600)
    with Fetcher(FAST) as fetcher:
        report = poll_feed(store, feed, fetcher, config=NO_NER, now=NOW)
        failed = store.get_feed(feed.id)
        assert report.status == "error" and "HTTP 500" in (failed.error or "")
        assert failed.failures == 1 and failed.next_poll is not None
        # backoff: the next poll is later than the feed's own interval
        assert failed.next_poll > "2026-12-01T12:10:00Z"
        assert store.due_feeds("2026-12-01T12:10:00Z") == []
        server.routes["/rss"] = Route(rss(("b1", "Back", BODY)))
        ok = poll_feed(store, failed, fetcher, config=NO_NER, now=NOW + timedelta(hours=1))
        assert ok.status == "ok" and store.get_feed(feed.id).failures == 0


def test_malformed_feed_and_disallowed_pages_are_reported(store: Store, server: FeedServer) -> None:
    server.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    server.routes["/bad"] = Route(b"<rss><channel><item><title>x</ti", content_type="application/xml")
    server.routes["/rss"] = Route(rss(("p1", "Private", "Short.")).replace(
        b"https://news.example/p1", server.url("/private/p1").encode()))
    with Fetcher(FAST) as fetcher:
        bad = poll_feed(store, store.add_feed(server.url("/bad"), 600), fetcher, config=NO_NER, now=NOW)
        assert bad.stored == 0 and bad.rejected
        report = poll_feed(store, store.add_feed(server.url("/rss"), 600), fetcher, config=NO_NER, now=NOW)
    # the page may not be fetched: the entry's summary is what is kept
    assert server.count("/private/p1") == 0
    assert report.pages == 0


def test_poll_due_polls_only_what_is_due(store: Store, server: FeedServer) -> None:
    server.routes["/one"] = Route(rss(("c1", "One", BODY)))
    server.routes["/two"] = Route(rss(("c2", "Two", BODY)))
    one = store.add_feed(server.url("/one"), 600)
    store.add_feed(server.url("/two"), 600)
    with Fetcher(FAST) as fetcher:
        assert len(poll_due(store, fetcher, config=NO_NER, now=NOW)) == 2
        assert poll_due(store, fetcher, config=NO_NER, now=NOW + timedelta(minutes=5)) == []
        forced = poll_due(store, fetcher, config=NO_NER, now=NOW + timedelta(minutes=5), every_feed=True)
        assert [r.feed for r in forced] == [f.url for f in store.list_feeds()]
    assert isinstance(store.get_feed(one.id), Feed)


def test_a_poll_consolidates_each_touched_story_once(store: Store, server: FeedServer) -> None:
    from storyline.consolidate.stored import runs

    server.routes["/rss"] = Route(rss(*((f"f{n}", f"Ferry aground at dawn: update {n}", BODY + f" Update {n}.")
                                        for n in range(4))))
    feed = store.add_feed(server.url("/rss"), 900)
    before = sum(runs.values())
    with Fetcher(FAST) as fetcher:
        report = poll_feed(store, feed, fetcher, config=NO_NER, now=NOW)
    assert report.stored == 4
    stories = store.list_stories()
    assert sum(runs.values()) - before == len(stories) < 4  # once per story, not once per entry
    assert set(store.consolidation_summaries()) == {s.id for s in stories}
