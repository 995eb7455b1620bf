"""Real processes against one database: two concurrent `storyline ingest` runs on overlapping inputs,
and a PostgreSQL server killed (-9) in the middle of a batch."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

import pg
from conftest import ROOT, SAMPLES, started_cluster
from storyline import pipeline
from storyline.store import Store, open_store


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "storyline.cli", *args]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def _check_consistent(store: Store, expected_ids: set[str]) -> dict[str, Any]:
    """Every article stored once and in exactly one live story; returns facts for further checks."""
    arts = store.list_articles()
    ids = [a.id for a in arts]
    assert len(ids) == len(set(ids)) and set(ids) == expected_ids
    assert all(len(store.article_versions(a)) == 1 for a in ids)
    assert all(a.story_id is not None for a in arts)
    stories = store.list_stories()
    members = [a for s in stories for a in s.article_ids]
    assert sorted(members) == sorted(ids)  # a partition: each article in exactly one story
    assert len({s.id for s in stories}) == len(stories)
    assert {a.story_id for a in arts} == {s.id for s in stories}  # no article points at a merged-away story
    rows = next(list(rows) for table, rows in store.dump_tables() if table == "articles")
    # dated articles are clustered once each, in sequence; undated ones are placed outside the sequence
    assert all(r["cluster_seq"] is None for r in rows if r["published"] is None)
    seqs = [r["cluster_seq"] for r in rows if r["published"] is not None]
    state = store.load_cluster_state()
    return {"seqs": sorted(seqs), "state": state, "stories": sorted(sorted(s.article_ids) for s in stories)}


# -- two writers at once -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The sample corpus ingested by one process: the article ids and story partition to expect."""
    db = tmp_path_factory.mktemp("ref") / "ref.db"
    with open_store(str(db)) as store:
        report = pipeline.ingest_paths(store, [str(SAMPLES)], pipeline.Config(enrich=False))
        return {"ids": set(report.ids), "stories": sorted(sorted(s.article_ids) for s in store.list_stories())}


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_two_ingest_processes_on_overlapping_inputs(
    backend: str, reference: dict[str, Any], request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = str(tmp_path / "shared.db") if backend == "sqlite" else request.getfixturevalue("pg_url")
    files = sorted(str(p) for p in SAMPLES.iterdir())
    halves = [files[:12], files[5:]]  # seven files in both
    procs = [
        subprocess.Popen(_cli("ingest", *half, "--db", url, "--json", "--no-enrich"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
        for half in halves
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    for proc, (_, err) in zip(procs, outs, strict=True):
        assert proc.returncode == 0, err.decode()[-3000:]
    reports = [json.loads(out) for out, _ in outs]
    assert sum(r["new"] for r in reports) == len(reference["ids"])  # created once, by one of them
    with open_store(url) as store:
        facts = _check_consistent(store, reference["ids"])
    assert facts["stories"] == reference["stories"]
    # the cluster lock: no article was clustered twice by the two processes
    n_dated = len(facts["seqs"])
    assert facts["seqs"] == list(range(1, n_dated + 1)) and n_dated >= len(reference["ids"]) - 2
    assert facts["state"] is not None and facts["state"][1] == n_dated


# -- a server crash in the middle of a batch ----------------------------------------------------------

_TOPICS = [
    ("flood", "river Aldmoor levee breach evacuations rainfall water rescue"),
    ("election", "ballot parliament coalition vote turnout candidate minister"),
    ("quake", "earthquake magnitude tremor epicentre rubble aftershock seismic"),
    ("merger", "takeover shareholders acquisition billion shares regulator deal"),
    ("tunnel", "tunnel rail engineers boring mountain railway inauguration"),
]


def _corpus(path: Path, n: int) -> None:
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            name, words = _TOPICS[i % len(_TOPICS)]
            vocab = words.split()
            sentences = [" ".join(rng.choice(vocab) for _ in range(12)).capitalize() + "." for _ in range(6)]
            fh.write(json.dumps({
                "url": f"https://example.org/{name}/{i}", "title": f"{name.title()} report {i}: {vocab[0]} {vocab[1]}",
                "text": f"Report number {i}. " + " ".join(sentences), "published": f"2024-05-{1 + i % 28:02d}",
                "source": f"Outlet {i % 3}", "language": "en",
            }) + "\n")


@pytest.fixture
def crash_cluster() -> Iterator[pg.PgCluster]:
    """A cluster of its own: this test kills it."""
    with started_cluster() as cluster:
        yield cluster


def _count(url: str, sql: str) -> int:
    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            row = conn.execute(sql).fetchone()
            return int(row[0]) if row else 0
    except psycopg.Error:
        return -1


@pytest.mark.parametrize("phase", ["ingest", "cluster"])
def test_server_killed_mid_batch_then_rerun(phase: str, crash_cluster: pg.PgCluster, tmp_path: Path) -> None:
    n = 400
    corpus = tmp_path / "corpus.jsonl"
    _corpus(corpus, n)
    url = crash_cluster.create_database()
    # The throwaway clusters run with synchronous_commit=off (fast), which may lose the last commits when
    # the server dies; this test is about what a committed write survives, so its database commits durably.
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{url.rsplit("/", 1)[1]}" SET synchronous_commit = on')
    open_store(url).close()  # schema ready, so the poll below can count rows
    args = _cli("ingest", str(corpus), "--db", url, "--json", "--no-enrich")
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
    sql = ("SELECT COUNT(*) FROM articles" if phase == "ingest"
           else "SELECT COUNT(*) FROM articles WHERE story_id IS NOT NULL")
    deadline = time.monotonic() + 240
    while _count(url, sql) < 40:
        assert proc.poll() is None, "the batch finished before the crash: " + proc.communicate()[1].decode()[-2000:]
        assert time.monotonic() < deadline
        time.sleep(0.02)
    crash_cluster.crash()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode != 0, (out + err).decode()[-2000:]  # the batch fails when the server dies
    crash_cluster.start()  # crash recovery replays the WAL
    with open_store(url) as store:
        stored = store.count_articles()
        assert (40 <= stored < n if phase == "ingest" else stored == n), stored
    rerun = subprocess.run(args, capture_output=True, env=_env(), timeout=300)
    assert rerun.returncode == 0, rerun.stderr.decode()[-3000:]
    report = json.loads(rerun.stdout)
    assert report["new"] == n - stored and report["unchanged"] == stored
    with open_store(url) as store:
        ids = {a.id for a in store.list_articles()}
        assert len(ids) == n
        facts = _check_consistent(store, ids)
    assert facts["seqs"] == list(range(1, n + 1))  # each article clustered exactly once
    assert facts["state"] is not None and facts["state"][1] == n
    assert len(facts["stories"]) >= len(_TOPICS)
