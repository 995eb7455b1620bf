"""The Dask engine stores what the single process stores: same articles, annotations and stories.

The Timeline17 comparison runs on a fixed subset so that it stays near a minute on two shared cores
(with enrichment an article costs 0.1-0.3 s there, and each input is ingested twice: single process,
then Dask): H1N1_guardian (76 lines, 4 line-range partitions). STORYLINE_SCALE_FULL=1 adds the
two-file subset H1N1_guardian + MJ_bbc (218 lines; about 3.5 minutes on a loaded 2-core machine).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import SAMPLES, require_shared, wait_for_stored_rows
from storyline.pipeline import Config, ingest_paths
from storyline.scale import Files, Lines, Records, ingest_dask, plan, run_ingest, split_file
from storyline.store import open_store

pytest.importorskip("distributed")

# Columns that hold the wall-clock time of a write: the only ones allowed to differ.
_CLOCK = {"ingested_at", "updated_at", "created_at", "merged_at", "first_seen"}
_TABLES = ("sources", "articles", "article_versions", "timexes", "quantities", "mentions",
           "annotation_notes", "entities", "stories", "story_merges")


def dump(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the content tables, clock columns left out, in a canonical order."""
    out: dict[str, list[tuple[object, ...]]] = {}
    with sqlite3.connect(db) as conn:
        for table in _TABLES:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in _CLOCK]
            quoted = ", ".join(f'"{c}"' for c in columns)
            rows = conn.execute(f"SELECT {quoted} FROM {table}").fetchall()
            out[table] = sorted(rows, key=repr)
        out["cluster_state"] = conn.execute("SELECT applied FROM cluster_state").fetchall()
    return out


def assert_same_databases(expected: Path, got: Path) -> None:
    a, b = dump(expected), dump(got)
    for table in a:
        assert a[table] == b[table], f"table {table} differs"
    assert a["articles"] and a["stories"]


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """One LocalCluster (2 worker processes, 1 thread each) shared by the tests of this module."""
    from distributed import LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def _both(tmp_path: Path, paths: list[str], **dask_args: object) -> tuple[Path, Path, object, object]:
    single, dask = tmp_path / "single.db", tmp_path / "dask.db"
    with open_store(str(single)) as store:
        expected = ingest_paths(store, paths, Config())
    with open_store(str(dask)) as store:
        got = ingest_dask(store, paths, Config(), **dask_args)  # type: ignore[arg-type]
    return single, dask, expected, got


def _same_reports(expected: object, got: object) -> None:
    def key(r: object) -> tuple[object, ...]:
        return (r.new, r.updated, r.unchanged, r.clustered, r.ids,  # type: ignore[attr-defined]
                [(e.path, e.line, e.reason) for e in r.rejected])  # type: ignore[attr-defined]

    assert key(expected) == key(got)


def test_samples_identical_with_a_local_cluster(tmp_path: Path) -> None:
    # partition_size=2 cuts news_items.jsonl into line ranges and the WARC into record ranges
    paths = [str(SAMPLES)]
    single, dask, expected, got = _both(tmp_path, paths, workers=2, partition_size=2)
    _same_reports(expected, got)
    assert_same_databases(single, dask)


def test_samples_are_cut_without_reading_on_the_client() -> None:
    entries = plan([str(SAMPLES)], 2)
    files = [e for e in entries if isinstance(e, Files)]
    assert files and all(len(e.paths) <= 2 for e in files)
    lines = split_file(str(SAMPLES / "news_items.jsonl"), Config(), 2)
    assert all(isinstance(p, Lines) for p in lines) and len(lines) == 3
    assert [p.first_line for p in lines] == [1, 3, 5]  # type: ignore[union-attr]
    records = split_file(str(SAMPLES / "sample_crawl.warc.gz"), Config(), 2)
    assert len(records) > 1 and all(isinstance(p, Records) for p in records)
    # a file that is not JSON Lines or WARC stays whole
    html = next(SAMPLES.glob("*.html"))
    assert split_file(str(html), Config(), 2) == [Files((str(html),))]


