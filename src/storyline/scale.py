"""Scale-out: the per-article stages (read, clean, enrich) on Dask workers; storing and clustering here.

The input is cut into partitions without reading it on the client: a folder is cut into lists of
files, a JSON Lines file into ranges of lines and a WARC archive into ranges of records (a worker
finds the line and record boundaries). Each partition is one task that returns its prepared articles
and its ReadErrors in input order. The client consumes the partitions in input order and stores them
with `storyline.pipeline.store_prepared`, as `ingest_articles` does, then clusters in publication order
with `cluster_pending`, so a Dask ingest stores the same articles, annotations and stories as a
single-process one.

Workers import `storyline` themselves: with `scheduler=None` a LocalCluster is started from this
interpreter; with a scheduler address every worker needs the same version of storyline installed and
the input paths readable under the same names (a shared file system).
"""

from __future__ import annotations

import io
import json
import logging
import os
import stat
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any, BinaryIO, Literal

from storyline.config import READ, SCALE, ReadConfig
from storyline.model import Article, Rejection
from storyline.pipeline import (
    Config,
    IngestReport,
    Prepared,
    ProgressCallback,
    cluster_pending,
    consolidate_touched,
    prepare_item,
    store_prepared,
)
from storyline.store import Store

Engine = Literal["local", "dask"]
ENGINES: tuple[str, ...] = ("local", "dask")

_SPLIT_EXT = (".jsonl", ".ndjson", ".json", ".jl", ".warc", ".warc.gz", ".arc", ".arc.gz")

Item = Prepared | Rejection


# -- partitions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Files:
    """Whole files, read exactly as `read_paths` reads them."""

    paths: tuple[str, ...]


@dataclass(frozen=True)
class Lines:
    """Lines of a UTF-8 JSON Lines file: bytes [start, end), the first being line number `first_line`."""

    path: str
    start: int
    end: int
    first_line: int
    encoding: str


@dataclass(frozen=True)
class Records:
    """WARC records whose bytes are [start, end) of the archive."""

    path: str
    start: int
    end: int


@dataclass(frozen=True)
class Items:
    """Articles already read on the client (standard input)."""

    items: tuple[Article | Rejection, ...]


Partition = Files | Lines | Records | Items


@dataclass(frozen=True)
class _Split:
    """A file that a worker may cut into Lines or Records partitions."""

    path: str


@dataclass(frozen=True)
class _Stdin:
    pass


# -- on the workers --------------------------------------------------------------------------------


def read_partition(part: Partition, config: ReadConfig = READ) -> Iterator[Article | Rejection]:
    """The read items of one partition, in input order."""
    from storyline.read import read_paths

    if isinstance(part, Files):
        yield from read_paths(list(part.paths), config=config)
    elif isinstance(part, Lines):
        yield from _read_lines(part)
    elif isinstance(part, Records):
        yield from _read_records(part, config)
    else:
        yield from part.items


def run_partition(part: Partition, config: Config) -> list[Item]:
    """One Dask task: read, clean and enrich a partition."""
    return [prepare_item(item, config) for item in read_partition(part, config.read)]


def _read_lines(part: Lines) -> Iterator[Article | Rejection]:
    from storyline.read._common import error
    from storyline.read.jsonl import json_lines

    try:
        with open(part.path, "rb") as fh:
            fh.seek(part.start)
            data = fh.read(part.end - part.start)
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:  # the file changed since it was split
        yield error(part.path, f"read failed: {exc}")
        return
    yield from json_lines(text, part.path, part.encoding, first_line=part.first_line)


_NO_HTML = "no HTML responses with status 200"


def _read_records(part: Records, config: ReadConfig) -> Iterator[Article | Rejection]:
    from storyline.read._common import error
    from storyline.read.warc import read_warc

    try:
        with open(part.path, "rb") as fh:
            fh.seek(part.start)
            data = fh.read(part.end - part.start)
    except OSError as exc:
        yield error(part.path, f"read failed: {exc}")
        return
    for item in read_warc(io.BytesIO(data), part.path, config=config):
        if isinstance(item, Rejection):
            if item.reason.startswith(_NO_HTML):  # said once for the archive, when the split found none
                continue
        elif "offset" in item.extra:
            item.extra["offset"] += part.start
        yield item


def split_file(path: str, config: Config, partition_size: int) -> list[Partition]:
    """A worker's cut of one file into partitions; the whole file when it cannot be cut safely."""
    whole: list[Partition] = [Files((path,))]
    try:
        if not os.path.isfile(path):
            return whole
        size = os.path.getsize(path)
        with open(path, "rb") as fh:
            head = fh.read(config.read.sniff_bytes)
        from storyline.read.detect import is_warc_head

        if is_warc_head(head):
            return _split_warc(path, size, partition_size) or whole
        if size > config.read.max_bytes:
            return whole
        with open(path, "rb") as fh:
            data = fh.read(config.read.max_bytes + 1)
        return _split_jsonl(data, path, config.read.max_bytes, partition_size) or whole
    except Exception:  # whatever went wrong, the reader will say it in the same words as ever
        return whole


