"""`storyline ingest` and the read commands, run as a user runs them (real subprocesses)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from conftest import wait_for_stored_rows
from storyline.store import open_store

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "storyline.cli", *args], input=stdin, capture_output=True, cwd=cwd, timeout=600
    )


def _story_text(i: int) -> str:
    return (
        f"Report number {i} on the harbour works\n\n"
        f"The harbour authority said on Monday that crane {i} had been repaired after {i + 3} days. "
        f"Workers from dock {i % 7} returned to their shifts.\n\n"
        f"A spokesperson added that inspection {i * 11} found no further damage."
    )


def test_ingest_bad_inputs_reports_each_and_goes_on(tmp_path: Path) -> None:
    good = tmp_path / "in" / "good.txt"
    good.parent.mkdir()
    good.write_text("date 2024-03-13\n" + _story_text(1), encoding="utf-8")
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    (tmp_path / "in" / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "in" / "broken.jsonl").write_text(
        json.dumps({"title": "Ok", "text": _story_text(2)}) + "\n{not json\n", encoding="utf-8"
    )
    db = tmp_path / "s.db"
    proc = run("ingest", str(tmp_path / "in"), str(tmp_path / "missing.html"), "--db", str(db), "--no-enrich")
    assert proc.returncode == 0, proc.stderr.decode()
    lines = [ln for ln in proc.stderr.decode().splitlines() if ln.startswith("rejected ")]
    named = " ".join(lines)
    for name in ("empty.txt", "binary.txt", "broken.jsonl:2", "missing.html"):
        assert name in named, (name, lines)
    assert len(lines) == 4
    with open_store(str(db)) as store:
        assert store.count_articles() == 2
        dated = [a for a in store.list_articles() if a.article.published == "2024-03-13"]
        assert len(dated) == 1 and not dated[0].article.text.startswith("date ")


def test_exit_status_one_when_nothing_ingested_two_on_usage(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    assert run("ingest", str(tmp_path / "empty.txt"), "--db", str(tmp_path / "x.db")).returncode == 1
    assert run("ingest", "--db", str(tmp_path / "x.db")).returncode == 2
    assert run("ingest", str(tmp_path / "empty.txt"), "--bogus-flag").returncode == 2


def test_stdin_and_reingest_is_a_noop(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    data = json.dumps({"title": "Dock", "text": _story_text(5), "url": "https://news.example/dock"}).encode()
    first = run("ingest", "-", "--db", db, "--json", "--no-enrich", stdin=data)
    assert first.returncode == 0, first.stderr.decode()
    second = run("ingest", "-", "--db", db, "--json", "--no-enrich", stdin=data)
    assert json.loads(first.stdout)["new"] == 1
    assert json.loads(second.stdout)["unchanged"] == 1 and json.loads(second.stdout)["new"] == 0
    listed = json.loads(run("articles", "--db", db, "--json").stdout)
    assert len(listed) == 1 and listed[0]["title"] == "Dock"
    shown = json.loads(run("show", listed[0]["id"][:8], "--db", db, "--json").stdout)
    assert shown["url"] == "https://news.example/dock" and "crane 5" in shown["text"]
    hits = json.loads(run("search", "crane repaired", "--db", db, "--json").stdout)
    assert hits[0]["article_id"] == listed[0]["id"] and "[crane]" in hits[0]["snippet"]
    bad = run("search", '"unbalanced', "--db", db)
    assert bad.returncode == 2 and b"unbalanced double quote" in bad.stderr
    missing = run("show", "ffffffffff", "--db", db)
    assert missing.returncode == 1 and b"no article with id" in missing.stderr


def test_killed_ingest_leaves_whole_articles_and_rerun_finishes(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    n = 400
    for i in range(n):
        (folder / f"{i:04d}.txt").write_text(_story_text(i), encoding="utf-8")
    db = tmp_path / "crash.db"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "storyline.cli", "ingest", str(folder), "--db", str(db), "--no-enrich"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )
    wait_for_stored_rows(proc, db, least=30, timeout=120)
    assert proc.poll() is None, "ingest finished before it could be killed: make the batch bigger"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute("SELECT id, text FROM articles").fetchall()
        versions = conn.execute("SELECT COUNT(*) FROM article_versions").fetchone()[0]
        fts = conn.execute("SELECT COUNT(*) FROM articles_fts").fetchone()[0]
    assert 30 <= len(rows) < n
    assert versions == fts == len(rows)  # no half-written article
    for _, text in rows:
        assert text.rstrip().endswith("found no further damage.")
    rerun = run("ingest", str(folder), "--db", str(db), "--no-enrich", "--json")
    assert rerun.returncode == 0
    report = json.loads(rerun.stdout)
    assert report["new"] == n - len(rows) and report["unchanged"] == len(rows)
    with open_store(str(db)) as store:
        assert store.count_articles() == n
        assert not store.unclustered_articles()


def test_help_lists_commands() -> None:
    proc = run("--help")
    assert proc.returncode == 0
    for command in ("ingest", "articles", "show", "search"):
        assert command in proc.stdout.decode()
