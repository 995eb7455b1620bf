"""Webhook delivery of alerts: POST of the alert as JSON, the body signed with HMAC-SHA256 under the
watch's secret (header `X-Storyline-Signature: sha256=<hex>`), retried with backoff (tenacity, within
one run; then again on later runs), dead-lettered after `max_attempts` failed runs."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from storyline import __version__
from storyline.store import Store
from storyline.watches.model import Alert, Delivery

SIGNATURE_HEADER = "X-Storyline-Signature"


@dataclass(frozen=True)
class DeliveryConfig:
    timeout: float = 10.0
    tries_per_run: int = 3
    backoff_initial: float = 0.5
    backoff_max: float = 5.0
    max_attempts: int = 5  # failed runs before a delivery is dead-lettered
    retry_after: timedelta = timedelta(minutes=1)  # doubled after every failed run


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, signature: str) -> bool:
    """What a receiver runs: the signature is right for this body and secret."""
    return hmac.compare_digest(sign(body, secret), signature)


def alert_body(alert: Alert) -> bytes:
    document = {"id": alert.id, "created_at": alert.created_at, **alert.payload}
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")


class _Failed(Exception):
    pass


def _post(client: httpx.Client, url: str, body: bytes, secret: str | None) -> None:
    headers = {"Content-Type": "application/json", "User-Agent": f"storyline/{__version__} (alerts)"}
    if secret:
        headers[SIGNATURE_HEADER] = sign(body, secret)
    try:
        response = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise _Failed(f"{type(exc).__name__}") from None
    if response.status_code >= 300:
        raise _Failed(f"HTTP {response.status_code}")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def deliver_due(
    store: Store,
    *,
    config: DeliveryConfig = DeliveryConfig(),
    now: datetime | None = None,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] | None = None,
) -> list[Delivery]:
    """Try every delivery whose time has come; returns them as recorded after this run."""
    now = now or datetime.now(UTC)
    alerts = {a.id: a for a in store.list_alerts(limit=10_000)}
    done: list[Delivery] = []
    with httpx.Client(timeout=config.timeout, follow_redirects=False, transport=transport) as client:
        for delivery in store.due_deliveries(_iso(now)):
            alert = alerts.get(delivery.alert_id)
            watch = store.get_watch(delivery.watch_id)
            retrying = Retrying(
                stop=stop_after_attempt(config.tries_per_run),
                wait=wait_random_exponential(multiplier=config.backoff_initial, max=config.backoff_max),
                retry=retry_if_exception_type(_Failed),
                reraise=True,
                sleep=sleep or time.sleep,
            )
            attempts = delivery.attempts + 1
            try:
                if alert is None:
                    raise _Failed("alert no longer stored")
                for attempt in retrying:
                    with attempt:
                        _post(client, delivery.url, alert_body(alert), watch.secret)
                recorded = replace(delivery, attempts=attempts, status="delivered", next_try=None, last_error=None)
            except _Failed as exc:
                dead = attempts >= config.max_attempts
                wait = config.retry_after * (2 ** (attempts - 1)) * (0.5 + random.random() / 2)
                recorded = replace(
                    delivery, attempts=attempts, status="dead" if dead else "pending",
                    next_try=None if dead else _iso(now + wait), last_error=str(exc),
                )
            store.record_delivery(recorded)
            done.append(recorded)
    return done
