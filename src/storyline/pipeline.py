"""The engine's flow: read → clean → enrich → store, then deduplicate → cluster in publication order.

The per-article stages (`prepare`) are pure and independent, so they can run on other workers;
everything that touches the database happens here, one article per transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, BinaryIO

from storyline.clean import clean_article
from storyline.clean.templates import SourceTemplate, fingerprints, remove_template, text_lines
from storyline.cluster import UNDATED_PREFIX, Assignment, ClusterInput, OnlineClusterer
from storyline.config import PipelineConfig
from storyline.model import Article, Rejection, article_id, content_hash
from storyline.store import (
    Annotations,
    NotFound,
    Placement,
    SourceLines,
    Store,
    StoredArticle,
    StoryRebuild,
)
from storyline.store.base import redact_url

if TYPE_CHECKING:  # numpy and datasketch load only when clustering runs
    from storyline.dedup import NearDuplicateIndex


# The one options object of the engine (`storyline.config`): the ingest switches and every stage's section.
Config = PipelineConfig


@dataclass
class IngestReport:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    clustered: int = 0
    consolidated: int = 0
    ids: list[str] = field(default_factory=list)

    @property
    def stored(self) -> int:
        return self.new + self.updated + self.unchanged

    def summary(self) -> str:
        return (
            f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.rejected)} rejected; {self.clustered} clustered"
        )


def enrich_article(article: Article, config: Config = Config()) -> Annotations:
    """Time expressions, quantities and entity mentions, with offsets into the cleaned text."""
    from storyline.enrich import annotate

    return annotate(article, config=config.enrichment)


def embed_article(article: Article, config: Config = Config()) -> bytes | None:
    """The article's packed multilingual vector, or None when the encoder is not installed."""
    from storyline import embed

    if not embed.available():
        return None
    return embed.article_vector(article.title, article.text, config=config.embedding)


def annotate_article(cleaned: Article, config: Config = Config()) -> Annotations | None:
    """Enrich and embed a cleaned article (the vector travels in the annotations)."""
    annotations = enrich_article(cleaned, config) if config.enrich else None
    vector = embed_article(cleaned, config) if config.embed and cleaned.text.strip() else None
    if vector is not None:
        annotations = replace(annotations or Annotations(), vector=vector)
    return annotations


# The learned template of a source, limited to some line fingerprints (`Store.source_template`).
TemplateLookup = Callable[[str, Sequence[str]], SourceTemplate]


@dataclass(frozen=True)
class Prepared:
    """One article ready to store."""

    article: Article  # cleaned, its source's template applied when `templated`
    annotations: Annotations | None
    article_id: str  # of the cleaned article before any template cut it: the same on every ingest
    lines: SourceLines | None  # what its source's template learns from it (None: no source)
    templated: bool = False


def source_lines(cleaned: Article) -> SourceLines | None:
    """What the template of the article's source learns from its cleaned text."""
    if not cleaned.source:
        return None
    return SourceLines(cleaned.source, content_hash(cleaned), fingerprints(text_lines(cleaned.text)))


def apply_template(cleaned: Article, template_of: TemplateLookup) -> Article:
    """The cleaned article without the lines of its source's template (as learned so far)."""
    lines = source_lines(cleaned)
    if lines is None:
        return cleaned
    text, removed = remove_template(cleaned.text, template_of(lines.source, lines.fingerprints))
    return replace(cleaned, text=text) if removed else cleaned


def prepare_article(article: Article, config: Config, template_of: TemplateLookup | None = None) -> Prepared:
    """The pure per-article stages: clean, cut the source's template (when `template_of` tells it),
    enrich, embed."""
    cleaned = clean_article(article, languages=config.languages, config=config.clean)
    lines = source_lines(cleaned)
    ident = article_id(cleaned)
    if template_of is not None:
        cleaned = apply_template(cleaned, template_of)
    return Prepared(cleaned, annotate_article(cleaned, config), ident, lines, template_of is not None)


def prepare(article: Article, config: Config) -> tuple[Article, Annotations | None]:
    """The pure per-article stages: clean, enrich, embed (the vector travels in the annotations)."""
    prepared = prepare_article(article, config)
    return prepared.article, prepared.annotations


ProgressCallback = Callable[[str, int], None]


def prepare_item(
    item: Article | Rejection, config: Config, template_of: TemplateLookup | None = None
) -> Prepared | Rejection:
    """What ingest does to one read item before storing it: clean + enrich, or the reason not."""
    if isinstance(item, Rejection):
        return item
    try:
        prepared = prepare_article(item, config, template_of)
    except Exception as exc:  # an annotator bug must not sink the batch: report the article
        return Rejection(
            item.path or item.url or "<input>", f"processing failed: {type(exc).__name__}: {exc}"
        )
    if not prepared.article.text.strip():
        return Rejection(item.path or item.url or "<input>", "no text left after cleaning")
    return prepared


