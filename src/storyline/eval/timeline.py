"""Timeline17 evaluation of the topic timeline, scored with the `tilse` package as news-tls does.

For each `<topic>_<outlet>/` folder: the articles (`{"id","time","text"}` per line) are annotated with
the time expression tagger (dct = publication date), restricted to the span of the reference
timeline, and a timeline is built with T = number of reference dates and L = round(mean sentences
per reference date). Scores: concat, agreement and alignment (many-to-one, date-content costs)
ROUGE-1/2 F1, and date F1, averaged over the timelines.

ROUGE is tilse's Python reimplementation (`rouge_computation="reimpl"`, Porter stemming, ROUGE's
stop-word list): the Perl original needs a pyrouge fork that is not on PyPI.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storyline.consolidate.topic_timeline import build_topic_timeline
from storyline.model import AnnotatedArticle, Article, TimeExpression

Tagger = Callable[[str, str | None], Sequence[TimeExpression]]
METRICS = ("concat", "agreement", "align_m:1")


@dataclass
class TimelineScore:
    name: str
    dates: int  # T
    sentences_per_date: int  # L
    articles: int
    scores: dict[str, float]  # "concat_rouge_1", ..., "date_f1"


@dataclass
class TimelineReport:
    timelines: list[TimelineScore] = field(default_factory=list)

    @property
    def mean(self) -> dict[str, float]:
        if not self.timelines:
            return {}
        keys = self.timelines[0].scores.keys()
        return {k: sum(t.scores[k] for t in self.timelines) / len(self.timelines) for k in keys}


def _default_tagger() -> Tagger:
    from storyline.enrich.timex import tag

    return tag


def read_articles(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read_timelines(path: Path) -> list[list[tuple[str, list[str]]]]:
    out: list[list[tuple[str, list[str]]]] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                out.append([(str(d)[:10], list(sents)) for d, sents in json.loads(line)])
    return out


def annotate(rows: Iterable[dict[str, Any]], tagger: Tagger) -> list[AnnotatedArticle]:
    out: list[AnnotatedArticle] = []
    for row in rows:
        day = str(row["time"])[:10]
        text = str(row["text"])
        article = Article(text=text, published=day, external_id=str(row["id"]))
        out.append(AnnotatedArticle(id=str(row["id"]), article=article, timexes=tuple(tagger(text, day))))
    return out


def _tilse_timeline(entries: Iterable[tuple[str, list[str]]]) -> Any:
    from tilse.data import timelines

    mapping: dict[datetime.date, list[str]] = {}
    for day, sentences in entries:
        mapping.setdefault(datetime.date.fromisoformat(day[:10]), []).extend(sentences)
    return timelines.Timeline(mapping)


def score_timeline(
    predicted: Sequence[tuple[str, Sequence[str]]], reference: Sequence[tuple[str, list[str]]]
) -> dict[str, float]:
    """tilse scores of one predicted timeline against one reference timeline."""
    from tilse.data import timelines
    from tilse.evaluation import dates as tilse_dates
    from tilse.evaluation import rouge

    evaluator = rouge.TimelineRougeEvaluator(measures={"rouge_1", "rouge_2"}, rouge_computation="reimpl")
    pred = _tilse_timeline((d, list(s)) for d, s in predicted)
    truth = timelines.GroundTruth([_tilse_timeline(reference)])
    out: dict[str, float] = {}
    if not predicted:
        for name in METRICS:
            out[f"{name}_rouge_1"] = out[f"{name}_rouge_2"] = 0.0
        out["date_f1"] = 0.0
        return out
    results = {
        "concat": evaluator.evaluate_concat(pred, truth),
        "agreement": evaluator.evaluate_agreement(pred, truth),
        "align_m:1": evaluator.evaluate_align_date_content_costs_many_to_one(pred, truth),
    }
    for name, result in results.items():
        out[f"{name}_rouge_1"] = float(result["rouge_1"]["f_score"])
        out[f"{name}_rouge_2"] = float(result["rouge_2"]["f_score"])
    out["date_f1"] = float(tilse_dates.evaluate_dates(pred, truth)["f_score"])
    return out


def evaluate_timeline17(
    root: Path, topics: Sequence[str] | None = None, tagger: Tagger | None = None
) -> TimelineReport:
    """Scores of `build_topic_timeline` on every timeline under `root` (or the named folders)."""
    tag = tagger or _default_tagger()
    folders = sorted(p for p in root.iterdir() if (p / "timelines.jsonl").exists())
    if topics is not None:
        folders = [p for p in folders if p.name in set(topics)]
    report = TimelineReport()
    for folder in folders:
        rows = read_articles(folder / "articles.jsonl")
        for number, reference in enumerate(read_timelines(folder / "timelines.jsonl")):
            days = sorted(d for d, _ in reference)
            start, end = days[0], days[-1]
            inside = [r for r in rows if start <= str(r["time"])[:10] <= end]
            annotated = annotate(inside, tag)
            n_dates = len(reference)
            per_date = max(1, round(sum(len(s) for _, s in reference) / max(1, n_dates)))
            built = build_topic_timeline(annotated, n_dates, per_date, start=start, end=end)
            predicted = [(day, [s.text for s in sents]) for day, sents in built]
            name = folder.name if number == 0 else f"{folder.name}#{number}"
            report.timelines.append(
                TimelineScore(name, n_dates, per_date, len(annotated), score_timeline(predicted, reference))
            )
    return report
