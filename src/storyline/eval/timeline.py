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

import dataclasses
import datetime
import functools
import itertools
import json
import string
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from storyline.consolidate.topic_timeline import (
    DEFAULT,
    PreparedTopic,
    TopicTimelineConfig,
    prepare_topic,
    select_timeline,
)
from storyline.model import AnnotatedArticle, Article, TimeExpression

Tagger = Callable[[str, str | None], Sequence[TimeExpression]]
METRICS = ("concat", "agreement", "align_m:1")
OBJECTIVE = "align_m:1_rouge_1"  # what the leave-one-topic-out grid maximises on the other topics

# news-tls (Gholipour Ghalandari & Ifrim, "Examining the State-of-the-Art in News Timeline
# Summarization", ACL 2020, arXiv:2005.10107), T17, all 19 timelines: DATEWISE as ../shared/data/README.md
# gives it. Other methods of that table are left out until someone reads them off the paper.
NEWS_TLS_SOURCE = "Gholipour Ghalandari & Ifrim, ACL 2020 (arXiv:2005.10107), T17 results, 19 timelines"
NEWS_TLS = {
    "DATEWISE": {"align_m:1_rouge_1": 0.120, "align_m:1_rouge_2": 0.035, "date_f1": 0.544},
}

# The leave-one-topic-out grid: every combination is scored on every timeline once, then each
# held-out topic gets the combination best on the other topics.
GRID: dict[str, tuple[float | int, ...]] = {
    "published_weight": (1.0, 2.0),
    "forward_weight": (0.5, 1.0),
    "topic_weight": (0.5, 1.0),
    "mmr_lambda": (0.75, 0.9),
    "near_bonus": (0.0, 0.1),
}


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


_PUNCTUATION = frozenset(string.punctuation)
_ROUGE_PUNCTUATION = frozenset([".", ",", ";", ":", "``", "''", "-", '"'])


@functools.lru_cache(maxsize=1)
def _rouge_stopwords() -> frozenset[str]:
    from tilse.evaluation import rouge

    path = Path(rouge.__file__).resolve().parents[2] / "pyrouge/tools/ROUGE-1.5.5/data/smart_common_words.txt"
    return frozenset(path.read_text(encoding="utf-8").splitlines())


@functools.lru_cache(maxsize=200_000)
def _stem(token: str) -> str:
    from nltk.stem import PorterStemmer

    try:
        return _porter(PorterStemmer).stem(token)
    except IndexError:
        return token


@functools.lru_cache(maxsize=1)
def _porter(cls: Any) -> Any:
    return cls()


def _rouge_tokens(sentences: Sequence[str]) -> list[str]:
    ignore = _rouge_stopwords() | _ROUGE_PUNCTUATION
    return [_stem(k.lower()) for sent in sentences for k in sent.strip().split() if k.lower() not in ignore]


def _f(prec: float, rec: float) -> float:
    return 0.0 if prec + rec == 0 else 2 * prec * rec / (prec + rec)


def _approx_rouge_1(pred: Counter[str], ref: Counter[str]) -> float:
    match = sum(min(n, ref[tok]) for tok, n in pred.items())
    n_pred, n_ref = sum(pred.values()), sum(ref.values())
    return _f(match / n_pred if n_pred else 0.0, match / n_ref if n_ref else 0.0)


def align_many_to_one(
    predicted: Sequence[tuple[str, Sequence[str]]], reference: Sequence[tuple[str, Sequence[str]]]
) -> dict[str, float]:
    """Alignment ROUGE-1/2 F ('align+ m:1' of Martschat & Markert 2017) of one predicted timeline
    against one reference timeline: our reimplementation of tilse's, same numbers (a test checks),
    with the tokens of each day counted once instead of once per pair of days.

    Each predicted day goes to the reference day of least cost (date distance factor times one minus
    an approximate ROUGE-1 of their texts), and each reference day to a predicted day the same way;
    the ROUGE counts of the aligned days are weighted by 1 / (days apart + 1)."""
    pred = _day_texts(predicted)
    ref = _day_texts(reference)
    if not pred or not ref:
        return {"align_m:1_rouge_1": 0.0, "align_m:1_rouge_2": 0.0}
    pred_days, ref_days = sorted(pred), sorted(ref)
    approx_p = {d: Counter(k for s in pred[d] for k in s.split() if k not in _PUNCTUATION) for d in pred_days}
    approx_r = {d: Counter(k for s in ref[d] for k in s.split() if k not in _PUNCTUATION) for d in ref_days}
    content = np.array([[_approx_rouge_1(approx_p[p], approx_r[r]) for r in ref_days] for p in pred_days])
    apart = np.abs(np.subtract.outer([d.toordinal() for d in pred_days], [d.toordinal() for d in ref_days]))
    costs = (1 - 1 / (apart + 1)) * (1 - content)
    tokens_p = {d: _rouge_tokens(pred[d]) for d in pred_days}
    tokens_r = {d: _rouge_tokens(ref[d]) for d in ref_days}
    out: dict[str, float] = {}
    for n in (1, 2):
        grams_p = {d: _ngrams(tokens_p[d], n) for d in pred_days}
        grams_r = {d: _ngrams(tokens_r[d], n) for d in ref_days}
        p_num = p_den = r_num = r_den = 0.0
        for i, j in enumerate(costs.argmin(axis=1)):  # precision: every predicted day to a reference day
            hits = sum(min(c, grams_r[ref_days[j]][g]) for g, c in grams_p[pred_days[i]].items())
            p_num += hits / (apart[i, j] + 1)
            p_den += sum(grams_p[pred_days[i]].values())
        for j, i in enumerate(costs.argmin(axis=0)):  # recall: every reference day to a predicted day
            hits = sum(min(c, grams_r[ref_days[j]][g]) for g, c in grams_p[pred_days[i]].items())
            r_num += hits / (apart[i, j] + 1)
            r_den += sum(grams_r[ref_days[j]].values())
        out[f"align_m:1_rouge_{n}"] = _f(p_num / p_den if p_den else 0.0, r_num / r_den if r_den else 0.0)
    return out