def _templated(store: Store, prepared: Prepared, config: Config) -> tuple[Article, Annotations | None]:
    """The article with its source's template applied (prepared elsewhere without the store: the
    annotations are made again when the template cut its text)."""
    if prepared.templated or prepared.lines is None:
        return prepared.article, prepared.annotations
    cut = apply_template(prepared.article, store.source_template)
    if cut is prepared.article:
        return prepared.article, prepared.annotations
    return cut, annotate_article(cut, config)


def store_prepared(
    store: Store,
    items: Iterable[Prepared | Rejection],
    config: Config,
    *,
    on_error: Callable[[Rejection], None] | None = None,
    on_progress: ProgressCallback | None = None,
) -> IngestReport:
    """The storing half of `ingest_articles`: one article per transaction, in input order, then clustering."""
    report = IngestReport()
    for item in items:
        if isinstance(item, Rejection):
            report.rejected.append(item)
            if on_error:
                on_error(item)
            continue
        cleaned, annotations = _templated(store, item, config)
        result = store.upsert_article(cleaned, annotations, article_id=item.article_id, lines=item.lines)
        report.ids.append(result.id)
        setattr(report, result.status, getattr(report, result.status) + 1)
        if on_progress:
            on_progress("ingest", 1)
    if config.cluster:
        report.clustered = cluster_pending(store, config, on_progress=on_progress, consolidate=False)
        if config.consolidate:
            # Once per batch: every story the batch touched (new members, or members updated in place).
            report.consolidated = consolidate_touched(store, report.ids, config)
    return report


def reapply_template(store: Store, stored: StoredArticle) -> Article | None:
    """The stored article with the lines its source's template (as learned since) marks cut out, None
    when there is none to cut. Only whole lines go: what is left keeps its wording, and annotations
    made on it again have offsets into the new text."""
    article = stored.article
    cut = apply_template(article, store.source_template)
    return None if cut is article else cut


def enrich_stored(store: Store, stored: StoredArticle, config: Config = Config()) -> bool:
    """`storyline enrich` on one stored article: its source's template cut from its text (a new version;
    its story is kept: only furniture went), then its annotations and vector made again, stored with the
    text they point into in one transaction. True when the text was cut."""
    cut = reapply_template(store, stored)
    article = cut or stored.article
    annotations = annotate_article(article, replace(config, enrich=True)) or Annotations()
    if cut is not None:
        store.upsert_article(cut, annotations, article_id=stored.id)
    else:
        store.set_annotations(stored.id, annotations)
    return cut is not None


def consolidate_touched(store: Store, article_ids: Iterable[str], config: Config = Config()) -> int:
    """Consolidate, once each, the stories holding these articles (see `storyline.consolidate.stored`)."""
    from storyline.consolidate.stored import consolidate_stories

    stories = set()
    for ident in dict.fromkeys(article_ids):
        story_id = store.get_article(ident).story_id
        if story_id:
            stories.add(story_id)
    return consolidate_stories(store, stories, config=config)


def ingest_articles(
    store: Store,
    items: Iterable[Article | Rejection],
    config: Config = Config(),
    *,
    on_error: Callable[[Rejection], None] | None = None,
    on_progress: ProgressCallback | None = None,
) -> IngestReport:
    """Prepare each item (its source's template as learned from the articles stored before it), then
    store it before the next one is prepared; cluster at the end."""
    prepared = (prepare_item(item, config, store.source_template) for item in items)
    return store_prepared(store, prepared, config, on_error=on_error, on_progress=on_progress)


def ingest_paths(
    store: Store,
    paths: Sequence[str],
    config: Config = Config(),
    *,
    stdin: BinaryIO | None = None,
    on_error: Callable[[Rejection], None] | None = None,
    on_progress: ProgressCallback | None = None,
) -> IngestReport:
    from storyline.read import read_paths

    items = read_paths(paths, stdin=stdin, config=config.read)
    return ingest_articles(store, items, config, on_error=on_error, on_progress=on_progress)


# -- stories -------------------------------------------------------------------------------------
#
# One order for every way of clustering (an ingest in one command or several, a recluster): the dated
# articles in publication order (same-day ones in ingestion order) go through the online clusterer,
# whose state (with the near-duplicate index) is saved and covers them only. The undated articles are
# then placed, by article id, among the stories of all the dated articles seen so far: on a copy of
# that state that is never saved, again after every run, so each one ends where a rebuild would put it.

log = logging.getLogger("storyline.pipeline")


@dataclass
class _Engine:
    """The clusterer and the near-duplicate index, persisted together (storyline.engine_state)."""

    dedup: NearDuplicateIndex
    clusterer: OnlineClusterer


