"""Copy a whole storyline database from one backend to another (`storyline migrate`), verified.

Every logical table (storyline.store.base.TABLE_COLUMNS) is streamed from the source's consistent
snapshot into the empty destination in one transaction. Then both sides are checked: per table,
the row count and a sha256 over the sorted sha256 digests of each row's canonical JSON, computed
from what each backend's `dump_tables` returns. Any difference makes the report not `ok`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from storyline.store.base import TABLE_COLUMNS, Store, StoreError, redact_url


@dataclass(frozen=True)
class TableCheck:
    table: str
    source_rows: int
    target_rows: int
    source_sha256: str
    target_sha256: str

    @property
    def ok(self) -> bool:
        return self.source_rows == self.target_rows and self.source_sha256 == self.target_sha256


@dataclass
class MigrationReport:
    source: str
    target: str
    tables: list[TableCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return len(self.tables) == len(TABLE_COLUMNS) and all(t.ok for t in self.tables)

    def summary(self) -> str:
        lines = [f"{'table':<18} {'rows':>10} {'copied':>10}  checksum"]
        for t in self.tables:
            mark = "ok" if t.ok else f"MISMATCH {t.source_sha256[:12]} != {t.target_sha256[:12]}"
            lines.append(f"{t.table:<18} {t.source_rows:>10} {t.target_rows:>10}  {mark}")
        lines.append("verified: every table identical" if self.ok else "VERIFICATION FAILED")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source, "target": self.target, "ok": self.ok,
            "tables": [
                {"table": t.table, "source_rows": t.source_rows, "target_rows": t.target_rows,
                 "source_sha256": t.source_sha256, "target_sha256": t.target_sha256, "ok": t.ok}
                for t in self.tables
            ],
        }


def _canonical(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, float) and not math.isfinite(value):
        return {"$float": repr(value)}
    return value


def row_digest(table: str, row: dict[str, Any]) -> bytes:
    """sha256 of a row's canonical JSON: the table's columns only, in a fixed order, bytes as base64."""
    canon = [_canonical(row.get(c)) for c in TABLE_COLUMNS[table]]
    text = json.dumps(canon, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).digest()


class _Digest:
    """Order-independent table checksum: sha256 over the sorted row digests (rows need no sort key)."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.digests: list[bytes] = []

    def add(self, row: dict[str, Any]) -> None:
        self.digests.append(row_digest(self.table, row))

    def hexdigest(self) -> str:
        total = hashlib.sha256()
        for d in sorted(self.digests):
            total.update(d)
        return total.hexdigest()


def table_checksums(store: Store) -> dict[str, tuple[int, str]]:
    """Per logical table: (row count, checksum) as `migrate` computes them."""
    out: dict[str, tuple[int, str]] = {}
    for table, rows in store.dump_tables():
        digest = _Digest(table)
        for row in rows:
            digest.add(row)
        out[table] = (len(digest.digests), digest.hexdigest())
    return out


def _hashing(tables: Iterable[tuple[str, Iterator[dict[str, Any]]]], seen: dict[str, _Digest]) -> Iterator[
    tuple[str, Iterator[dict[str, Any]]]
]:
    for table, rows in tables:
        digest = seen[table] = _Digest(table)

        def tee(rows: Iterator[dict[str, Any]] = rows, digest: _Digest = digest) -> Iterator[dict[str, Any]]:
            for row in rows:
                digest.add(row)
                yield row

        yield table, tee()


def migrate(src: Store, dst: Store) -> MigrationReport:
    """Copy everything from `src` into the empty `dst`, then verify counts and checksums table by table.

    Raises StoreError if `dst` already holds data (nothing is written then). The returned report's
    `ok` is False when verification found a difference (e.g. NUL characters, which PostgreSQL text
    cannot store)."""
    if src is dst or src.url == dst.url:
        raise StoreError("source and destination are the same database")
    seen: dict[str, _Digest] = {}
    dst.load_tables(_hashing(src.dump_tables(), seen))
    target = table_checksums(dst)
    report = MigrationReport(source=redact_url(src.url), target=redact_url(dst.url))
    for table in TABLE_COLUMNS:
        digest = seen.get(table) or _Digest(table)
        rows, checksum = target.get(table, (0, _Digest(table).hexdigest()))
        report.tables.append(TableCheck(table, len(digest.digests), rows, digest.hexdigest(), checksum))
    return report

