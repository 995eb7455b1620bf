"""A timeline over a whole topic (many stories): pick the dates, then the sentences of each date.

Date selection follows the date-wise approach of news timeline summarisation: a day matters when many
articles refer to it, through a resolved day-level time expression in one of their sentences or
through their publication date. Sentence selection then takes, for each chosen day, the sentences
that mention that day (and the leads of the articles published that day), ranked by similarity to the
centroid of those candidates, skipping any that repeat an already chosen sentence (MMR).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from storyline.consolidate.dates import timex_date
from storyline.consolidate.mmr import select_mmr
from storyline.consolidate.sentences import Sentence, content_words, split_article, stem
from storyline.model import AnnotatedArticle, IsoDate

PUBLISHED_WEIGHT = 1.0  # an article published on a day counts this much towards the day
LEAD_SENTENCES = 3  # sentences of an article published on a day that stand for that day
MIN_TOKENS, MAX_TOKENS = 6, 60
TOPIC_WEIGHT = 0.5  # weight of the similarity to the whole topic's centroid in a sentence's relevance
NEAR_DAYS, NEAR_BONUS = 3, 0.1  # sentences reported within NEAR_DAYS after the day get this bonus
DUPLICATE = 0.5
MMR_LAMBDA = 0.75


@dataclass(frozen=True)
class DatedSentence:
    text: str
    article_id: str
    start: int
    end: int


def build_topic_timeline(
    articles: Sequence[AnnotatedArticle],
    max_dates: int,
    sentences_per_date: int,
    start: IsoDate | None = None,
    end: IsoDate | None = None,
) -> list[tuple[IsoDate, list[DatedSentence]]]:
    """Up to `max_dates` days, each with up to `sentences_per_date` sentences, in date order.

    `start`/`end` (ISO days, inclusive) limit the days considered, as timeline benchmarks do with
    the span of the reference timeline.
    """
    if max_dates <= 0 or sentences_per_date <= 0:
        return []
    mentions: dict[IsoDate, list[int]] = defaultdict(list)  # day -> rows of sentences referring to it
    leads: dict[IsoDate, list[int]] = defaultdict(list)  # day -> rows of leads published that day
    refs: dict[IsoDate, set[str]] = defaultdict(set)
    published: Counter[IsoDate] = Counter()
    sentences: list[Sentence] = []

    def inside(day: IsoDate) -> bool:
        return (start is None or day >= start) and (end is None or day <= end)

    for item in articles:
        pub = (item.article.published or "")[:10]
        if len(pub) == 10 and inside(pub):
            published[pub] += 1
        for sentence in split_article(item):
            n_tokens = len(sentence.text.split())
            days = {d for t in sentence.timexes if (d := timex_date(t)) and len(d) == 10 and inside(d)}
            for day in days:
                refs[day].add(item.id)
            usable = MIN_TOKENS <= n_tokens <= MAX_TOKENS
            if not usable:
                continue
            row = len(sentences)
            if days:
                sentences.append(sentence)
                for day in days:
                    mentions[day].append(row)
            elif sentence.index < LEAD_SENTENCES and len(pub) == 10 and inside(pub):
                sentences.append(sentence)
                leads[pub].append(row)
    scores = {day: len(ids) + PUBLISHED_WEIGHT * published[day] for day, ids in refs.items()}
    for day, count in published.items():
        scores.setdefault(day, PUBLISHED_WEIGHT * count)
    ranked = sorted(scores, key=lambda d: (-scores[d], d))
    if not sentences:
        return []
    vectorizer = TfidfVectorizer(analyzer=_terms, sublinear_tf=True, norm="l2", min_df=1)
    try:
        matrix = vectorizer.fit_transform([s.text for s in sentences])
    except ValueError:
        return []
    topic = np.asarray(matrix.mean(axis=0)).ravel()
    topic /= float(np.linalg.norm(topic)) or 1.0
    timeline: list[tuple[IsoDate, list[DatedSentence]]] = []
    # a sentence goes under one date: the best-ranked day that chooses it (a sentence naming two
    # days, or the same sentence in two articles whose dates resolved differently, is shown once)
    used: set[str] = set()
    for day in ranked:
        if len(timeline) >= max_dates:
            break
        rows = list(dict.fromkeys(mentions.get(day, []) + leads.get(day, [])))
        rows = [row for row in rows if _key(sentences[row].text) not in used]
        chosen = _summarise(day, rows, matrix, sentences, sentences_per_date, topic)
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
    day: IsoDate, rows: list[int], matrix: Any, sentences: list[Sentence], n: int, topic: Any
) -> list[DatedSentence]:
    if not rows:
        return []
    block = matrix[rows]
    centroid = np.asarray(block.mean(axis=0)).ravel()
    norm = float(np.linalg.norm(centroid))
    if norm == 0:
        return []
    relevance = np.asarray(block @ centroid).ravel() / norm
    if TOPIC_WEIGHT:
        relevance = relevance + TOPIC_WEIGHT * np.asarray(block @ topic).ravel()
    if NEAR_BONUS:
        target = date.fromisoformat(day)
        for i, row in enumerate(rows):
            pub = sentences[row].published
            if pub and len(pub) >= 10 and 0 <= (date.fromisoformat(pub[:10]) - target).days <= NEAR_DAYS:
                relevance[i] += NEAR_BONUS
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
        weight=MMR_LAMBDA,
        duplicate=DUPLICATE,
        accept=first_of_its_text,
    )
    out: list[DatedSentence] = []
    for i in chosen:
        s = sentences[rows[i]]
        out.append(DatedSentence(s.text, s.article_id, s.start, s.end))
    return out