def _new_engine(config: Config = Config()) -> _Engine:
    from storyline.dedup import NearDuplicateIndex

    return _Engine(NearDuplicateIndex(config=config.dedup), OnlineClusterer(config.clustering))


def _encode(engine: _Engine) -> bytes:
    from storyline import engine_state

    return engine_state.encode(engine.dedup, engine.clusterer)


def _dated(stored: StoredArticle) -> bool:
    return bool(stored.article.published)


def _cluster_input(stored: StoredArticle, store: Store) -> ClusterInput:
    annotations = store.get_annotations(stored.id)
    names = [m.text for m in annotations.mentions]
    art = stored.article
    return ClusterInput(
        article_id=stored.id, title=art.title or "", text=art.text, entities=names,
        published=art.published, language=art.language, vector=annotations.vector,
    )


StoryOf = Callable[[str], "str | None"]


def _feed(
    engine: _Engine, stored: StoredArticle, store: Store, story_of: StoryOf, *, undated_after: int | None = None
) -> tuple[str, str | None, tuple[str, ...]]:
    """Cluster one article: (story id, the article it nearly copies, stories merged into its story).
    `undated_after`: the article is undated, placed after the dated stories (the first `undated_after`
    stories opened), which it never merges."""
    duplicate_of = engine.dedup.add(stored.id, stored.article.text)
    doc = _cluster_input(stored, store)
    # A near-copy belongs to its original's story, whatever its own similarity says.
    original = story_of(duplicate_of) if duplicate_of else None
    clusterer = engine.clusterer

    def add() -> Assignment:
        if undated_after is None:
            return clusterer.add(doc)
        return clusterer.add(doc, merge_after=undated_after, new_id=UNDATED_PREFIX + stored.id)

    try:
        assignment = clusterer.attach(doc, original) if original else add()
    except KeyError:  # the original's story is unknown to this clusterer (e.g. an older snapshot)
        assignment = add()
    return assignment.story_id, duplicate_of, tuple(assignment.merged_from)


def _stored_story_of(store: Store) -> StoryOf:
    return lambda article_id: store.get_article(article_id).story_id


def load_engine(store: Store, config: Config = Config()) -> tuple[_Engine, int]:
    """The saved clusterer and the cluster sequence number it covers, caught up with any assignment
    made after its snapshot (crash recovery).

    A saved state that cannot be read (garbled, or a pickle written by an older storyline: never
    unpickled) is rejected with its reason and rebuilt from the stored articles, then saved."""
    from storyline import engine_state

    saved = store.load_cluster_state()
    engine, applied, rebuilt = None, 0, False
    if saved is not None:
        try:
            dedup, clusterer = engine_state.decode(saved[0])
            engine, applied = _Engine(dedup, clusterer), saved[1]
        except engine_state.ClusterStateError as exc:
            log.warning("%s: %s; rebuilding it from the stored articles", redact_url(store.url), exc)
            rebuilt = True
    if engine is None:
        engine = _new_engine(config)
    replay = store.clustered_after(applied)
    story_of = _stored_story_of(store)
    for stored in replay:
        if _dated(stored):  # undated articles are never part of the saved state
            _feed(engine, stored, store, story_of)
    # cluster sequence numbers are consecutive (1, 2, ...) from the first article clustered
    applied += len(replay)
    if rebuilt:
        store.save_cluster_state(_encode(engine), applied)
    return engine, applied


def place_undated(
    engine: _Engine, store: Store, undated: Sequence[StoredArticle], story_of: StoryOf
) -> list[Placement]:
    """The stories of the undated articles, by article id, after every dated article. Changes `engine`
    (save it before): the placements are made again after every run, never saved."""
    opened = engine.clusterer.stories_opened
    placed: dict[str, str] = {}

    def current(article_id: str) -> str | None:
        return placed[article_id] if article_id in placed else story_of(article_id)

    raw: list[tuple[str, str, str | None]] = []
    for stored in sorted(undated, key=lambda a: a.id):
        story_id, duplicate_of, _ = _feed(engine, stored, store, current, undated_after=opened)
        placed[stored.id] = story_id
        raw.append((stored.id, story_id, duplicate_of))
    resolve = engine.clusterer.resolve  # stories opened here may have merged into others
    return [Placement(aid, resolve(sid), dup) for aid, sid, dup in raw]