def test_rerun_on_a_scheduler_is_unchanged(tmp_path: Path, scheduler: str) -> None:
    db = tmp_path / "again.db"
    with open_store(str(db)) as store:
        first = run_ingest("dask", store, [str(SAMPLES)], scheduler=scheduler, partition_size=3)
        again = run_ingest("dask", store, [str(SAMPLES)], scheduler=scheduler, partition_size=3)
    assert first.new == again.unchanged > 0 and again.new == again.updated == 0


def test_missing_paths_are_rejected_in_order(tmp_path: Path, scheduler: str) -> None:
    paths = [str(tmp_path / "absent.jsonl"), str(SAMPLES / "news_items.jsonl"), str(tmp_path / "none-*.txt")]
    _, _, expected, got = _both(tmp_path, paths, scheduler=scheduler, partition_size=2)
    _same_reports(expected, got)
    assert [e.reason for e in got.rejected][:1] == ["no such file or directory"]  # type: ignore[attr-defined]


_FULL = pytest.mark.skipif(not os.environ.get("STORYLINE_SCALE_FULL"), reason="set STORYLINE_SCALE_FULL=1")


@pytest.mark.parametrize(
    ("names", "least"),
    [(("H1N1_guardian",), 70), pytest.param(("H1N1_guardian", "MJ_bbc"), 200, marks=[pytest.mark.slow, _FULL])],
)
def test_timeline17_subset_identical(tmp_path: Path, scheduler: str, names: tuple[str, ...], least: int) -> None:
    root = require_shared("timeline17")
    paths = [str(root / name / "articles.jsonl") for name in names]
    single, dask, expected, got = _both(tmp_path, paths, scheduler=scheduler, partition_size=20)
    _same_reports(expected, got)
    assert expected.stored >= least  # type: ignore[attr-defined]
    assert_same_databases(single, dask)


def _story_text(i: int) -> str:
    topic = ("harbour crane", "river ferry", "rail bridge", "power station")[i % 4]
    return (
        f"Inspectors examined the {topic} number {i} in Castrelo on 4 March 2024.\n\n"
        f"The {topic} had been closed for {i % 17 + 2} days after a fault was reported by staff.\n\n"
        "The engineers on site found no further damage."
    )


def _ingest_command(folder: Path, db: Path) -> list[str]:
    """The CLI once it has --engine (see docs/scaling.md); until then the same ingest via storyline.scale."""
    probe = subprocess.run([sys.executable, "-m", "storyline.cli", "ingest", "--help"],
                           capture_output=True, text=True, check=False)
    module = "storyline.cli" if "--engine" in probe.stdout else "storyline.scale"
    head = [sys.executable, "-m", module] + (["ingest"] if module == "storyline.cli" else [])
    return [*head, str(folder), "--db", str(db), "--engine", "dask", "--workers", "2",
            "--partition-size", "10", "--no-enrich", "--no-embed", "--json"]


def test_killed_dask_ingest_reruns_to_the_same_stories(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    n = 600
    for i in range(n):
        (folder / f"{i:04d}.txt").write_text(_story_text(i), encoding="utf-8")
    db = tmp_path / "crash.db"
    command = _ingest_command(folder, db)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # its own session: the kill takes the client, the scheduler and the worker processes at once
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                            start_new_session=True)
    try:
        wait_for_stored_rows(proc, db, least=30, timeout=120)
        assert proc.poll() is None, "ingest finished before it could be killed: make the batch bigger"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        kept = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    assert 30 <= kept < n
    rerun = subprocess.run(command, capture_output=True, env=env, timeout=300, check=False)
    assert rerun.returncode == 0, rerun.stderr.decode()[-2000:]
    report = json.loads(rerun.stdout)
    assert report["new"] == n - kept and report["unchanged"] == kept
    with sqlite3.connect(db) as conn:
        ids = [r[0] for r in conn.execute("SELECT article_id FROM article_versions")]
        assert len(ids) == len(set(ids)) == n  # every article stored exactly once
        fts = conn.execute("SELECT COUNT(*) FROM articles_fts").fetchone()[0]
        assert fts == n
    with open_store(str(db)) as store:
        assert store.count_articles() == n and not store.unclustered_articles()
    clean = tmp_path / "clean.db"
    with open_store(str(clean)) as store:
        ingest_paths(store, [str(folder)], Config(enrich=False, embed=False))
    assert_same_databases(clean, db)
