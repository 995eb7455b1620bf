"""Records of the feeds being followed and of their polls, as the store keeps them."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

DEFAULT_EVERY = 15 * 60
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"": 60, "s": 1, "m": 60, "h": 3600, "d": 86400}
MIN_EVERY = 60  # no feed is asked more often than once a minute


def parse_every(text: str) -> int:
    """Seconds of a polling interval: "15m", "2h", "90s", "1d", or a bare number of minutes."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"not an interval: {text!r} (use e.g. 15m, 2h, 1d)")
    seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
    if seconds < MIN_EVERY:
        raise ValueError(f"interval {text!r} is shorter than {MIN_EVERY} seconds")
    return seconds


def feed_id(url: str) -> str:
    return hashlib.sha256(url.strip().encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Feed:
    id: str
    url: str
    every_seconds: int = DEFAULT_EVERY
    title: str | None = None
    added_at: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_poll: str | None = None
    next_poll: str | None = None
    status: str = "new"  # new | ok | not-modified | error
    error: str | None = None
    failures: int = 0
    articles: int = 0  # articles brought in over the feed's life


@dataclass(frozen=True)
class FeedPoll:
    """What one poll changes in a feed's record."""

    feed_id: str
    polled_at: str
    next_poll: str
    status: str
    error: str | None
    failures: int
    etag: str | None = None
    last_modified: str | None = None
    title: str | None = None
    articles_added: int = 0
