"""The plain (not --json) output of every command, run as a user runs them on the sample corpus."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from storyline.store import open_store

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "storyline.cli", *args], input=stdin, capture_output=True,
                          cwd=cwd, timeout=600)
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8"),
                                       proc.stderr.decode("utf-8"))


def ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, (proc.args, proc.stdout[-2000:], proc.stderr[-3000:])
    assert "Traceback" not in proc.stderr and "Error" not in proc.stderr, proc.stderr[-3000:]
    return proc.stdout


@pytest.fixture(scope="module")
def samples_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    db = tmp_path_factory.mktemp("cli") / "samples.db"
    proc = run("ingest", str(ROOT / "samples"), "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"28 new, 0 updated, 0 unchanged, 0 rejected", proc.stderr), proc.stderr
    yield db


def test_plain_output_of_every_read_command_on_the_samples(samples_db: Path) -> None:
    db = str(samples_db)
    listed = json.loads(ok(run("articles", "--db", db, "--json")))
    stories = json.loads(ok(run("stories", "--db", db, "--json")))

    articles = ok(run("articles", "--db", db))
    assert articles.rstrip().endswith("28 articles")
    assert all(a["id"] in articles for a in listed)

    shown = ok(run("show", listed[0]["id"][:8], "--db", db))
    assert listed[0]["title"][:40] in shown and "entity mentions" in shown

    # Every query with a hit printed (it crashed with a MarkupError), its hits counted.
    for query in ("fire", "Modderkloof", "tunnel", '"battery plant"', "Shira*", "Vantorra"):
        found = json.loads(ok(run("search", query, "--db", db, "--json")))
        plain = ok(run("search", query, "--db", db))
        assert found and plain.rstrip().endswith(f"{len(found)} hit{'s' if len(found) != 1 else ''}"), plain
        for hit in found:
            assert hit["article_id"] in plain
    assert ok(run("search", "zzzzqqq", "--db", db)).rstrip().endswith("0 hits")

    table = ok(run("stories", "--db", db))
    assert table.rstrip().endswith(f"{len(stories)} stories")
    for s in stories:
        assert s["id"] in table
    for s in stories:
        dossier = ok(run("story", s["id"], "--db", db))
        assert dossier.startswith(f"# {s['title']}") and "## Brief" in dossier and "## Sources" in dossier

    timeline = ok(run("timeline", "--query", "fire", "--db", db))
    assert re.search(r"^2024-\d\d-\d\d$", timeline, re.M) and "(" in timeline

    markdown = ok(run("export", "--format", "markdown", "--db", db))
    assert markdown.count("\n# ") + markdown.startswith("# ") == len(stories)
    assert len(json.loads(ok(run("export", "--db", db)))["stories"]) == len(stories)


def test_plain_output_of_the_writing_commands(samples_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.db"
    shutil.copy(samples_db, db)
    again = run("ingest", str(ROOT / "samples" / "news_items.jsonl"), "--db", str(db))
    assert again.returncode == 0 and "unchanged" in again.stderr and "Traceback" not in again.stderr
    rebuilt = run("recluster", "--db", str(db))
    assert rebuilt.returncode == 0 and re.search(r"28 articles in \d+ stories", rebuilt.stderr), rebuilt.stderr
    tagged = ok(run("timex", "-", "--dct", "2024-02-19", stdin=b"On Monday, 19 February 2024, at 6 a.m."))
    assert "2024-02-19" in tagged


def test_search_prints_brackets_and_markup_of_the_text_as_they_are(tmp_path: Path) -> None:
    db = str(tmp_path / "m.db")
    doc = {"title": "Crane [bold]repairs[/bold] at dock [1]", "url": "https://news.example/crane",
           "text": "The harbour crane [/yellow] was repaired [sic] on Monday, the authority said. "
                   "The crane had been idle for [red]nine[/red] days."}
    assert run("ingest", "-", "--db", db, "--no-enrich", stdin=json.dumps(doc).encode()).returncode == 0
    plain = ok(run("search", "crane", "--db", db))
    assert "Crane [bold]repairs[/bold] at dock [1]" in plain
    assert "[/yellow]" in plain and "[sic]" in plain and "1 hit" in plain
    shown = ok(run("show", json.loads(ok(run("articles", "--db", db, "--json")))[0]["id"], "--db", db))
    assert shown.startswith("Crane [bold]repairs[/bold] at dock [1]")


def test_titles_with_newlines_stay_on_one_table_row(tmp_path: Path) -> None:
    db = str(tmp_path / "n.db")
    docs = [{"title": f"Line one of {i}\nline two\r\nline\tthree", "url": f"https://news.example/{i}",
             "source": "Harbour\nTimes", "text": f"The harbour crane {i} was repaired on Monday after nine days."}
            for i in range(3)]
    data = "\n".join(json.dumps(d) for d in docs).encode()
    assert run("ingest", "-", "--db", db, "--no-enrich", stdin=data).returncode == 0
    with open_store(db) as store:
        assert any("\n" in (a.article.title or "") for a in store.iter_articles())  # stored as given
    table = ok(run("articles", "--db", db)).splitlines()
    assert len(table) == 1 + 3 + 1  # header, one row per article, the count
    assert all("Line one of" in row and "Harbour Times" in row for row in table[1:4])
    stories = ok(run("stories", "--db", db)).splitlines()
    assert stories[-1].endswith("stories") or stories[-1].endswith("story")
    assert all("line two" not in row or "Line one" in row for row in stories)


def test_read_commands_on_a_missing_database_create_nothing(tmp_path: Path) -> None:
    typo = tmp_path / "typo.db"
    for args in (["articles"], ["stories"], ["search", "fire"], ["show", "abc"], ["story", "s1"],
                 ["timeline", "--query", "fire"], ["export"], ["recluster"], ["enrich"]):
        proc = run(*args, "--db", str(typo))
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert f"no such database: {typo}" in proc.stderr, (args, proc.stderr)
        assert not typo.exists() and not list(tmp_path.iterdir()), args
    url = run("articles", "--db", f"sqlite:///{typo}")
    assert url.returncode == 2 and "no such database" in url.stderr and not typo.exists()
    # ingest creates the database it is given
    text = tmp_path / "in.txt"
    text.write_text("The harbour crane was repaired on Monday after nine days, the authority said.", "utf-8")
    assert run("ingest", str(text), "--db", str(typo), "--no-enrich").returncode == 0 and typo.exists()
    assert ok(run("articles", "--db", str(typo))).rstrip().endswith("1 article")


def test_or_and_near_in_a_search_say_they_are_not_supported(samples_db: Path) -> None:
    db = str(samples_db)
    for query, word in (("fire OR blaze", "OR"), ("NEAR(fire blaze)", "NEAR"), ("fire NOT tunnel", "NOT")):
        proc = run("search", query, "--db", db)
        assert proc.returncode == 2, (query, proc.stdout)
        assert f"{word} is not supported" in proc.stderr and "Traceback" not in proc.stderr
    both = json.loads(ok(run("search", "fire AND battery", "--db", db, "--json")))
    assert {h["article_id"] for h in both} == {
        h["article_id"] for h in json.loads(ok(run("search", "fire battery", "--db", db, "--json")))}
    assert both
    quoted = run("search", '"OR"', "--db", db)  # a quoted OR is a word
    assert quoted.returncode == 0


def test_timeline_with_no_matching_article_says_so(samples_db: Path) -> None:
    proc = run("timeline", "--query", "zzzz", "--db", str(samples_db))
    assert proc.returncode == 0
    assert proc.stdout == "" and "no matching articles for 'zzzz'" in proc.stderr
    as_json = json.loads(ok(run("timeline", "--query", "zzzz", "--db", str(samples_db), "--json")))
    assert as_json["articles"] == 0 and as_json["timeline"] == []


def test_readme_says_how_to_run_storyline_after_make_demo() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    setup = readme[readme.index("## Set-up"):readme.index("## Command line")]
    assert ".venv/bin/storyline" in setup and ". .venv/bin/activate" in setup
    assert "foreground" in setup and "Ctrl-C" in setup
    makefile = (ROOT / "Makefile").read_text("utf-8")
    demo = makefile[makefile.index("\ndemo:"):].split("\n\n")[0].strip().splitlines()
    assert "storyline serve" in demo[-1]  # what the README says: the demo ends serving
    assert "no such database" in readme and "OR" in readme and "no matching articles" in readme
