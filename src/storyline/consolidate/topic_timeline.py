"""A timeline over a whole topic (many stories): pick the dates, then the sentences of each date.

Date selection follows the date-wise approach of news timeline summarisation: a day matters when many
articles refer to it, through a resolved day-level time expression in one of their sentences or
through their publication date. Sentence selection then takes, for each chosen day, the sentences
that mention that day (and the leads of the articles published that day), ranked by similarity to the
centroid of those candidates and to the whole topic's centroid, skipping any that repeat an already
chosen sentence (MMR).

Every setting lives in `TopicTimelineConfig`; its defaults are the ones the leave-one-topic-out
evaluation (`storyline.eval.timeline.leave_one_topic_out`) picks on Timeline17.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from storyline.consolidate.dates import timex_date
from storyline.consolidate.mmr import select_mmr
from storyline.consolidate.sentences import Sentence, content_words, split_article, stem
from storyline.model import AnnotatedArticle, IsoDate


@dataclass(frozen=True)
class TopicTimelineConfig:
    """The settings of a topic timeline (chosen on other topics than the one they are scored on)."""

    published_weight: float = 1.0  # an article published on a day counts this much towards the day
    forward_weight: float = 0.5  # an article naming a day after its own publication (a plan, a schedule) counts this much
    lead_sentences: int = 3  # sentences of an article published on a day that stand for that day
    min_tokens: int = 6  # shorter sentences are not shown
    max_tokens: int = 60  # longer ones neither (lists, run-on captions)
    topic_weight: float = 1.0  # weight of the similarity to the whole topic's centroid in a sentence's relevance
    near_days: int = 3  # sentences reported within `near_days` after the day ...
    near_bonus: float = 0.1  # ... get this bonus in relevance
    duplicate: float = 0.5  # a sentence more similar than this to a chosen one waits
    mmr_lambda: float = 0.75  # relevance against redundancy in MMR


DEFAULT = TopicTimelineConfig()


@dataclass(frozen=True)
class DatedSentence:
    text: str
    article_id: str
    start: int
    end: int


@dataclass
class PreparedTopic:
    """What the dates and sentences are chosen from: built once, then read by any config of the
    same sentence filter (`lead_sentences`, `min_tokens`, `max_tokens`)."""

    sentences: list[Sentence] = field(default_factory=list)
    mentions: dict[IsoDate, list[int]] = field(default_factory=dict)  # day -> rows of sentences naming it
    leads: dict[IsoDate, list[int]] = field(default_factory=dict)  # day -> rows of leads published that day
    refs: dict[IsoDate, dict[str, str]] = field(default_factory=dict)  # day -> articles naming it -> their publication day
    published: Counter[IsoDate] = field(default_factory=Counter)
    matrix: Any = None  # TF-IDF rows of `sentences`
    topic: Any = None  # their normalised centroid


def build_topic_timeline(
    articles: Sequence[AnnotatedArticle],
    max_dates: int,
    sentences_per_date: int,
    start: IsoDate | None = None,
    end: IsoDate | None = None,
    config: TopicTimelineConfig = DEFAULT,
) -> list[tuple[IsoDate, list[DatedSentence]]]:
    """Up to `max_dates` days, each with up to `sentences_per_date` sentences, in date order.

    `start`/`end` (ISO days, inclusive) limit the days considered, as timeline benchmarks do with
    the span of the reference timeline.
    """
    if max_dates <= 0 or sentences_per_date <= 0:
        return []
    return select_timeline(prepare_topic(articles, start, end, config), max_dates, sentences_per_date, config)


def prepare_topic(
    articles: Sequence[AnnotatedArticle],
    start: IsoDate | None = None,
    end: IsoDate | None = None,
    config: TopicTimelineConfig = DEFAULT,
) -> PreparedTopic:
    """Sentences, the days they name, the days articles were published on, and TF-IDF vectors."""
    mentions: dict[IsoDate, list[int]] = defaultdict(list)
    leads: dict[IsoDate, list[int]] = defaultdict(list)
    refs: dict[IsoDate, dict[str, str]] = defaultdict(dict)
    published: Counter[IsoDate] = Counter()
    sentences: list[Sentence] = []

    def inside(day: IsoDate) -> bool:
        return (start is None or day >= start) and (end is None or day <= end)

    for item in articles:
        pub = (item.article.published or "")[:10]
        dated = len(pub) == 10 and inside(pub)
        if dated:
            published[pub] += 1
        for sentence in split_article(item):
            days = {d for t in sentence.timexes if (d := timex_date(t)) and len(d) == 10 and inside(d)}
            for day in days:
                refs[day][item.id] = pub
            if not config.min_tokens <= len(sentence.text.split()) <= config.max_tokens:
                continue
            row = len(sentences)
            if days:
                sentences.append(sentence)
                for day in days:
                    mentions[day].append(row)
            elif sentence.index < config.lead_sentences and dated:
                sentences.append(sentence)
                leads[pub].append(row)
    prepared = PreparedTopic(sentences, dict(mentions), dict(leads), dict(refs), published)
    if sentences:
        vectorizer = TfidfVectorizer(analyzer=_terms, sublinear_tf=True, norm="l2", min_df=1)
        try:
            prepared.matrix = vectorizer.fit_transform([s.text for s in sentences])
        except ValueError:  # no content word anywhere
            prepared.sentences = []
            return prepared
        topic = np.asarray(prepared.matrix.mean(axis=0)).ravel()
        prepared.topic = topic / (float(np.linalg.norm(topic)) or 1.0)
    return prepared


def rank_days(prepared: PreparedTopic, config: TopicTimelineConfig = DEFAULT) -> list[IsoDate]:
    """Days by how many articles name them (`forward_weight` for those published before the day)
    plus `published_weight` per article published on them."""

    def naming(day: IsoDate, pubs: dict[str, str]) -> float:
        return sum(config.forward_weight if len(pub) == 10 and pub < day else 1.0 for pub in pubs.values())

    scores = {
        day: naming(day, pubs) + config.published_weight * prepared.published[day]
        for day, pubs in prepared.refs.items()
    }
    for day, count in prepared.published.items():
        scores.setdefault(day, config.published_weight * count)
    return sorted(scores, key=lambda d: (-scores[d], d))


def select_timeline(
    prepared: PreparedTopic, max_dates: int, sentences_per_date: int, config: TopicTimelineConfig = DEFAULT
) -> list[tuple[IsoDate, list[DatedSentence]]]:
    """The timeline of a prepared topic under `config`."""
    if max_dates <= 0 or sentences_per_date <= 0 or not prepared.sentences:
        return []
    timeline: list[tuple[IsoDate, list[DatedSentence]]] = []
    # a sentence goes under one date: the best-ranked day that chooses it (a sentence naming two
    # days, or the same sentence in two articles whose dates resolved differently, is shown once)
    used: set[str] = set()
    for day in rank_days(prepared, config):
        if len(timeline) >= max_dates:
            break
        rows = list(dict.fromkeys(prepared.mentions.get(day, []) + prepared.leads.get(day, [])))
        rows = [row for row in rows if _key(prepared.sentences[row].text) not in used]
        chosen = _summarise(day, rows, prepared, sentences_per_date, config)
        used.update(_key(s.text) for s in chosen)
        if chosen:
            timeline.append((day, chosen))
    timeline.sort(key=lambda entry: entry[0])
    return timeline


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def _terms(text: str) -> list[str]:
    return [stem(w) for w in content_words(text)]


def _summarise(
    day: IsoDate, rows: list[int], prepared: PreparedTopic, n: int, config: TopicTimelineConfig
) -> list[DatedSentence]:
    if not rows:
        return []
    sentences = prepared.sentences
    block = prepared.matrix[rows]
    centroid = np.asarray(block.mean(axis=0)).ravel()
    norm = float(np.linalg.norm(centroid))
    if norm == 0:
        return []
    relevance = np.asarray(block @ centroid).ravel() / norm
    if config.topic_weight:
        relevance = relevance + config.topic_weight * np.asarray(block @ prepared.topic).ravel()
    if config.near_bonus:
        target = date.fromisoformat(day)
        for i, row in enumerate(rows):
            pub = sentences[row].published
            if pub and len(pub) >= 10 and 0 <= (date.fromisoformat(pub[:10]) - target).days <= config.near_days:
                relevance[i] += config.near_bonus
    seen_text: set[str] = set()

    def first_of_its_text(i: int) -> bool:  # the same sentence from another outlet's copy is dropped
        key = _key(sentences[rows[i]].text)
        if key in seen_text:
            return False
        seen_text.add(key)
        return True

    chosen = select_mmr(
        relevance,
        (block @ block.T).toarray(),
        n,
        weight=config.mmr_lambda,
        duplicate=config.duplicate,
        accept=first_of_its_text,
    )
    return [
        DatedSentence(s.text, s.article_id, s.start, s.end) for s in (sentences[rows[i]] for i in chosen)
    ]
