"""Alerts are raised when stories are consolidated: a new matching story, growth, a new conflict; an
event never alerts twice, whatever is re-ingested or rebuilt."""

from __future__ import annotations

from pathlib import Path

from conftest import SAMPLES
from storyline.pipeline import Config, ingest_paths, recluster
from storyline.store import open_store
from storyline.watches.model import Watch, watch_id

FAST = Config(enrich=False)


def test_watches_alert_once_per_event(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "a.db")) as store:
        query = store.add_watch(Watch(watch_id("query", "fire", None), "query", "fire", "2026-12-01T00:00:00Z"))
        nothing = store.add_watch(Watch(watch_id("query", "zzqx", None), "query", "zzqx", "2026-12-01T00:00:00Z"))
        ingest_paths(store, [str(SAMPLES)], FAST)
        raised = store.list_alerts(watch_id=query.id)
        fire_stories = {s.id for s in store.list_stories() if "fire" in s.title.lower()}
        assert fire_stories and fire_stories <= {a.story_id for a in raised if a.event == "new-story"}
        assert store.list_alerts(watch_id=nothing.id) == []
        ingest_paths(store, [str(SAMPLES)], FAST)
        recluster(store, FAST)
        again = store.list_alerts(watch_id=query.id)
        assert sorted(a.key for a in again) == sorted(a.key for a in raised)  # nothing alerts twice
