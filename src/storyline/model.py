"""Plain records that flow between the stages. No I/O here.

Every stage is a pure function from these records to these records; readers produce
`Article`s, the cleaner returns new `Article`s, annotators return annotation records whose
offsets point into `Article.text` (the cleaned text).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal

# A date cut to its granularity: "2024", "2024-02" or "2024-02-18".
IsoDate = str


@dataclass(frozen=True)
class Article:
    """One news report as read from its source, before or after cleaning."""

    text: str
    title: str | None = None
    url: str | None = None
    source: str | None = None  # outlet name or domain
    published: IsoDate | None = None  # publication date (document creation time)
    published_time: str | None = None  # "HH:MM" (with zone when known), separate so `published` stays a date
    language: str | None = None  # ISO 639-1
    authors: tuple[str, ...] = ()
    agency: str | None = None  # "Reuters", "AFP", ...
    path: str | None = None  # file as given on the command line, joined with its name inside a folder/archive
    fetched: str | None = None  # ISO timestamp of the fetch (WARC) when known
    format: str | None = None  # reader that produced it: text, html, jsonl, feed, warc
    raw: bytes | None = None  # the raw input this article came from, kept for re-processing
    external_id: str | None = None  # id given by the input (JSONL "id", feed entry id)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rejection:
    """An item a reader rejected: one line for the user, the rest of the batch goes on."""

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


ReadError = Rejection  # the record's former name, kept for code written against it


@dataclass(frozen=True)
class TimeExpression:
    start: int
    end: int
    text: str
    type: Literal["DATE", "TIME", "DURATION", "SET"]
    value: str | None  # TimeML value; None when relative and no anchor (never guessed)
    anchored: bool = True  # False when a relative expression could not be resolved


@dataclass(frozen=True)
class EntityMention:
    start: int
    end: int
    text: str
    label: str  # PERSON, ORG, GPE, LOC, PRODUCT, EVENT, NORP, ...
    entity_key: str | None = None  # canonical entity this mention was folded into


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    text: str
    value: float | None
    unit: str | None  # ISO 4217 for money, SI or a named unit otherwise
    kind: Literal["money", "quantity", "count"] = "quantity"
    approximate: bool = False
    measured: str | None = None  # the noun it measures ("shells", "cars")
    value_max: float | None = None  # for ranges ("3-4 tons")
    normalized: dict[str, Any] | None = None  # {"USD": .., "EUR": .., "rate_date": ..} or {"note": "no rate"}


_WS = re.compile(r"\s+")


def normalize_for_identity(text: str) -> str:
    """Text reduced to what identifies content: NFKC, case-folded, whitespace collapsed."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def normalize_url(url: str) -> str:
    """URL without fragment, trailing slash, default scheme differences or tracking parameters."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query) if not k.lower().startswith(("utm_", "fbclid", "gclid"))]
    scheme = "https" if parts.scheme in ("http", "https") else parts.scheme
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((scheme, parts.netloc.lower().removeprefix("www."), path, urlencode(query), ""))


def content_hash(article: Article) -> str:
    """Hash of the normalized title and text: equal for equal content, whatever the whitespace."""
    basis = normalize_for_identity((article.title or "") + "\n" + article.text)
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


def article_id(article: Article) -> str:
    """Stable id: from the normalized URL when there is one (so a changed text is a new version of
    the same article), else from the normalized content."""
    basis = "url:" + normalize_url(article.url) if article.url else "content:" + content_hash(article)
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Entity:
    """A canonical entity: the variants of one name folded together."""

    key: str  # stable key, e.g. "PERSON:kim jong un"
    name: str  # canonical surface form
    label: str
    aliases: tuple[str, ...]  # every surface form seen, the canonical name included


@dataclass(frozen=True)
class AnnotatedArticle:
    """A stored article with its id and annotations (offsets into `article.text`)."""

    id: str
    article: Article
    timexes: tuple[TimeExpression, ...] = ()
    quantities: tuple[Quantity, ...] = ()
    mentions: tuple[EntityMention, ...] = ()
    duplicate_of: str | None = None
    story_id: str | None = None
