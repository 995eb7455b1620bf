"""The clean stage over one article: normalize, metadata, boilerplate, language."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Final

from storyline.clean.boilerplate import boilerplate_category, remove_boilerplate
from storyline.clean.language import detect_language
from storyline.clean.lines import LineModel, Stage, remove_learned, shipped_model
from storyline.clean.metadata import (
    Metadata,
    choose_headline,
    extract_metadata,
    parse_any_date_line,
    parse_byline,
    split_date_header,
)
from storyline.clean.normalize import normalize_text
from storyline.clean.outlet import normalize_outlet
from storyline.config import CLEAN, CleanConfig
from storyline.model import Article
from storyline.read._paragraphs import looks_like_headline


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
    languages: Sequence[str] | None = None,
    line_model: LineModel | _Shipped | None = SHIPPED,
    config: CleanConfig = CLEAN,
) -> Article:
    """A new Article with cleaned text; metadata from the text fills only what the reader left empty.
    Plain text (any format but an extracted HTML page) also goes through the learned line model
    (`line_model`: the shipped one by default, None for the rules alone). `languages`: the language
    detector's choices (else `config.languages`)."""
    text, found = extract_metadata(normalize_text(article.text))
    text, _removed = remove_boilerplate(text)
    model = _model(line_model)
    title = normalize_text(article.title) if article.title else article.title
    headline = None
    if model is not None and model.title is not None and article.format == "text":
        # the plain-text reader took the first line for the title: the headline may be a line further down
        headline = _headline_of(title, text, model.title)
    if model is not None and article.format not in EXTRACTED_FORMATS:
        text, _learned = remove_learned(text, model)
    if headline is not None and headline[1]:
        # a headline further down: the reader's title line still gives its metadata (a date, a byline)
        _, _, from_title = _title_of(title, "", False)
        title, text = headline[0], _without_line(text, headline[0])
    else:
        title, text, from_title = _title_of(title, text, found.date_header)
    published, published_time = article.published, article.published_time
    for date, clock in (
        (found.published, found.published_time),
        (from_title.published, from_title.published_time),
    ):
        if published is None and date is not None:
            published, published_time = date, published_time or clock
    authors = article.authors + tuple(
        a for a in found.authors + from_title.authors if a not in article.authors
    )
    language = article.language or detect_language(text, languages, config=config)
    agency = article.agency or found.agency
    extra = article.extra
    if not title and text.strip():
        title = derived_title(text, config.derived_title_chars)
        extra = {**extra, "title_derived": True}
    return dataclasses.replace(
        article,
        text=text,
        title=title,
        published=published,
        published_time=published_time,
        authors=authors,
        agency=agency,
        # the outlet's one name; a wire story with no outlet is the agency's
        source=normalize_outlet(article.source, article.url) if article.source else agency,
        language=language,
        extra=extra,
    )


def _headline_of(title: str | None, text: str, stage: Stage) -> tuple[str, bool] | None:
    """The headline among the reader's title and the first lines of a plain text (the learned scorer),
    and whether it is a line of the text."""
    candidates = ([title] if title else []) + [line for line in text.split("\n") if line.strip()]
    index = choose_headline(candidates, stage, bool(title))
    if index is None:
        return None
    return candidates[index].strip(), index > 0 or not title


def _without_line(text: str, line: str) -> str:
    """The text without the first line equal to `line` (paragraphs kept)."""
    paragraphs = [p.split("\n") for p in text.split("\n\n")]
    for para in paragraphs:
        for j, candidate in enumerate(para):
            if candidate.strip() == line:
                del para[j]
                return "\n\n".join(joined for p in paragraphs if (joined := "\n".join(p)).strip())
    return text


def _title_of(title: str | None, text: str, date_header: bool) -> tuple[str | None, str, Metadata]:
    """(title, text, what the title line said): a title is never a date line, byline or tag line; such
    a "title" gives its metadata. When the reader's title was one, or a date header hid the headline
    from the reader, the text's first line becomes the title if it is a headline."""
    found = Metadata()
    promote = date_header
    if title:
        header = split_date_header(title)
        date = parse_any_date_line(title)
        byline = parse_byline(title)
        if header is not None:
            found = Metadata(published=header[0])
            title, _, spill = header[1].partition("\n")
            if spill:  # the header sat inside the title line: what followed it opens the text
                text = spill + "\n" + text
            title = title or None
        elif date is not None:
            found = Metadata(published=date[0], published_time=date[1])
            title = None
        elif byline is not None:
            found = Metadata(authors=byline[0], agency=byline[1])
            title = None
        elif boilerplate_category(title) is not None:
            title = None
        promote = promote or title is None
    if not title and promote:
        first, sep, rest = text.lstrip().partition("\n")
        if sep and rest.strip() and looks_like_headline(first) and not rest.lstrip()[:1].islower():
            return first.strip(), rest.lstrip("\n"), found
    return title, text, found


_SENTENCE_END = re.compile(r"(?<=[.!?。！？])[\"”’»)]?\s")


def derived_title(text: str, max_chars: int = CLEAN.derived_title_chars) -> str:
    """A display title for an article without one: its first sentence, cut at a word near `max_chars`."""
    first = text.strip().split("\n", 1)[0].strip()
    m = _SENTENCE_END.search(first)
    sentence = first[: m.start()].strip() if m else first
    if len(sentence) <= max_chars:
        return sentence
    cut = sentence[:max_chars].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–—") + "…"
