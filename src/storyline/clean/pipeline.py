"""The clean stage over one article: normalize, metadata, boilerplate, language."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from storyline.clean.boilerplate import remove_boilerplate
from storyline.clean.language import DEFAULT_LANGUAGES, detect_language
from storyline.clean.metadata import extract_metadata
from storyline.clean.normalize import normalize_text
from storyline.clean.outlet import normalize_outlet
from storyline.model import Article


def clean_text(text: str) -> tuple[str, tuple[str, ...]]:
    """Normalized text without metadata and boilerplate lines, and every line removed."""
    text, found = extract_metadata(normalize_text(text))
    text, removed = remove_boilerplate(text)
    return text, found.removed_lines + removed


def clean_article(article: Article, *, languages: Sequence[str] = DEFAULT_LANGUAGES) -> Article:
    """A new Article with cleaned text; metadata from the text fills only what the reader left empty."""
    text, found = extract_metadata(normalize_text(article.text))
    text, _removed = remove_boilerplate(text)
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
