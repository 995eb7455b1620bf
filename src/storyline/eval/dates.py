"""Inferred publication dates, measured by hiding the dates of dated articles.

Timeline17 (`timeline17/<topic>_<outlet>/articles.jsonl`): every article is dated. One at a time,
its date is hidden; its story is simulated by the dated articles of the same collection most like it
(TF-IDF cosine over the cleaned text, the `STORY_SIZE` nearest at or above `STORY_MIN_COSINE`: the
reports a story of the same event would hold, without the clusterer's time windows, so a harder
setting than the engine's). Its date is inferred from its text (tagged as the engine does) and
those reports with the offset tables counted on the *other* topics (leave-one-topic-out), the text's
weight chosen on the other topics too. Reported per topic: exact day, within 1 and 7 days, and
coverage (articles that got a date), beside simple rules (the reports' median day; the latest
explicit date of the text) and the text alone (no story).

The text is normalized by the cleaner first (Timeline17 is tokenised), as the engine stores it.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from storyline.consolidate.inferred_dates import (
    DateClue,
    DateModel,
    Example,
    InferredDate,
    Report,
    clues_from_text,
    clues_from_timexes,
    infer_date,
    reference_day,
    train,
)

STORY_SIZE = 10
STORY_MIN_COSINE = 0.2
TEXT_WEIGHTS = (0.25, 0.5, 0.75, 1.0)
MIN_GROUP = 10


@dataclass(frozen=True)
class Case:
    """One dated article: its topic, true day, explicit clues, and its simulated story's reports."""

    topic: str
    article_id: str
    published: str
    text: str
    explicit: tuple[DateClue, ...]
    reports: tuple[Report, ...]
    true_clues: tuple[DateClue, ...]  # every clue, read from the true day (training only)
    _relative: dict[str, tuple[DateClue, ...]] = field(default_factory=dict, compare=False)

    def example(self) -> Example:
        return Example(self.published, self.true_clues, tuple(r.published for r in self.reports))

    def clues(self, reports: Sequence[Report]) -> list[DateClue]:
        """The clues the engine would read: explicit ones, and relative ones tagged from the reference day."""
        reference = reference_day(self.explicit, reports)
        if reference is None:
            return list(self.explicit)
        if reference not in self._relative:
            self._relative[reference] = tuple(c for c in clues_from_text(self.text, reference) if c.kind != "explicit")
        return sorted([*self.explicit, *self._relative[reference]], key=lambda c: c.start)


