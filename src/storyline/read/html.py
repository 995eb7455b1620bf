"""HTML reader: main text and metadata through trafilatura and htmldate (never fetches)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import htmldate
import lxml.etree
import lxml.html
import trafilatura

from storyline.clean.outlet import normalize_outlet
from storyline.config import READ, ReadConfig
from storyline.model import Article, Rejection, normalize_for_identity
from storyline.read._common import clean_str, error, iso_language
from storyline.read._dates import parse_when
from storyline.read._encoding import DecodeError, decode
from storyline.read._paragraphs import MAX_DEPTH, TooDeeplyNested, join, tree_depth

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_TIME_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "date",
    "dc.date.issued",
    "pubdate",
    "publishdate",
    "sailthru.date",
)
_JSONLD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]{4,40})"')
# libxml2 drops everything nested deeper than 255 elements unless asked for a huge tree
_DEFAULT_DEPTH = 255  # libxml2's own depth limit without huge_tree (a property of the parser)


def deep_tree(html: str) -> lxml.etree._Element | None:
    """The page parsed without libxml2's default depth limit when it is nested deeper than that
    limit (the default parse would lose its inner text), else None. Raises ValueError when the page
    is nested deeper than even the huge-tree parser keeps (TooDeeplyNested)."""
    if html.count("<") <= _DEFAULT_DEPTH:
        return None
    try:
        root = lxml.html.document_fromstring(
            _XML_DECLARATION.sub("", html, count=1), parser=lxml.html.HTMLParser(huge_tree=True)
        )
    except (lxml.etree.ParserError, ValueError):
        return None
    depth = tree_depth(root)
    if depth >= MAX_DEPTH:
        raise TooDeeplyNested()
    return root if depth > _DEFAULT_DEPTH else None


def _block_text(element: lxml.etree._Element) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def _body_paragraphs(body: lxml.etree._Element | None, fallback: str | None) -> list[str]:
    """Paragraphs of trafilatura's main-text tree: one per block, list items and table rows apart."""
    paragraphs: list[str] = []
    if body is not None:
        for block in body:
            tag = block.tag if isinstance(block.tag, str) else ""
            if tag == "list":
                paragraphs.extend(_block_text(item) for item in block.iter("item"))
            elif tag == "table":
                for row in block.iter("row"):
                    paragraphs.append(" | ".join(_block_text(cell) for cell in row.iter("cell")))
            else:
                paragraphs.append(_block_text(block))
    paragraphs = [p for p in paragraphs if p]
    if not paragraphs and fallback:
        paragraphs = [line.strip() for line in fallback.split("\n") if line.strip()]
    return paragraphs


def _page_metadata(html: str) -> tuple[str | None, list[str]]:
    """The page's language attribute and its candidate publication timestamps."""
    try:
        root = lxml.html.document_fromstring(_XML_DECLARATION.sub("", html, count=1))
    except (lxml.etree.ParserError, ValueError):
        return None, []
    language = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    stamps: list[str] = []
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        content = meta.get("content")
        if content and key in _TIME_META:
            stamps.append(content)
        if not language and key in ("og:locale", "content-language", "language") and content:
            language = content
    for node in root.iter("time"):
        if node.get("datetime") and (
            node.get("pubdate") is not None or node.get("itemprop") == "datePublished"
        ):
            stamps.append(node.get("datetime") or "")
    stamps.extend(_JSONLD_DATE.findall(html))
    return language, stamps


def html_to_article(
    data: bytes,
    path: str,
    *,
    fetched: str | None = None,
    url: str | None = None,
    http_charset: str | None = None,
    fmt: str = "html",
    extra: dict[str, Any] | None = None,
    config: ReadConfig = READ,
) -> Article | Rejection:
    """One article from an HTML page, or the reason there is none."""
    try:
        html, _ = decode(data, kind="html", declared=http_charset, config=config)
    except DecodeError as exc:
        return error(path, str(exc))
    if "<" not in html:
        return error(path, "malformed HTML: no markup")
    try:
        deep = deep_tree(html)
    except TooDeeplyNested as exc:
        return error(path, str(exc))
    document = trafilatura.bare_extraction(
        html if deep is None else deep,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_recall=True,
        deduplicate=False,
    )
    if document is None:
        return error(path, "no text found")
    doc: Any = document
    title = clean_str(getattr(doc, "title", None))
    paragraphs = _body_paragraphs(getattr(doc, "body", None), getattr(doc, "text", None))
    if title and paragraphs and normalize_for_identity(paragraphs[0]) == normalize_for_identity(title):
        paragraphs = paragraphs[1:]
    text = join(paragraphs)
    if not text:
        return error(path, "no text found")
    language, stamps = _page_metadata(html)
    published, _ = parse_when(clean_str(getattr(doc, "date", None)))
    if published is None:
        try:
            found = htmldate.find_date(html, url=url, original_date=True, extensive_search=False)
        except Exception:  # htmldate is best effort; a page without a date is fine
            found = None
        published, _ = parse_when(found)
    published_time = None
    for stamp in stamps:
        day, clock = parse_when(stamp)
        if clock and (published is None or day == published):
            published = published or day
            published_time = clock
            break
    author = clean_str(getattr(doc, "author", None))
    authors = tuple(a.strip() for a in author.split(";") if a.strip()) if author else ()
    site = clean_str(getattr(doc, "sitename", None)) or clean_str(getattr(doc, "hostname", None))
    source = normalize_outlet(site, url or clean_str(getattr(doc, "url", None)))
    return Article(
        text=text,
        title=title,
        url=url or clean_str(getattr(doc, "url", None)),
        source=source,
        published=published,
        published_time=published_time,
        language=iso_language(language) or iso_language(getattr(doc, "language", None)),
        authors=authors,
        path=path,
        fetched=fetched,
        format=fmt,
        raw=data,
        extra=extra or {},
    )


def read_html(data: bytes, path: str, *, fetched: str | None = None,
              config: ReadConfig = READ) -> Iterator[Article | Rejection]:
    """One article from an HTML file."""
    yield html_to_article(data, path, fetched=fetched, config=config)