def date_f1(predicted: Sequence[tuple[str, Sequence[str]]], reference: Sequence[tuple[str, Sequence[str]]]) -> float:
    pred, ref = {d[:10] for d, _ in predicted}, {d[:10] for d, _ in reference}
    if not pred or not ref:
        return 0.0
    both = len(pred & ref)
    return _f(both / len(pred), both / len(ref))


def _day_texts(entries: Iterable[tuple[str, Sequence[str]]]) -> dict[datetime.date, list[str]]:
    out: dict[datetime.date, list[str]] = {}
    for day, sentences in entries:
        out.setdefault(datetime.date.fromisoformat(day[:10]), []).extend(s.strip() for s in sentences)
    return out


def _ngrams(tokens: list[str], n: int) -> Counter[Any]:
    return Counter(tokens) if n == 1 else Counter(itertools.pairwise(tokens))


def fast_scores(
    predicted: Sequence[tuple[str, Sequence[str]]], reference: Sequence[tuple[str, Sequence[str]]]
) -> dict[str, float]:
    """Alignment ROUGE-1/2 F and date F1 only: what the grid compares."""
    return {**align_many_to_one(predicted, reference), "date_f1": date_f1(predicted, reference)}


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


@dataclass
class TimelineCase:
    """One reference timeline with the annotated articles of its span."""

    name: str
    topic: str  # the folder name before the outlet: timelines of one topic are held out together
    reference: list[tuple[str, list[str]]]
    articles: list[AnnotatedArticle]

    @property
    def span(self) -> tuple[str, str]:
        days = sorted(d for d, _ in self.reference)
        return days[0], days[-1]

    @property
    def n_dates(self) -> int:  # T
        return len(self.reference)

    @property
    def per_date(self) -> int:  # L
        return max(1, round(sum(len(s) for _, s in self.reference) / max(1, self.n_dates)))


def load_cases(root: Path, topics: Sequence[str] | None = None, tagger: Tagger | None = None) -> list[TimelineCase]:
    """Every reference timeline under `root` (or under the named folders), its articles tagged."""
    tag = tagger or _default_tagger()
    folders = sorted(p for p in root.iterdir() if (p / "timelines.jsonl").exists())
    if topics is not None:
        folders = [p for p in folders if p.name in set(topics)]
    cases: list[TimelineCase] = []
    for folder in folders:
        rows = read_articles(folder / "articles.jsonl")
        for number, reference in enumerate(read_timelines(folder / "timelines.jsonl")):
            days = sorted(d for d, _ in reference)
            inside = [r for r in rows if days[0] <= str(r["time"])[:10] <= days[-1]]
            name = folder.name if number == 0 else f"{folder.name}#{number}"
            cases.append(TimelineCase(name, folder.name.split("_")[0], reference, annotate(inside, tag)))
    return cases


