"""The clean stage over one article: normalize, metadata, boilerplate, language."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Final

from storyline.clean.boilerplate import remove_boilerplate
from storyline.clean.language import DEFAULT_LANGUAGES, detect_language
from storyline.clean.lines import LineModel, remove_learned, shipped_model
from storyline.clean.metadata import extract_metadata
from storyline.clean.normalize import normalize_text
from storyline.clean.outlet import normalize_outlet
from storyline.model import Article


class _Shipped:
    def __repr__(self) -> str:
        return "SHIPPED"


SHIPPED: Final = _Shipped()  # the line model shipped in storyline/data
# Pages whose main text an HTML extractor already chose: the plain-text line model is not applied.
EXTRACTED_FORMATS = frozenset(["html", "warc"])


def _model(line_model: LineModel | _Shipped | None) -> LineModel | None:
    return shipped_model() if isinstance(line_model, _Shipped) else line_model


def clean_text(
    text: str, *, line_model: LineModel | _Shipped | None = SHIPPED
) -> tuple[str, tuple[str, ...]]:
    """Normalized plain text without metadata and boilerplate lines, and every line removed."""
    text, found = extract_metadata(normalize_text(text))
    text, removed = remove_boilerplate(text)
    model = _model(line_model)
    learned: tuple[str, ...] = ()
    if model is not None:
        text, learned = remove_learned(text, model)
    return text, found.removed_lines + removed + learned


def clean_article(
    article: Article,
    *,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    line_model: LineModel | _Shipped | None = SHIPPED,
) -> Article:
    """A new Article with cleaned text; metadata from the text fills only what the reader left empty.
    Plain text (any format but an extracted HTML page) also goes through the learned line model
    (`line_model`: the shipped one by default, None for the rules alone)."""
    text, found = extract_metadata(normalize_text(article.text))
    text, _removed = remove_boilerplate(text)
    model = _model(line_model)
    if model is not None and article.format not in EXTRACTED_FORMATS:
        text, _learned = remove_learned(text, model)
    title = normalize_text(article.title) if article.title else article.title
    published, published_time = article.published, article.published_time
    if published is None and found.published is not None:
        published = found.published
        published_time = published_time or found.published_time
    authors = article.authors + tuple(a for a in found.authors if a not in article.authors)
    language = article.language or detect_language(text, languages)
    return dataclasses.replace(
        article,
        text=text,
        title=title,
        published=published,
        published_time=published_time,
        authors=authors,
        agency=article.agency or found.agency,
        source=normalize_outlet(article.source, article.url) if article.source else None,
        language=language,
    )
