"""What the API and the pages read: one writer store, stores for reading, and the stored consolidations.

Writes go through the one writer store, one at a time (`Catalog.write_lock`). Reads never wait for
them: they use stores of their own (`Readers`: SQLite connections on the same file, or a second
PostgreSQL pool), which see committed data only.

Nothing about the database is kept in memory between requests. A story object (the export contract's
`story`) is the one stored for the story's current version (`storyline.consolidate.stored`); a stale
or missing one is consolidated again before it is served (one consolidation at a time per story,
concurrent readers wait for it). Lists of stories and entity pages read a `View`: the stored summaries
of the live stories and the canonical entities, read from the store when a request asks.

An ingest through the server stores and clusters the articles, then queues the stories it touched
(`ConsolidationQueue`): a burst of articles into one story is consolidated once, after a quiet moment,
unless a reader asks for the story first.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import multiprocessing
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from storyline.config import PipelineConfig
from storyline.consolidate.stored import (
    ConsolidationQueue,
    StoredStory,
    consolidate_and_store,
    day_counts,
    encode,
    load_stored,
    stored_if_current,
)
from storyline.counts import Counts, count
from storyline.model import Article, Entity, Rejection
from storyline.store import (
    Annotations,
    ArticleState,
    NotFound,
    SearchHit,
    Store,
    StoredArticle,
    StoredInferredDate,
    StoreError,
    StoryRecord,
    open_store,
)

log = logging.getLogger("storyline.serve")

# The tuning values are `storyline.config.ServeConfig` (the catalog's `config.serve`).


def entity_id(key: str) -> str:
    """A short, URL-safe, stable id for a canonical entity key ("ORG:vantorra batteries")."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


@dataclass
class ArticleInfo:
    id: str
    story_id: str | None
    duplicate_of: str | None
    title: str | None
    source: str | None
    published: str | None
    language: str | None
    ingested_at: str


@dataclass
class StorySummary:
    id: str
    title: str
    article_ids: tuple[str, ...]
    size: int  # reports (`storyline.counts`: near-copies count once)
    count: int  # every article, copies included
    sources: tuple[str, ...]  # outlets (`storyline.counts`)
    languages: tuple[str, ...]
    first_date: str | None
    last_date: str | None
    updated_at: str
    per_day: list[tuple[str, int]]
    entity_keys: set[str] = field(default_factory=set)
    # entity key -> (articles, reports) of this story mentioning it
    entity_counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    unnamed: int = 0  # articles with no outlet name (`storyline.counts`)

    @property
    def counts(self) -> Counts:
        return Counts(self.size, self.count, self.sources, self.unnamed)

    @property
    def last_update(self) -> str | None:
        """The latest publication date (None for a story with no dated article)."""
        return self.last_date


@dataclass
class EntityInfo:
    id: str
    key: str
    name: str
    label: str
    aliases: tuple[str, ...]
    articles: int = 0  # articles mentioning it, near-copies included
    reports: int = 0  # the same, a near-copy of another article of its story not counted
    per_story: dict[str, int] = field(default_factory=dict)  # story id -> its reports mentioning it

    @property
    def story_ids(self) -> set[str]:
        return set(self.per_story)


def _article_info(a: StoredArticle) -> ArticleInfo:
    art = a.article
    return ArticleInfo(a.id, a.story_id, a.duplicate_of, art.title, art.source, art.published, art.language,
                       a.ingested_at)


def summary_from_stored(record: StoryRecord, summary: dict[str, Any]) -> StorySummary:
    entities = summary.get("entities") or {}
    return StorySummary(
        id=record.id, title=record.title or summary["title"], article_ids=record.article_ids,
        size=int(summary["size"]), count=int(summary["count"]), sources=tuple(summary["sources"]),
        unnamed=int(summary.get("unnamed", 0)),
        languages=record.languages, first_date=record.first_date, last_date=record.last_date,
        updated_at=record.updated_at, per_day=[(d, int(n)) for d, n in summary.get("per_day") or ()],
        entity_keys=set(entities),
        entity_counts={k: (int(v["articles"]), int(v["reports"])) for k, v in entities.items()},
    )


def summary_from_record(record: StoryRecord, states: Sequence[ArticleState]) -> StorySummary:
    """A story whose consolidation is not stored yet (or older than the story): what its record and
    its articles' states tell (no entities until it is consolidated)."""
    counted = count((state[0], state[3], state[5]) for state in states)
    per_day = day_counts([state[4] for state in states], record.first_date, record.last_date)
    return StorySummary(
        id=record.id, title=record.title or "(untitled story)", article_ids=record.article_ids,
        size=counted.reports, count=len(record.article_ids), sources=counted.outlets, unnamed=counted.unnamed,
        languages=record.languages,
        first_date=record.first_date, last_date=record.last_date, updated_at=record.updated_at,
        per_day=per_day,
    )


