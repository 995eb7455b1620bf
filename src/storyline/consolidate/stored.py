"""Consolidation as a stored stage: cluster → consolidate the stories that changed → store → serve.

A story's *version* is a digest of what its consolidation reads: its id, title and merged stories,
and each member article's id, version, content hash and original (near-copies), plus
`CONSOLIDATION_FORMAT`. The store keeps one consolidated story per story id (`Store.save_consolidation`):
the version it was computed for, the export contract's story object as JSON, a small summary (sizes,
outlets, dates, articles per day, entity counts) for lists, and when it was computed.

- the pipeline consolidates the stories a batch touched, each once, after clustering
  (`consolidate_stories`); `consolidate_all` (re)builds every story (`storyline consolidate`);
- a reader asks `current_story`: the stored story when its version is the story's current one, else it
  is consolidated again, stored, and returned. A stale consolidation is never served as current.
- `ConsolidationQueue` collects the stories writes touch and consolidates each once after a quiet
  moment (the server's ingest): a burst of articles into one story costs one consolidation.

Entity folding runs only here, as the first step of `storyline.dossier.consolidate`; the canonical
entities and mention links it finds are stored with the consolidated story.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from storyline.config import CONSOLIDATE, PipelineConfig
from storyline.store import NotFound, Store, StoryRecord

log = logging.getLogger("storyline.consolidate")

# Bump when the story object or a consolidation step changes: every stored consolidation becomes stale.
CONSOLIDATION_FORMAT = 3  # 2: anchored timeline, well-formed brief sentences, facts by version; 3: inferred dates


@dataclass(frozen=True)
class StoredStory:
    """A consolidated story as stored: `body` is the story object's JSON (compact, UTF-8)."""

    story_id: str
    version: str
    body: bytes
    summary: dict[str, Any]
    computed_at: str

    @property
    def story(self) -> dict[str, Any]:
        story: dict[str, Any] = json.loads(self.body)
        return story


# The sections of the configuration a consolidation reads (clustering shows in the members already).
_CONSOLIDATION_SECTIONS = ("crosscheck", "timeline", "brief", "consolidation")


@functools.cache
def _defaults() -> PipelineConfig:
    return PipelineConfig()


def _settings_key(config: PipelineConfig | None) -> list[Any]:
    """The sections a consolidation reads, when they are not the defaults (so that stories consolidated
    with other settings are stale; with the defaults the version is what it always was)."""
    if config is None:
        return []
    sections = {name: getattr(config, name) for name in _CONSOLIDATION_SECTIONS}
    if all(value == getattr(_defaults(), name) for name, value in sections.items()):
        return []
    from storyline.config import _plain

    return [{name: _plain(value) for name, value in sections.items()}]


def story_version(store: Store, record: StoryRecord, config: PipelineConfig | None = None) -> str:
    """The digest of everything the story's consolidation reads (see the module's docstring)."""
    members = store.article_states(record.article_ids)
    state = [CONSOLIDATION_FORMAT, record.id, record.title, sorted(record.merged_from),
             [list(m) for m in members], *_settings_key(config)]
    return hashlib.sha1(json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode("utf-8")).hexdigest()


def encode(content: Any) -> bytes:
    return json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")


def day_counts(dates: Iterable[str | None], first: str | None, last: str | None,
               max_days: int = CONSOLIDATE.summary_days) -> list[tuple[str, int]]:
    """Articles per day from the first to the last date (at most `max_days` days, the last ones)."""
    days = Counter(d[:10] for d in dates if d and len(d) >= 10)
    if not days or not first or not last or len(first) < 10 or len(last) < 10:
        return sorted(days.items())
    try:
        start, end = dt.date.fromisoformat(first[:10]), dt.date.fromisoformat(last[:10])
    except ValueError:
        return sorted(days.items())
    if (end - start).days >= max_days:
        start = end - dt.timedelta(days=max_days - 1)
    out = []
    d = start
    while d <= end:
        out.append((d.isoformat(), days.get(d.isoformat(), 0)))
        d += dt.timedelta(days=1)
    return out


def summarize(story: dict[str, Any], record: StoryRecord, max_days: int = CONSOLIDATE.summary_days) -> dict[str, Any]:
    """What lists of stories and entity pages need, without the story's text."""
    from storyline.counts import count, report_ids

    articles = story["articles"]
    reports = set(report_ids(articles))
    counted = count(articles)
    entities = {
        e["key"]: {"name": e["name"], "type": e["type"], "aliases": list(e["aliases"]),
                   "articles": len(e["articles"]), "reports": sum(1 for a in e["articles"] if a in reports)}
        for e in story["entities"] if e.get("key")
    }
    return {
        "id": story["id"], "title": story["title"], "article_ids": [a["id"] for a in articles],
        "size": counted.reports, "count": counted.articles, "sources": list(counted.outlets),
        "unnamed": counted.unnamed, "languages": list(record.languages),
        "first_date": record.first_date, "last_date": record.last_date, "updated_at": record.updated_at,
        "per_day": [list(d) for d in day_counts([a["published"] for a in articles], record.first_date,
                                                record.last_date, max_days)],
        "entities": entities,
    }


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# Counts every consolidation this process ran (tests and benchmarks read it).
runs: Counter[str] = Counter()


