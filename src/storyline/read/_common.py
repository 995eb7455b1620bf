"""Helpers shared by the readers: error records, limits, language codes."""

from __future__ import annotations

import dataclasses
import re
from typing import Any
from urllib.parse import urlsplit

from storyline.config import READ
from storyline.model import Article, Rejection

DEFAULT_MAX_BYTES = READ.max_bytes  # the default (storyline.config.ReadConfig), under its old name

_SPACES = re.compile(r"\s+")
_MAX_REASON = 300  # a rejection is one line: longer reasons are cut (message format, not tuning)
# Lone UTF-16 surrogates: a decoded str holds them only from escapes such as JSON "\ud800" or an
# XML character reference; they cannot be encoded (the store, the language detector would raise).
_SURROGATE = re.compile("[\ud800-\udfff]")


def scrub(value: str) -> str:
    """`value` with every lone surrogate replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value


def _scrub_any(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, tuple):
        return tuple(_scrub_any(v) for v in value)
    if isinstance(value, list):
        return [_scrub_any(v) for v in value]
    if isinstance(value, dict):
        return {_scrub_any(k): _scrub_any(v) for k, v in value.items()}
    return value


def scrub_item(item: Article | Rejection) -> Article | Rejection:
    """The reader's output contract: every string of an Article or Rejection is encodable text."""
    changes = {}
    for f in dataclasses.fields(item):
        value = getattr(item, f.name)
        cleaned = _scrub_any(value)
        if cleaned != value:
            changes[f.name] = cleaned
    return dataclasses.replace(item, **changes) if changes else item


def error(path: str, reason: str, line: int | None = None) -> Rejection:
    """A Rejection whose reason is a single line of bounded length."""
    one_line = _SPACES.sub(" ", scrub(reason)).strip() or "unreadable input"
    if len(one_line) > _MAX_REASON:
        one_line = one_line[: _MAX_REASON - 1] + "…"
    return Rejection(path=path, reason=one_line, line=line)


def iso_language(value: object) -> str | None:
    """ISO 639-1 code from a tag such as "en-GB", "en_US" or "EN"; None when it is not one."""
    if not isinstance(value, str):
        return None
    code = re.split(r"[-_\s]", value.strip().lower(), maxsplit=1)[0]
    return code if len(code) == 2 and code.isascii() and code.isalpha() else None


def host_of(url: str | None) -> str | None:
    """Domain of a URL without "www.", or None."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


def clean_str(value: object) -> str | None:
    """A stripped non-empty string, or None for anything else."""
    if isinstance(value, str):
        stripped = value.strip()
        return stripped or None
    return None
