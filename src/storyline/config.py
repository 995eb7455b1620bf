"""The engine's configuration: one frozen dataclass per stage, gathered in `PipelineConfig`.

One options object passed through the stages (as trafilatura does), declared and versioned (as spaCy's
config is): every tuning value of a stage (thresholds, limits, sizes, weights) is a typed field here with
a one-line comment on what it tunes and why its default; the stages take their section as a keyword
argument defaulting to the defaults below, so they stay pure and every caller keeps working.
`storyline config` prints the effective configuration as JSON; `--config FILE` (TOML or JSON, any
subset of the fields) overrides it, checked key by key (`load_config`). The environment
(`STORYLINE_*`) is `storyline.settings`, not this.

True constants (formats, unit tables, regexes, schema and model versions) stay in their modules.
Sections of modules owned elsewhere are reused as they are: `storyline.cluster.ClusterConfig`,
`storyline.consolidate.crosscheck.CrossCheckConfig` (imported lazily: this module imports no stage).
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storyline.errors import ConfigError

if TYPE_CHECKING:
    from storyline.cluster import ClusterConfig
    from storyline.consolidate.crosscheck import CrossCheckConfig

CONFIG_VERSION = 1  # the layout of the configuration files; bumped when a field is renamed or removed

# The languages the detector chooses among (lingua, ISO 639-1): those the annotators and the text
# toolkit support.
DEFAULT_LANGUAGES: tuple[str, ...] = ("en", "fr", "de", "es", "it", "pt", "ru", "uk", "ja", "zh", "ko", "ar")

_MB = 1024 * 1024


@dataclass(frozen=True)
class ReadConfig:
    """Readers (storyline.read): input size caps and format/encoding sniffing."""

    max_bytes: int = 20 * _MB  # largest input (file, record, decompressed gzip) read; bounds memory per article
    sniff_bytes: int = 65536  # bytes a format detector looks at: room for an XML prolog, a WARC header, a long <head>
    # A Baltic code page guessed first gives way to windows-1252 (French "à" read as "ą") when windows-1252
    # is this close in charset-normalizer's chaos and coherence: the far commoner code page wins a near tie.
    encoding_chaos_tie: float = 0.05
    encoding_coherence_tie: float = 0.01
    encoding_few_bad_bytes: int = 8  # stray bytes (or 1 in 500) a UTF-8/ASCII text may have and still read as such


@dataclass(frozen=True)
class CleanConfig:
    """The cleaner (storyline.clean): language identification and derived titles."""

    languages: tuple[str, ...] = DEFAULT_LANGUAGES  # the detector's choices (fewer: faster, fewer confusions)
    min_letters: int = 20  # fewer letters than this: no language guess (lingua is unreliable below)
    min_words: int = 4  # fewer words (scripts written with spaces): no language guess
    sample_chars: int = 1000  # the detector reads at most this much of a text (enough, and bounds its cost)
    derived_title_chars: int = 120  # an untitled article's first sentence, cut at a word near this length


@dataclass(frozen=True)
class EnrichConfig:
    """The annotators (storyline.enrich): time expressions and entity resolution."""

    timex_past_slack_days: int = 31  # a yearless date this far ahead in a past-tense report is this year's (coming)
    timex_future_slack_days: int = 7  # ... and this far behind in a future-tense clause this year's (recent)
    # Weight of an entity label in a story's salience: places and nationalities set the scene of most
    # stories; they are their subject less often than the people and organisations in them.
    subject_label_weights: Mapping[str, float] = field(
        default_factory=lambda: {"GPE": 0.5, "LOC": 0.5, "FAC": 0.7, "NORP": 0.0}
    )


@dataclass(frozen=True)
class DedupConfig:
    """Near-duplicate detection (storyline.dedup): set by benchmarks/dedup.py on Timeline17 with planted
    edited copies (recall 0.996, precision 1.0 at 10k articles); 0.4 admits a false positive, 0.5 loses
    recall and half the agency copies."""

    threshold: float = 0.45  # exact word-shingle Jaccard at which an article nearly copies an earlier one
    shingle: int = 5  # words per shingle: edited copies still share most 5-grams, unrelated texts almost none
    num_perm: int = 128  # MinHash permutations (LSH recall against index size and hashing cost)
    lsh_margin: float = 0.15  # the LSH index is tuned this far below `threshold` so candidates are rarely lost
    signature_block: int = 4096  # shingles hashed per block for a signature (bounds the temporary matrix)


@dataclass(frozen=True)
class TimelineConfig:
    """A story's timeline (storyline.consolidate.timeline)."""

    merge_similarity: float = 0.3  # cosine at or above which two same-date sentences tell the same event
    background_days: int = 365  # an event ending this long before the story's first report is background
    min_words: int = 4  # shorter sentences are headers or fragments, not events
    max_words: int = 80  # longer ones are run-on paragraphs (lists, transcripts)


