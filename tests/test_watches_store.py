"""Watches, alerts and webhook deliveries in the store (both backends), and the signed delivery to a
local receiver that checks the signature."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from storyline.store import NotFound, Store
from storyline.watches.deliver import SIGNATURE_HEADER, DeliveryConfig, deliver_due, verify
from storyline.watches.model import Alert, Watch, watch_id

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SECRET = "s3cret"


class Receiver:
    """A local webhook receiver: answers `statuses` in turn (then 200), keeps what verified."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.received: list[dict[str, object]] = []
        self.bad_signatures = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                if status == 200:
                    if verify(body, SECRET, self.headers.get(SIGNATURE_HEADER, "")):
                        receiver.received.append(json.loads(body))
                    else:
                        receiver.bad_signatures += 1
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _watch(webhook: str | None = None) -> Watch:
    return Watch(watch_id("entity", "Harbour Authority", webhook), "entity", "Harbour Authority",
                 "2026-12-01T00:00:00Z", webhook, SECRET if webhook else None, 5)


def _alert(watch: Watch, key: str, created: str = "2026-12-01T12:00:00Z") -> Alert:
    return Alert(f"a-{key}", watch.id, "new-story", "story1", key, "Ferry aground", "a new story", created,
                 {"event": "new-story", "story": {"id": "story1"}})


def test_watches_and_alerts_are_stored_once(store: Store) -> None:
    watch = store.add_watch(_watch())
    assert store.add_watch(_watch()).id == watch.id and len(store.list_watches()) == 1
    assert store.get_watch(watch.id[:5]).value == "Harbour Authority"
    added = store.add_alerts([_alert(watch, "new-story:story1"), _alert(watch, "new-story:story1")])
    assert len(added) == 1
    assert store.add_alerts([_alert(watch, "new-story:story1")]) == []  # the same event never alerts twice
    assert store.alert_keys(watch.id, "story1") == {"new-story:story1"}
    assert [a.key for a in store.list_alerts(watch_id=watch.id)] == ["new-story:story1"]
    assert store.due_deliveries("2030-01-01T00:00:00Z") == []  # no webhook: nothing to deliver
    store.remove_watch(watch.id)
    assert store.list_alerts() == []
    with pytest.raises(NotFound):
        store.get_watch(watch.id)


def test_webhooks_are_signed_retried_and_dead_lettered(store: Store) -> None:
    receiver = Receiver([500, 500, 500, 200])
    try:
        watch = store.add_watch(_watch(receiver.url))
        store.add_alerts([_alert(watch, "k1")])
        config = DeliveryConfig(tries_per_run=2, backoff_initial=0.01, backoff_max=0.02, max_attempts=3)
        first = deliver_due(store, config=config, now=NOW)
        assert [(d.status, d.attempts) for d in first] == [("pending", 1)]  # two tries failed in this run
        assert deliver_due(store, config=config, now=NOW) == []  # not due yet: backing off
        second = deliver_due(store, config=config, now=NOW + timedelta(hours=1))
        assert [(d.status, d.attempts) for d in second] == [("delivered", 2)]
        assert receiver.bad_signatures == 0 and receiver.received[0]["story"] == {"id": "story1"}
        receiver.statuses = [500] * 100
        store.add_alerts([_alert(watch, "k2")])
        for hours in (2, 5, 10, 20):
            deliver_due(store, config=config, now=NOW + timedelta(hours=hours))
        assert store.due_deliveries("2100-01-01T00:00:00Z") == []  # dead-lettered after 3 failed runs
    finally:
        receiver.close()
