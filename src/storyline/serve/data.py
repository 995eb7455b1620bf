"""What the API and the pages read: one shared store behind one lock, with small caches.

The SQLite store holds one connection; every access to it from the server goes through
`Catalog.lock`, so reads never interleave with a write transaction and writes are serialised.

`Catalog.index()` is a summary of the whole database (stories with their sizes, outlets, languages,
articles per day; canonical entities and where they appear), rebuilt after a write or when the
database changed behind the server's back (another process ingesting), checked at most every few
seconds. Story objects (the export contract's `story`) come from `storyline.dossier.story_json`
and are cached by the story's state.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from storyline.model import Article, Entity, EntityMention, ReadError
from storyline.store import Annotations, SearchHit, Store, StoredArticle, StoreError, StoryRecord

log = logging.getLogger("storyline.serve")

INDEX_TTL = 3.0  # seconds between checks that the database did not change behind our back
STORY_CACHE = 64


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
    size: int  # originals (near-copies count once)
    count: int  # every article, copies included
    sources: tuple[str, ...]
    languages: tuple[str, ...]
    first_date: str | None
    last_date: str | None
    updated_at: str
    per_day: list[tuple[str, int]]
    entity_keys: set[str] = field(default_factory=set)

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
    signature: tuple[int, int]
    articles: dict[str, ArticleInfo]
    stories: dict[str, StorySummary]
    entities: dict[str, EntityInfo]  # by entity id
    entity_by_key: dict[str, EntityInfo]
    mention_keys: dict[tuple[str, int, int], str]  # (article id, start, end) -> entity key
    built_at: float = 0.0

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

    @property
    def outlets(self) -> list[str]:
        return sorted({s for st in self.stories.values() for s in st.sources}, key=str.casefold)

    @property
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
        art = a.article
        info = ArticleInfo(a.id, a.story_id, a.duplicate_of, art.title, art.source, art.published,
                           art.language, a.ingested_at)
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
        if not members:
            continue
        title = r.title or next((m.title for m in members if m.title), None) or "(untitled story)"
        keys: set[str] = set()
        for member in members:
            keys |= member.entity_keys
        stories[r.id] = StorySummary(
            id=r.id, title=title, article_ids=r.article_ids,
            size=sum(1 for m in members if m.duplicate_of is None), count=len(members),
            sources=r.sources, languages=r.languages, first_date=r.first_date, last_date=r.last_date,
            updated_at=r.updated_at,
            per_day=_day_counts([m.published for m in members], r.first_date, r.last_date),
            entity_keys=keys,
        )
    # An entity's stories are those still alive (merged stories point to their survivor).
    for e in by_key.values():
        e.story_ids &= set(stories)
    return Index(signature, articles, stories, {e.id: e for e in by_key.values() if e.article_ids}, by_key,
                 {k: v for k, v in mention_keys.items() if v}, time.monotonic())


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
        "size": len(originals), "sources": list(record.sources), "languages": list(record.languages),
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


# -- the catalog ---------------------------------------------------------------------------------


class Catalog:
    """The server's one store, its lock and its caches."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.lock = threading.RLock()
        self._index: Index | None = None
        self._checked = 0.0
        self._stories: OrderedDict[tuple[str, str, tuple[str, ...]], dict[str, Any]] = OrderedDict()

    def close(self) -> None:
        with self.lock:
            self.store.close()

    def _signature(self) -> tuple[int, int]:
        return self.store.count_articles(), len(self.store.list_stories())

    def invalidate(self) -> None:
        with self.lock:
            self._index = None

    def index(self) -> Index:
        with self.lock:
            now = time.monotonic()
            if self._index is not None and now - self._checked < INDEX_TTL:
                return self._index
            signature = self._signature()
            self._checked = now
            if self._index is None or self._index.signature != signature:
                self._index = build_index(self.store, signature)
            return self._index

    def story(self, story_id: str) -> dict[str, Any]:
        with self.lock:
            record = self.store.get_story(story_id)
            key = (record.id, record.updated_at, record.article_ids)
            cached = self._stories.get(key)
            if cached is not None:
                self._stories.move_to_end(key)
                return cached
            story = build_story(self.store, record.id)
            self._stories[key] = story
            while len(self._stories) > STORY_CACHE:
                self._stories.popitem(last=False)
            return story

    def article(self, article_id: str) -> tuple[StoredArticle, Annotations]:
        with self.lock:
            stored = self.store.get_article(article_id)
            return stored, self.store.get_annotations(stored.id)

    def search(self, query: str, limit: int, offset: int) -> list[SearchHit]:
        with self.lock:
            return self.store.search(query, limit=limit, offset=offset)

    def ingest(self, items: Sequence[Article]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Clean, enrich, store and cluster at once; returns (stored, rejected)."""
        from storyline.pipeline import ingest_articles

        rejected: list[ReadError] = []
        with self.lock:
            report = ingest_articles(self.store, list(items), on_error=rejected.append)
            self._index = None
            stored = []
            for ident in dict.fromkeys(report.ids):
                a = self.store.get_article(ident)
                stored.append({"id": a.id, "story_id": a.story_id, "duplicate_of": a.duplicate_of,
                               "version": a.version})
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
