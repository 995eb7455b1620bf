"""Plain text reader, including the dump format whose first line is `date YYYY-MM-DD`."""

from __future__ import annotations

import re
from collections.abc import Iterator

from storyline.config import READ, ReadConfig
from storyline.model import Article, Rejection
from storyline.read._common import error
from storyline.read._dates import parse_when
from storyline.read._encoding import DecodeError, decode
from storyline.read._paragraphs import join, looks_like_headline, normalize_newlines, plain_paragraphs

_DATE_LINE = re.compile(r"^[ \t]*date[ \t]+(\d{4}-\d{2}-\d{2})[ \t]*$", re.IGNORECASE)


def split_title(text: str) -> tuple[str | None, str]:
    """(title, rest): the first line is the title when it looks like a headline and text follows."""
    stripped = text.lstrip("\n \t")
    first, _, rest = stripped.partition("\n")
    following = rest.lstrip(" \t")
    continues = following[:1].islower()  # a wrapped sentence going on, not a headline
    if looks_like_headline(first) and rest.strip() and not continues:
        return first.strip(), rest
    return None, text


def read_text(data: bytes, path: str, *, fetched: str | None = None,
              config: ReadConfig = READ) -> Iterator[Article | Rejection]:
    """One article from a plain-text file."""
    try:
        text, _ = decode(data, kind="text", config=config)
    except DecodeError as exc:
        yield error(path, str(exc))
        return
    text = normalize_newlines(text)
    published = None
    first, _, rest = text.partition("\n")
    match = _DATE_LINE.match(first)
    if match:
        published, _ = parse_when(match.group(1))
        if published is None:
            yield error(path, f"invalid date in first line: {first.strip()!r}", line=1)
            return
        text = rest
    title, body = split_title(text)
    body_text = join(plain_paragraphs(body))
    if not body_text:
        yield error(path, "no text found")
        return
    yield Article(
        text=body_text, title=title, published=published, path=path, fetched=fetched, format="text", raw=data
    )
