"""The exceptions storyline raises, one tree (as httpx and spaCy have), each with a stable code.

    StorylineError
    ├── ConfigError            E001  a setting or an environment variable that cannot be used
    ├── InputError             E1xx  input that cannot be read (the batch goes on: it becomes a rejection)
    │   ├── DecodeFailure      E101  bytes that decode in no encoding
    │   ├── TooLarge           E102  over the size cap
    │   └── TooDeep            E103  nested deeper than the parsers allow
    ├── ModelError             E2xx  a shipped model file that is missing, damaged or of another version
    ├── StateError             E3xx  stored engine state that cannot be trusted (tampered, unknown format)
    │   └── ClusterStateError  E301  (storyline.engine_state) the clusterer's saved state
    ├── StoreError             E4xx  storage problems the user can act on
    │   ├── NoSuchDatabase     E401
    │   ├── NotFound           E402
    │   ├── AmbiguousId        E403
    │   └── QuerySyntaxError   E404
    └── FetchError             E5xx  a feed or page that could not be fetched (the poller goes on)
        ├── RobotsDisallowed   E501
        ├── HTTPStatusError    E502
        ├── BadContentType     E503
        └── ResponseTooLarge   E504

Messages start with their code ("[E401] no such database: x.db"), so a user can search for them;
`code` holds it for programs. Rejected input items are not exceptions: see `storyline.model.Rejection`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar


class StorylineError(Exception):
    """Base of every error storyline raises on purpose."""

    code: ClassVar[str] = "E000"

    def __init__(self, message: str) -> None:
        super().__init__(f"[{self.code}] {message}")
        self.message = message


class ConfigError(StorylineError, ValueError):
    code = "E001"


class InputError(StorylineError):
    code = "E100"


class DecodeFailure(InputError):
    code = "E101"


class TooLarge(InputError):
    code = "E102"

    def __init__(self, what: str, limit_bytes: int) -> None:
        super().__init__(
            f"{what} is over the {limit_bytes // (1024 * 1024) or limit_bytes} "
            f"{'MB' if limit_bytes >= 1024 * 1024 else 'byte'} limit"
        )


class TooDeep(InputError):
    code = "E103"

    def __init__(self, what: str, depth: int) -> None:
        super().__init__(f"{what} is too deeply nested (over {depth} levels)")


class ModelError(StorylineError):
    code = "E200"

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"model {name!r}: {reason}")
        self.name = name


class StateError(StorylineError):
    code = "E300"


class StoreError(StorylineError):
    code = "E400"


class NoSuchDatabase(StoreError):
    code = "E401"

    def __init__(self, path: str) -> None:
        super().__init__(f"no such database: {path}")
        self.path = path


class NotFound(StoreError):
    code = "E402"

    def __init__(self, kind: str, ident: str) -> None:
        super().__init__(f"no {kind} with id {ident!r}")
        self.kind = kind
        self.ident = ident


class AmbiguousId(StoreError):
    code = "E403"

    def __init__(self, kind: str, prefix: str, matches: Sequence[str]) -> None:
        shown = ", ".join(matches[:5])
        super().__init__(f"{kind} id prefix {prefix!r} is ambiguous: {shown}")


class QuerySyntaxError(StoreError):
    """A search query that cannot be understood (unbalanced quotes, nothing to search for)."""

    code = "E404"


class FetchError(StorylineError):
    code = "E500"

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url


class RobotsDisallowed(FetchError):
    code = "E501"

    def __init__(self, url: str) -> None:
        super().__init__(url, "disallowed by robots.txt")


class HTTPStatusError(FetchError):
    code = "E502"

    def __init__(self, url: str, status: int) -> None:
        super().__init__(url, f"HTTP {status}")
        self.status = status


class BadContentType(FetchError):
    code = "E503"

    def __init__(self, url: str, content_type: str) -> None:
        super().__init__(url, f"unexpected content type {content_type or 'none'!r}")


class ResponseTooLarge(FetchError):
    code = "E504"

    def __init__(self, url: str, limit_bytes: int) -> None:
        super().__init__(url, f"response over the {limit_bytes} byte limit")
