"""The dated events of one story, merged across outlets.

Each event is a sentence dated by a resolved time expression inside it, at that expression's
granularity (a month stays a month); a relative expression ("the same year", "that day", "on Sunday")
is read against the explicit date of its sentence or paragraph, else the publication date. Headers
and metadata lines never become events. Sentences of different articles that give the same date and say
the same thing (TF-IDF cosine over content words, numbers and entity keys) are one event citing every
article. Only sentences with the same date are ever compared, so the cost grows with the story.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from storyline.config import CONSOLIDATE, TIMELINE, ConsolidateConfig, TimelineConfig
from storyline.consolidate.dates import article_timex_dates, first_day, granularity, last_day, sort_key
from storyline.consolidate.sentences import Sentence, dateless_features, is_header, is_metadata, split_article
from storyline.model import AnnotatedArticle, IsoDate

# The tuning values are `storyline.config.TimelineConfig` (passed as `config`).


@dataclass(frozen=True)
class SentenceRef:
    article_id: str
    start: int
    end: int


@dataclass(frozen=True)
class TimelineEvent:
    date: IsoDate  # "2024", "2024-05" or "2024-05-12"
    text: str  # the sentence that best represents the event (verbatim)
    articles: tuple[str, ...]  # every article that tells it, earliest report first
    background: bool  # long before the story's own dates
    granularity: str = "day"
    sentences: tuple[SentenceRef, ...] = ()  # every sentence merged into the event
    first_reported: IsoDate | None = None
    inferred: bool = False  # the date rests on inferred publication dates only (consolidate.inferred_dates)


def dated_sentences(story: Sequence[AnnotatedArticle], *, config: TimelineConfig = TIMELINE,
                    filters: ConsolidateConfig = CONSOLIDATE) -> list[tuple[IsoDate, Sentence]]:
    """Sentences with a resolved calendar date: (the first such date in the sentence, sentence).

    Relative expressions are read against the explicit date of their sentence, else the last explicit
    date earlier in their paragraph, else the publication date (`anchored_date`). Headers and
    metadata lines (date lines, bylines, "Updated ..." lines, tag lines) are never dated events.
    """
    out: list[tuple[IsoDate, Sentence]] = []
    for item in story:
        sentences = split_article(item)
        dates = article_timex_dates(item.article.text, item.article.published, sentences)
        for sentence, values in zip(sentences, dates, strict=True):
            n_words = len(sentence.text.split())
            if (not config.min_words <= n_words <= config.max_words or is_header(sentence)
                    or is_metadata(sentence, filters)):
                continue
            value = next((v for v in values if v is not None), None)
            if value is not None:
                out.append((value, sentence))
    return out


def build_story_timeline(story: Sequence[AnnotatedArticle], *, config: TimelineConfig = TIMELINE,
                         filters: ConsolidateConfig = CONSOLIDATE) -> list[TimelineEvent]:
    """The story's events in chronological order, merged across outlets, background ones marked."""
    dated = dated_sentences(story, config=config, filters=filters)
    if not dated:
        return []
    published = sorted(item.article.published for item in story if item.article.published)
    story_start = first_day(published[0][:10]) if published else None
    # sentences are compared within one date: the words saying that date tell them apart no more
    vectorizer = TfidfVectorizer(analyzer=dateless_features, sublinear_tf=True, norm="l2")
    matrix = vectorizer.fit_transform([sentence for _, sentence in dated])
    by_date: dict[IsoDate, list[int]] = defaultdict(list)
    for index, (value, _) in enumerate(dated):
        by_date[value].append(index)
    events: list[TimelineEvent] = []
    for value, indexes in by_date.items():
        sims = _similarities(matrix, indexes)
        for members in _cluster(sims, config.merge_similarity):
            block = sims[np.ix_(members, members)]
            events.append(_event(value, [dated[indexes[p]][1] for p in members], block, story_start,
                                 config.background_days))
    events.sort(key=lambda e: (sort_key(e.date), -len(e.articles), e.text))
    return events


def _similarities(matrix: Any, indexes: list[int]) -> Any:
    """Cosines between the sentences of one date (dense; a lone sentence needs no product)."""
    if len(indexes) == 1:
        return np.ones((1, 1))
    block = matrix[indexes]
    return (block @ block.T).toarray()


def _cluster(sims: Any, merge_similarity: float) -> list[list[int]]:
    """Greedy single pass: a sentence joins the cluster it is most similar to on average.
    Clusters are lists of positions in `sims`."""
    n = sims.shape[0]
    clusters: list[list[int]] = []
    totals = np.zeros((n, n))  # row c: the summed similarities of cluster c's members to every sentence
    for position in range(n):
        k = len(clusters)
        if k:
            means = totals[:k, position] / np.array([len(members) for members in clusters])
            # the best cluster at or above the threshold; on a tie the later one, as a running max with >= did
            best = k - 1 - int(np.argmax(means[::-1]))
            if means[best] >= merge_similarity:
                clusters[best].append(position)
                totals[best] += sims[position]
                continue
        clusters.append([position])
        totals[k] = sims[position]
    return clusters


def _event(value: IsoDate, sentences: list[Sentence], sims: Any, story_start: date | None,
           background_days: int) -> TimelineEvent:
    centrality = sims.mean(axis=1)
    order = sorted(
        range(len(sentences)),
        key=lambda i: (-round(float(centrality[i]), 6), sentences[i].published or "", i),
    )
    best = sentences[order[0]]
    by_report = sorted(sentences, key=lambda s: (s.published or "9999", s.article_id))
    articles = tuple(dict.fromkeys(s.article_id for s in by_report))
    background = False
    if story_start is not None:
        background = last_day(value) < story_start - timedelta(days=background_days)
    return TimelineEvent(
        date=value,
        text=best.text,
        articles=articles,
        background=background,
        granularity=granularity(value),
        sentences=tuple(SentenceRef(s.article_id, s.start, s.end) for s in sentences),
        first_reported=by_report[0].published,
    )