def _split_jsonl(data: bytes, path: str, max_bytes: int, partition_size: int) -> list[Partition] | None:
    """Line ranges of a UTF-8 JSON Lines file that `read_bytes` would read line by line, else None."""
    import codecs

    from storyline.read._encoding import binary_kind, decode
    from storyline.read.detect import GZIP_MAGIC, detect_format

    if (
        not data.strip()
        or len(data) > max_bytes
        or data.startswith(GZIP_MAGIC)
        or data.startswith(codecs.BOM_UTF8)
        or data.lstrip(b"\r\n").startswith(b"WARC/")
        or binary_kind(data)
        or detect_format(data, path) != "jsonl"
    ):
        return None
    text, encoding = decode(data, kind="text")
    if encoding.lower().replace("_", "-") not in ("utf-8", "utf8", "ascii", "us-ascii") or text.lstrip().startswith("["):
        return None
    first = next((line.strip() for line in text.split("\n") if line.strip()), None)
    try:
        json.loads(first or "")
    except (json.JSONDecodeError, RecursionError):
        return None  # read_jsonl may read the file as one JSON document: leave it whole
    parts: list[Partition] = []
    start, first_line, count, offset = 0, 1, 0, 0
    for number, line in enumerate(data.split(b"\n"), start=1):
        offset += len(line) + 1
        if line.strip():
            count += 1
        if count >= partition_size:
            end = min(offset, len(data))
            parts.append(Lines(path, start, end, first_line, encoding))
            start, first_line, count = end, number + 1, 0
    if start < len(data):
        parts.append(Lines(path, start, len(data), first_line, encoding))
    return parts


def _split_warc(path: str, size: int, partition_size: int) -> list[Partition] | None:
    """Record ranges of a sound WARC archive whose records can be read from their offsets, else None."""
    from warcio.archiveiterator import ArchiveIterator

    from storyline.read.detect import GZIP_MAGIC
    from storyline.read.warc import html_response

    offsets: list[int] = []
    html = 0
    end = 0
    with open(path, "rb") as fh:
        iterator = ArchiveIterator(fh)
        for record in iterator:
            if html_response(record) is not None:
                html += 1
            offset = iterator.get_record_offset()
            end = offset + iterator.get_record_length()
            if getattr(record.raw_stream, "limit", 0):
                return None  # truncated record
            offsets.append(offset)
        if html == 0 or len(offsets) <= partition_size or size - end > 4:
            return None
        starts = offsets[::partition_size]
        for start in starts:
            fh.seek(start)
            magic = fh.read(5)
            if not (magic.startswith(GZIP_MAGIC) or magic.startswith(b"WARC/")):
                return None  # one gzip stream for the whole archive: no seeking into it
    bounds = [*starts, size]
    return [Records(path, a, b) for a, b in pairwise(bounds)]


# -- on the client ---------------------------------------------------------------------------------


def expand_paths(paths: Sequence[str]) -> Iterator[str | Rejection | _Stdin]:
    """The files named by files, folders, globs and "-", in `read_paths` order, without reading them."""
    from storyline.read._paths import expand_path

    for given in paths:
        if given == "-":
            yield _Stdin()
        else:
            yield from expand_path(given)


def _splittable(path: str, min_bytes: int) -> bool:
    if path.lower().endswith(_SPLIT_EXT):
        return True
    try:
        status = os.stat(path)
    except OSError:
        return False
    return stat.S_ISREG(status.st_mode) and status.st_size >= min_bytes  # any bigger file: whatever its name


def plan(paths: Sequence[str], partition_size: int,
         split_min_bytes: int = SCALE.split_min_bytes) -> list[Rejection | Files | _Split | _Stdin]:
    """The input as an ordered list: errors, lists of small files, files to split, standard input."""
    out: list[Rejection | Files | _Split | _Stdin] = []
    group: list[str] = []

    def flush() -> None:
        if group:
            out.append(Files(tuple(group)))
            group.clear()

    for found in expand_paths(paths):
        if isinstance(found, str) and not _splittable(found, split_min_bytes):
            group.append(found)
            if len(group) >= partition_size:
                flush()
            continue
        flush()
        out.append(_Split(found) if isinstance(found, str) else found)
    flush()
    return out


def _stdin_partitions(stdin: BinaryIO | None, config: Config, partition_size: int) -> Iterator[Items]:
    from storyline.pipeline import iter_batches
    from storyline.read import read_paths

    for batch in iter_batches(read_paths(["-"], stdin=stdin, config=config.read), partition_size):
        yield Items(tuple(batch))