@dataclass(frozen=True)
class BriefConfig:
    """The cited brief (storyline.consolidate.brief): extractive, MMR over TF-IDF sentence vectors."""

    min_sentences: int = 5  # the brief aims at this many sentences when the story has that much to say
    max_sentences: int = 8  # ... and never more: a brief is read in under a minute
    max_conflicts: int = 3  # conflicting facts stated in the brief (the largest disagreements first)
    duplicate: float = 0.5  # cosine above which a candidate repeats a chosen sentence
    paraphrase: float = 0.45  # cosine at or above which another article's sentence states the same thing (cited)
    mmr_lambda: float = 0.7  # MMR weight of relevance against novelty
    lead_sentences: int = 3  # the first sentences of each article are candidates too (news leads)
    pool: int = 80  # best-scored candidates MMR chooses among (keeps the cost linear in the story)
    min_words: int = 5  # shorter candidates are headlines or fragments
    max_words: int = 60  # longer ones are paragraphs the splitter could not cut
    support_weight: float = 0.5  # score weight of the (log) number of articles supporting a sentence
    fact_weight: float = 0.2  # score bonus per agreed fact a sentence states ...
    max_fact_bonus: int = 3  # ... counted up to this many facts


@dataclass(frozen=True)
class ConsolidateConfig:
    """Stored consolidation (storyline.consolidate.stored) and the sentence filters every step shares."""

    summary_days: int = 60  # articles-per-day in a story summary: at most the story's last 60 days (page width)
    max_metadata_words: int = 16  # metadata lines ("Updated ...", bylines) are short: a longer line is prose


@dataclass(frozen=True)
class EmbedConfig:
    """Multilingual article vectors (storyline.embed)."""

    lead_words: int = 120  # title + this many words of the text: the lead carries the event; the encoder's window
    batch: int = 64  # texts encoded per call (memory against per-call overhead)


@dataclass(frozen=True)
class StoryScoreConfig:
    """The learned story scorer's features (storyline.storyscore). Its model was trained with these:
    changing them needs `storyline train clustering` again."""

    max_members: int = 32  # member vectors a story keeps for the closest-member cosine (its most recent)
    doc_terms: int = 150  # an article's TF-IDF sub-vectors keep their strongest terms (as ClusterConfig)
    centroid_terms: int = 300  # centroid sub-vectors are pruned to this many terms (as ClusterConfig)


@dataclass(frozen=True)
class ScaleConfig:
    """Distributed ingest (storyline.scale, Dask)."""

    partition_size: int = 100  # articles (lines, records or files) per task: tasks of a second or two
    split_min_bytes: int = 4 * _MB  # any bigger file is looked at by a worker (split), whatever its name


