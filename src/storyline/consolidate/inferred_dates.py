"""A publication date for an undated article, inferred from its own dates and its story's dated reports.

Pure functions; no I/O. The evidence is of two kinds:

- the article's own *clues*: time expressions whose date depends on the publication day in a known
  way. An explicit date ("on 3 March 2011") is mostly a little before the publication; a weekday
  ("on Sunday", told in the past tense) is the last such day on or before it; a day of a month
  without its year ("on 20 April") the last such date. Expressions counted from the publication
  ("yesterday", "two days ago") say nothing about which day that is and are not clues.
- the story's dated reports: an undated report of the same event is mostly published within days
  of them.

Each candidate day `c` is scored by how likely each clue's offset (c minus the date the clue gives
when read from c) is, and how likely c is given the reports' dates; the best day wins. The offset
tables are counted on dated articles (`train`, shipped in `data/date_inference.json`; see
`storyline.eval.dates` for the held-out measure). An article with neither a report nor an explicit
date gets no date: a weekday alone does not tell the year.
"""

from __future__ import annotations

import json
import math
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal

from storyline.consolidate.dates import is_explicit, timex_date
from storyline.enrich.timex.calendar import weekday_near, year_for
from storyline.model import AnnotatedArticle, IsoDate, TimeExpression

MODEL_FILE = "date_inference.json"
MODEL_KIND = "storyline.date_inference"
MODEL_VERSION = 1

OFFSET_MIN, OFFSET_MAX = -31, 62  # offsets counted day by day; beyond them one tail bin each side
TAIL_DAYS = 3650  # the tail bins spread over ten years: a clue that far away says almost nothing
STORY_PAD = 31  # candidate days around each report's date
EXPLICIT_SPAN = (-7, 62)  # candidate days around each explicit date (it is mostly before the publication)
MAX_EXPLICIT_ANCHORS = 3  # the latest explicit dates open candidate days (older ones are background)
SMOOTHING = 0.5  # added to each day's count (Laplace)

ClueKind = Literal["explicit", "weekday", "monthday"]
KINDS: tuple[ClueKind, ...] = ("explicit", "weekday", "monthday")
# The latest explicit date of an article has its own table: it is often the day itself (a dateline,
# "on 15 May 2010"), where the others are mostly background.
LATEST = "latest"
TABLES = (*KINDS, LATEST)

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = re.compile(
    r"^(?:on\s+|last\s+|this\s+|past\s+|next\s+|coming\s+|this\s+past\s+)?(" + "|".join(_WEEKDAYS) + r")"
    r"(?:['’]s)?(?:\s+(?:morning|afternoon|evening|night))?$"
)
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_MONTH_DAY = re.compile(
    r"^(?:on\s+|early\s+|late\s+)?(?:(?:" + "|".join(_WEEKDAYS) + r"),?\s+)?(?:"
    r"\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:" + _MONTHS + r")\.?"
    r"|(?:" + _MONTHS + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?)$"
)


@dataclass(frozen=True)
class DateClue:
    """One expression of the article that tells something about its publication day."""

    kind: ClueKind
    start: int
    end: int
    text: str
    value: IsoDate  # explicit: its date; weekday and monthday: their date read from the reference day
    direction: str = "past"  # weekday and monthday: "past"/"future" (on or ...), "before"/"after" (strictly)

    @cached_property
    def day(self) -> date:
        return date.fromisoformat(self.value)

    def resolve(self, day: date) -> date:
        """The date the clue gives when the article is published on `day`."""
        value = self.day
        if self.kind == "explicit":
            return value
        if self.kind == "weekday":
            return weekday_near(day, value.weekday(), self.direction)
        year = year_for(day, value.month, value.day, self.direction)
        if value.month == 2 and value.day == 29:
            while not _leap(year):
                year += -1 if self.direction in ("past", "before") else 1
        return date(year, value.month, value.day)

    def offset(self, day: date) -> int:
        return (day - self.resolve(day)).days

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "start": self.start, "end": self.end, "text": self.text, "value": self.value,
                "direction": self.direction}


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@dataclass(frozen=True)
class Report:
    """A dated report of the story: its article id and publication day."""

    article_id: str
    published: IsoDate


