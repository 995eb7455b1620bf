"""Polling feeds: each on its own schedule, conditionally, new entries only, pages fetched for
entries that carry a summary, everything through the normal readers and the normal ingest.

Crash safety (kill -9 at any point): an entry is marked seen only after its article is stored, and a
feed's validators and schedule only after all its entries are; a re-run re-reads the feed, skips what
is marked, and re-ingesting an article that was stored but not marked changes nothing.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from storyline.errors import FetchError
from storyline.feeds.documents import FeedEntry, parse_document, with_page
from storyline.feeds.fetch import Fetcher
from storyline.feeds.state import Feed, FeedPoll
from storyline.model import Article, Rejection
from storyline.pipeline import Config, consolidate_touched, ingest_articles
from storyline.store import Store

MAX_BACKOFF = timedelta(hours=6)


@dataclass
class PollReport:
    feed: str
    status: str = "ok"  # ok | not-modified | error
    entries: int = 0
    new_entries: int = 0
    pages: int = 0
    stored: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    error: str | None = None

    def line(self) -> str:
        if self.status == "error":
            return f"{self.feed}: error: {self.error}"
        if self.status == "not-modified":
            return f"{self.feed}: not modified"
        return (
            f"{self.feed}: {self.entries} entries, {self.new_entries} new, {self.pages} pages fetched, "
            f"{self.stored} stored, {len(self.rejected)} rejected"
        )


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def next_poll_after(feed: Feed, now: datetime, failures: int, *, rng: Callable[[], float] = random.random) -> datetime:
    """The feed's own interval after a success; after failures, that interval doubled per failure
    (with jitter, at most MAX_BACKOFF), so a broken feed is asked less and less often."""
    every = timedelta(seconds=feed.every_seconds)
    if failures <= 0:
        return now + every
    backoff = min(every * (2 ** min(failures, 16)), MAX_BACKOFF)
    return now + backoff * (0.5 + rng() / 2)


def _entry_article(entry: FeedEntry, fetcher: Fetcher, fetched: str, report: PollReport) -> Article | Rejection:
    if not entry.needs_page or not entry.url:
        return entry.article
    try:
        page = fetcher.get(entry.url, "page")
    except FetchError as exc:
        if entry.article.text.strip():  # the summary is better than nothing
            return entry.article
        return Rejection(entry.url, exc.message)
    report.pages += 1
    return with_page(entry, page.body, page.final_url, fetched)


def poll_feed(
    store: Store,
    feed: Feed,
    fetcher: Fetcher,
    *,
    config: Config = Config(),
    now: datetime | None = None,
    write_lock: AbstractContextManager[Any] | None = None,
) -> PollReport:
    """Poll one feed now: fetch it (conditionally), store the articles of its new entries, record
    the poll. Never raises for feed or page problems: they are in the report and the feed's state.

    `write_lock` is held around every write (and the ingest of each article) when feeds are polled
    side by side: fetching, the slow part, runs outside it."""
    now = now or utcnow()
    writing = write_lock if write_lock is not None else nullcontext()
    report = PollReport(feed.url)
    try:
        response = fetcher.get(feed.url, "feed", etag=feed.etag, last_modified=feed.last_modified)
    except FetchError as exc:
        report.status, report.error = "error", exc.message
        failures = feed.failures + 1
        with writing:
            store.record_feed_poll(
                FeedPoll(feed.id, iso(now), iso(next_poll_after(feed, now, failures)), "error", exc.message,
                         failures)
            )
        return report
    if response.not_modified:
        report.status = "not-modified"
        with writing:
            store.record_feed_poll(
                FeedPoll(feed.id, iso(now), iso(next_poll_after(feed, now, 0)), "not-modified", None, 0,
                         etag=response.etag or feed.etag,
                         last_modified=response.last_modified or feed.last_modified)
            )
        return report
    fetched = iso(now)
    document = parse_document(response.body, response.final_url, fetched=fetched)
    report.rejected.extend(document.rejected)
    report.entries = len(document.entries)
    seen = store.seen_feed_entries(feed.id, [e.key for e in document.entries])
    # Each entry is stored (and clustered) as it comes; the stories touched are consolidated once, below.
    per_entry = replace(config, consolidate=False)
    stored_ids: list[str] = []
    for entry in document.entries:
        if entry.key in seen:
            continue
        seen.add(entry.key)  # an entry listed twice in one document is read once
        report.new_entries += 1
        item = _entry_article(entry, fetcher, fetched, report)
        if isinstance(item, Rejection):
            report.rejected.append(item)
            with writing:
                store.mark_feed_entry(feed.id, entry.key, entry.url, None, fetched)
            continue
        with writing:
            ingest = ingest_articles(store, [item], per_entry)
            store.mark_feed_entry(feed.id, entry.key, entry.url, ingest.ids[0] if ingest.ids else None, fetched)
        stored_ids += ingest.ids
        report.rejected.extend(ingest.rejected)
        report.stored += len(ingest.ids)
    with writing:
        if config.consolidate and config.cluster and stored_ids:
            consolidate_touched(store, stored_ids)
        store.record_feed_poll(
            FeedPoll(feed.id, fetched, iso(next_poll_after(feed, now, 0)), "ok", None, 0,
                     etag=response.etag, last_modified=response.last_modified, title=document.title,
                     articles_added=report.stored)
        )
    return report


def poll_due(
    store: Store,
    fetcher: Fetcher,
    *,
    config: Config = Config(),
    now: datetime | None = None,
    every_feed: bool = False,
    on_report: Callable[[PollReport], None] | None = None,
    workers: int = 8,
) -> list[PollReport]:
    """Poll the feeds whose time has come (every feed with `every_feed`, as `watch --once` does).

    Feeds are polled side by side on `workers` threads: politeness keeps each host to one request a
    second, so hundreds of outlets are only as slow as the slowest one. Writes take turns (one lock);
    reports come back in the feeds' order."""
    now = now or utcnow()
    feeds: list[Feed] = list(store.list_feeds() if every_feed else store.due_feeds(iso(now)))
    write_lock = threading.Lock()

    def poll(feed: Feed) -> PollReport:
        report = poll_feed(store, feed, fetcher, config=config, now=now, write_lock=write_lock)
        if on_report:
            with write_lock:  # one report line at a time
                on_report(report)
        return report

    if workers <= 1 or len(feeds) <= 1:
        return [poll(feed) for feed in feeds]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="storyline-poll") as pool:
        return list(pool.map(poll, feeds))