@dataclass(frozen=True)
class ServeConfig:
    """The web pages and API (storyline.serve)."""

    page_size: int = 30  # stories or search hits on one web page
    max_page: int = 200  # largest page an API client may ask for (bounds one response)
    max_batch: int = 100  # articles in one API ingest request
    max_body: int = 5 * _MB  # bytes accepted in a request body (413 beyond)
    write_rate: float = 5.0  # API writes a second per client, sustained (STORYLINE_WRITE_RATE overrides; 0: off)
    write_burst: int = 60  # API writes in a burst (STORYLINE_WRITE_BURST overrides)
    max_clients: int = 10_000  # clients the rate limiter remembers (bounds its memory)
    queue_delay: float = 0.5  # seconds without a new write before queued stories are consolidated
    sync_limit: int = 50  # at most this many stale stories are consolidated inside a request
    tick_gap: int = 75  # pixels between two date labels of a timeline chart at least
    tick_edge: int = 40  # pixels a date label may need on either side of its tick
    snippet_stem_letters: int = 4  # letters two forms of a word share to be highlighted alike ("explosion(s)")


def _cluster_config() -> ClusterConfig:
    from storyline.cluster import ClusterConfig

    return ClusterConfig()


def _crosscheck_config() -> CrossCheckConfig:
    from storyline.consolidate.crosscheck import CrossCheckConfig

    return CrossCheckConfig()


@dataclass(frozen=True)
class PipelineConfig:
    """Everything an ingest or a server runs with. The first fields switch steps on and off (as
    `storyline.pipeline.Config` always had); the others are the stages' sections."""

    enrich: bool = True  # time expressions, quantities and entity mentions (off: store and cluster text only)
    # Multilingual article vectors (storyline.embed, about 25 ms an article) when the encoder is
    # installed: they let reports in different languages meet in one story.
    embed: bool = True
    cluster: bool = True  # cluster after storing (off: a later ingest or `recluster` does it)
    snapshot_every: int = 500  # save the clusterer every N articles (and per batch): bounds replay after a crash
    consolidate: bool = True  # consolidate the touched stories at the end of a batch (off: a caller queues them)
    read: ReadConfig = field(default_factory=ReadConfig)
    clean: CleanConfig = field(default_factory=CleanConfig)
    enrichment: EnrichConfig = field(default_factory=EnrichConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    clustering: ClusterConfig = field(default_factory=_cluster_config)
    crosscheck: CrossCheckConfig = field(default_factory=_crosscheck_config)
    timeline: TimelineConfig = field(default_factory=TimelineConfig)
    brief: BriefConfig = field(default_factory=BriefConfig)
    consolidation: ConsolidateConfig = field(default_factory=ConsolidateConfig)
    embedding: EmbedConfig = field(default_factory=EmbedConfig)
    scorer: StoryScoreConfig = field(default_factory=StoryScoreConfig)
    scale: ScaleConfig = field(default_factory=ScaleConfig)
    serve: ServeConfig = field(default_factory=ServeConfig)

    # The names the ingest switches had before the sections (callers read them).
    @property
    def languages(self) -> tuple[str, ...]:
        return self.clean.languages

    @property
    def max_bytes(self) -> int:
        return self.read.max_bytes


# The defaults of each section, shared by the stages' keyword arguments.
READ = ReadConfig()
CLEAN = CleanConfig()
ENRICH = EnrichConfig()
DEDUP = DedupConfig()
TIMELINE = TimelineConfig()
BRIEF = BriefConfig()
CONSOLIDATE = ConsolidateConfig()
EMBED = EmbedConfig()
SCORER = StoryScoreConfig()
SCALE = ScaleConfig()
SERVE = ServeConfig()


# -- to and from plain values -------------------------------------------------------------------------


def config_to_dict(config: PipelineConfig) -> dict[str, Any]:
    """Plain JSON values (tuples as lists), with the layout version first."""
    return {"version": CONFIG_VERSION, **_plain(config)}


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def config_to_json(config: PipelineConfig) -> str:
    return json.dumps(config_to_dict(config), indent=2, ensure_ascii=False)


def config_from_dict(data: Mapping[str, Any], *, base: PipelineConfig | None = None,
                     source: str = "config") -> PipelineConfig:
    """`base` (the defaults) with the values of `data`, any subset of the fields, checked: an unknown key
    or a value of the wrong type is a one-line ConfigError naming `source` and the key."""
    base = base or PipelineConfig()
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}: expected a table of settings, got {type(data).__name__}")
    data = dict(data)
    version = data.pop("version", CONFIG_VERSION)
    if version != CONFIG_VERSION:
        raise ConfigError(f"{source}: configuration version {version!r} is not {CONFIG_VERSION}")
    return typing.cast(PipelineConfig, _override(base, data, source, ""))


