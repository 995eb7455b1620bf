"""RSS and Atom reader through feedparser, parsing bytes only (never fetching, no external entities)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import feedparser

from storyline.clean.outlet import normalize_outlet
from storyline.config import READ, ReadConfig
from storyline.model import Article, Rejection
from storyline.read._common import clean_str, error, iso_language
from storyline.read._dates import parse_when
from storyline.read._encoding import DecodeError, decode
from storyline.read._paragraphs import TooDeeplyNested, html_fragment_paragraphs, join, plain_paragraphs

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# Entity declarations that point outside the document (XXE): removed before parsing, whatever
# the parser would do with them.
_EXTERNAL_ENTITY = re.compile(r"<!ENTITY\s+%?\s*[^\s>]+\s+(?:SYSTEM|PUBLIC)\b[^>]*>", re.IGNORECASE)
# Entities declared inside the document: never expanded (an entity that expands to entities that
# expand again is the "billion laughs" bomb); an entry that refers to one is rejected.
_INTERNAL_ENTITY = re.compile(r"""<!ENTITY\s+([^\s%>]+)\s+(["'])(.*?)\2\s*>""", re.IGNORECASE | re.DOTALL)
_ENTITY_REFERENCE = re.compile(r"[&%][\w.:-]+;")
_CLOSING_ROOT = re.compile(r"</(?:[\w.-]+:)?(?:rss|feed|rdf)\s*>\s*$", re.IGNORECASE)
_ENTRY_OPEN = re.compile(r"<(?:[\w.-]+:)?(?:item|entry)[\s>]", re.IGNORECASE)
_ENTRY_CLOSE = re.compile(r"</(?:[\w.-]+:)?(?:item|entry)\s*>", re.IGNORECASE)
_FIRST_ELEMENT = re.compile(r"<[A-Za-z]")
_MARKUP = re.compile(r"<[A-Za-z/!]")
_HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")


def _is_html(detail: Any, value: str) -> bool:
    kind = (detail or {}).get("type", "") if isinstance(detail, dict) else ""
    return kind in _HTML_TYPES or bool(_MARKUP.search(value))


def _entry_body(entry: Any) -> tuple[str, str]:
    """(paragraph text, raw content) of an entry: its content when present, else its summary."""
    candidates: list[tuple[Any, str]] = []
    for content in entry.get("content") or []:
        value = content.get("value") if isinstance(content, dict) else None
        if isinstance(value, str) and value.strip():
            candidates.append((content, value))
    summary = entry.get("summary")
    if isinstance(summary, str) and summary.strip():
        candidates.append((entry.get("summary_detail"), summary))
    for detail, value in candidates:
        if _is_html(detail, value):
            paragraphs = html_fragment_paragraphs(value, strict=True)
        else:
            paragraphs = plain_paragraphs(value)
        text = join(paragraphs)
        if text:
            return text, value
    return "", ""


def _title(entry: Any) -> str | None:
    title = clean_str(entry.get("title"))
    if title and _is_html(entry.get("title_detail"), title):
        title = " ".join(html_fragment_paragraphs(title)) or None
    return title


def _when(entry: Any) -> tuple[str | None, str | None]:
    for key in ("published", "updated", "created"):
        day, clock = parse_when(entry.get(key))
        if day:
            return day, clock
        day, clock = parse_when(entry.get(key + "_parsed"))
        if day:
            return day, clock
    return None, None


def _authors(entry: Any) -> tuple[str, ...]:
    names = [clean_str(a.get("name")) for a in entry.get("authors") or [] if isinstance(a, dict)]
    found = tuple(name for name in names if name)
    if found:
        return found
    author = clean_str(entry.get("author"))
    return (author,) if author else ()


def _language(entry: Any, feed_language: str | None) -> str | None:
    for content in entry.get("content") or []:
        if isinstance(content, dict) and iso_language(content.get("language")):
            return iso_language(content.get("language"))
    for key in ("title_detail", "summary_detail"):
        detail = entry.get(key)
        if isinstance(detail, dict) and iso_language(detail.get("language")):
            return iso_language(detail.get("language"))
    return feed_language


def declared_entities(text: str) -> dict[str, bool]:
    """Entities declared in the feed's DTD, each with whether its value refers to other entities."""
    root = _FIRST_ELEMENT.search(text)
    prolog = text[: root.start()] if root else text
    return {m.group(1): bool(_ENTITY_REFERENCE.search(m.group(3))) for m in _INTERNAL_ENTITY.finditer(prolog)}


def _declared_entity_used(texts: tuple[str, ...], entities: dict[str, bool]) -> str | None:
    """The reason to reject an entry that refers to an entity of the feed's DTD, or None."""
    if not entities:
        return None
    for name, nested in entities.items():
        pattern = re.compile(r"&(?:amp;)?" + re.escape(name) + r"(?![\w.:-])")
        if any(pattern.search(value) for value in texts if value):
            kind = "an entity-expansion bomb" if nested else "entities declared in the feed are not expanded"
            return f"refers to entity &{name}; declared in the feed's DTD ({kind})"
    return None


def _entry_to_article(
    entry: Any,
    index: int,
    path: str,
    fetched: str | None,
    source: str | None,
    language: str | None,
    entities: dict[str, bool] | None = None,
) -> Article | Rejection:
    title = _title(entry)
    text, raw = _entry_body(entry)
    refused = _declared_entity_used((title or "", text, raw), entities or {})
    if refused:
        name = title or clean_str(entry.get("id")) or clean_str(entry.get("link"))
        return error(path, f"entry {index}" + (f" ({name})" if name else "") + f": {refused}")
    if not text:
        name = title or clean_str(entry.get("id")) or clean_str(entry.get("link"))
        return error(path, f"entry {index}" + (f" ({name})" if name else "") + ": no text found")
    url = clean_str(entry.get("link"))
    published, published_time = _when(entry)
    return Article(
        text=text,
        title=title,
        url=url,
        source=source or normalize_outlet(None, url),
        published=published,
        published_time=published_time,
        language=_language(entry, language),
        authors=_authors(entry),
        path=path,
        fetched=fetched,
        format="feed",
        raw=raw.encode("utf-8"),
        external_id=clean_str(entry.get("id")),
        extra={"entry": index},
    )


def parse_feed(text: str) -> Any:
    """feedparser's result for a decoded feed, from an in-memory stream (so it never fetches)."""
    body = _XML_DECLARATION.sub("", text, count=1)
    root = _FIRST_ELEMENT.search(body)
    prolog_end = root.start() if root else len(body)
    body = _EXTERNAL_ENTITY.sub("", body[:prolog_end]) + body[prolog_end:]
    return feedparser.parse(
        io.BytesIO(body.encode("utf-8")),
        response_headers={"content-type": "application/xml; charset=utf-8"},
        resolve_relative_uris=False,
        sanitize_html=True,
    )


def read_feed(data: bytes, path: str, *, fetched: str | None = None,
              config: ReadConfig = READ) -> Iterator[Article | Rejection]:
    """Articles from an RSS 2.0 / RSS 1.0 / Atom feed; a broken entry is a Rejection, the rest go on."""
    try:
        text, _ = decode(data, kind="xml", config=config)
    except DecodeError as exc:
        yield error(path, str(exc))
        return
    parsed = parse_feed(text)
    entries = parsed.get("entries") or []
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not parsed.get("version") and not entries:
        reason = "not an RSS or Atom feed"
        yield error(path, reason + (f" (malformed XML: {problem})" if problem else ""))
        return
    feed = parsed.get("feed") or {}
    source = normalize_outlet(clean_str(feed.get("title")), clean_str(feed.get("link")))
    language = iso_language(feed.get("language"))
    if not entries:
        yield error(path, "feed has no entries")
        return
    truncated = not _CLOSING_ROOT.search(text[-4096:])
    if truncated and len(_ENTRY_OPEN.findall(text)) > len(_ENTRY_CLOSE.findall(text)):
        entries = entries[:-1]  # the entry the cut went through is incomplete: not an article
    entities = declared_entities(text)
    for index, entry in enumerate(entries, start=1):
        try:
            yield _entry_to_article(entry, index, path, fetched, source, language, entities)
        except TooDeeplyNested as exc:
            name = clean_str(entry.get("title")) or clean_str(entry.get("id")) or clean_str(entry.get("link"))
            yield error(path, f"entry {index}" + (f" ({name})" if name else "") + f": {exc}")
        except Exception as exc:  # one broken entry must not stop the feed
            yield error(path, f"entry {index}: {type(exc).__name__}: {exc}")
    if truncated:
        yield error(
            path,
            "truncated feed: the document does not end with its closing tag"
            + (f" ({problem})" if problem else ""),
        )
