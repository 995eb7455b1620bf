"""A short brief of a story in which every sentence cites every article that states it.

Extractive: the sentences are the sources' own (timeline events, sentences carrying agreed facts,
article leads), well-formed only (end punctuation, a finite verb, no headline, caption, byline, date
or tag line), chosen by maximal marginal relevance over TF-IDF vectors so that no two say the same
thing, then put in chronological order. Conflicts are stated from a fixed template naming each value
and the outlets giving it. Nothing is written that the sources do not say.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from storyline.config import BRIEF, CONSOLIDATE, BriefConfig, ConsolidateConfig
from storyline.consolidate.dates import sort_key, timex_date
from storyline.consolidate.facts import STORY_SUBJECT, Fact, FactValue
from storyline.consolidate.mmr import select_mmr
from storyline.consolidate.sentences import (
    Sentence,
    features,
    finite_verbs,
    is_header,
    is_metadata,
    split_story,
)
from storyline.consolidate.timeline import SentenceRef, TimelineEvent
from storyline.counts import UNNAMED_OUTLET, outlet_label
from storyline.model import AnnotatedArticle, IsoDate

# The tuning values are `storyline.config.BriefConfig` (passed as `config`).

Kind = Literal["extract", "conflict", "update"]


@dataclass(frozen=True)
class BriefSentence:
    text: str
    articles: tuple[str, ...]  # every article that states it
    kind: Kind = "extract"
    date: IsoDate | None = None  # date the sentence is placed at
    spans: tuple[SentenceRef, ...] = field(default=())  # source sentences (extracts and paraphrases)


@dataclass
class _Candidate:
    sentence: Sentence
    date: IsoDate | None
    support: set[str]
    facts: set[int] = field(default_factory=set)  # agreed facts the sentence states
    row: int = 0


def build_brief(
    story: Sequence[AnnotatedArticle], facts: Sequence[Fact], timeline: Sequence[TimelineEvent], *,
    config: BriefConfig = BRIEF, filters: ConsolidateConfig = CONSOLIDATE,
) -> list[BriefSentence]:
    """`config.min_sentences` to `config.max_sentences` cited sentences (5 to 8) when the story has that
    much to say, fewer otherwise. `filters`: the metadata-line filter shared with the other steps."""
    sentences = split_story(story)
    # Outlets by name; an article with none is "an unnamed outlet", never its id.
    sources = {item.id: outlet_label(item.article.source) for item in story}
    conflicts = [f for f in facts if f.status == "conflicting"]
    conflicts.sort(key=lambda f: (-len(f.articles), f.attribute))
    conflict_lines = [_conflict_sentence(f, sources) for f in conflicts[: config.max_conflicts]]
    if not sentences:
        return conflict_lines
    vectorizer = TfidfVectorizer(analyzer=features, sublinear_tf=True, norm="l2")
    try:
        matrix = vectorizer.fit_transform(sentences)
    except ValueError:  # no content words at all
        return conflict_lines
    candidates = _candidates(sentences, facts, timeline, conflicts, config, filters)
    if not candidates:
        return conflict_lines
    n_extract = max(config.min_sentences - len(conflict_lines), 2)
    n_extract = min(n_extract + 2, config.max_sentences - len(conflict_lines), len(candidates))
    chosen = _select(candidates, matrix, n_extract, config)
    extracts = [_cite(c, sentences, matrix, config) for c in chosen]
    extracts.sort(key=lambda b: (sort_key(b.date) if b.date else sort_key("9999"), b.text))
    return extracts + conflict_lines


def _candidates(
    sentences: list[Sentence], facts: Sequence[Fact], timeline: Sequence[TimelineEvent], conflicts: list[Fact],
    config: BriefConfig, filters: ConsolidateConfig,
) -> list[_Candidate]:
    index = {(s.article_id, s.start): row for row, s in enumerate(sentences)}
    conflict_spans = {
        (span.article_id, span.sentence_start) for f in conflicts for v in f.values for span in v.spans
    }
    found: dict[int, _Candidate] = {}

    def add(row: int, date: IsoDate | None, support: Sequence[str], fact: int | None = None) -> None:
        sentence = sentences[row]
        if (sentence.article_id, sentence.start) in conflict_spans:
            return
        if (not config.min_words <= len(sentence.text.split()) <= config.max_words or is_header(sentence)
                or is_metadata(sentence, filters)):
            return  # a headline, caption, byline, date or tag line is not a sentence of the brief
        candidate = found.get(row)
        if candidate is None:
            candidate = found[row] = _Candidate(sentence, date, set(), row=row)
        candidate.support.update(support)
        candidate.date = candidate.date or date
        if fact is not None:
            candidate.facts.add(fact)

    for event in timeline:
        for ref in event.sentences:
            row = index.get((ref.article_id, ref.start))
            if row is not None and sentences[row].text == event.text:
                add(row, event.date, event.articles)
    for number, fact in enumerate(facts):
        if fact.status != "agreed":
            continue
        for value in fact.values:
            for span in value.spans:
                row = index.get((span.article_id, span.sentence_start))
                if row is not None:
                    add(row, _own_date(sentences[row]), fact.articles, fact=number)
    for row, sentence in enumerate(sentences):
        if sentence.index < config.lead_sentences:
            add(row, _own_date(sentence), [sentence.article_id])
    return list(found.values())


def _own_date(sentence: Sentence) -> IsoDate | None:
    for timex in sentence.timexes:
        value = timex_date(timex)
        if value:
            return value
    return sentence.published


def _select(candidates: list[_Candidate], matrix: Any, n: int, config: BriefConfig) -> list[_Candidate]:
    rows = [c.row for c in candidates]
    block = matrix[rows]
    centroid = np.asarray(matrix.mean(axis=0)).ravel()
    norm = float(np.linalg.norm(centroid)) or 1.0
    relevance = np.asarray(block @ centroid).ravel() / norm
    support = np.array([math.log1p(len(c.support)) for c in candidates])
    fact_bonus = np.array([min(len(c.facts), config.max_fact_bonus) for c in candidates], dtype=float)
    score = (relevance / (relevance.max() or 1.0) + config.support_weight * support / (support.max() or 1.0)
             + config.fact_weight * fact_bonus)
    pool = sorted(range(len(candidates)), key=lambda i: (-score[i], i))[: config.pool]
    # only sentences with a finite verb (tagged once, on the pool only: the cost stays bounded)
    finite = finite_verbs([candidates[i].sentence.text for i in pool])
    pool = [i for i, ok in zip(pool, finite, strict=True) if ok]
    if not pool:
        return []
    candidates = [candidates[i] for i in pool]
    score = score[pool]
    block = block[pool]
    chosen = select_mmr(
        score,
        (block @ block.T).toarray(),
        n,
        weight=config.mmr_lambda,
        duplicate=config.duplicate,
        # one sentence a fact: a second sentence stating a fact already in the brief waits
        compatible=lambda i, picked: not any(candidates[i].facts & candidates[j].facts for j in picked),
    )
    return [candidates[i] for i in chosen]


def _cite(candidate: _Candidate, sentences: list[Sentence], matrix: Any, config: BriefConfig) -> BriefSentence:
    """The sentence with every article that states it: its own, its event's, and paraphrases."""
    sims = np.asarray((matrix @ matrix[candidate.row].T).toarray()).ravel()
    rows = [int(r) for r in np.nonzero(sims >= config.paraphrase)[0]]
    refs = [SentenceRef(sentences[r].article_id, sentences[r].start, sentences[r].end) for r in rows]
    # cited: the sentence's own article and the articles with a paraphrase of it (not every article
    # that merely shares its date or one of its facts)
    articles = [candidate.sentence.article_id]
    articles += [sentences[r].article_id for r in rows]
    return BriefSentence(
        text=candidate.sentence.text,
        articles=tuple(dict.fromkeys(articles)),
        kind="extract",
        date=candidate.date,
        spans=tuple(refs),
    )


