"""Helpers shared by the readers: error records, limits, language codes."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from storyline.model import ReadError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

_SPACES = re.compile(r"\s+")
_MAX_REASON = 300


def error(path: str, reason: str, line: int | None = None) -> ReadError:
    """A ReadError whose reason is a single line of bounded length."""
    one_line = _SPACES.sub(" ", reason).strip() or "unreadable input"
    if len(one_line) > _MAX_REASON:
        one_line = one_line[: _MAX_REASON - 1] + "…"
    return ReadError(path=path, reason=one_line, line=line)


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
