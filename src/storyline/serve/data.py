"""What the API and the pages read: one writer store, stores for reading, an index and a story cache.

Writes go through the one writer store, one at a time (`Catalog.write_lock`). Reads never wait for
them: they use stores of their own (`Readers`: SQLite connections on the same file, or a second
PostgreSQL pool), which see committed data only.

`Catalog.index()` is a summary of the whole database (stories with their sizes, outlets, languages,
articles per day; canonical entities and where they appear): an immutable snapshot, built once,
then replaced after each write by a copy updated for the articles and stories the write touched
(`refresh_index`), and rebuilt in the background when the database changed behind the server's
back (another process ingesting), checked at most every few seconds. Story objects (the export
contract's `story`) come from `storyline.dossier.story_json` and are cached, with their JSON, by the
story's state: only stories that changed are consolidated again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from storyline.counts import Counts, count
from storyline.model import Article, Entity, EntityMention, ReadError
from storyline.store import (
    Annotations,
    NotFound,
    SearchHit,
    Store,
    StoredArticle,
    StoreError,
    StoryRecord,
    open_store,
)

log = logging.getLogger("storyline.serve")

INDEX_TTL = 3.0  # seconds between checks that the database did not change behind our back
STORY_CACHE = 128


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
    entity_keys: set[str] = field(default_factory=set)


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
    article_ids: set[str] = field(default_factory=set)
    story_ids: set[str] = field(default_factory=set)


@dataclass
class Index:
    """A snapshot: never changed once published (a write makes a new one, see `refresh_index`)."""

    signature: tuple[int, int]
    articles: dict[str, ArticleInfo]
    stories: dict[str, StorySummary]
    entities: dict[str, EntityInfo]  # by entity id
    entity_by_key: dict[str, EntityInfo]
    mention_keys: dict[tuple[str, int, int], str]  # (article id, start, end) -> entity key
    built_at: float = 0.0
    known: bool = False  # the entities are the store's own (else resolved here, over the database)

    def find_entity(self, ident: str) -> EntityInfo | None:
        """By id, by key, or by name/alias (case-insensitive)."""
        if ident in self.entities:
            return self.entities[ident]
        if ident in self.entity_by_key:
            return self.entity_by_key[ident]
        folded = ident.strip().casefold()
        best: EntityInfo | None = None
        for e in self.entities.values():
            named = folded == e.name.casefold() or any(folded == a.casefold() for a in e.aliases)
            if named and (best is None or len(e.article_ids) > len(best.article_ids)):
                best = e
        return best

    @cached_property
    def alias_keys(self) -> dict[tuple[str, str], str]:
        """(type, case-folded alias) -> entity key, the entity with the most articles winning."""
        out: dict[tuple[str, str], str] = {}
        ranked = sorted(self.entity_by_key.values(), key=lambda e: (-len(e.article_ids), e.key))
        for e in ranked:
            for name in (e.name, *e.aliases):
                out.setdefault((e.label, name.strip().casefold()), e.key)
        return out

    @cached_property
    def outlets(self) -> list[str]:
        return sorted({s for st in self.stories.values() for s in st.sources}, key=str.casefold)

    @cached_property
    def languages(self) -> list[str]:
        return sorted({lang for st in self.stories.values() for lang in st.languages})


def _day_counts(dates: Iterable[str | None], first: str | None, last: str | None, max_days: int = 60) -> list[
        tuple[str, int]]:
    """Articles per day from the first to the last date (at most `max_days` days, the last ones)."""
    import datetime as dt

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


def _resolve_entities(
    docs: list[tuple[str, str, tuple[EntityMention, ...]]],
) -> tuple[list[Entity], dict[tuple[str, int, int], str]]:
    """Canonical entities over the whole database (the store's own when it has them)."""
    try:
        from storyline.enrich.resolve import resolve

        resolved = resolve(docs)
        return list(resolved.entities), dict(resolved.mention_keys)
    except Exception:  # resolution is someone else's moving part: fall back to exact names
        log.exception("entity resolution failed; grouping mentions by exact name")
    entities: dict[str, Entity] = {}
    links: dict[tuple[str, int, int], str] = {}
    for doc_id, _text, mentions in docs:
        for m in mentions:
            key = f"{m.label}:{m.text.casefold()}"
            entities.setdefault(key, Entity(key, m.text, m.label, (m.text,)))
            links[(doc_id, m.start, m.end)] = key
    return list(entities.values()), links


def _article_info(a: StoredArticle) -> ArticleInfo:
    art = a.article
    return ArticleInfo(a.id, a.story_id, a.duplicate_of, art.title, art.source, art.published, art.language,
                       a.ingested_at)


def _summary(r: StoryRecord, members: Sequence[ArticleInfo]) -> StorySummary:
    title = r.title or next((m.title for m in members if m.title), None) or "(untitled story)"
    keys: set[str] = set()
    for member in members:
        keys |= member.entity_keys
    counted = count(members)
    return StorySummary(
        id=r.id, title=title, article_ids=r.article_ids,
        size=counted.reports, count=counted.articles, sources=counted.outlets, unnamed=counted.unnamed,
        languages=r.languages, first_date=r.first_date, last_date=r.last_date,
        updated_at=r.updated_at,
        per_day=_day_counts([m.published for m in members], r.first_date, r.last_date),
        entity_keys=keys,
    )


def signature(store: Store) -> tuple[int, int]:
    """What tells that the database changed: its article and (live) story counts."""
    return store.count_articles(), len(store.list_stories())


def build_index(store: Store, signature: tuple[int, int]) -> Index:
    records: list[StoryRecord] = store.list_stories()
    stored: list[StoredArticle] = list(store.iter_articles())
    anns: dict[str, Annotations] = {a.id: store.get_annotations(a.id) for a in stored}
    known = store.list_entities()
    if known:
        entities = known
        mention_keys = {
            (aid, m.start, m.end): m.entity_key
            for aid, ann in anns.items()
            for m in ann.mentions
            if m.entity_key
        }
    else:
        docs = [(a.id, a.article.text, anns[a.id].mentions) for a in stored]
        entities, mention_keys = _resolve_entities(docs)
    by_key = {e.key: EntityInfo(entity_id(e.key), e.key, e.name, e.label, tuple(e.aliases)) for e in entities}
    articles: dict[str, ArticleInfo] = {}
    for a in stored:
        info = _article_info(a)
        for m in anns[a.id].mentions:
            key = mention_keys.get((a.id, m.start, m.end)) or m.entity_key
            if key and key in by_key:
                info.entity_keys.add(key)
                by_key[key].article_ids.add(a.id)
                if a.story_id:
                    by_key[key].story_ids.add(a.story_id)
        articles[a.id] = info
    stories: dict[str, StorySummary] = {}
    for r in records:
        members = [articles[i] for i in r.article_ids if i in articles]
        if members:
            stories[r.id] = _summary(r, members)
    # An entity's stories are those still alive (merged stories point to their survivor).
    for e in by_key.values():
        e.story_ids &= set(stories)
    return Index(signature, articles, stories, {e.id: e for e in by_key.values() if e.article_ids}, by_key,
                 {k: v for k, v in mention_keys.items() if v}, time.monotonic(), known=bool(known))


def _new_key(label: str, text: str) -> str:
    try:
        from storyline.enrich.names import entity_key

        return entity_key(label, text)
    except Exception:  # names are someone else's moving part: fall back to the exact name
        return f"{label}:{text.casefold()}"


def refresh_index(index: Index, store: Store, article_ids: Iterable[str], story_ids: Iterable[str]) -> Index:
    """A new index: `index` with the given articles and stories read again from `store` (stories merged
    into another one are dropped, their articles move to the survivor). `index` itself is not changed:
    readers holding it keep a consistent view.

    New mentions join the canonical entity one of whose aliases they spell (same type), else an entity
    of their own; the next full build (`build_index`) resolves them over the whole database."""
    articles = dict(index.articles)
    stories = dict(index.stories)
    by_key = dict(index.entity_by_key)
    mention_keys = dict(index.mention_keys)
    aliases = dict(index.alias_keys)
    copied: dict[str, EntityInfo] = {}
    affected: set[str] = set()  # entity keys whose story ids must be recomputed

    def entity(key: str) -> EntityInfo:
        if key not in copied:
            old = by_key[key]
            copied[key] = EntityInfo(old.id, old.key, old.name, old.label, old.aliases, set(old.article_ids),
                                     set(old.story_ids))
            by_key[key] = copied[key]
        return copied[key]

    def load(ident: str) -> ArticleInfo | None:
        try:
            a = store.get_article(ident)
        except NotFound:
            return None
        old = articles.get(a.id)
        if old is not None:
            for gone in old.entity_keys:
                if gone in by_key:
                    entity(gone).article_ids.discard(a.id)
                    affected.add(gone)
        info = _article_info(a)
        for m in store.get_annotations(a.id).mentions:
            key: str | None = mention_keys.get((a.id, m.start, m.end)) if old is not None else None
            if index.known:
                key = m.entity_key or key
            elif key is None:
                key = aliases.get((m.label, m.text.strip().casefold())) or _new_key(m.label, m.text)
            if not key:
                continue
            if key not in by_key:
                if index.known:
                    continue
                by_key[key] = copied[key] = EntityInfo(entity_id(key), key, m.text.strip(), m.label,
                                                       (m.text.strip(),))
                aliases.setdefault((m.label, m.text.strip().casefold()), key)
            mention_keys[(a.id, m.start, m.end)] = key
            info.entity_keys.add(key)
            entity(key).article_ids.add(a.id)
            affected.add(key)
        articles[a.id] = info
        return info

    touched_stories = set(story_ids)
    for ident in dict.fromkeys(article_ids):
        info = load(ident)
        if info is not None and info.story_id:
            touched_stories.add(info.story_id)
    for sid in sorted(touched_stories):
        try:
            record = store.get_story(sid)
        except NotFound:
            gone = stories.pop(sid, None)
            if gone is not None:
                affected |= gone.entity_keys
            continue
        for old_id in {sid, *record.merged_from} - {record.id}:
            gone = stories.pop(old_id, None)
            if gone is not None:
                affected |= gone.entity_keys
        members: list[ArticleInfo] = []
        for aid in record.article_ids:
            info = articles.get(aid)
            if info is None:
                info = load(aid)
            elif info.story_id != record.id:
                info = replace(info, story_id=record.id)  # moved here from a merged story
                articles[aid] = info
            if info is not None:
                members.append(info)
        previous = stories.pop(record.id, None)
        if previous is not None:
            affected |= previous.entity_keys
        if members:
            stories[record.id] = summary = _summary(record, members)
            affected |= summary.entity_keys
    entities = dict(index.entities)
    for key in affected:
        if key not in by_key:
            continue
        e = entity(key)
        e.story_ids = {s for s in (articles[a].story_id for a in e.article_ids if a in articles)
                       if s is not None and s in stories}
        if e.article_ids:
            entities[e.id] = e
        else:
            entities.pop(e.id, None)
    refreshed = Index(index.signature, articles, stories, entities, by_key, mention_keys, index.built_at,
                      known=index.known)
    refreshed.__dict__["alias_keys"] = aliases
    return refreshed


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


def build_story(store: Store, story_id: str) -> dict[str, Any]:
    """The export contract's story object, from `storyline.dossier` (a reduced one if it fails)."""
    try:
        from storyline.dossier import story_json
    except ImportError as exc:
        return _fallback_story(store, story_id, f"consolidation unavailable: {exc}")
    try:
        return story_json(store, story_id)
    except StoreError:
        raise
    except Exception as exc:
        log.exception("consolidating story %s failed; serving it unconsolidated", story_id)
        return _fallback_story(store, story_id, f"consolidation failed: {type(exc).__name__}")


_worker_store: Store | None = None


def _consolidate_in_worker(url: str, story_id: str) -> dict[str, Any]:
    """In a consolidation process: the story object, from a reader store of the process's own."""
    global _worker_store
    if _worker_store is None:
        _worker_store = open_store(url)
    return build_story(_worker_store, story_id)


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


@dataclass
class CachedStory:
    story: dict[str, Any]
    body: bytes  # the story as JSON, encoded once


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
    """The server's stores, its index and its story cache.

    Writes are serialised (`write_lock`) through the one writer store; after each the index is
    updated for the articles and stories it touched (`refresh_index`) and the new index replaces the
    old one (readers keep the snapshot they hold). Reads use `Readers` and take no lock. Whether the
    database changed behind our back (another process) is checked in the background every
    INDEX_TTL seconds; the index is then rebuilt, also in the background."""

    def __init__(self, store: Store, url: str | None = None, *, readers: int = 32, workers: int = 0) -> None:
        self.store = store
        self.url = url or store.url
        self.write_lock = threading.RLock()
        self.lock = self.write_lock  # the name callers knew
        self.readers = Readers(self.url, store, self.write_lock, readers)
        self._index: Index | None = None
        self._build_lock = threading.Lock()  # one full build at a time
        self._building = False
        self._touched: list[tuple[set[str], set[str]]] = []  # writes made while a build runs
        self._checked = time.monotonic()
        self._checker: threading.Thread | None = None
        self._content_gen = 0  # bumped when an article changes in place (its story keeps its state)
        self._cache_lock = threading.Lock()
        self._stories: OrderedDict[tuple[Any, ...], CachedStory] = OrderedDict()
        self._inflight: dict[tuple[Any, ...], threading.Lock] = {}
        # Consolidation is CPU-bound Python: in `workers` processes of their own (reading the database
        # themselves) it runs beside the server's threads instead of holding their interpreter lock.
        self._pool: ProcessPoolExecutor | None = None
        if workers > 0 and self.readers.mode != "writer":
            self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
        self._warmer: threading.Thread | None = None

    def warm(self) -> None:
        """In the background: build the index and consolidate the largest story (loading the models and
        starting the consolidation processes) before the first request needs them."""

        def run() -> None:
            try:
                index = self.index()
                if index.stories:
                    self.story_entry(max(index.stories.values(), key=lambda s: (s.count, s.id)).id)
            except Exception:
                log.exception("warming up failed")

        self._warmer = threading.Thread(target=run, name="storyline-warm", daemon=True)
        self._warmer.start()

    def close(self) -> None:
        for thread in (self._warmer, self._checker):
            if thread is not None:
                thread.join(timeout=60)
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        with self.write_lock:
            self.readers.close()
            self.store.close()

    # -- the index --------------------------------------------------------------------------------
    def invalidate(self) -> None:
        """Forget the index: the next call to `index()` rebuilds it."""
        with self.write_lock:
            self._index = None

    def index(self) -> Index:
        index = self._index
        if index is None:
            return self._rebuild()
        if time.monotonic() - self._checked >= INDEX_TTL and self._checker is None:
            with self._cache_lock:
                if self._checker is None:
                    self._checked = time.monotonic()
                    self._checker = threading.Thread(target=self._check, name="storyline-index-check",
                                                     daemon=True)
                    self._checker.start()
        return index

    def _check(self) -> None:
        """Rebuild the index when the database changed without us (another process wrote)."""
        try:
            with self.write_lock:  # no write of ours half done while we look
                current = signature(self.store)
            index = self._index
            if index is not None and index.signature != current:
                log.info("the database changed behind the server: rebuilding the index")
                self._rebuild(force=True)
        except Exception:
            log.exception("checking the database for changes failed")
        finally:
            self._checked = time.monotonic()
            self._checker = None

    def _rebuild(self, *, force: bool = False) -> Index:
        """A full build on a reader; writes made meanwhile are applied to it before it is published."""
        with self._build_lock:
            if self._index is not None and not force:
                return self._index
            with self.write_lock:
                self._building = True
                self._touched = []
            try:
                with self.readers.get() as store:
                    sig = signature(store)
                    built = build_index(store, sig)
                with self.write_lock:
                    if self._touched:
                        articles = set().union(*(a for a, _ in self._touched))
                        stories = set().union(*(s for _, s in self._touched))
                        built = refresh_index(built, self.store, articles, stories)
                        built.signature = signature(self.store)
                    self._index = built
                    return built
            finally:
                with self.write_lock:
                    self._building = False
                    self._touched = []

    # -- reads ------------------------------------------------------------------------------------
    def story(self, story_id: str) -> dict[str, Any]:
        return self.story_entry(story_id).story

    def story_entry(self, story_id: str) -> CachedStory:
        """The story object (and its JSON), consolidated once per state of the story: the cache key
        is the story's id, update time and articles. Concurrent first views wait for one build."""
        gen = self._content_gen  # read before the story: a newer story under an older key is harmless
        with self.readers.get() as store:
            record = store.get_story(story_id)
        key = (record.id, record.updated_at, record.article_ids, gen)
        with self._cache_lock:
            cached = self._stories.get(key)
            if cached is not None:
                self._stories.move_to_end(key)
                return cached
            flight = self._inflight.setdefault(key, threading.Lock())
        with flight:
            with self._cache_lock:
                cached = self._stories.get(key)
                if cached is not None:
                    return cached
            try:
                story = self._consolidate(record.id)
                cached = CachedStory(story, encode_json(story))
                with self._cache_lock:
                    self._stories[key] = cached
                    while len(self._stories) > STORY_CACHE:
                        self._stories.popitem(last=False)
            finally:
                with self._cache_lock:
                    self._inflight.pop(key, None)
        return cached

    def _consolidate(self, story_id: str) -> dict[str, Any]:
        if self._pool is not None:
            try:
                return self._pool.submit(_consolidate_in_worker, self.url, story_id).result()
            except StoreError:
                raise
            except Exception:  # a broken process pool: consolidate here
                log.exception("the consolidation process failed; consolidating in the server")
        with self.readers.get() as store:
            return build_story(store, story_id)

    def article(self, article_id: str) -> tuple[StoredArticle, Annotations]:
        with self.readers.get() as store:
            stored = store.get_article(article_id)
            return stored, store.get_annotations(stored.id)

    def search(self, query: str, limit: int, offset: int) -> list[SearchHit]:
        with self.readers.get() as store:
            return store.search(query, limit=limit, offset=offset)

    # -- writes -----------------------------------------------------------------------------------
    def ingest(self, items: Sequence[Article | ReadError]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Clean, enrich, store and cluster at once; returns (stored, rejected). When it returns, the
        index and every read see the new articles in their stories."""
        from storyline.pipeline import ingest_articles

        rejected: list[ReadError] = []
        with self.write_lock:
            try:
                report = ingest_articles(self.store, list(items), on_error=rejected.append)
                stored: list[dict[str, Any]] = []
                for ident in dict.fromkeys(report.ids):
                    a = self.store.get_article(ident)
                    stored.append({"id": a.id, "story_id": a.story_id, "duplicate_of": a.duplicate_of,
                                   "version": a.version})
                if report.updated:
                    self._content_gen += 1
                self._after_write({s["id"] for s in stored}, {s["story_id"] for s in stored if s["story_id"]})
            except BaseException:
                self._index = None  # a half-applied write: rebuild from the database
                raise
        return stored, [{"input": e.path, "reason": e.reason} for e in rejected]

    def _after_write(self, article_ids: set[str], story_ids: set[str]) -> None:
        """Under the write lock: the index updated for what a write touched."""
        if self._building:
            self._touched.append((article_ids, story_ids))
        index = self._index
        if index is None or not (article_ids or story_ids):
            return
        refreshed = refresh_index(index, self.store, article_ids, story_ids)
        refreshed.signature = signature(self.store)
        self._index = refreshed


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
) -> list[StorySummary]:
    """Stories matching every filter given, most recently active (or largest) first.

    Raises QuerySyntaxError for a malformed `q`; an unknown entity matches nothing."""
    index = catalog.index()
    stories = list(index.stories.values())
    if q:
        hits = catalog.search(q, limit=1000, offset=0)
        wanted = {h.story_id for h in hits if h.story_id}
        # A hit in a merged story counts for its survivor.
        wanted |= {index.articles[h.article_id].story_id for h in hits if h.article_id in index.articles}  # type: ignore[misc]
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
        found = index.find_entity(entity)
        stories = [s for s in stories if found is not None and s.id in found.story_ids]
    if sort == "size":
        stories.sort(key=lambda s: (s.size, s.last_update or "", s.updated_at), reverse=True)
    else:
        stories.sort(key=lambda s: (s.last_update or "", s.size, s.updated_at), reverse=True)
    return stories