def cluster_pending(store: Store, config: Config = Config(), *, on_progress: ProgressCallback | None = None,
                    consolidate: bool = True) -> int:
    """Cluster every article that has no story yet: the dated ones in publication order, then every
    undated article placed again (see above); then (with `consolidate`) consolidate the stories that
    changed, once each.

    Holds the store's cluster lock: two ingest processes never cluster the same article twice.
    """
    with store.cluster_lock():
        pending = store.unclustered_articles()
        if not pending:
            return 0
        engine, seq = load_engine(store, config)
        touched: set[str] = set()
        story_of = _stored_story_of(store)
        dated = [a for a in pending if _dated(a)]
        for n, stored in enumerate(dated, 1):
            story_id, duplicate_of, merged = _feed(engine, stored, store, story_of)
            seq = store.assign_story(stored.id, story_id, duplicate_of=duplicate_of, merged_from=merged)
            touched.add(story_id)
            if n % config.snapshot_every == 0:
                store.save_cluster_state(_encode(engine), seq)
            if on_progress:
                on_progress("cluster", 1)
        if dated:
            store.save_cluster_state(_encode(engine), seq)
        undated = store.undated_articles()
        if undated:
            before = {a.id: (a.story_id, a.duplicate_of) for a in undated}
            placements = place_undated(engine, store, undated, story_of)
            moved = [p for p in placements if before.get(p.article_id) != (p.story_id, p.duplicate_of)]
            store.place_articles(moved)
            for p in moved:
                touched.add(p.story_id)
                old = before.get(p.article_id, (None, None))[0]
                if old:
                    touched.add(old)
            if on_progress:
                on_progress("cluster", len(pending) - len(dated))
        retitle_stories(store, touched)
        touched |= apply_decisions(store)
        if consolidate and config.consolidate:
            from storyline.consolidate.stored import consolidate_stories

            consolidate_stories(store, touched, config=config)  # folds the stories' entities, stores them
        return len(pending)


def _existing(store: Store, story_ids: Iterable[str]) -> list[str]:
    """The ids that still name a story (one that lost its last article is gone)."""
    out = []
    for story_id in sorted(story_ids):
        try:
            store.get_story(story_id)
        except NotFound:
            continue
        out.append(story_id)
    return out


def retitle_stories(store: Store, story_ids: Iterable[str]) -> None:
    """A story's title is its most central headline."""
    from storyline.dossier import central_title, headline

    for story_id in _existing(store, story_ids):
        record = store.get_story(story_id)
        titles = [headline(store.get_article(a).article) for a in record.article_ids]
        store.set_story_title(record.id, central_title(titles))


def recluster(store: Store, config: Config = Config()) -> int:
    """Rebuild every story from the stored articles, deterministically, and switch to the new stories in
    one transaction: at every instant each article that had a story has one (old or new)."""
    from storyline.dossier import central_title, headline

    with store.cluster_lock():
        articles = list(store.iter_articles())  # ingestion order
        position = {a.id: n for n, a in enumerate(articles)}
        # the order of unclustered_articles: publication date, then time, then ingestion
        dated = sorted(
            (a for a in articles if _dated(a)),
            key=lambda a: (a.article.published or "", a.article.published_time or ""),
        )
        engine = _new_engine(config)
        current: dict[str, str] = {}
        clustered: list[tuple[str, str, str | None]] = []
        merges: list[tuple[str, str]] = []

        def story_of(article_id: str) -> str | None:
            sid = current.get(article_id)
            return engine.clusterer.resolve(sid) if sid else None

        for stored in dated:
            story_id, duplicate_of, merged = _feed(engine, stored, store, story_of)
            current[stored.id] = story_id
            clustered.append((stored.id, story_id, duplicate_of))
            merges.extend((story_id, gone) for gone in merged)
        state = _encode(engine)
        resolve = engine.clusterer.resolve
        final = [Placement(aid, resolve(sid), dup) for aid, sid, dup in clustered]
        placed = place_undated(engine, store, [a for a in articles if not _dated(a)], story_of)
        members: dict[str, list[StoredArticle]] = {}
        by_id = {a.id: a for a in articles}
        for p in [*final, *placed]:
            members.setdefault(p.story_id, []).append(by_id[p.article_id])
        titles = {
            sid: central_title([
                headline(a.article)
                for a in sorted(arts, key=lambda a: (not _dated(a), a.article.published or "", position[a.id]))
            ])
            for sid, arts in members.items()
        }
        store.replace_stories(StoryRebuild(clustered=final, placed=placed, merges=merges, titles=titles, state=state))
        apply_decisions(store)
        live = {s.id for s in store.list_stories()}
        # Every story consolidated again (entity folding included); those of vanished stories dropped.
        store.drop_consolidations(keep=live)
        if config.consolidate:
            from storyline.consolidate.stored import consolidate_stories

            consolidate_stories(store, live, config=config)
        return len(final) + len(placed)


def apply_decisions(store: Store) -> set[str]:
    """Hand-curation decisions are constraints: applied again after every clustering run. Stories
    they change get a central title (unless one was chosen by hand); the caller consolidates them."""
    from storyline.curate import apply_curation

    return apply_curation(store, retitle=lambda ids: retitle_stories(store, ids))


def iter_batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
