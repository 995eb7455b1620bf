"""Records of watches and alerts, as the store keeps them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

WatchKind = Literal["entity", "query", "outlet"]
AlertEvent = Literal["new-story", "grew", "conflict"]
WATCH_KINDS: tuple[WatchKind, ...] = ("entity", "query", "outlet")
DEFAULT_GROWTH = 5  # a watched story alerts again each time it gains this many reports


def watch_id(kind: str, value: str, webhook: str | None) -> str:
    return hashlib.sha256(f"{kind}\x00{value.strip().lower()}\x00{webhook or ''}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Watch:
    id: str
    kind: WatchKind
    value: str
    created_at: str
    webhook: str | None = None
    secret: str | None = None  # HMAC key of the webhook's signature (never shown)
    growth: int = DEFAULT_GROWTH


@dataclass(frozen=True)
class Alert:
    id: str
    watch_id: str
    event: AlertEvent
    story_id: str
    key: str  # what makes the event the same event: it alerts once
    title: str
    detail: str
    created_at: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Delivery:
    alert_id: str
    watch_id: str
    url: str
    attempts: int
    status: Literal["pending", "delivered", "dead"]
    next_try: str | None
    last_error: str | None
