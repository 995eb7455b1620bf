"""The storage interface. Backends (SQLite by default, PostgreSQL for servers) implement `Store`.

Nothing outside a backend module writes SQL: the pipeline, the CLI and the server talk to this
interface only, with the plain records below.
"""

from __future__ import annotations

import abc
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from storyline.clean.templates import SourceTemplate
from storyline.curate.decision import Decision
from storyline.errors import AmbiguousId, NoSuchDatabase, NotFound, QuerySyntaxError, StoreError
from storyline.feeds.state import Feed, FeedPoll
from storyline.model import Article, Entity, EntityMention, Quantity, TimeExpression
from storyline.watches.model import Alert, Delivery, Watch

# The store's errors are part of the one tree in storyline.errors; re-exported here for the backends.
__all__ = ["AmbiguousId", "NoSuchDatabase", "NotFound", "QuerySyntaxError", "StoreError"]


UpsertStatus = Literal["new", "updated", "unchanged"]


@dataclass(frozen=True)
class Annotations:
    timexes: tuple[TimeExpression, ...] = ()
    quantities: tuple[Quantity, ...] = ()
    mentions: tuple[EntityMention, ...] = ()
    # Why an annotator produced nothing ("unsupported language: fr"), keyed by annotator name.
    notes: dict[str, str] = field(default_factory=dict)
    # The article's multilingual vector (storyline.embed.pack: float16 bytes), None when not computed.
    vector: bytes | None = None


@dataclass(frozen=True)
class UpsertResult:
    id: str
    status: UpsertStatus
    version: int


@dataclass(frozen=True)
class StoredArticle:
    id: str
    version: int
    content_hash: str
    article: Article
    ingested_at: str
    updated_at: str
    story_id: str | None = None
    duplicate_of: str | None = None

    @property
    def size(self) -> int:
        return len(self.article.text)


@dataclass(frozen=True)
class SearchHit:
    article_id: str
    title: str | None
    source: str | None
    published: str | None
    snippet: str  # with the matched terms wrapped in [ ] markers
    score: float
    story_id: str | None = None


@dataclass(frozen=True)
class Placement:
    """An article's story (and the article it nearly copies) as the clusterer decided it."""

    article_id: str
    story_id: str
    duplicate_of: str | None = None


@dataclass(frozen=True)
class StoryRebuild:
    """A whole new set of stories to switch to at once (`Store.replace_stories`)."""

    clustered: Sequence[Placement]  # in clustering order: cluster sequence 1..n, covered by `state`
    placed: Sequence[Placement]  # outside the clustering sequence (undated articles)
    merges: Sequence[tuple[str, str]]  # (kept story, absorbed story), in the order they happened
    titles: dict[str, str]
    state: bytes


@dataclass(frozen=True)
class StoredInferredDate:
    """A publication date inferred for an undated article (never its stated date), with its evidence
    and its relative time expressions resolved from it (`storyline.consolidate.inferred_dates`)."""

    article_id: str
    story_id: str
    date: str  # "YYYY-MM-DD"
    method: str  # "text+story", "story" or "text"
    confidence: float
    evidence: dict[str, Any]  # the clues and reports read (InferredDate.evidence())
    resolved: tuple[TimeExpression, ...]  # the article's expressions resolved from `date`: inferred values
    computed_at: str


@dataclass(frozen=True)
class StoryRecord:
    id: str
    title: str
    article_ids: tuple[str, ...]
    created_at: str
    updated_at: str
    first_date: str | None = None
    last_date: str | None = None
    languages: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    merged_from: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


_TERM = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)
# Operators of the search engines' own syntax, written unquoted in capitals: AND is what a query
# means anyway; OR, NOT and NEAR are refused with a message rather than searched as words.
_OPERATOR = re.compile(r"^(AND|OR|NOT|NEAR)(?:\(.*|/\d+)?$")