def _fresh(record: StoryRecord, summary: dict[str, Any]) -> bool:
    """Whether a stored summary is of the story as listed (same articles, same title)."""
    return tuple(summary.get("article_ids") or ()) == record.article_ids and (
        not record.title or summary.get("title") == record.title)


class View:
    """The live stories (their stored summaries) and the canonical entities, read from a store once,
    for one request. `stale`: the stories whose stored summary is missing or older than the story."""

    def __init__(self, store: Store, load_entities: Callable[[], list[Entity]]) -> None:
        records = store.list_stories()
        stored = store.consolidation_summaries()
        self.stories: dict[str, StorySummary] = {}
        self.merged: dict[str, str] = {}  # a merged story's id -> its survivor
        self.stale: list[str] = []
        for r in records:
            for old in r.merged_from:
                self.merged[old] = r.id
            row = stored.get(r.id)
            summary = json.loads(row[1]) if row is not None else None
            if summary is not None and _fresh(r, summary):
                self.stories[r.id] = summary_from_stored(r, summary)
            else:
                self.stale.append(r.id)
                self.stories[r.id] = summary_from_record(r, store.article_states(r.article_ids))
        self._load_entities = load_entities  # read only when a request needs the entities

    def story_of(self, story_id: str | None) -> StorySummary | None:
        if story_id is None:
            return None
        return self.stories.get(self.merged.get(story_id, story_id))

    @cached_property
    def entity_by_key(self) -> dict[str, EntityInfo]:
        """The canonical entities some live story mentions."""
        out: dict[str, EntityInfo] = {}
        known = {e.key: e for e in self._load_entities()}
        for s in self.stories.values():
            for key, (articles, reports) in s.entity_counts.items():
                e = known.get(key)
                if e is None:
                    continue
                info = out.get(key)
                if info is None:
                    info = out[key] = EntityInfo(entity_id(key), key, e.name, e.label, tuple(e.aliases))
                info.articles += articles
                info.reports += reports
                info.per_story[s.id] = reports
        return out

    @cached_property
    def entities(self) -> dict[str, EntityInfo]:
        """By entity id."""
        return {e.id: e for e in self.entity_by_key.values()}

    def find_entity(self, ident: str) -> EntityInfo | None:
        """By id, by key, or by name/alias (case-insensitive; the one in the most articles)."""
        if ident in self.entities:
            return self.entities[ident]
        if ident in self.entity_by_key:
            return self.entity_by_key[ident]
        folded = ident.strip().casefold()
        best: EntityInfo | None = None
        for e in self.entities.values():
            named = folded == e.name.casefold() or any(folded == a.casefold() for a in e.aliases)
            if named and (best is None or (e.articles, e.key) > (best.articles, best.key)):
                best = e
        return best

    @cached_property
    def outlets(self) -> list[str]:
        return sorted({s for st in self.stories.values() for s in st.sources}, key=str.casefold)

    @cached_property
    def languages(self) -> list[str]:
        return sorted({lang for st in self.stories.values() for lang in st.languages})


# -- the story object ----------------------------------------------------------------------------