@dataclass(frozen=True)
class InferredDate:
    """An inferred publication day with its evidence."""

    date: IsoDate
    method: str  # "text+story", "story" or "text": what the evidence was
    confidence: float  # the chosen day's share of the candidates' probability
    clues: tuple[DateClue, ...] = ()  # the article's expressions that were read
    reports: tuple[Report, ...] = ()  # the story's dated reports that were read
    window: tuple[IsoDate, IsoDate] | None = None  # the candidate days' span

    def evidence(self) -> dict[str, Any]:
        return {
            "method": self.method, "confidence": round(self.confidence, 4),
            "clues": [c.as_json() for c in self.clues],
            "reports": [{"id": r.article_id, "published": r.published} for r in self.reports],
            "window": list(self.window) if self.window else None,
        }


# -- the offset tables -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OffsetTable:
    """Counts of day offsets, read as a log-density (smoothed; tails spread over `TAIL_DAYS`)."""

    counts: dict[int, float] = field(default_factory=dict)
    below: float = 0.0  # offsets under OFFSET_MIN
    above: float = 0.0  # offsets over OFFSET_MAX

    @classmethod
    def count(cls, offsets: Iterable[int]) -> OffsetTable:
        inside: Counter[int] = Counter()
        below = above = 0.0
        for o in offsets:
            if o < OFFSET_MIN:
                below += 1
            elif o > OFFSET_MAX:
                above += 1
            else:
                inside[o] += 1
        return cls({k: float(v) for k, v in sorted(inside.items())}, below, above)

    @cached_property
    def _logs(self) -> tuple[list[float], float, float]:
        days = OFFSET_MAX - OFFSET_MIN + 1
        total = sum(self.counts.values()) + self.below + self.above + SMOOTHING * (days + 2)
        inside = [math.log((self.counts.get(k, 0.0) + SMOOTHING) / total) for k in range(OFFSET_MIN, OFFSET_MAX + 1)]
        return (inside, math.log((self.below + SMOOTHING) / total / TAIL_DAYS),
                math.log((self.above + SMOOTHING) / total / TAIL_DAYS))

    def log_density(self, offset: int) -> float:
        inside, below, above = self._logs
        if offset < OFFSET_MIN:
            return below
        if offset > OFFSET_MAX:
            return above
        return inside[offset - OFFSET_MIN]

    def as_json(self) -> dict[str, Any]:
        return {"counts": {str(k): v for k, v in self.counts.items()}, "below": self.below, "above": self.above}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OffsetTable:
        return cls({int(k): float(v) for k, v in data["counts"].items()}, float(data["below"]), float(data["above"]))


@dataclass(frozen=True)
class DateModel:
    """The offset tables of each clue kind and of the story's reports, and how much the text counts."""

    clues: dict[str, OffsetTable]
    story: OffsetTable
    text_weight: float = 1.0  # weight of the clues' log-likelihood against the reports'
    trained_on: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"kind": MODEL_KIND, "version": MODEL_VERSION, "trained_on": self.trained_on,
                "text_weight": self.text_weight,
                "clues": {k: t.as_json() for k, t in self.clues.items()}, "story": self.story.as_json()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DateModel:
        if data.get("kind") != MODEL_KIND or data.get("version") != MODEL_VERSION:
            raise ValueError(f"not a {MODEL_KIND} v{MODEL_VERSION} model")
        return cls({k: OffsetTable.from_json(v) for k, v in data["clues"].items()},
                   OffsetTable.from_json(data["story"]), float(data["text_weight"]), str(data.get("trained_on", "")))

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_json(), indent=1) + "\n", encoding="utf-8")


def default_model_path() -> Path:
    return Path(__file__).resolve().parents[1] / "data" / MODEL_FILE