@dataclass
class Score:
    n: int = 0
    covered: int = 0
    exact: int = 0
    within1: int = 0
    within7: int = 0

    def add(self, truth: str, guess: str | None) -> None:
        self.n += 1
        if guess is None:
            return
        self.covered += 1
        gap = abs((date.fromisoformat(truth[:10]) - date.fromisoformat(guess[:10])).days)
        self.exact += gap == 0
        self.within1 += gap <= 1
        self.within7 += gap <= 7

    def merge(self, other: Score) -> None:
        for name in ("n", "covered", "exact", "within1", "within7"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def row(self) -> str:
        """Accuracies over every article (an article without a date counts as wrong), and coverage."""
        n = self.n or 1
        return (f"{self.n:>5} {self.exact / n:>6.3f} {self.within1 / n:>6.3f} {self.within7 / n:>6.3f} "
                f"{self.covered / n:>6.3f}")


HEADER = f"{'':<34}{'n':>5} {'exact':>6} {'<=1d':>6} {'<=7d':>6} {'cover':>6}"


# -- reading Timeline17 ------------------------------------------------------------------------------


def _stories(texts: Sequence[str]) -> list[list[int]]:
    """For each article, the indexes of the most similar others (its simulated story)."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=1).fit_transform(texts)
    sims = (matrix @ matrix.T).toarray()
    np.fill_diagonal(sims, -1.0)
    out = []
    for row in sims:
        order = np.argsort(-row, kind="stable")[:STORY_SIZE]
        out.append([int(j) for j in order if row[j] >= STORY_MIN_COSINE])
    return out


def _cases(topic: str, ids: Sequence[str], days: Sequence[str], texts: Sequence[str],
           chosen: Iterable[int]) -> list[Case]:
    """Cases of one collection: each chosen article with its simulated story among all of them."""
    from storyline.enrich.timex import tag

    stories = _stories(texts)
    out = []
    for i in chosen:
        reports = tuple(Report(ids[j], days[j]) for j in stories[i])
        out.append(Case(
            topic=topic, article_id=ids[i], published=days[i], text=texts[i],
            explicit=tuple(clues_from_timexes(tag(texts[i], None), None)), reports=reports,
            true_clues=tuple(clues_from_text(texts[i], days[i])),
        ))
    return out


def read_timeline17(root: Path, *, per_collection: int | None = None,
                    per_topic: dict[str, int] | None = None) -> list[Case]:
    """Every article of every collection (or the first `per_collection` of each, in file order;
    `per_topic` sets that number for the collections of a topic)."""
    from storyline.clean.normalize import normalize_text

    cases: list[Case] = []
    for folder in sorted(p for p in root.iterdir() if (p / "articles.jsonl").is_file()):
        rows = [json.loads(line) for line in (folder / "articles.jsonl").open(encoding="utf-8") if line.strip()]
        topic = folder.name.split("_")[0]
        limit = (per_topic or {}).get(topic, per_collection)
        chosen = range(len(rows)) if limit is None else range(min(limit, len(rows)))
        cases += _cases(topic, [f"{folder.name}/{r['id']}" for r in rows], [str(r["time"])[:10] for r in rows],
                        [normalize_text(str(r["text"])) for r in rows], chosen)
    return cases


def read_tbaq(root: Path, *, per_corpus: int | None = None) -> list[Case]:
    """TimeBank and AQUAINT documents with their creation time (each corpus one group; stories
    simulated within it)."""
    from storyline.clean.normalize import normalize_text
    from storyline.eval.timex import parse_timeml

    cases: list[Case] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        docs = [parse_timeml(f.read_text(encoding="utf-8"), f.name) for f in sorted(folder.glob("*.tml"))]
        docs = [d for d in docs if d.dct]
        if len(docs) < MIN_GROUP:  # a stray folder, not a corpus
            continue
        chosen = range(len(docs)) if per_corpus is None else range(min(per_corpus, len(docs)))
        cases += _cases(folder.name, [d.name for d in docs], [str(d.dct) for d in docs],
                        [normalize_text(d.text) for d in docs], chosen)
    return cases


# -- the evaluation ----------------------------------------------------------------------------------

Method = Callable[[Case], str | None]


def _median_report(case: Case) -> str | None:
    if not case.reports:
        return None
    return str(statistics.median_low(r.published for r in case.reports))


def _latest_explicit(case: Case) -> str | None:
    return max((c.value for c in case.explicit), default=None)


def _inferred(model: DateModel, *, story: bool = True) -> Method:
    def run(case: Case) -> str | None:
        reports = case.reports if story else ()
        found: InferredDate | None = infer_date(case.clues(reports), reports, model)
        return found.date if found else None

    return run


def _score(cases: Iterable[Case], method: Method) -> Score:
    score = Score()
    for case in cases:
        score.add(case.published, method(case))
    return score


def fit(cases: Sequence[Case], weights: Sequence[float] = TEXT_WEIGHTS, trained_on: str = "") -> DateModel:
    """Offset tables counted on `cases`, with the text weight that dates them best (exact day, then
    within one day)."""
    base = train((c.example() for c in cases), trained_on=trained_on)
    best: tuple[tuple[int, int], DateModel] | None = None
    for weight in weights:
        model = DateModel(base.clues, base.story, weight, trained_on)
        s = _score(cases, _inferred(model))
        key = (s.exact, s.within1)
        if best is None or key > best[0]:
            best = (key, model)
    assert best is not None
    return best[1]


@dataclass
class DatesReport:
    rows: dict[str, dict[str, Score]] = field(default_factory=dict)  # method -> topic -> score
    weights: dict[str, float] = field(default_factory=dict)  # held-out topic -> the weight chosen without it

    def add(self, method: str, topic: str, score: Score) -> None:
        self.rows.setdefault(method, {})[topic] = score

    def total(self, method: str) -> Score:
        out = Score()
        for s in self.rows[method].values():
            out.merge(s)
        return out

    def format(self) -> str:
        lines = [HEADER]
        for method, topics in self.rows.items():
            for topic, score in topics.items():
                lines.append(f"{method + ' / ' + topic:<34}" + score.row())
            lines.append(f"{method + ' / all':<34}" + self.total(method).row())
        if self.weights:
            lines.append("text weight chosen without the scored topic: "
                         + ", ".join(f"{t} {w}" for t, w in self.weights.items()))
        return "\n".join(lines)


HELD_OUT = "inferred, held-out topic"
DEV = "inferred, tuned on all (dev)"
TEXT_ONLY = "inferred, text only (held-out)"


MEDIAN_RULE = "rule: median report day"
LATEST_RULE = "rule: latest explicit date"


def _score_topic(report: DatesReport, topic: str, scored: Sequence[Case], model: DateModel,
                 dev: DateModel | None) -> None:
    report.weights[topic] = model.text_weight
    report.add(HELD_OUT, topic, _score(scored, _inferred(model)))
    report.add(TEXT_ONLY, topic, _score(scored, _inferred(model, story=False)))
    if dev is not None:
        report.add(DEV, topic, _score(scored, _inferred(dev)))
    report.add(MEDIAN_RULE, topic, _score(scored, _median_report))
    report.add(LATEST_RULE, topic, _score(scored, _latest_explicit))


def evaluate(cases: Sequence[Case]) -> DatesReport:
    """Leave-one-topic-out: the tables and the weight come from the other topics."""
    report = DatesReport()
    dev = fit(cases, trained_on="all topics")
    for topic in sorted({c.topic for c in cases}):
        scored = [c for c in cases if c.topic == topic]
        others = [c for c in cases if c.topic != topic] or scored
        _score_topic(report, topic, scored, fit(others, trained_on=f"all but {topic}"), dev)
    return report


def evaluate_split(cases: Sequence[Case], train_topics: Iterable[str]) -> DatesReport:
    """One fixed split by topic: tables and weight from `train_topics`, scored on the others."""
    chosen = set(train_topics)
    model = fit([c for c in cases if c.topic in chosen], trained_on=", ".join(sorted(chosen)))
    report = DatesReport()
    for topic in sorted({c.topic for c in cases} - chosen):
        _score_topic(report, topic, [c for c in cases if c.topic == topic], model, None)
    return report


SHIPPED = "inferred, shipped model (held-out)"


def evaluate_model(cases: Sequence[Case], model: DateModel) -> DatesReport:
    """A trained model (never tuned on these cases) scored per group, beside the simple rules."""
    report = DatesReport()
    for topic in sorted({c.topic for c in cases}):
        scored = [c for c in cases if c.topic == topic]
        report.add(SHIPPED, topic, _score(scored, _inferred(model)))
        report.add(TEXT_ONLY, topic, _score(scored, _inferred(model, story=False)))
        report.add(MEDIAN_RULE, topic, _score(scored, _median_report))
        report.add(LATEST_RULE, topic, _score(scored, _latest_explicit))
    return report


def run(root: Path, *, per_collection: int | None = None) -> str:
    from storyline.consolidate.inferred_dates import load_model

    cases = read_timeline17(root / "timeline17" if (root / "timeline17").is_dir() else root,
                            per_collection=per_collection)
    out = (f"Inferred publication dates, Timeline17 ({len(cases)} articles, dates hidden one at a time; "
           f"story = the {STORY_SIZE} most similar dated articles of the collection, cosine >= {STORY_MIN_COSINE})\n"
           + evaluate(cases).format())
    tbaq = root / "timeml" / "tbaq"
    if tbaq.is_dir():
        other = read_tbaq(tbaq, per_corpus=per_collection)
        out += (f"\n\nTBAQ ({len(other)} documents with a creation time, hidden; stories simulated within each "
                "corpus), the shipped model (trained on Timeline17 only)\n" + evaluate_model(other, load_model()).format())
    return out


def train_shipped(root: Path, target: Path, *, per_collection: int | None = None) -> DateModel:
    """The shipped model: offset tables and text weight from every Timeline17 collection."""
    cases = read_timeline17(root / "timeline17" if (root / "timeline17").is_dir() else root,
                            per_collection=per_collection)
    model = fit(cases, trained_on=f"timeline17 ({len(cases)} articles)")
    model.save(target)
    return model
