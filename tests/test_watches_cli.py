"""The watch commands: add (one of entity, query, outlet; webhook secret shown once), list, remove, alerts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def run(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "storyline.cli", *args, "--db", str(db)],
        capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"},
    )


def test_watch_commands(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    added = run("watches", "add", "--entity", "Harbour Authority", db=db)
    assert added.returncode == 0, added.stderr
    assert "watching entity 'Harbour Authority'" in added.stdout
    hooked = json.loads(run("watches", "add", "--query", "ferry aground", "--webhook", "http://127.0.0.1:9/h",
                            "--json", db=db).stdout)
    assert len(hooked["secret"]) == 32
    assert run("watches", "add", "--entity", "A", "--outlet", "B", db=db).returncode == 2
    assert run("watches", "add", db=db).returncode == 2
    assert run("watches", "add", "--outlet", "X", "--webhook", "ftp://x", db=db).returncode == 2
    listed = json.loads(run("watches", "list", "--json", db=db).stdout)
    assert {w["kind"] for w in listed} == {"entity", "query"} and all(w["alerts"] == 0 for w in listed)
    assert "secret" not in listed[0]
    plain = run("watches", "list", db=db).stdout
    assert "Harbour Authority" in plain and "ferry aground" in plain
    assert run("alerts", "--json", db=db).stdout.strip() == "[]"
    assert run("alerts", "--watch", "nope", db=db).returncode == 1
    assert "removed watch" in run("watches", "remove", hooked["id"][:8], db=db).stdout
    assert len(json.loads(run("watches", "list", "--json", db=db).stdout)) == 1
