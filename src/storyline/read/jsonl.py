"""JSON Lines reader: one article per line (a JSON array or a single object also work)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from storyline.clean.outlet import normalize_outlet
from storyline.config import READ, ReadConfig
from storyline.model import Article, Rejection
from storyline.read._common import clean_str, error, iso_language
from storyline.read._dates import parse_when
from storyline.read._encoding import DecodeError, decode
from storyline.read._paragraphs import join, plain_paragraphs

_TEXT_KEYS = ("text", "content", "body", "maintext", "article")
_URL_KEYS = ("url", "link", "canonical_url")
_SOURCE_KEYS = ("source", "outlet", "site", "sitename", "source_domain", "domain", "publisher")
_DATE_KEYS = ("published", "time", "date", "published_at", "publish_date", "date_publish", "datetime")
_LANGUAGE_KEYS = ("language", "lang")
_ID_KEYS = ("id", "_id", "guid", "uuid")


def _first(obj: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = obj.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def _name(value: Any) -> str | None:
    if isinstance(value, dict):
        return clean_str(value.get("name")) or clean_str(value.get("title")) or clean_str(value.get("domain"))
    return clean_str(value)


def _authors(obj: dict[str, Any]) -> tuple[str, ...]:
    value = obj.get("authors")
    if value is None:
        value = obj.get("author")
    items = value if isinstance(value, list) else [value]
    names = (_name(item) for item in items)
    return tuple(name for name in names if name)


def _external_id(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    return clean_str(value)


def json_to_article(
    obj: Any, path: str, *, line: int | None, raw: bytes, fetched: str | None, config: ReadConfig = READ
) -> Article | Rejection:
    """One article from a decoded JSON value, or the reason there is none."""
    if not isinstance(obj, dict):
        return error(path, f"expected a JSON object, got {type(obj).__name__}", line)
    text_value = _first(obj, _TEXT_KEYS)
    if text_value is not None and not isinstance(text_value, str):
        return error(path, f"field text is a {type(text_value).__name__}, not a string", line)
    url = clean_str(_first(obj, _URL_KEYS))
    if text_value is None and isinstance(obj.get("html"), str):
        from storyline.read.html import html_to_article

        found = html_to_article(obj["html"].encode("utf-8"), path, fetched=fetched, url=url, fmt="jsonl",
                                config=config)
        if isinstance(found, Rejection):
            return error(path, found.reason, line)
        text_value = found.text
    text = join(plain_paragraphs(text_value or ""))
    if not text:
        return error(path, "no text found", line)
    published, published_time = parse_when(_first(obj, _DATE_KEYS))
    extra: dict[str, Any] = {"line": line} if line is not None else {}
    source = _name(_first(obj, _SOURCE_KEYS))
    return Article(
        text=text,
        title=clean_str(obj.get("title")) or clean_str(obj.get("headline")),
        url=url,
        source=normalize_outlet(source, url) if source else None,
        published=published,
        published_time=published_time,
        language=iso_language(_first(obj, _LANGUAGE_KEYS)),
        authors=_authors(obj),
        path=path,
        fetched=fetched,
        format="jsonl",
        raw=raw,
        external_id=_external_id(_first(obj, _ID_KEYS)),
        extra=extra,
    )


def _json_message(exc: json.JSONDecodeError) -> str:
    return f"malformed JSON: {exc.msg} (column {exc.colno})"


def read_jsonl(data: bytes, path: str, *, fetched: str | None = None,
               config: ReadConfig = READ) -> Iterator[Article | Rejection]:
    """Articles from JSON Lines; a malformed line is a Rejection with its number and the rest goes on."""
    try:
        text, encoding = decode(data, kind="text", config=config)
    except DecodeError as exc:
        yield error(path, str(exc))
        return
    if text.lstrip().startswith("["):
        yield from _whole_document(text, path, fetched, encoding, config)
        return
    yield from json_lines(text, path, encoding, fetched=fetched, whole_file=True, config=config)


def json_lines(
    text: str,
    path: str,
    encoding: str,
    *,
    fetched: str | None = None,
    first_line: int = 1,
    whole_file: bool = False,
    config: ReadConfig = READ,
) -> Iterator[Article | Rejection]:
    """One Article or Rejection per non-blank line of `text`, numbered from `first_line`.

    With `whole_file` (all of a file, not a slice of one): a text whose first line is not JSON but
    which parses as one document is read as that document, and a text of blank lines is an error.
    """
    seen_first = False
    for number, line in enumerate(text.split("\n"), start=first_line):
        stripped = line.strip()
        if not stripped:
            continue
        try:
            obj = json.loads(stripped)
        except json.JSONDecodeError as exc:
            if whole_file and not seen_first and _parses_whole(text):
                yield from _whole_document(text, path, fetched, encoding, config)
                return
            seen_first = True
            yield error(path, _json_message(exc), number)
            continue
        except RecursionError:
            seen_first = True
            yield error(path, "malformed JSON: nested too deeply", number)
            continue
        seen_first = True
        yield json_to_article(obj, path, line=number, raw=_encode(stripped, encoding), fetched=fetched,
                              config=config)
    if whole_file and not seen_first:  # only blank lines (Unicode spaces the byte-level emptiness check let through)
        yield error(path, "empty file: no JSON lines")


def _encode(text: str, encoding: str) -> bytes:
    try:
        return text.encode(encoding.removesuffix("-sig"))
    except (UnicodeEncodeError, LookupError):
        return text.encode("utf-8")


def _parses_whole(text: str) -> bool:
    try:
        json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return False
    return True


def _whole_document(
    text: str, path: str, fetched: str | None, encoding: str, config: ReadConfig = READ
) -> Iterator[Article | Rejection]:
    """A file holding one JSON array of objects, or one (pretty-printed) object."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        yield error(path, _json_message(exc), exc.lineno)
        return
    except RecursionError:
        yield error(path, "malformed JSON: nested too deeply")
        return
    items = value if isinstance(value, list) else [value]
    if not items:
        yield error(path, "no text found: empty JSON array")
        return
    for index, item in enumerate(items):
        found = json_to_article(
            item,
            path,
            line=None,
            raw=_encode(json.dumps(item, ensure_ascii=False), encoding),
            fetched=fetched,
            config=config,
        )
        if isinstance(found, Article):
            found.extra["index"] = index
        elif len(items) > 1:
            found = error(path, f"item {index}: {found.reason}")
        yield found