class _Prepared:
    """Prepared topics per case and sentence filter, so a grid re-reads them instead of rebuilding."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, int, int, int], PreparedTopic] = {}

    def get(self, case: TimelineCase, config: TopicTimelineConfig) -> PreparedTopic:
        key = (case.name, config.lead_sentences, config.min_tokens, config.max_tokens)
        if key not in self._cache:
            start, end = case.span
            self._cache[key] = prepare_topic(case.articles, start, end, config)
        return self._cache[key]


Scorer = Callable[[Sequence[tuple[str, Sequence[str]]], Sequence[tuple[str, list[str]]]], dict[str, float]]


def score_case(
    case: TimelineCase,
    config: TopicTimelineConfig = DEFAULT,
    cache: _Prepared | None = None,
    scorer: Scorer | None = None,
) -> dict[str, float]:
    """The timeline built for `case` under `config`, scored by `scorer` (tilse's every measure by default)."""
    prepared = (cache or _Prepared()).get(case, config)
    built = select_timeline(prepared, case.n_dates, case.per_date, config)
    return (scorer or score_timeline)([(day, [s.text for s in sents]) for day, sents in built], case.reference)


def report_of(cases: Sequence[TimelineCase], scores: Sequence[dict[str, float]]) -> TimelineReport:
    return TimelineReport(
        [TimelineScore(c.name, c.n_dates, c.per_date, len(c.articles), s) for c, s in zip(cases, scores, strict=True)]
    )


def evaluate_timeline17(
    root: Path,
    topics: Sequence[str] | None = None,
    tagger: Tagger | None = None,
    config: TopicTimelineConfig = DEFAULT,
) -> TimelineReport:
    """Scores of the topic timeline under one `config` on every timeline under `root` (or the named folders)."""
    cases = load_cases(root, topics, tagger)
    cache = _Prepared()
    return report_of(cases, [score_case(case, config, cache) for case in cases])


def grid_configs(grid: dict[str, tuple[float | int, ...]] = GRID, base: TopicTimelineConfig = DEFAULT) -> list[TopicTimelineConfig]:
    names = list(grid)
    settings: list[dict[str, Any]] = [dict(zip(names, values, strict=True)) for values in itertools.product(*grid.values())]
    return [dataclasses.replace(base, **values) for values in settings]


@dataclass
class LotoReport:
    held_out: TimelineReport  # each timeline scored under the config chosen on the other topics
    dev: TimelineReport  # each timeline scored under the config best on all timelines (tuned on them)
    default: TimelineReport  # each timeline under the shipped defaults
    chosen: dict[str, TopicTimelineConfig]  # held-out topic -> the config chosen without it
    dev_config: TopicTimelineConfig


def leave_one_topic_out(
    cases: Sequence[TimelineCase],
    grid: dict[str, tuple[float | int, ...]] = GRID,
    base: TopicTimelineConfig = DEFAULT,
    objective: str = OBJECTIVE,
) -> LotoReport:
    """For each topic: the grid's config with the best mean `objective` on the other topics' timelines,
    scored on that topic's timelines (no setting is chosen on the scored topic)."""
    configs = grid_configs(grid, base)
    if base not in configs:
        configs.append(base)
    cache = _Prepared()
    table = [[score_case(case, config, cache, fast_scores) for case in cases] for config in configs]

    def best(rows: list[int]) -> int:
        means = [sum(scores[i][objective] for i in rows) / len(rows) for scores in table]
        return max(range(len(configs)), key=lambda k: (means[k], -k))

    topics = sorted({case.topic for case in cases})
    held: list[dict[str, float]] = [{} for _ in cases]
    chosen: dict[str, TopicTimelineConfig] = {}
    for topic in topics:
        train = [i for i, case in enumerate(cases) if case.topic != topic]
        k = best(train) if train else configs.index(base)
        chosen[topic] = configs[k]
        for i, case in enumerate(cases):
            if case.topic == topic:
                held[i] = table[k][i]
    dev_k = best(list(range(len(cases))))
    return LotoReport(
        held_out=report_of(cases, held),
        dev=report_of(cases, table[dev_k]),
        default=report_of(cases, table[configs.index(base)]),
        chosen=chosen,
        dev_config=configs[dev_k],
    )


_SHOWN = ("align_m:1_rouge_1", "align_m:1_rouge_2", "date_f1")


def format_loto(report: LotoReport) -> list[str]:
    """The held-out table, its mean beside the dev (all-tuned) mean and news-tls's published figures."""
    lines = [f"leave-one-topic-out (settings chosen by a grid of {len(grid_configs())} on the other topics; "
             f"objective {OBJECTIVE})"]
    lines.append(f"{'timeline':<24} {'topic':<7} " + "  ".join(f"{k:>18}" for k in _SHOWN))
    for entry in report.held_out.timelines:
        topic = entry.name.split("_")[0]
        lines.append(f"{entry.name:<24} {topic:<7} " + "  ".join(f"{entry.scores[k]:>18.3f}" for k in _SHOWN))
    rows = [
        ("held-out mean (LOTO)", report.held_out.mean),
        ("dev mean (all-tuned)", report.dev.mean),
        ("shipped defaults", report.default.mean),
    ]
    rows += [(f"news-tls {name}*", figures) for name, figures in NEWS_TLS.items()]
    for label, mean in rows:
        lines.append(f"{label:<32} " + "  ".join(f"{mean[k]:>18.3f}" for k in _SHOWN))
    for topic, config in report.chosen.items():
        lines.append(f"chosen without {topic}: {_changed(config)}")
    lines.append(f"chosen on all (dev): {_changed(report.dev_config)}")
    lines.append(f"* {NEWS_TLS_SOURCE}; their 19 timelines include the 9 we never see, ours are 10 of them.")
    return lines


def _changed(config: TopicTimelineConfig) -> str:
    diff = {k: v for k, v in dataclasses.asdict(config).items() if v != getattr(DEFAULT, k)}
    return ", ".join(f"{k}={v}" for k, v in diff.items()) or "the defaults"
