"""Sentences of an annotated article with their offsets, and the word features the consolidation
stages compare them by (content words, numbers, entity keys).

Pure functions over `AnnotatedArticle`; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from storyline.model import AnnotatedArticle, EntityMention, Quantity, TimeExpression
from storyline.text.sentences import sentence_spans

_WORD = re.compile(r"[^\W_]+(?:[-'.][^\W_]+)*", re.UNICODE)
_NUMBER = re.compile(r"\d")

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "said",
        "says",
        "say",
        "told",
        "according",
        "would",
        "could",
        "may",
        "might",
        "must",
        "shall",
        "one",
        "ones",
        "lrb",
        "rrb",
        "-lrb-",
        "-rrb-",
        "mr",
        "mrs",
        "ms",
        "new",
        "year",
        "years",
        "week",
        "weeks",
        "day",
        "days",
    ]
)


@dataclass(frozen=True)
class Sentence:
    """One sentence of one article: offsets into `article.text`, with its annotations."""

    article_id: str
    index: int  # position of the sentence in its article
    start: int
    end: int
    text: str
    published: str | None
    source: str | None
    timexes: tuple[TimeExpression, ...] = ()
    quantities: tuple[Quantity, ...] = ()
    mentions: tuple[EntityMention, ...] = ()


def split_article(item: AnnotatedArticle) -> list[Sentence]:
    """The sentences of one annotated article, each with the annotations lying inside it."""
    text = item.article.text
    out: list[Sentence] = []
    timexes = sorted(item.timexes, key=lambda t: t.start)
    quantities = sorted(item.quantities, key=lambda q: q.start)
    mentions = sorted(item.mentions, key=lambda m: m.start)
    for index, (start, end) in enumerate(sentence_spans(text)):
        out.append(
            Sentence(
                article_id=item.id,
                index=index,
                start=start,
                end=end,
                text=text[start:end],
                published=item.article.published,
                source=item.article.source,
                timexes=tuple(t for t in timexes if start <= t.start and t.end <= end),
                quantities=tuple(q for q in quantities if start <= q.start and q.end <= end),
                mentions=tuple(m for m in mentions if start <= m.start and m.end <= end),
            )
        )
    return out


def split_story(story: Sequence[AnnotatedArticle]) -> list[Sentence]:
    """Every sentence of every article of the story, in article then text order."""
    out: list[Sentence] = []
    for item in story:
        out.extend(split_article(item))
    return out


def words(text: str) -> list[str]:
    """Lower-case word tokens of `text`."""
    return [w.lower() for w in _WORD.findall(text)]


def content_words(text: str) -> list[str]:
    """Words that carry content: no stop words, no one-letter tokens; numbers are kept."""
    return [w for w in words(text) if w not in STOPWORDS and (len(w) > 1 or _NUMBER.search(w))]


def stem(word: str) -> str:
    """A light suffix stripper so that 'leaks', 'leaked' and 'leaking' meet."""
    for suffix in ("ing", "edly", "ed", "es", "s", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def features(sentence: Sentence) -> list[str]:
    """Comparison features of a sentence: stemmed content words, numbers' values, entity keys."""
    feats = [stem(w) for w in content_words(sentence.text)]
    for quantity in sentence.quantities:
        if quantity.value is not None:
            feats.append(f"#num:{quantity.value:g}:{quantity.unit or ''}")
    for mention in sentence.mentions:
        if mention.entity_key:
            feats.append(f"#ent:{mention.entity_key}")
    return feats