def parse_query(query: str) -> list[tuple[str, bool]]:
    """Split a user query into (phrase, is_prefix) terms.

    Accepted syntax: words, "quoted phrases", and a trailing * for prefix search; every term must
    match. An unquoted AND is ignored, an unquoted OR, NOT or NEAR is a QuerySyntaxError (quoted,
    they are words). Everything else is treated as text, so user input can never become database
    query syntax.
    """
    if query.count('"') % 2:
        raise QuerySyntaxError("unbalanced double quote in search query")
    terms: list[tuple[str, bool]] = []
    for match in _TERM.finditer(query):
        raw = match.group(1) if match.group(1) is not None else match.group(2)
        operator = _OPERATOR.match(raw) if match.group(1) is None else None
        if operator and operator.group(1) == "AND":
            continue  # every word must match anyway
        if operator:
            raise QuerySyntaxError(
                f"{operator.group(1)} is not supported in a search query: every word must match; search once per "
                f'alternative, or quote it ("{operator.group(1)}") to search for the word')
        prefix = match.group(1) is None and raw.endswith("*")
        words = _WORD.findall(raw)
        if words:
            terms.append((" ".join(words), prefix))
    if not terms:
        raise QuerySyntaxError("search query has no words to search for")
    return terms


# The logical tables of a storyline database, in load order (referenced tables first), with the
# columns `Store.dump_tables` yields and `Store.load_tables` accepts. Values are plain Python:
# str, int, float, bool, bytes or None; JSON columns (authors, extra, aliases, normalized) are
# the stored JSON text, so a copy is byte-for-byte. Derived data (the full-text index, trigram
# names, counters) is rebuilt by the loading backend.
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "sources": ("name", "first_seen"),
    "articles": (
        "id", "version", "content_hash", "title", "text", "url", "source", "published", "published_time",
        "language", "authors", "agency", "path", "fetched", "format", "external_id", "extra", "ingested_at",
        "updated_at", "seq", "story_id", "duplicate_of", "cluster_seq", "vector",
    ),
    "article_versions": ("article_id", "version", "content_hash", "title", "text", "raw", "ingested_at"),
    "timexes": ("article_id", "start", "end", "text", "type", "value", "anchored"),
    "quantities": (
        "article_id", "start", "end", "text", "value", "value_max", "unit", "kind", "approximate", "measured",
        "normalized",
    ),
    "mentions": ("article_id", "start", "end", "text", "label", "entity_key"),
    "annotation_notes": ("article_id", "annotator", "note"),
    "entities": ("key", "name", "label", "aliases"),
    "stories": ("id", "title", "created_at", "updated_at", "merged_into"),
    "story_merges": ("story_id", "merged_id", "merged_at"),
    "cluster_state": ("state", "applied", "updated_at"),
    "feeds": (
        "id", "url", "every_seconds", "title", "added_at", "etag", "last_modified", "last_poll", "next_poll",
        "status", "error", "failures", "articles",
    ),
    "feed_entries": ("feed_id", "entry_key", "url", "article_id", "seen_at"),
    "watches": ("id", "kind", "value", "webhook", "secret", "growth", "created_at"),
    "alerts": ("id", "watch_id", "event", "story_id", "key", "title", "detail", "payload", "created_at"),
    "deliveries": ("alert_id", "watch_id", "url", "attempts", "status", "next_try", "last_error"),
    "curations": ("id", "action", "args", "who", "at", "undone_at", "undone_by"),
    "source_templates": ("source", "articles", "updated_at"),
    "source_lines": ("source", "fingerprint", "articles"),
    "source_line_articles": ("article_id", "source", "content_hash", "lines_hash", "counted", "fingerprints"),
}
BOOL_COLUMNS = frozenset({("timexes", "anchored"), ("quantities", "approximate")})

# version, payload (the story object as JSON), summary (JSON), computed_at
ConsolidationRow = tuple[str, str, str, str]


@dataclass(frozen=True)
class SourceLines:
    """What a source's template learns from one article (`storyline.clean.templates`)."""

    source: str
    content_hash: str  # of the cleaned article before the template was applied
    fingerprints: tuple[str, ...]  # distinct, sorted
# id, version, content hash, original (near-copy of), published, source: what a story's consolidation
# depends on and what its counts need
ArticleState = tuple[str, int, str, str | None, str | None, str | None]

TableDump = Iterator[tuple[str, Iterator[dict[str, Any]]]]


def redact_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<database URL>"
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit((parts.scheme, f"{user}:***@{netloc[1]}", parts.path, parts.query, parts.fragment))


