"""From bytes to articles: checks that apply to every format, then the reader for the format."""

from __future__ import annotations

import dataclasses
import io
import zlib
from collections.abc import Iterator

from storyline.config import READ, ReadConfig
from storyline.model import Article, Rejection
from storyline.read._common import error, scrub_item
from storyline.read._encoding import binary_kind
from storyline.read.detect import GZIP_MAGIC, detect_format, gunzip_head
from storyline.read.feed import read_feed
from storyline.read.html import read_html
from storyline.read.jsonl import read_jsonl
from storyline.read.text import read_text
from storyline.read.warc import read_warc


class _GzipProblem(Exception):
    pass


def gunzip(data: bytes, max_bytes: int) -> bytes:
    """Contents of a gzip stream, refusing to inflate past max_bytes."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise _GzipProblem(f"corrupt gzip data: {exc}") from exc
    if len(out) > max_bytes:
        raise _GzipProblem(f"gzip content larger than {max_bytes} bytes once decompressed")
    if not inflater.eof:
        raise _GzipProblem("truncated gzip data")
    return out


def _read(
    data: bytes, path: str, fetched: str | None, config: ReadConfig, depth: int
) -> Iterator[Article | Rejection]:
    max_bytes = config.max_bytes
    if not data.strip():
        yield error(path, "empty file")
        return
    if data.startswith(GZIP_MAGIC):
        if gunzip_head(data, config.sniff_bytes).lstrip(b"\r\n").startswith(b"WARC/"):
            yield from read_warc(io.BytesIO(data), path, config=config)
            return
        if depth > 0:
            yield error(path, "nested gzip is not supported")
            return
        try:
            inner = gunzip(data, max_bytes)
        except _GzipProblem as exc:
            yield error(path, str(exc))
            return
        yield from _read(inner, path, fetched, config, depth + 1)
        return
    if data.lstrip(b"\r\n").startswith(b"WARC/"):  # before the binary check: payloads may be binary
        yield from read_warc(io.BytesIO(data), path, config=config)
        return
    kind = binary_kind(data)
    if kind:
        yield error(path, f"binary content ({kind}), not a news article")
        return
    if len(data) > max_bytes:
        yield error(path, f"too large: {len(data)} bytes (limit {max_bytes} bytes)")
        return
    fmt = detect_format(data, path, config)
    if fmt == "warc":
        yield from read_warc(io.BytesIO(data), path, config=config)
    elif fmt == "html":
        yield from read_html(data, path, fetched=fetched, config=config)
    elif fmt == "jsonl":
        yield from read_jsonl(data, path, fetched=fetched, config=config)
    elif fmt == "feed":
        yield from read_feed(data, path, fetched=fetched, config=config)
    else:
        yield from read_text(data, path, fetched=fetched, config=config)


def read_bytes(
    data: bytes, path: str, *, fetched: str | None = None, max_bytes: int | None = None,
    config: ReadConfig = READ,
) -> Iterator[Article | Rejection]:
    """Articles in `data` (read from `path`), whatever its format; never raises (but KeyboardInterrupt).
    `max_bytes` given explicitly wins over `config.max_bytes`."""
    if max_bytes is not None:
        config = dataclasses.replace(config, max_bytes=max_bytes)
    try:
        for item in _read(data, path, fetched, config, 0):
            yield scrub_item(item)
    except Exception as exc:  # a reader bug on odd input becomes a Rejection, not a crash
        yield error(path, f"unexpected error: {type(exc).__name__}: {exc}")