def prepared_stream(
    client: Any,
    paths: Sequence[str],
    config: Config,
    *,
    partition_size: int | None = None,
    window: int = 8,
    stdin: BinaryIO | None = None,
) -> Iterator[Item]:
    """Prepared items in input order, computed on the workers of `client`, at most `window` tasks ahead."""
    partition_size = partition_size or config.scale.partition_size
    entries = plan(paths, partition_size, config.scale.split_min_bytes)
    splits = {
        i: client.submit(split_file, e.path, config, partition_size, pure=False, priority=10)
        for i, e in enumerate(entries)
        if isinstance(e, _Split)
    }

    def units() -> Iterator[Rejection | Partition]:
        for i, entry in enumerate(entries):
            if isinstance(entry, _Split):
                future = splits.pop(i)
                yield from future.result()
            elif isinstance(entry, _Stdin):
                yield from _stdin_partitions(stdin, config, partition_size)
            else:
                yield entry

    source = units()
    inflight: deque[Any] = deque()

    def fill() -> None:
        while len(inflight) < window:
            unit = next(source, None)
            if unit is None:
                return
            if isinstance(unit, Rejection):
                inflight.append(unit)
            else:
                inflight.append(client.submit(run_partition, unit, config, pure=False))

    fill()
    while inflight:
        head = inflight.popleft()
        items: list[Item] = [head] if isinstance(head, Rejection) else head.result()
        del head  # let the worker forget the result
        fill()
        yield from items


@contextmanager
def dask_client(scheduler: str | None = None, workers: int = 2) -> Iterator[Any]:
    """A Dask client: on the scheduler at `scheduler`, or on a LocalCluster of `workers` processes."""
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    try:
        with Client(cluster) as client:
            yield client
    finally:
        cluster.close()


def ingest_dask(
    store: Store,
    paths: Sequence[str],
    config: Config = Config(),
    *,
    scheduler: str | None = None,
    workers: int = 2,
    partition_size: int | None = None,
    stdin: BinaryIO | None = None,
    on_error: Callable[[Rejection], None] | None = None,
    on_progress: ProgressCallback | None = None,
) -> IngestReport:
    """`ingest_paths` with reading, cleaning and enrichment on Dask workers; same results.
    `partition_size`: articles per task (else `config.scale.partition_size`)."""
    partition_size = config.scale.partition_size if partition_size is None else partition_size
    if partition_size < 1:
        raise ValueError("partition_size must be at least 1")
    no_cluster = replace(config, cluster=False)
    with dask_client(scheduler, workers) as client:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})) or workers)
        items = prepared_stream(client, paths, config, partition_size=partition_size,
                                window=2 * n_workers + 2, stdin=stdin)
        report = store_prepared(store, items, no_cluster, on_error=on_error, on_progress=on_progress)
    if config.cluster:  # after the workers are gone: the client has the machine to itself
        report.clustered = cluster_pending(store, config, on_progress=on_progress, consolidate=False)
        if config.consolidate:
            report.consolidated = consolidate_touched(store, report.ids, config)
    return report


def run_ingest(
    engine: str,
    store: Store,
    paths: Sequence[str],
    config: Config = Config(),
    *,
    scheduler: str | None = None,
    workers: int = 2,
    partition_size: int | None = None,
    stdin: BinaryIO | None = None,
    on_error: Callable[[Rejection], None] | None = None,
    on_progress: ProgressCallback | None = None,
) -> IngestReport:
    """`storyline ingest --engine local|dask`: one process, or the per-article stages on Dask."""
    if engine == "local":
        from storyline.pipeline import ingest_paths

        return ingest_paths(store, paths, config, stdin=stdin, on_error=on_error, on_progress=on_progress)
    if engine == "dask":
        return ingest_dask(store, paths, config, scheduler=scheduler, workers=workers,
                           partition_size=partition_size, stdin=stdin, on_error=on_error,
                           on_progress=on_progress)
    raise ValueError(f"unknown engine {engine!r}: expected one of {', '.join(ENGINES)}")


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m storyline.scale PATHS --db DB [--scheduler ADDR] [--workers N]`: a Dask ingest."""
    import argparse

    from storyline.store import default_db_url, open_store

    parser = argparse.ArgumentParser(prog="python -m storyline.scale", description=main.__doc__)
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--db")
    parser.add_argument("--engine", choices=ENGINES, default="dask")
    parser.add_argument("--scheduler")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--partition-size", type=int, default=None)
    parser.add_argument("--no-enrich", action="store_true")
    parser.add_argument("--no-embed", action="store_true", help="skip the multilingual article vectors")
    parser.add_argument("--no-cluster", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    config = Config(enrich=not args.no_enrich, embed=not args.no_embed, cluster=not args.no_cluster)
    with open_store(args.db or default_db_url()) as store:
        report = run_ingest(args.engine, store, args.paths, config, scheduler=args.scheduler,
                            workers=args.workers, partition_size=args.partition_size,
                            stdin=sys.stdin.buffer)
    if args.json:
        sys.stdout.write(json.dumps({"new": report.new, "updated": report.updated, "unchanged": report.unchanged,
                                     "rejected": len(report.rejected), "clustered": report.clustered}) + "\n")
    else:
        sys.stderr.write(report.summary() + "\n")
    return 0 if report.stored else 1


if __name__ == "__main__":
    raise SystemExit(main())
