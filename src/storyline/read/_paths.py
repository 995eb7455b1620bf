"""Expansion of command-line inputs: files, folders, glob patterns and "-" for stdin."""

from __future__ import annotations

import dataclasses
import glob
import io
import os
import sys
from collections.abc import Iterator, Sequence
from typing import BinaryIO

from storyline.config import READ, ReadConfig
from storyline.model import Article, Rejection
from storyline.read._common import error, scrub_item
from storyline.read.detect import is_warc_head
from storyline.read.dispatch import read_bytes
from storyline.read.warc import read_warc

STDIN_PATH = "<stdin>"


class _Prefixed(io.RawIOBase):
    """A stream that replays bytes already read before continuing with the rest of `stream`."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        super().__init__()
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        chunk = self._stream.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _read_upto(stream: BinaryIO, limit: int) -> bytes:
    parts: list[bytes] = []
    size = 0
    while size < limit:
        chunk = stream.read(min(limit - size, 1 << 20))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts)


def _too_large(path: str, size: int | None, max_bytes: int) -> Rejection:
    what = f"{size} bytes" if size is not None else f"more than {max_bytes} bytes"
    return error(path, f"too large: {what} (limit {max_bytes} bytes)")


def _read_stream(
    stream: BinaryIO, path: str, config: ReadConfig, size: int | None = None
) -> Iterator[Article | Rejection]:
    """Reads one input: a WARC is streamed record by record; anything else at most max_bytes."""
    max_bytes = config.max_bytes
    head = _read_upto(stream, config.sniff_bytes)
    if is_warc_head(head, config.sniff_bytes):
        yield from read_warc(io.BufferedReader(_Prefixed(head, stream)), path, config=config)
        return
    if size is not None and size > max_bytes:
        yield _too_large(path, size, max_bytes)
        return
    data = head + _read_upto(stream, max_bytes + 1 - len(head))
    if len(data) > max_bytes:
        yield _too_large(path, size, max_bytes)
        return
    yield from read_bytes(data, path, config=config)


def _os_reason(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


def _read_file(path: str, config: ReadConfig) -> Iterator[Article | Rejection]:
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, after the lazy read
    except OSError as exc:
        yield error(path, _os_reason(exc))
        return
    with handle:
        try:
            status = os.fstat(handle.fileno())
            regular = os.path.isfile(path)
            yield from _read_stream(handle, path, config, status.st_size if regular else None)
        except OSError as exc:
            yield error(path, f"read failed: {_os_reason(exc)}")


def walk_files(folder: str, seen: set[tuple[int, int]]) -> Iterator[str | Rejection]:
    """Files under `folder`, depth first in sorted name order, hidden names skipped, lazily."""
    try:
        status = os.stat(folder)
        key = (status.st_dev, status.st_ino)
        if key in seen:
            return
        seen.add(key)
        with os.scandir(folder) as scan:
            entries = sorted((e for e in scan if not e.name.startswith(".")), key=lambda e: e.name)
    except OSError as exc:
        yield error(folder, f"cannot list folder: {_os_reason(exc)}")
        return
    for entry in entries:
        try:
            is_dir = entry.is_dir()
            is_file = not is_dir and entry.is_file()
        except OSError as exc:
            yield error(entry.path, _os_reason(exc))
            continue
        if is_dir:
            yield from walk_files(entry.path, seen)
        elif is_file:
            yield entry.path


def expand_path(given: str) -> Iterator[str | Rejection]:
    """The files named by one file, folder or glob pattern (not "-"), in reading order, lazily."""
    if os.path.isdir(given):
        yield from walk_files(given, set())
    elif os.path.lexists(given):
        yield given
    elif glob.has_magic(given):
        matches = sorted(glob.iglob(given, recursive=True))
        if not matches:
            yield error(given, "no file matches this pattern")
        seen: set[tuple[int, int]] = set()
        for match in matches:
            if os.path.isdir(match):
                yield from walk_files(match, seen)
            else:
                yield match
    else:
        yield error(given, "no such file or directory")


def _read_one(given: str, config: ReadConfig, stdin: BinaryIO | None) -> Iterator[Article | Rejection]:
    if given == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        yield from _read_stream(stream, STDIN_PATH, config)
        return
    for found in expand_path(given):
        if isinstance(found, Rejection):
            yield found
        else:
            yield from _read_file(found, config)


def read_paths(
    paths: Sequence[str], *, max_bytes: int | None = None, stdin: BinaryIO | None = None,
    config: ReadConfig = READ,
) -> Iterator[Article | Rejection]:
    """Articles from files, folders (recursive, sorted), glob patterns and "-" (stdin), lazily.
    `max_bytes` given explicitly wins over `config.max_bytes`.

    Every problem is a Rejection in the stream; only KeyboardInterrupt escapes.
    """
    if max_bytes is not None:
        config = dataclasses.replace(config, max_bytes=max_bytes)
    for given in paths:
        try:
            for item in _read_one(given, config, stdin):
                yield scrub_item(item)
        except Exception as exc:  # a bug in a reader must not end the batch
            yield error(given, f"unexpected error: {type(exc).__name__}: {exc}")