def _fallback_story(store: Store, story_id: str, reason: str) -> dict[str, Any]:
    """The contract's story object without consolidation: articles, exact-name entities, a timeline of
    publications and a brief of first sentences. Used only while `storyline.dossier` fails."""
    record = store.get_story(story_id)
    arts = [store.get_article(i) for i in record.article_ids]
    articles = []
    entities: dict[str, dict[str, Any]] = {}
    for a in arts:
        art = a.article
        articles.append({
            "id": a.id, "title": art.title, "source": art.source, "published": art.published,
            "language": art.language, "path": art.path, "url": art.url, "duplicate_of": a.duplicate_of,
            "text": art.text, "copies": [b.id for b in arts if b.duplicate_of == a.id],
        })
        for m in store.get_annotations(a.id).mentions:
            key = m.entity_key or f"{m.label}:{m.text.casefold()}"
            e = entities.setdefault(key, {"key": key, "name": m.text, "type": m.label, "aliases": [],
                                          "articles": []})
            if m.text not in e["aliases"]:
                e["aliases"].append(m.text)
            if a.id not in e["articles"]:
                e["articles"].append(a.id)
    originals = [a for a in arts if a.duplicate_of is None] or arts
    timeline = [{"date": a.article.published, "text": a.article.title or a.article.text[:120],
                 "articles": [a.id], "background": False} for a in originals if a.article.published]
    brief = []
    for a in originals[:5]:
        text = a.article.text.strip()
        end = next((i + 1 for i, ch in enumerate(text) if ch in ".!?" and i > 20), min(len(text), 200))
        start = a.article.text.find(text[:end])
        brief.append({"text": text[:end], "articles": [a.id],
                      "spans": [{"article": a.id, "start": start, "end": start + end}]})
    dates = [a["published"] for a in articles if a["published"]]
    return {
        "id": record.id, "title": record.title or next((a.article.title for a in arts if a.article.title), "")
        or "(untitled story)",
        "articles": articles,
        "entities": sorted(entities.values(), key=lambda e: (-len(e["articles"]), e["name"])),
        "timeline": timeline, "facts": [], "brief": brief, "merged_from": list(record.merged_from),
        "size": count(articles).reports, "sources": list(count(articles).outlets),
        "languages": list(record.languages),
        "first_date": min(dates) if dates else None, "last_date": max(dates) if dates else None,
        "degraded": reason,
    }


_worker_store: Store | None = None


def _consolidate_in_worker(url: str, story_id: str, config: PipelineConfig | None = None) -> None:
    """In a consolidation process: consolidate the story and store it, through a store of its own."""
    global _worker_store
    if _worker_store is None:
        _worker_store = open_store(url)
    consolidate_and_store(_worker_store, story_id, config)


# -- the catalog ---------------------------------------------------------------------------------


class Readers:
    """Stores for reading, apart from the one writer, so reads never wait for a write.

    SQLite file: a pool of connections of their own on the same file (WAL lets them read while the
    writer writes; each sees committed data only), checked out by one thread at a time and opened on
    demand, at most `size` (then a thread waits for one). PostgreSQL: one more pooled store, shared by
    every thread. Anything else (an in-memory SQLite database): the writer itself, under the write lock."""

    def __init__(self, url: str, writer: Store, write_lock: threading.RLock, size: int = 32) -> None:
        self.url = url
        self.writer = writer
        self.write_lock = write_lock
        self.size = size
        self.mode = _reader_mode(url, writer)
        self.shared: Store | None = open_store(url) if self.mode == "shared" else None
        self._idle: list[Store] = []
        self._open = 0
        self._cond = threading.Condition()
        self._closed = False

    @contextmanager
    def get(self) -> Iterator[Store]:
        if self.mode == "writer":
            with self.write_lock:
                yield self.writer
            return
        if self.shared is not None:
            yield self.shared
            return
        store = self._checkout()
        try:
            yield store
        finally:
            with self._cond:
                if self._closed:
                    store.close()
                else:
                    self._idle.append(store)
                    self._cond.notify()

    def _checkout(self) -> Store:
        with self._cond:
            while True:
                if self._closed:
                    raise StoreError("the server is shutting down")
                if self._idle:
                    return self._idle.pop()
                if self._open < self.size:
                    self._open += 1
                    break
                self._cond.wait()
        try:
            return open_store(self.url)
        except BaseException:
            with self._cond:
                self._open -= 1
                self._cond.notify()
            raise

    def close(self) -> None:
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
        for store in idle:
            store.close()
        if self.shared is not None:
            self.shared.close()


def _reader_mode(url: str, writer: Store) -> str:
    module = type(writer).__module__
    if module.endswith(".postgres"):
        return "shared"  # a connection pool: safe from any thread
    if module.endswith(".sqlite"):
        from storyline.store.sqlite import sqlite_path

        path = sqlite_path(url)
        if path != ":memory:" and not path.startswith("file:"):
            return "pool"
    return "writer"


def encode_json(content: Any) -> bytes:
    """What Starlette's JSONResponse would send for `content`."""
    try:
        text = json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":"))
    except TypeError:
        from fastapi.encoders import jsonable_encoder

        text = json.dumps(jsonable_encoder(content), ensure_ascii=False, allow_nan=False, indent=None,
                          separators=(",", ":"))
    return text.encode("utf-8")