def consolidate_and_store(store: Store, story_id: str, config: PipelineConfig | None = None) -> StoredStory:
    """Consolidate the story now, store the entities it folded and the story object, by version."""
    from storyline.dossier import consolidate, story_record

    record = store.get_story(story_id)
    version = story_version(store, record, config)
    done = consolidate(store, record.id, config or PipelineConfig())
    runs[record.id] += 1
    story = story_record(done)
    story["version"] = version
    body = encode(story)
    summary = summarize(story, record, (config or PipelineConfig()).consolidation.summary_days)
    computed_at = _now()
    store.merge_entities(done.entities, done.links)
    save_inferred_dates(store, done, computed_at)
    store.save_consolidation(record.id, version, body.decode("utf-8"), json.dumps(summary), computed_at)
    raise_alerts(store, story, computed_at)
    return StoredStory(record.id, version, body, summary, computed_at)


def save_inferred_dates(store: Store, done: Any, computed_at: str) -> int:
    """Store the dates inferred for the story's undated articles (recomputed with the story), and
    drop those of its other articles (dated now, or no longer inferable)."""
    from storyline.store import StoredInferredDate

    rows = [
        StoredInferredDate(aid, done.story_id, found.inferred.date, found.inferred.method,
                           found.inferred.confidence, found.inferred.evidence(), found.resolved, computed_at)
        for aid, found in sorted(done.inferred.items())
    ]
    clear = [a.id for a in done.articles if a.id not in done.inferred]
    return store.save_inferred_dates(done.story_id, rows, clear)


def raise_alerts(store: Store, story: dict[str, Any], now: str) -> int:
    """The alerts a newly consolidated story raises for the watches (each event once); how many."""
    from storyline.watches.evaluate import story_alerts

    alerts = []
    for watch in store.list_watches():
        alerts += story_alerts(watch, story, store.alert_keys(watch.id, story["id"]), now)
    return len(store.add_alerts(alerts)) if alerts else 0


def load_stored(store: Store, story_id: str) -> StoredStory | None:
    row = store.load_consolidation(story_id)
    if row is None:
        return None
    version, payload, summary, computed_at = row
    return StoredStory(story_id, version, payload.encode("utf-8"), json.loads(summary), computed_at)


def stored_if_current(store: Store, story_id: str,
                      config: PipelineConfig | None = None) -> tuple[StoryRecord, str, StoredStory | None]:
    """The story's record, its current version, and its stored consolidation when that is current."""
    record = store.get_story(story_id)
    version = story_version(store, record, config)
    stored = load_stored(store, record.id)
    return record, version, stored if stored is not None and stored.version == version else None


def current_story(store: Store, story_id: str, config: PipelineConfig | None = None) -> StoredStory:
    """The stored consolidation of the story's current version, consolidated and stored first when
    it is missing or stale."""
    _record, _version, stored = stored_if_current(store, story_id, config)
    return stored if stored is not None else consolidate_and_store(store, story_id, config)


def consolidate_stories(store: Store, story_ids: Iterable[str], *, force: bool = False,
                        config: PipelineConfig | None = None) -> int:
    """Consolidate each story once (merged ones as their survivor), unless its stored one is current;
    returns how many were consolidated. A story that vanished meanwhile is skipped."""
    done: set[str] = set()
    for sid in sorted(set(story_ids)):
        try:
            record = store.get_story(sid)
            if record.id in done:
                continue
            done.add(record.id)
            if not force:
                stored = load_stored(store, record.id)
                if stored is not None and stored.version == story_version(store, record, config):
                    continue
            consolidate_and_store(store, record.id, config)
        except NotFound:
            continue
    return len(done)


def consolidate_all(store: Store, *, force: bool = False, on_progress: Callable[[str, int], None] | None = None,
                    config: PipelineConfig | None = None) -> int:
    """(Re)build the stored consolidation of every story; drops those of stories that no longer exist."""
    live = [r.id for r in store.list_stories()]
    store.drop_consolidations(keep=live)
    n = 0
    for sid in live:
        n += consolidate_stories(store, [sid], force=force, config=config)
        if on_progress:
            on_progress("consolidate", 1)
    return n


class ConsolidationQueue:
    """Stories waiting for consolidation, each consolidated once however often it was touched.

    `add` records story ids; a background thread consolidates them (`consolidate`, one story at a
    time) once no new id came for `delay` seconds, or at the latest `max_wait` seconds after the
    first. `flush` consolidates what is pending now, in the caller's thread; `pending` tells whether a
    story waits."""

    def __init__(self, consolidate: Callable[[str], Any], *, delay: float = 0.5, max_wait: float = 5.0) -> None:
        self._consolidate = consolidate
        self.delay = delay
        self.max_wait = max_wait
        self._pending: dict[str, None] = {}
        self._first = 0.0
        self._last = 0.0
        self._cond = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None

    def add(self, story_ids: Iterable[str]) -> None:
        with self._cond:
            if self._closed:
                return
            now = time.monotonic()
            if not self._pending:
                self._first = now
            self._last = now
            for sid in story_ids:
                self._pending[sid] = None
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="storyline-consolidate", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def pending(self, story_id: str) -> bool:
        with self._cond:
            return story_id in self._pending

    def _take(self) -> list[str]:
        with self._cond:
            out = list(self._pending)
            self._pending.clear()
            return out

    def flush(self) -> int:
        return self._work(self._take())

    def _work(self, story_ids: Sequence[str]) -> int:
        n = 0
        for sid in story_ids:
            try:
                self._consolidate(sid)
                n += 1
            except NotFound:
                continue
            except Exception:  # one story must not stop the others: a reader consolidates it again
                log.exception("consolidating story %s failed", sid)
        return n

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                now = time.monotonic()
                due = min(self._last + self.delay, self._first + self.max_wait)
                if now < due:
                    self._cond.wait(due - now)
                    continue
            self.flush()

    def close(self, *, drain: bool = True) -> None:
        """Stop the thread; with `drain`, consolidate what is still pending first."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout=120)
        if drain:
            self._work(self._take())