def fold_name(name: str) -> str:
    """A name reduced for fuzzy matching: accents dropped, case-folded, punctuation to spaces."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(plain.casefold().replace("_", " ")))


def _trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def name_similarity(query: str, candidate: str) -> float:
    """Trigram similarity of two folded names (the measure pg_trgm uses), 0..1."""
    q = set().union(*(_trigrams(w) for w in query.split())) if query else set()
    c = set().union(*(_trigrams(w) for w in candidate.split())) if candidate else set()
    if not q or not c:
        return 0.0
    return len(q & c) / len(q | c)


class Store(abc.ABC):
    """One interface, two backends. Every write method is atomic."""

    url: str

    # -- articles -----------------------------------------------------------------------------
    @abc.abstractmethod
    def upsert_article(
        self, article: Article, annotations: Annotations | None = None, *, article_id: str | None = None,
        lines: SourceLines | None = None,
    ) -> UpsertResult:
        """Store an article (and its annotations) in one transaction.

        Same id and same content: nothing changes ("unchanged"). Same id (same URL), new content:
        a new version ("updated"); the previous version stays in the version history.

        With `lines` (the fingerprints of the article's cleaned lines before its source's template was
        applied), the source's template learns them in the same transaction: each distinct article
        counted once (an exact re-send of another article of the source not at all); an article whose
        `lines.content_hash` is the one already learned is "unchanged", whatever its templated text.
        """

    @abc.abstractmethod
    def source_template(self, source: str, fingerprints: Sequence[str] | None = None) -> SourceTemplate:
        """The template learned so far for one source (empty when none); with `fingerprints`, the
        counts of those lines only (what deciding on one article needs)."""

    @abc.abstractmethod
    def get_article(self, article_id: str) -> StoredArticle:
        """By full id or unique prefix; raises NotFound / AmbiguousId."""

    @abc.abstractmethod
    def list_articles(self, *, limit: int | None = None, offset: int = 0) -> list[StoredArticle]:
        """In ingestion order."""

    @abc.abstractmethod
    def count_articles(self) -> int: ...

    @abc.abstractmethod
    def article_versions(self, article_id: str) -> list[dict[str, Any]]:
        """Version history: version, content_hash, ingested_at, title, raw size."""

    @abc.abstractmethod
    def raw_input(self, article_id: str, version: int | None = None) -> bytes | None: ...

    @abc.abstractmethod
    def search(self, query: str, *, limit: int = 20, offset: int = 0) -> list[SearchHit]:
        """Full-text search, best first; raises QuerySyntaxError for malformed queries."""

    # -- annotations --------------------------------------------------------------------------
    @abc.abstractmethod
    def set_annotations(self, article_id: str, annotations: Annotations) -> None: ...

    @abc.abstractmethod
    def get_annotations(self, article_id: str) -> Annotations: ...

    @abc.abstractmethod
    def set_article_vector(self, article_id: str, vector: bytes | None) -> None:
        """Store (or clear) an article's multilingual vector (NotFound for an unknown id)."""

    @abc.abstractmethod
    def article_vector(self, article_id: str) -> bytes | None:
        """An article's stored vector (None when not computed, or for an unknown id)."""

    @abc.abstractmethod
    def articles_without_vector(self) -> list[str]:
        """Ids of the articles without a vector, in ingestion order."""

    # -- entities -----------------------------------------------------------------------------
    @abc.abstractmethod
    def replace_entities(self, entities: Sequence[Entity], links: dict[tuple[str, int, int], str]) -> None:
        """Replace the canonical entities and the mention->entity links, atomically."""

    @abc.abstractmethod
    def merge_entities(self, entities: Sequence[Entity], links: dict[tuple[str, int, int], str]) -> None:
        """Add entities (an existing key gains the new aliases) and link the given mentions, atomically;
        entities and links not named here stay as they are."""

    @abc.abstractmethod
    def list_entities(self) -> list[Entity]: ...

    # -- stories ------------------------------------------------------------------------------
    @abc.abstractmethod
    def unclustered_articles(self) -> list[StoredArticle]:
        """Articles with no story yet, in publication order (undated ones by ingestion order)."""

    @abc.abstractmethod
    def assign_story(
        self, article_id: str, story_id: str, *, duplicate_of: str | None, merged_from: Sequence[str] = ()
    ) -> int:
        """Record an article's story (and the stories merged into it) in one transaction; returns the
        article's position in clustering order (its cluster sequence number)."""

    @abc.abstractmethod
    def save_cluster_state(self, state: bytes, applied: int) -> None:
        """Persist the clusterer after it has seen the articles up to cluster sequence `applied`."""

    @abc.abstractmethod
    def load_cluster_state(self) -> tuple[bytes, int] | None:
        """The last saved clusterer state and the cluster sequence number it covers."""

    @abc.abstractmethod
    def clustered_after(self, seq: int) -> list[StoredArticle]:
        """Articles clustered after sequence `seq`, in clustering order (to replay into a saved state)."""

    @abc.abstractmethod
    def undated_articles(self) -> list[StoredArticle]:
        """Every article without a publication date (clustered or not), by id."""

    @abc.abstractmethod
    def place_articles(self, placements: Sequence[Placement]) -> None:
        """Put articles in stories outside the clustering sequence (undated articles, placed again
        after every clustering run), in one transaction: their cluster sequence numbers are left
        as they are, missing stories are created, stories this leaves without articles are dropped."""

    @abc.abstractmethod
    def replace_stories(self, rebuild: StoryRebuild) -> None:
        """Switch every story assignment to `rebuild` in one transaction (a recluster): the stories,
        merges, titles and clusterer state before it are replaced; articles it does not name are left
        without a story (the next clustering run takes them). A process killed before this returns
        leaves the previous stories as they were."""

    @abc.abstractmethod
    def reset_stories(self) -> None:
        """Forget every story assignment and the clusterer state (for a deterministic recluster)."""

    @abc.abstractmethod
    def list_stories(self) -> list[StoryRecord]: ...

    @abc.abstractmethod
    def get_story(self, story_id: str) -> StoryRecord: ...

    @abc.abstractmethod
    def set_story_title(self, story_id: str, title: str) -> None: ...

    @abc.abstractmethod
    def cluster_lock(self) -> AbstractContextManager[None]:
        """Exclusive, cross-process lock around a clustering run (read pending -> assign -> save state).

        Two processes clustering at once would each feed the same articles into their own copy of
        the clusterer and hand out the same new story ids; holding this lock serialises them.
        Released when the block ends, or when the process dies."""

    # -- consolidated stories (storyline.consolidate.stored) -------------------------------------
    @abc.abstractmethod
    def save_consolidation(self, story_id: str, version: str, payload: str, summary: str,
                           computed_at: str) -> None:
        """Store the consolidated story (the story object and its summary, as JSON text) computed for
        story version `version`, replacing the one stored before; atomic."""

    @abc.abstractmethod
    def load_consolidation(self, story_id: str) -> ConsolidationRow | None:
        """The stored consolidation of the story (exact id): (version, payload, summary, computed_at)."""

    @abc.abstractmethod
    def consolidation_summaries(self) -> dict[str, tuple[str, str]]:
        """Story id -> (version, summary JSON) of every stored consolidation."""

    @abc.abstractmethod
    def drop_consolidations(self, *, keep: Iterable[str]) -> int:
        """Delete the stored consolidations of every story not in `keep`; returns how many."""

    # -- inferred publication dates of undated articles ----------------------------------------------
    @abc.abstractmethod
    def save_inferred_dates(self, story_id: str, inferred: Sequence[StoredInferredDate],
                            clear: Sequence[str] = ()) -> int:
        """Store the dates inferred for undated articles of a story, replacing theirs, and delete those
        of the articles in `clear` (now dated, or no longer inferable); atomic. A row is written only
        while its article has no stated date (a stated date is never overridden): returns how many
        were written."""

    @abc.abstractmethod
    def inferred_dates(self, article_ids: Sequence[str]) -> dict[str, StoredInferredDate]:
        """The stored inferred date of each of these articles that has one (exact ids)."""

    def article_states(self, article_ids: Sequence[str]) -> list[ArticleState]:
        """`ArticleState` of each article (exact ids, missing ones skipped), in the order given. The
        SQL layer answers in one query."""
        out = []
        for ident in article_ids:
            try:
                a = self.get_article(ident)
            except NotFound:
                continue
            out.append((a.id, a.version, a.content_hash, a.duplicate_of, a.article.published, a.article.source))
        return out

    # -- entities: fuzzy lookup -----------------------------------------------------------------
    def find_entities(self, name: str, *, limit: int = 10, threshold: float = 0.3) -> list[Entity]:
        """Entities whose name or an alias resembles `name` (trigram similarity), best first.

        Backends with a trigram index override this; the default scans `list_entities`."""
        needle = fold_name(name)
        scored: list[tuple[float, str, Entity]] = []
        for ent in self.list_entities():
            best = max(name_similarity(needle, fold_name(n)) for n in (ent.name, *ent.aliases))
            if best >= threshold:
                scored.append((best, ent.key, ent))
        scored.sort(key=lambda t: (-t[0], t[1]))
        return [e for _, _, e in scored[:limit]]

    # -- feeds followed live (storyline.feeds) ---------------------------------------------------
    @abc.abstractmethod
    def add_feed(self, url: str, every_seconds: int, title: str | None = None) -> Feed:
        """Follow a feed (or change the interval of one followed already)."""

    @abc.abstractmethod
    def get_feed(self, ident: str) -> Feed:
        """A feed by id, id prefix or URL (NotFound / AmbiguousId)."""

    @abc.abstractmethod
    def list_feeds(self) -> list[Feed]: ...

    @abc.abstractmethod
    def due_feeds(self, now: str) -> list[Feed]:
        """Feeds never polled or whose next poll is at or before `now` (ISO UTC), soonest first."""

    @abc.abstractmethod
    def remove_feed(self, ident: str) -> Feed:
        """Stop following a feed; its entries-seen records go, the articles it brought stay."""

    @abc.abstractmethod
    def record_feed_poll(self, poll: FeedPoll) -> None: ...

    @abc.abstractmethod
    def seen_feed_entries(self, feed_id: str, keys: Sequence[str]) -> set[str]:
        """Those of `keys` already seen in this feed."""

    @abc.abstractmethod
    def mark_feed_entry(
        self, feed_id: str, key: str, url: str | None, article_id: str | None, seen_at: str
    ) -> None: ...

    # -- watches and alerts (storyline.watches) -------------------------------------------------
    @abc.abstractmethod
    def add_watch(self, watch: Watch) -> Watch:
        """Store a watch (the same kind, value and webhook is the same watch)."""

    @abc.abstractmethod
    def get_watch(self, ident: str) -> Watch: ...

    @abc.abstractmethod
    def list_watches(self) -> list[Watch]: ...

    @abc.abstractmethod
    def remove_watch(self, ident: str) -> Watch: ...

    @abc.abstractmethod
    def alert_keys(self, watch_id: str, story_id: str) -> set[str]:
        """The keys of the alerts this watch raised on this story (each event alerts once)."""

    @abc.abstractmethod
    def add_alerts(self, alerts: Sequence[Alert]) -> list[Alert]:
        """Store alerts (those already raised are skipped) and queue a webhook delivery for each
        whose watch has a webhook; returns the alerts that are new."""

    @abc.abstractmethod
    def list_alerts(self, *, watch_id: str | None = None, limit: int = 100) -> list[Alert]:
        """Newest first."""

    @abc.abstractmethod
    def due_deliveries(self, now: str) -> list[Delivery]: ...

    @abc.abstractmethod
    def record_delivery(self, delivery: Delivery) -> None: ...

    # -- hand curation (storyline.curate) -------------------------------------------------------
    @abc.abstractmethod
    def add_curation(self, decision: Decision) -> None: ...

    @abc.abstractmethod
    def list_curations(self) -> list[Decision]:
        """Every decision, undone ones included, in the order they were taken."""

    @abc.abstractmethod
    def undo_curation(self, ident: str, at: str, who: str) -> Decision:
        """Mark a decision undone (NotFound, or StoreError when it is undone already)."""

    # -- whole-database copy (storyline migrate) ------------------------------------------------
    @abc.abstractmethod
    def dump_tables(self) -> TableDump:
        """Every row of every logical table (TABLE_COLUMNS order), from one consistent snapshot.

        Yields (table, rows); consume each table's rows before asking for the next table."""

    @abc.abstractmethod
    def load_tables(self, tables: Iterable[tuple[str, Iterable[dict[str, Any]]]]) -> dict[str, int]:
        """Load a dump into this (empty) database in one transaction; returns rows loaded per table.

        Raises StoreError when the database already holds data."""

    # -- lifecycle ----------------------------------------------------------------------------
    @abc.abstractmethod
    def schema_version(self) -> int: ...

    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def iter_articles(self, batch: int = 500) -> Iterator[StoredArticle]:
        offset = 0
        while True:
            page = self.list_articles(limit=batch, offset=offset)
            if not page:
                return
            yield from page
            offset += len(page)