def _override(obj: Any, data: Mapping[str, Any], source: str, prefix: str) -> Any:
    hints = typing.get_type_hints(type(obj), _namespace())
    known = {f.name for f in fields(obj)}
    changes: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if key not in known:
            raise ConfigError(f"{source}: unknown setting {dotted!r}")
        current = getattr(obj, key)
        if is_dataclass(current):
            if not isinstance(value, Mapping):
                raise ConfigError(f"{source}: {dotted} is a section: expected a table, got {value!r}")
            changes[key] = _override(current, value, source, dotted + ".")
        else:
            changes[key] = _checked(hints[key], value, source, dotted)
    return dataclasses.replace(obj, **changes)


def _namespace() -> dict[str, Any]:
    from storyline.cluster import ClusterConfig
    from storyline.consolidate.crosscheck import CrossCheckConfig

    return {**globals(), "ClusterConfig": ClusterConfig, "CrossCheckConfig": CrossCheckConfig}


def _checked(hint: Any, value: Any, source: str, dotted: str) -> Any:
    """`value` as the declared type `hint`, or a ConfigError."""
    ok, converted = _convert(hint, value)
    if not ok:
        raise ConfigError(f"{source}: {dotted} must be {_type_name(hint)}, not {value!r}")
    return converted


def _convert(hint: Any, value: Any) -> tuple[bool, Any]:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        for option in args:
            ok, converted = _convert(option, value)
            if ok:
                return True, converted
        return False, None
    if hint is type(None):
        return value is None, None
    if hint is bool:
        return isinstance(value, bool), value
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool), value
    if hint is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return ok, float(value) if ok else None
    if hint is str:
        return isinstance(value, str), value
    if origin is tuple and isinstance(value, list | tuple):
        item = args[0]
        converted = [_convert(item, v) for v in value]
        return all(ok for ok, _ in converted), tuple(v for _, v in converted)
    if origin in (Mapping, dict) and isinstance(value, Mapping):
        converted = [_convert(args[1], v) for v in value.values()]
        ok = all(isinstance(k, str) for k in value) and all(ok for ok, _ in converted)
        return ok, dict(zip(value, (v for _, v in converted), strict=True))
    return False, None


def _type_name(hint: Any) -> str:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        return " or ".join(_type_name(a) for a in args)
    if hint is type(None):
        return "null"
    if origin is tuple:
        return f"a list of {_type_name(args[0])}"
    if origin in (Mapping, dict):
        return f"a table of {_type_name(args[1])}"
    return {bool: "true or false", int: "an integer", float: "a number", str: "a string"}.get(hint, str(hint))


def load_config(path: str | Path | None, *, base: PipelineConfig | None = None) -> PipelineConfig:
    """The configuration in a TOML or JSON file (by its extension; else JSON), over `base`; None: `base`
    or the defaults. A file that cannot be read or parsed is a one-line ConfigError too."""
    if path is None:
        return base or PipelineConfig()
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read the configuration: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8")) if name.endswith(".toml") else json.loads(raw)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{name}: not valid {'TOML' if name.endswith('.toml') else 'JSON'}: {exc}") from None
    return config_from_dict(data, base=base, source=name)
