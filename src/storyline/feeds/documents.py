"""What a polled document holds: the entries of an RSS/Atom feed, a JSON Feed or a news sitemap, and
the feed addresses of an OPML file. Pure functions over bytes; nothing here fetches."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any, Literal

from lxml import etree

from storyline.model import Article, Rejection
from storyline.read import read_bytes
from storyline.read._common import clean_str, error, host_of, iso_language
from storyline.read._dates import parse_when
from storyline.read._paragraphs import html_fragment_paragraphs, join, plain_paragraphs

# An entry whose own text is shorter than this carries a summary, not the article: its page is fetched.
FULL_TEXT_CHARS = 600

DocumentKind = Literal["feed", "jsonfeed", "sitemap"]

_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass(frozen=True)
class FeedEntry:
    key: str  # the entry's id, else its link: what "seen before" is decided on
    url: str | None
    # the article the entry carries in full, or what is known of it before its page is fetched
    article: Article
    needs_page: bool


@dataclass(frozen=True)
class FeedDocument:
    kind: DocumentKind
    title: str | None
    entries: tuple[FeedEntry, ...]
    rejected: tuple[Rejection, ...] = ()


def _entry(article: Article) -> FeedEntry | None:
    key = article.external_id or article.url
    if not key:
        return None
    needs_page = bool(article.url) and len(article.text) < FULL_TEXT_CHARS
    return FeedEntry(key, article.url, article, needs_page)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _xml_root(data: bytes) -> Any | None:
    try:
        return etree.fromstring(data, _SAFE_XML)
    except etree.XMLSyntaxError:
        return None


def parse_document(data: bytes, url: str, *, fetched: str | None = None) -> FeedDocument:
    """The entries of a feed document, whatever its kind (sniffed from the content)."""
    head = data.lstrip()[:1]
    if head in (b"{", b"["):
        return _json_feed(data, url, fetched)
    root = _xml_root(data)
    if root is not None and _local(root.tag) in ("urlset", "sitemapindex"):
        return _sitemap(root, url, fetched)
    entries: list[FeedEntry] = []
    rejected: list[Rejection] = []
    title = None
    for item in read_bytes(data, url, fetched=fetched):
        if isinstance(item, Rejection):
            rejected.append(item)
            continue
        title = title or item.source
        entry = _entry(item)
        if entry is None:
            rejected.append(error(url, f"entry without id or link: {item.title or item.text[:40]!r}"))
        else:
            entries.append(entry)
    return FeedDocument("feed", title, tuple(entries), tuple(rejected))


def _json_feed(data: bytes, url: str, fetched: str | None) -> FeedDocument:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        return FeedDocument("jsonfeed", None, (), (error(url, f"not a JSON Feed: {exc}"),))
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith("https://jsonfeed.org/version/"):
        return FeedDocument("jsonfeed", None, (), (error(url, "not a JSON Feed (no jsonfeed.org version)"),))
    title = clean_str(doc.get("title"))
    source = title or host_of(clean_str(doc.get("home_page_url")) or url)
    entries: list[FeedEntry] = []
    rejected: list[Rejection] = []
    items = doc.get("items")
    if not isinstance(items, list):
        items = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            rejected.append(error(url, f"item {index}: not an object"))
            continue
        html = clean_str(item.get("content_html"))
        plain = clean_str(item.get("content_text")) or clean_str(item.get("summary"))
        text = join(html_fragment_paragraphs(html)) if html else join(plain_paragraphs(plain or ""))
        published, published_time = parse_when(item.get("date_published"))
        authors = tuple(
            name for a in item.get("authors") or [] if isinstance(a, dict) and (name := clean_str(a.get("name")))
        )
        article = Article(
            text=text,
            title=clean_str(item.get("title")),
            url=clean_str(item.get("url")) or clean_str(item.get("external_url")),
            source=source,
            published=published,
            published_time=published_time,
            language=iso_language(item.get("language") or doc.get("language")),
            authors=authors,
            path=url,
            fetched=fetched,
            format="feed",
            raw=json.dumps(item, ensure_ascii=False).encode("utf-8"),
            external_id=clean_str(str(item["id"])) if item.get("id") is not None else None,
            extra={"entry": index},
        )
        entry = _entry(article)
        if entry is None:
            rejected.append(error(url, f"item {index}: no id or url"))
        else:
            entries.append(entry)
    return FeedDocument("jsonfeed", title, tuple(entries), tuple(rejected))


def _child_text(node: Any, name: str) -> str | None:
    for child in node.iter():
        if _local(child.tag) == name and child.text:
            return clean_str(child.text)
    return None


def _sitemap(root: Any, url: str, fetched: str | None) -> FeedDocument:
    if _local(root.tag) == "sitemapindex":
        return FeedDocument("sitemap", None, (), (error(url, "a sitemap index: add its news sitemaps instead"),))
    entries: list[FeedEntry] = []
    for node in root:
        if _local(node.tag) != "url":
            continue
        loc = _child_text(node, "loc")
        if not loc:
            continue
        published, published_time = parse_when(_child_text(node, "publication_date") or _child_text(node, "lastmod"))
        article = Article(
            text="",
            title=_child_text(node, "title"),
            url=loc,
            source=_child_text(node, "name") or host_of(loc),
            published=published,
            published_time=published_time,
            language=iso_language(_child_text(node, "language")),
            path=url,
            fetched=fetched,
            format="html",
        )
        entries.append(FeedEntry(loc, loc, article, True))
    return FeedDocument("sitemap", host_of(url), tuple(entries))


def with_page(entry: FeedEntry, page: bytes, page_url: str, fetched: str | None) -> Article | Rejection:
    """The entry's article read from its fetched page by the normal readers, with what the feed said
    filling what the page does not (title, date, outlet, language); the raw page is kept."""
    items = [i for i in read_bytes(page, page_url, fetched=fetched)]
    articles = [i for i in items if isinstance(i, Article)]
    if not articles:
        reasons = "; ".join(i.reason for i in items if isinstance(i, Rejection)) or "no article in the page"
        return error(page_url, reasons)
    page_article = articles[0]
    hint = entry.article
    return dataclasses.replace(
        page_article,
        url=entry.url or page_article.url or page_url,
        title=page_article.title or hint.title,
        published=page_article.published or hint.published,
        published_time=page_article.published_time or hint.published_time,
        source=hint.source or page_article.source,
        language=page_article.language or hint.language,
        authors=page_article.authors or hint.authors,
        external_id=hint.external_id,
        fetched=fetched,
        raw=page,
    )


def parse_opml(data: bytes) -> list[tuple[str, str | None]]:
    """(feed URL, title) of every outline with an xmlUrl, in document order, each URL once."""
    root = _xml_root(data)
    if root is None or _local(root.tag) != "opml":
        raise ValueError("not an OPML document")
    seen: set[str] = set()
    out: list[tuple[str, str | None]] = []
    for node in root.iter():
        if _local(node.tag) != "outline":
            continue
        feed_url = clean_str(node.get("xmlUrl"))
        if feed_url and feed_url not in seen and feed_url.startswith(("http://", "https://")):
            seen.add(feed_url)
            out.append((feed_url, clean_str(node.get("title")) or clean_str(node.get("text"))))
    return out