class Catalog:
    """The server's stores and its consolidation queue.

    Writes are serialised (`write_lock`) through the one writer store; the stories a write touched
    are queued for consolidation. Reads use `Readers` and take no lock: a story is served from its
    stored consolidation when that is of the story's current version, else consolidated first (once:
    concurrent readers and the queue wait for the one running)."""

    def __init__(self, store: Store, url: str | None = None, *, readers: int = 32, workers: int = 0,
                 delay: float | None = None, config: PipelineConfig | None = None) -> None:
        self.config = config or PipelineConfig()
        serve = self.config.serve
        self.store = store
        self.url = url or store.url
        self.write_lock = threading.RLock()
        self.lock = self.write_lock  # the name callers knew
        self.readers = Readers(self.url, store, self.write_lock, readers)
        self._flights: dict[str, threading.Lock] = {}
        self._flights_lock = threading.Lock()
        # Consolidation is CPU-bound Python: in `workers` processes of their own (reading and writing
        # the database themselves) it runs beside the server's threads instead of holding their
        # interpreter lock.
        self._pool: ProcessPoolExecutor | None = None
        if workers > 0 and self.readers.mode != "writer":
            self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
        self.queue = ConsolidationQueue(self._consolidate_queued,
                                        delay=serve.queue_delay if delay is None else delay)
        self._warmer: threading.Thread | None = None

    def warm(self) -> None:
        """In the background: queue every story whose stored consolidation is missing or stale."""

        def run() -> None:
            try:
                self.queue.add(self.view().stale)
            except Exception:
                log.exception("warming up failed")

        self._warmer = threading.Thread(target=run, name="storyline-warm", daemon=True)
        self._warmer.start()

    def close(self) -> None:
        if self._warmer is not None:
            self._warmer.join(timeout=60)
        self.queue.close(drain=False)  # what is left is consolidated when first read
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        with self.write_lock:
            self.readers.close()
            self.store.close()

    # -- reads ------------------------------------------------------------------------------------
    def view(self, *, entities: bool = False) -> View:
        """The live stories and the canonical entities, as stored now. Stories whose consolidation is
        missing or stale are listed from their record and queued; with `entities` (what an entity
        filter or page needs: only a consolidation folds a story's entities), they are consolidated
        first."""
        with self.readers.get() as store:
            view = View(store, self._entities)
        # Stale stories a request that needs entities consolidates itself (more: an old database being
        # consolidated in the background; their entities appear as the queue catches up).
        if view.stale and entities and len(view.stale) <= self.config.serve.sync_limit:
            for sid in view.stale:
                try:
                    self.story_entry(sid)
                except NotFound:
                    continue
            with self.readers.get() as store:
                view = View(store, self._entities)
        if view.stale:
            self.queue.add(view.stale)
        return view

    def _entities(self) -> list[Entity]:
        with self.readers.get() as store:
            return store.list_entities()

    def story(self, story_id: str) -> dict[str, Any]:
        return self.story_entry(story_id).story

    def story_entry(self, story_id: str) -> StoredStory:
        """The stored consolidation of the story's current version, consolidated first when it is
        missing or stale (never served as current when the story moved on)."""
        with self.readers.get() as store:
            record, _version, stored = stored_if_current(store, story_id, self.config)
        if stored is not None:
            return stored
        with self._flight(record.id):
            with self.readers.get() as store:
                _record, _version, stored = stored_if_current(store, record.id, self.config)
            if stored is not None:  # consolidated by another reader or the queue meanwhile
                return stored
            return self._consolidate(record.id)

    def summary(self, story_id: str) -> StorySummary | None:
        """One story's summary (its stored one, or what its record tells)."""
        with self.readers.get() as store:
            try:
                record = store.get_story(story_id)
            except NotFound:
                return None
            stored = load_stored(store, record.id)
            if stored is not None and _fresh(record, stored.summary):
                return summary_from_stored(record, stored.summary)
            return summary_from_record(record, store.article_states(record.article_ids))

    def entity_names(self, story_id: str | None) -> dict[str, EntityInfo]:
        """The canonical entities of one story (from its stored summary), by key."""
        if story_id is None:
            return {}
        try:
            stored = self.story_entry(story_id)
        except NotFound:
            return {}
        entities = stored.summary.get("entities") or {}
        return {k: EntityInfo(entity_id(k), k, v["name"], v["type"], tuple(v.get("aliases") or ()),
                              int(v["articles"]), int(v["reports"]), {stored.story_id: int(v["reports"])})
                for k, v in entities.items()}

    def _flight(self, story_id: str) -> threading.Lock:
        with self._flights_lock:
            return self._flights.setdefault(story_id, threading.Lock())

    def _consolidate_queued(self, story_id: str) -> None:
        self.story_entry(story_id)

    def _consolidate(self, story_id: str) -> StoredStory:
        if self._pool is not None:
            try:
                self._pool.submit(_consolidate_in_worker, self.url, story_id, self.config).result()
                with self.readers.get() as store:
                    stored = load_stored(store, story_id)
                if stored is not None:
                    return stored
            except StoreError:
                raise
            except Exception:  # a broken process pool: consolidate here
                log.exception("the consolidation process failed; consolidating in the server")
        with self.readers.get() as store:
            try:
                return consolidate_and_store(store, story_id, self.config)
            except StoreError:
                raise
            except Exception as exc:
                log.exception("consolidating story %s failed; serving it unconsolidated", story_id)
                story = _fallback_story(store, story_id, f"consolidation failed: {type(exc).__name__}")
                return StoredStory(story["id"], "", encode(story), {}, "")

    def inferred_date(self, article_id: str) -> StoredInferredDate | None:
        """The publication date inferred for an undated article by its story's consolidation, if any."""
        with self.readers.get() as store:
            return store.inferred_dates([article_id]).get(article_id)

    def article(self, article_id: str) -> tuple[StoredArticle, Annotations]:
        """The article and its annotations, its mentions linked to canonical entities by the current
        consolidation of its story (consolidated first when that is stale)."""
        with self.readers.get() as store:
            stored = store.get_article(article_id)
        if stored.story_id:
            # NotFound: its story was merged or rebuilt meanwhile; read what is stored.
            with contextlib.suppress(NotFound):
                self.story_entry(stored.story_id)
        with self.readers.get() as store:
            stored = store.get_article(stored.id)
            return stored, store.get_annotations(stored.id)

    def article_info(self, article_id: str) -> ArticleInfo | None:
        with self.readers.get() as store:
            try:
                return _article_info(store.get_article(article_id))
            except NotFound:
                return None

    def search(self, query: str, limit: int, offset: int) -> list[SearchHit]:
        with self.readers.get() as store:
            return store.search(query, limit=limit, offset=offset)

    # -- writes -----------------------------------------------------------------------------------
    def ingest(self, items: Sequence[Article | Rejection]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Clean, enrich, store and cluster at once; returns (stored, rejected). When it returns, every
        read sees the new articles in their stories; the stories touched are queued for consolidation."""
        from storyline.pipeline import ingest_articles

        rejected: list[Rejection] = []
        with self.write_lock:
            report = ingest_articles(self.store, list(items), replace(self.config, consolidate=False),
                                     on_error=rejected.append)
            stored: list[dict[str, Any]] = []
            for ident in dict.fromkeys(report.ids):
                a = self.store.get_article(ident)
                stored.append({"id": a.id, "story_id": a.story_id, "duplicate_of": a.duplicate_of,
                               "version": a.version})
        self.queue.add(s["story_id"] for s in stored if s["story_id"])
        return stored, [{"input": e.path, "reason": e.reason} for e in rejected]


def filter_stories(
    catalog: Catalog,
    *,
    date_from: str | None = None,
    date_to: str | None = None,
    language: str | None = None,
    outlet: str | None = None,
    entity: str | None = None,
    q: str | None = None,
    sort: str = "updated",
    view: View | None = None,
) -> list[StorySummary]:
    """Stories matching every filter given, most recently active (or largest) first.

    Raises QuerySyntaxError for a malformed `q`; an unknown entity matches nothing."""
    view = view or catalog.view(entities=bool(entity))
    stories = list(view.stories.values())
    if q:
        hits = catalog.search(q, limit=1000, offset=0)
        # A hit in a merged story counts for its survivor.
        wanted = {s.id for h in hits if (s := view.story_of(h.story_id)) is not None}
        stories = [s for s in stories if s.id in wanted]
    if date_from:
        stories = [s for s in stories if (s.last_date or "")[: len(date_from)] >= date_from]
    if date_to:
        stories = [s for s in stories if s.first_date and s.first_date[: len(date_to)] <= date_to]
    if language:
        lang = language.strip().lower()
        stories = [s for s in stories if lang in s.languages]
    if outlet:
        folded = outlet.strip().casefold()
        stories = [s for s in stories if any(folded == src.casefold() for src in s.sources)]
    if entity:
        found = view.find_entity(entity)
        stories = [s for s in stories if found is not None and s.id in found.per_story]
    if sort == "size":
        stories.sort(key=lambda s: (s.size, s.last_update or "", s.updated_at), reverse=True)
    else:
        stories.sort(key=lambda s: (s.last_update or "", s.size, s.updated_at), reverse=True)
    return stories
