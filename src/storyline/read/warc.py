"""WARC reader: each HTML response record (status 200) is an article; streams, caps each record."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator

from storyline.config import READ, ReadConfig
from storyline.model import Article, Rejection
from storyline.read._common import error
from storyline.read.html import html_to_article

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
_CHUNK = 65536  # bytes read at a time (an I/O buffer: no result depends on it)
_TRAILER = 4  # the blank lines after an uncompressed record, not counted in its length


class _TooLarge(Exception):
    pass


class _Counting:
    """Passes reads through and counts the bytes, so an incomplete last record can be told apart."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self.count += len(data)
        return data

    def tell(self) -> int:
        return self.count


def _read_capped(stream: Any, max_bytes: int) -> bytes:
    """The whole payload, or _TooLarge as soon as it passes max_bytes (so a bomb is not inflated)."""
    parts: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            return b"".join(parts)
        size += len(chunk)
        if size > max_bytes:
            raise _TooLarge
        parts.append(chunk)


def html_response(record: Any) -> tuple[str | None, str | None] | None:
    """(content type, charset) of a record that is an HTML page with status 200, else None."""
    if record.rec_type == "response":
        headers = record.http_headers
        if headers is None or headers.get_statuscode() != "200":
            return None
        content_type = headers.get_header("Content-Type") or ""
    elif record.rec_type == "resource":
        content_type = record.rec_headers.get_header("Content-Type") or ""
    else:
        return None
    media = content_type.split(";", 1)[0].strip().lower()
    if media not in _HTML_TYPES:
        return None
    match = _CHARSET.search(content_type)
    return media, (match.group(1) if match else None)


def _record_item(record: Any, extra: dict[str, Any], path: str, config: ReadConfig) -> Article | Rejection | None:
    max_bytes = config.max_bytes
    found = html_response(record)
    if found is None:
        return None
    _, charset = found
    uri = record.rec_headers.get_header("WARC-Target-URI")
    try:
        payload = _read_capped(record.content_stream(), max_bytes)
    except _TooLarge:
        payload = None
    where = f"record {uri or record.rec_headers.get_header('WARC-Record-ID')}"
    if payload is None:
        return error(path, f"{where}: payload larger than {max_bytes} bytes")
    if not payload.strip():
        return error(path, f"{where}: empty payload")
    extra["record_id"] = record.rec_headers.get_header("WARC-Record-ID")
    item = html_to_article(
        payload,
        path,
        fetched=record.rec_headers.get_header("WARC-Date"),
        url=uri,
        http_charset=charset,
        fmt="warc",
        extra=extra,
        config=config,
    )
    if isinstance(item, Rejection):
        return error(path, f"{where}: {item.reason}")
    return item


def read_warc(
    stream: BinaryIO, path: str, *, max_bytes: int | None = None, config: ReadConfig = READ
) -> Iterator[Article | Rejection]:
    """Articles from a WARC archive (gzip or not), read record by record from `stream`. `max_bytes`
    (a payload's cap) given explicitly wins over `config.max_bytes`.

    A truncated or corrupt archive yields what was read before the damage plus one Rejection.
    """
    if max_bytes is not None:
        config = dataclasses.replace(config, max_bytes=max_bytes)
    records = 0
    produced = 0
    counting = _Counting(stream)
    iterator = ArchiveIterator(counting)
    end = 0
    records_iter = iter(iterator)
    while True:
        try:
            record = next(records_iter)
        except StopIteration:
            break
        except Exception as exc:  # warcio raises many kinds on damaged input
            yield error(
                path, f"truncated or corrupt WARC after {records} records: {type(exc).__name__}: {exc}"
            )
            return
        records += 1
        extra: dict[str, Any] = {}
        try:
            item = _record_item(record, extra, path, config)
            # Only now, the payload read: warcio reads the record to its end to find where it starts.
            extra["offset"] = iterator.get_record_offset()
            end = extra["offset"] + iterator.get_record_length()
            missing = getattr(record.raw_stream, "limit", 0)
        except Exception as exc:
            yield error(path, f"truncated or corrupt WARC in record {records}: {type(exc).__name__}: {exc}")
            return
        if isinstance(missing, int) and missing > 0:
            yield error(
                path, f"truncated WARC: record {records} lacks {missing} bytes of its declared length"
            )
            return
        if item is not None:
            produced += 1
            yield item
    if records and counting.count - end > _TRAILER:
        yield error(path, f"truncated WARC: incomplete record after record {records}")
        return
    if records == 0:
        yield error(path, "not a WARC archive: no records found")
    elif produced == 0:
        yield error(path, f"no HTML responses with status 200 among {records} WARC records")
