"""Format detection from content first, extension second."""

from __future__ import annotations

import json
import re
import zlib

from storyline.config import READ, ReadConfig
from storyline.read._encoding import bom_encoding

FORMATS = ("text", "html", "jsonl", "feed", "warc")
GZIP_MAGIC = b"\x1f\x8b"

_HTML_EXT = (".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx", ".jsp")
_JSON_EXT = (".jsonl", ".ndjson", ".json", ".jl")
_FEED_EXT = (".rss", ".atom", ".xml")
_WARC_EXT = (".warc", ".arc")

_PROLOG = re.compile(
    r"\s*(?:<\?.*?\?>|<!--.*?-->|<!doctype[^\[>]*(?:\[.*?\]\s*)?>)", re.DOTALL | re.IGNORECASE
)
_FIRST_TAG = re.compile(r"<([A-Za-z][\w:.-]*)")
_FEED_ROOTS = frozenset(("rss", "feed", "rdf:rdf", "rdf", "channel"))
_HTML_ROOTS = frozenset(
    [
        "html",
        "head",
        "body",
        "div",
        "p",
        "article",
        "meta",
        "title",
        "section",
        "table",
        "span",
        "a",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "link",
        "script",
        "style",
        "main",
        "header",
        "ul",
        "ol",
        "li",
        "br",
        "img",
        "b",
        "i",
        "strong",
        "em",
        "nav",
        "footer",
        "figure",
        "blockquote",
    ]
)
_HTML_ANYWHERE = re.compile(r"<html[\s>]|<!doctype\s+html|<body[\s>]|<head[\s>]")


def gunzip_head(data: bytes, limit: int = READ.sniff_bytes) -> bytes:
    """The first `limit` bytes inside a gzip stream (b"" when it is not valid gzip)."""
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[: 4 * limit], limit)
    except zlib.error:
        return b""


def is_warc_head(head: bytes, sniff_bytes: int = READ.sniff_bytes) -> bool:
    """Whether bytes starting a stream are a WARC archive (plain or gzip-compressed)."""
    if head.startswith(GZIP_MAGIC):
        head = gunzip_head(head, sniff_bytes)
    return head.lstrip(b"\r\n").startswith(b"WARC/")


def _extension(path: str) -> str:
    name = path.lower().rsplit("/", 1)[-1]
    name = name.removesuffix(".gz")
    dot = name.rfind(".")
    return name[dot:] if dot > 0 else ""


def _sniff_text(head: bytes) -> str:
    encoding = bom_encoding(head)
    if encoding:
        return head.decode(encoding, errors="ignore").lstrip("\ufeff")
    return head.decode("latin-1")


def _root_tag(text: str) -> str | None:
    position = 0
    while True:
        match = _PROLOG.match(text, position)
        if not match or match.end() == position:
            break
        position = match.end()
    rest = text[position:].lstrip()
    found = _FIRST_TAG.match(rest)
    return found.group(1).lower() if found else None


def _json_like(text: str, extension: str) -> bool:
    stripped = text.lstrip()
    if stripped.startswith("{"):
        first = stripped.split("\n", 1)[0]
        try:
            return isinstance(json.loads(first), dict)
        except RecursionError:  # nested too deeply to parse: still JSON-shaped
            return True
        except ValueError:
            return extension in _JSON_EXT or bool(re.match(r'\{\s*"', stripped))
    if stripped.startswith("["):
        return extension in _JSON_EXT or bool(re.match(r"\[\s*[{\]]", stripped))
    return False


def detect_format(data: bytes, path: str, config: ReadConfig = READ) -> str:
    """One of "text", "html", "jsonl", "feed", "warc", decided by content and then by extension
    (the first `config.sniff_bytes` bytes)."""
    head = data[: config.sniff_bytes]
    extension = _extension(path)
    if head.startswith(GZIP_MAGIC):
        inner = gunzip_head(data, config.sniff_bytes)
        if inner.lstrip(b"\r\n").startswith(b"WARC/"):
            return "warc"
        if inner:
            return detect_format(inner, path.removesuffix(".gz"), config)
        return "warc" if extension in _WARC_EXT else "text"
    if head.lstrip(b"\r\n").startswith(b"WARC/"):
        return "warc"
    text = _sniff_text(head)
    stripped = text.lstrip()
    lowered = stripped[:4096].lower()
    if stripped.startswith("<"):
        if _HTML_ANYWHERE.search(lowered[:1024]):
            return "html"
        root = _root_tag(stripped)
        if root in _FEED_ROOTS:
            return "feed"
        if root in _HTML_ROOTS or extension in _HTML_EXT:
            return "html"
        if lowered.startswith("<?xml") or extension in _FEED_EXT:
            return "feed"
        return "html"
    if _json_like(stripped, extension):
        return "jsonl"
    if _HTML_ANYWHERE.search(lowered):
        return "html"
    if extension in _WARC_EXT:
        return "warc"
    if extension in _JSON_EXT:
        return "jsonl"
    if extension in _FEED_EXT:
        return "feed"
    if extension in _HTML_EXT and "<" in stripped[:4096]:
        return "html"
    return "text"
