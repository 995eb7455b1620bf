"""The engine's flow: read → clean → enrich → store, then deduplicate → cluster in publication order.

The per-article stages (`prepare`) are pure and independent, so they can run on other workers;
everything that touches the database happens here, one article per transaction.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from storyline.clean import DEFAULT_LANGUAGES, clean_article
from storyline.model import Article, ReadError
from storyline.store import Annotations, Store, StoredArticle


@dataclass(frozen=True)
class Config:
    languages: tuple[str, ...] = tuple(DEFAULT_LANGUAGES)
    max_bytes: int = 20 * 1024 * 1024
    enrich: bool = True
    cluster: bool = True
    # Save the clusterer every N articles (and at the end of each batch): bounds replay after a crash.
    snapshot_every: int = 500


@dataclass
class IngestReport:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[ReadError] = field(default_factory=list)
    clustered: int = 0
    ids: list[str] = field(default_factory=list)

    @property
    def stored(self) -> int:
        return self.new + self.updated + self.unchanged

    def summary(self) -> str:
        return (
            f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.rejected)} rejected; {self.clustered} clustered"
        )


def enrich_article(article: Article) -> Annotations:
    """Time expressions, quantities and entity mentions, with offsets into the cleaned text."""
    from storyline.enrich import annotate

    return annotate(article)


def prepare(article: Article, config: Config) -> tuple[Article, Annotations | None]:
    """The pure per-article stages: clean, then enrich."""
    cleaned = clean_article(article, languages=config.languages)
    return cleaned, (enrich_article(cleaned) if config.enrich else None)


ProgressCallback = Callable[[str, int], None]
Prepared = tuple[Article, Annotations | None]


def prepare_item(item: Article | ReadError, config: Config) -> Prepared | ReadError:
    """What ingest does to one read item before storing it: clean + enrich, or the reason not."""
    if isinstance(item, ReadError):
        return item
    try:
        cleaned, annotations = prepare(item, config)
    except Exception as exc:  # an annotator bug must not sink the batch: report the article
        return ReadError(
            item.path or item.url or "<input>", f"processing failed: {type(exc).__name__}: {exc}"
        )
    if not cleaned.text.strip():
        return ReadError(item.path or item.url or "<input>", "no text left after cleaning")
    return cleaned, annotations


def store_prepared(
    store: Store,
    items: Iterable[Prepared | ReadError],
    config: Config,
    *,
    on_error: Callable[[ReadError], None] | None = None,
    on_progress: ProgressCallback | None = None,
) -> IngestReport:
    """The storing half of `ingest_articles`: one article per transaction, in input order, then clustering."""
    report = IngestReport()
    for item in items:
        if isinstance(item, ReadError):
            report.rejected.append(item)
            if on_error:
                on_error(item)
            continue
        cleaned, annotations = item
        result = store.upsert_article(cleaned, annotations)
        report.ids.append(result.id)
        setattr(report, result.status, getattr(report, result.status) + 1)
        if on_progress:
            on_progress("ingest", 1)
    if config.cluster:
        report.clustered = cluster_pending(store, config, on_progress=on_progress)
    return report


def ingest_articles(
    store: Store,
    items: Iterable[Article | ReadError],
    config: Config = Config(),
    *,
    on_error: Callable[[ReadError], None] | None = None,
    on_progress: ProgressCallback | None = None,
) -> IngestReport:
    """Prepare each item, then store it before the next one is prepared; cluster at the end."""
    prepared = (prepare_item(item, config) for item in items)
    return store_prepared(store, prepared, config, on_error=on_error, on_progress=on_progress)


def ingest_paths(
    store: Store,
    paths: Sequence[str],
    config: Config = Config(),
    *,
    stdin: BinaryIO | None = None,
    on_error: Callable[[ReadError], None] | None = None,
    on_progress: ProgressCallback | None = None,
) -> IngestReport:
    from storyline.read import read_paths

    items = read_paths(paths, max_bytes=config.max_bytes, stdin=stdin)
    return ingest_articles(store, items, config, on_error=on_error, on_progress=on_progress)


# -- stories -------------------------------------------------------------------------------------


@dataclass
class _Engine:
    """The clusterer and the near-duplicate index, persisted together."""

    dedup: Any
    clusterer: Any


def _new_engine() -> _Engine:
    from storyline.cluster import OnlineClusterer
    from storyline.dedup import NearDuplicateIndex

    return _Engine(NearDuplicateIndex(), OnlineClusterer())


def _cluster_input(stored: StoredArticle, store: Store) -> Any:
    from storyline.cluster import ClusterInput

    mentions = store.get_annotations(stored.id).mentions
    names = [m.text for m in mentions]
    art = stored.article
    return ClusterInput(
        article_id=stored.id, title=art.title or "", text=art.text, entities=names,
        published=art.published, language=art.language,
    )


def _feed(engine: _Engine, stored: StoredArticle, store: Store) -> tuple[str, str | None, tuple[str, ...]]:
    duplicate_of = engine.dedup.add(stored.id, stored.article.text)
    doc = _cluster_input(stored, store)
    # A near-copy belongs to its original's story, whatever its own similarity says.
    original = store.get_article(duplicate_of).story_id if duplicate_of else None
    try:
        assignment = engine.clusterer.attach(doc, original) if original else engine.clusterer.add(doc)
    except KeyError:  # the original's story is unknown to this clusterer (e.g. an older snapshot)
        assignment = engine.clusterer.add(doc)
    return assignment.story_id, duplicate_of, tuple(assignment.merged_from)


def load_engine(store: Store) -> _Engine:
    """The saved clusterer, caught up with any assignment made after its snapshot (crash recovery)."""
    saved = store.load_cluster_state()
    if saved is None:
        engine, applied = _new_engine(), 0
    else:
        engine, applied = pickle.loads(saved[0]), saved[1]
    for stored in store.clustered_after(applied):
        _feed(engine, stored, store)
    return engine


def cluster_pending(store: Store, config: Config = Config(), *, on_progress: ProgressCallback | None = None) -> int:
    """Cluster every article that has no story yet, in publication order.

    Holds the store's cluster lock: two ingest processes never cluster the same article twice.
    """
    with store.cluster_lock():
        pending = store.unclustered_articles()
        if not pending:
            return 0
        engine = load_engine(store)
        seq = 0
        touched: set[str] = set()
        for n, stored in enumerate(pending, 1):
            story_id, duplicate_of, merged = _feed(engine, stored, store)
            seq = store.assign_story(stored.id, story_id, duplicate_of=duplicate_of, merged_from=merged)
            touched.add(story_id)
            if n % config.snapshot_every == 0:
                store.save_cluster_state(pickle.dumps(engine), seq)
            if on_progress:
                on_progress("cluster", 1)
        store.save_cluster_state(pickle.dumps(engine), seq)
        retitle_stories(store, touched)
        refresh_entities(store, touched)
        return len(pending)


def refresh_entities(store: Store, story_ids: Iterable[str]) -> None:
    """Fold the mentions of each touched story into canonical entities and store the links."""
    from storyline.dossier import load_story, resolve_story_entities

    for story_id in sorted(story_ids):
        items, entities = resolve_story_entities(load_story(store, story_id))
        links = {(a.id, m.start, m.end): m.entity_key for a in items for m in a.mentions if m.entity_key}
        store.merge_entities(entities, links)


def retitle_stories(store: Store, story_ids: Iterable[str]) -> None:
    """A story's title is its most central headline."""
    from storyline.dossier import central_title, headline

    for story_id in sorted(story_ids):
        record = store.get_story(story_id)
        titles = [headline(store.get_article(a).article) for a in record.article_ids]
        store.set_story_title(record.id, central_title(titles))


def recluster(store: Store, config: Config = Config()) -> int:
    """Rebuild every story from the stored articles, deterministically."""
    with store.cluster_lock():
        store.reset_stories()
        return cluster_pending(store, config)


def iter_batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