def _value_phrase(value: FactValue, sources: dict[str, str]) -> str:
    text = value.text
    if value.approximate and not text.lower().startswith(
        ("about", "around", "some", "nearly", "roughly", "~")
    ):
        text = "about " + text
    outlets = ", ".join(dict.fromkeys(sources.get(a, UNNAMED_OUTLET) for a in value.articles))
    extra = "" if value.comparable else "; not converted: no exchange rate"
    qualifier = f", {' / '.join(value.qualifiers)}" if value.qualifiers else ""
    return f"{text} ({outlets}{qualifier}{extra})"


def _conflict_sentence(fact: Fact, sources: dict[str, str]) -> BriefSentence:
    if fact.subject == STORY_SUBJECT:
        topic = f"the {fact.attribute}"
    else:
        topic = f"the {fact.attribute} of {fact.subject_name}"
    if fact.qualifier:
        topic += f" ({fact.qualifier})"
    spans = tuple(
        SentenceRef(s.article_id, s.sentence_start, s.sentence_end) for v in fact.values for s in v.spans
    )
    articles = tuple(dict.fromkeys(a for v in fact.values for a in v.articles))
    if fact.is_update and fact.evolution:
        steps = ", ".join(
            f"{text} ({sources.get(aid, UNNAMED_OUTLET)}, {day})" for day, text, aid in fact.evolution
        )
        return BriefSentence(
            text=f"Reports of {topic} changed over time: {steps}.",
            articles=articles,
            kind="update",
            date=fact.evolution[-1][0] or None,
            spans=spans,
        )
    phrases = ", ".join(_value_phrase(v, sources) for v in fact.values)
    return BriefSentence(
        text=f"Outlets disagree on {topic}: {phrases}.",
        articles=articles,
        kind="conflict",
        date=None,
        spans=spans,
    )