@lru_cache(maxsize=1)
def load_model() -> DateModel:
    """The shipped model (`storyline/data/date_inference.json`)."""
    return DateModel.from_json(json.loads(default_model_path().read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Example:
    """A dated article for training: its clues (read from its own date) and its story's report days."""

    published: IsoDate
    clues: tuple[DateClue, ...]
    reports: tuple[IsoDate, ...]


def train(examples: Iterable[Example], *, text_weight: float = 1.0, trained_on: str = "") -> DateModel:
    """Count the offsets of each clue kind and of the reports from each example's true day."""
    offsets: dict[str, list[int]] = {k: [] for k in TABLES}
    story: list[int] = []
    for ex in examples:
        day = date.fromisoformat(ex.published[:10])
        for clue, table in table_keys(ex.clues):
            offsets[table].append(clue.offset(day))
        story += [(day - date.fromisoformat(r[:10])).days for r in ex.reports]
    return DateModel({k: OffsetTable.count(v) for k, v in offsets.items()}, OffsetTable.count(story),
                     text_weight, trained_on)


def table_keys(clues: Sequence[DateClue]) -> list[tuple[DateClue, str]]:
    """Each clue with the table it is read by (the latest explicit date by its own)."""
    latest = max((c.value for c in clues if c.kind == "explicit"), default=None)
    out: list[tuple[DateClue, str]] = []
    for clue in clues:
        out.append((clue, LATEST if clue.kind == "explicit" and clue.value == latest else clue.kind))
    return out


# -- clues from the text -----------------------------------------------------------------------------


def _normal(text: str) -> str:
    return " ".join(text.lower().replace("\u2019", "'").split())


def _direction(kind: ClueKind, value: date, reference: date) -> str:
    """The direction the tagger read a weekday or a month's day in, seen from the reference day."""
    gap = (reference - value).days
    if kind == "weekday":
        return {7: "before", -7: "after"}.get(gap, "past" if gap >= 0 else "future")
    return "past" if gap >= 0 else "future"


def clues_from_timexes(timexes: Sequence[TimeExpression], reference: IsoDate | None) -> list[DateClue]:
    """The clues among time expressions tagged with `reference` as creation time (explicit dates
    need none: with None, only they are found)."""
    ref = date.fromisoformat(reference[:10]) if reference else None
    out: list[DateClue] = []
    for t in timexes:
        value = timex_date(t)
        if value is None or len(value) != 10:
            continue
        if is_explicit(t):
            out.append(DateClue("explicit", t.start, t.end, t.text, value))
            continue
        if ref is None:
            continue
        text = _normal(t.text)
        kind: ClueKind | None = "weekday" if _WEEKDAY.match(text) else "monthday" if _MONTH_DAY.match(text) else None
        if kind is None:
            continue
        day = date.fromisoformat(value)
        out.append(DateClue(kind, t.start, t.end, t.text, value, _direction(kind, day, ref)))
    return out


def clues_from_text(text: str, reference: IsoDate | None) -> list[DateClue]:
    """Tag the text as if published on `reference` and keep its clues."""
    from storyline.enrich.timex import tag

    return clues_from_timexes(tag(text, reference), reference)


# -- inference ---------------------------------------------------------------------------------------


def _day_reports(reports: Iterable[Report]) -> list[Report]:
    out = []
    for r in reports:
        try:
            date.fromisoformat((r.published or "")[:10])
        except ValueError:
            continue
        if len(r.published) >= 10:
            out.append(Report(r.article_id, r.published[:10]))
    return out


def reference_day(explicit: Sequence[DateClue], reports: Sequence[Report]) -> IsoDate | None:
    """The day the text is tagged from to find its relative clues: the reports' median day, else
    the latest explicit date."""
    if reports:
        days = sorted(date.fromisoformat(r.published) for r in reports)
        return days[(len(days) - 1) // 2].isoformat()
    if explicit:
        return max(c.value for c in explicit)
    return None


def _candidates(explicit: Sequence[DateClue], reports: Sequence[Report]) -> list[date]:
    days: set[date] = set()
    for r in reports:
        d = date.fromisoformat(r.published)
        days.update(d + timedelta(days=k) for k in range(-STORY_PAD, STORY_PAD + 1))
    latest = sorted({c.value for c in explicit})[-MAX_EXPLICIT_ANCHORS:]
    for value in latest:
        d = date.fromisoformat(value)
        days.update(d + timedelta(days=k) for k in range(EXPLICIT_SPAN[0], EXPLICIT_SPAN[1] + 1))
    return sorted(days)


def _density(table: OffsetTable, offset: int, cache: dict[int, float]) -> float:
    if offset not in cache:
        cache[offset] = math.exp(table.log_density(offset))
    return cache[offset]


def infer_date(
    clues: Sequence[DateClue], reports: Iterable[Report], model: DateModel | None = None
) -> InferredDate | None:
    """The most likely publication day given the article's clues and its story's dated reports, or
    None when there is neither a dated report nor an explicit date."""
    model = model or load_model()
    dated = _day_reports(reports)
    explicit = [c for c in clues if c.kind == "explicit"]
    candidates = _candidates(explicit, dated)
    if not candidates:
        return None
    report_days = [date.fromisoformat(r.published) for r in dated]
    keyed = [(c, model.clues[t]) for c, t in table_keys(clues) if t in model.clues]
    story_density: dict[int, float] = {}
    scores = []
    for day in candidates:
        text = sum(table.log_density(c.offset(day)) for c, table in keyed)
        story = 0.0
        if report_days:
            story = math.log(statistics.fmean(_density(model.story, (day - d).days, story_density)
                                              for d in report_days))
        scores.append(model.text_weight * text + story)
    best = max(range(len(candidates)), key=lambda i: (scores[i], -i))
    top = scores[best]
    confidence = 1.0 / sum(math.exp(s - top) for s in scores)
    method = "text+story" if dated and clues else "story" if dated else "text"
    chosen = candidates[best]
    return InferredDate(chosen.isoformat(), method, confidence, tuple(clues), tuple(dated),
                        (candidates[0].isoformat(), candidates[-1].isoformat()))


def infer_article_date(
    text: str, timexes: Sequence[TimeExpression], reports: Iterable[Report], model: DateModel | None = None
) -> InferredDate | None:
    """`infer_date` for an article's text: its stored time expressions (tagged without a creation
    time) give the explicit clues; the text is tagged again from the reference day for the others."""
    dated = _day_reports(reports)
    explicit = clues_from_timexes(timexes, None)
    reference = reference_day(explicit, dated)
    if reference is None:
        return None
    relative = [c for c in clues_from_text(text, reference) if c.kind != "explicit"]
    return infer_date(sorted([*explicit, *relative], key=lambda c: c.start), dated, model)


# -- within a story ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoryDate:
    """An undated article's inferred date and its relative expressions resolved from it (all inferred)."""

    article_id: str
    inferred: InferredDate
    timexes: tuple[TimeExpression, ...]  # every expression of the text, tagged from the inferred date
    resolved: tuple[TimeExpression, ...]  # those that got their value from it (not explicit ones)


def story_reports(items: Sequence[AnnotatedArticle]) -> list[Report]:
    """The story's dated reports (their stated day)."""
    return _day_reports(Report(a.id, a.article.published or "") for a in items if a.article.published)


def infer_story_dates(items: Sequence[AnnotatedArticle], model: DateModel | None = None) -> dict[str, StoryDate]:
    """For each undated article of a story, its inferred date from its text and the story's dated
    reports, and its time expressions resolved from it. Articles with a stated date are never touched."""
    from storyline.enrich.timex import tag

    reports = story_reports(items)
    out: dict[str, StoryDate] = {}
    for item in items:
        if item.article.published:
            continue
        found = infer_article_date(item.article.text, item.timexes, reports, model)
        if found is None:
            continue
        timexes = tuple(tag(item.article.text, found.date))
        resolved = tuple(t for t in timexes if t.anchored and t.value and not is_explicit(t)
                         and t.type in ("DATE", "TIME"))
        out[item.id] = StoryDate(item.id, found, timexes, resolved)
    return out


def as_dated(items: Sequence[AnnotatedArticle], dates: dict[str, StoryDate]) -> list[AnnotatedArticle]:
    """The story's articles as the timeline, facts and brief read them: an undated article with an
    inferred date carries it as its publication and its expressions resolved from it."""
    out = []
    for item in items:
        found = dates.get(item.id)
        if found is None:
            out.append(item)
            continue
        article = replace(item.article, published=found.inferred.date)
        out.append(replace(item, article=article, timexes=found.timexes))
    return out


def inferred_event(sentences: Iterable[tuple[str, int, int]], event_date: IsoDate,
                   dates: dict[str, StoryDate]) -> bool:
    """Whether a timeline event's date rests on inferred dates only: every sentence it merges comes
    from an article with an inferred date and none writes the date out ("3 March 2011")."""
    refs = list(sentences)
    if not refs:
        return False
    for article_id, start, end in refs:
        found = dates.get(article_id)
        if found is None:
            return False
        for t in found.timexes:
            value = timex_date(t)
            if start <= t.start < end and value and is_explicit(t) and (
                value.startswith(event_date) or event_date.startswith(value)
            ):
                return False
    return True
