"""One definition of report, outlet and mention count (storyline.counts), the same in the CLI, the API,
the pages and the dossier, on the sample corpus; unnamed outlets shown by name, never by article id."""

from __future__ import annotations

import html as htmllib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from storyline.counts import UNNAMED_OUTLET, Member, count, mention_count, outlet_label, plural, report_ids
from storyline.dossier import story_json, story_markdown
from storyline.pipeline import ingest_paths
from storyline.serve import create_app
from storyline.store import open_store

ROOT = Path(__file__).resolve().parents[1]
HTML = {"accept": "text/html"}


@dataclass
class Samples:
    db: Path
    client: TestClient
    article_ids: list[str]


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Samples]:
    db = tmp_path_factory.mktemp("counts") / "samples.db"
    with open_store(str(db)) as store:
        ingest_paths(store, [str(ROOT / "samples")])
        ids = [a.id for a in store.iter_articles()]
    with TestClient(create_app(str(db)), raise_server_exceptions=False) as client:
        yield Samples(db, client, ids)


def _text(page: str) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", page))


def test_story_counts_agree_in_cli_api_pages_and_dossier(samples: Samples) -> None:
    proc = subprocess.run([sys.executable, "-m", "storyline.cli", "stories", "--db", str(samples.db), "--json"],
                          capture_output=True, timeout=300)
    cli = {s["id"]: s for s in json.loads(proc.stdout)}
    api = {s["id"]: s for s in samples.client.get("/api/v1/stories", params={"limit": 200}).json()["stories"]}
    assert set(cli) == set(api) and len(cli) >= 5
    front = _text(samples.client.get("/", headers=HTML).text)
    with open_store(str(samples.db)) as store:
        for sid, c in cli.items():
            a = api[sid]
            assert (c["size"], c["articles"], c["outlets"], c["unnamed_outlets"]) == (
                a["size"], a["articles"], a["sources"], a["unnamed_outlets"]), sid
            story = story_json(store, sid)
            counted = count(story["articles"])
            assert (story["size"], story["sources"]) == (c["size"], c["outlets"])
            assert counted.reports == c["size"] and counted.articles == c["articles"]
            line = counted.line()
            page = _text(samples.client.get(f"/stories/{sid}", headers=HTML).text)
            assert " ".join(line.split()) in " ".join(page.split()), (sid, line)
            served = samples.client.get(f"/api/v1/stories/{sid}").json()
            assert (served["size"], served["sources"]) == (c["size"], c["outlets"])
            markdown = story_markdown(story)  # what `storyline story ID` prints (tests/test_cli_plain.py runs it)
            assert markdown.splitlines()[2].startswith(line), (markdown.splitlines()[2], line)
            assert plural(c["size"], "report") in " ".join(front.split())
            # the line reads right: "1 outlet", "2 outlets", never "1 outlets"
            reports, outlets = (int(n) for n in re.findall(r"(\d+) (?:reports?|outlets?)", line)[:2]) \
                if c["outlets"] else (c["size"], 0)
            assert reports == c["size"] and (not c["outlets"] or outlets == len(c["outlets"]))
            assert not re.search(r"\b1 (reports|outlets|near-copies)\b", line + page)
            assert c["size"] <= c["articles"] and len(c["outlets"]) + c["unnamed_outlets"] >= 1


def test_entity_mention_counts_never_exceed_the_reports(samples: Samples) -> None:
    stories = samples.client.get("/api/v1/stories", params={"limit": 200}).json()["stories"]
    seen = 0
    for s in stories:
        story = samples.client.get(f"/api/v1/stories/{s['id']}").json()
        reports = set(report_ids(story["articles"]))
        page = " ".join(_text(samples.client.get(f"/stories/{s['id']}", headers=HTML).text).split())
        for e in story["entities"][:15]:
            n = mention_count(e["articles"], story["articles"])
            assert 1 <= n <= len(reports) or not set(e["articles"]) & reports
            assert f"{e['name']} {e['type']} in {plural(n, 'report')}" in page or n == 0, (e["name"], n)
        for m in re.finditer(r"(\d+) of (\d+) reports? mentions? it", page):
            assert int(m.group(1)) <= int(m.group(2))
        seen += 1
    for e in list(samples.client.app.state.catalog.view(entities=True).entities.values())[:40]:  # type: ignore[attr-defined]
        page = " ".join(_text(samples.client.get(f"/entities/{e.id}", headers=HTML).text).split())
        pairs = [(int(a), int(b)) for a, b in re.findall(r"(\d+) of (\d+) reports? mentions? it", page)]
        assert pairs and all(1 <= a <= b for a, b in pairs), (e.name, pairs)
        total = samples.client.get(f"/api/v1/entities/{e.id}").json()
        assert f"Mentioned in {plural(total['reports'], 'report')}" in page
        assert total["reports"] >= max(a for a, _ in pairs) and total["reports"] <= total["articles"]
    assert seen


def test_briefs_and_pages_never_show_an_article_id_for_an_outlet(samples: Samples) -> None:
    ids = samples.article_ids
    unnamed = 0
    with open_store(str(samples.db)) as store:
        for record in store.list_stories():
            story = story_json(store, record.id)
            unnamed += sum(1 for a in story["articles"] if not a["source"])
            for b in story["brief"]:
                assert not any(i in b["text"] for i in ids), b["text"]
            page = _text(samples.client.get(f"/stories/{record.id}", headers=HTML).text)
            shown = re.sub(r"/articles/\w+", "", page)
            assert not any(i in shown for i in ids), record.id
            if any(not a["source"] for a in story["articles"]):
                assert UNNAMED_OUTLET in page
    assert unnamed  # the samples have plain-text articles that name no outlet


def test_brief_names_an_unnamed_outlet_in_conflicts_and_updates() -> None:
    from storyline.consolidate.brief import _conflict_sentence
    from storyline.consolidate.facts import Fact, FactValue

    sources = {"aaaa1111": outlet_label(None), "bbbb2222": outlet_label("Harbour Times")}
    values = tuple(FactValue(text=t, value=v, unit=None, normalized=None, qualifiers=(), articles=(aid,),
                             sources=(), published=(day,), spans=(), cluster=n)
                   for n, (t, v, aid, day) in enumerate((("12 dead", 12.0, "aaaa1111", "2024-02-19"),
                                                         ("17 dead", 17.0, "bbbb2222", "2024-02-20"))))
    fact = Fact(subject="story", subject_name="the story", attribute="death toll", qualifier=None,
                status="conflicting", values=values, articles=("aaaa1111", "bbbb2222"))
    text = _conflict_sentence(fact, sources).text
    assert "aaaa1111" not in text and "an unnamed outlet" in text and "Harbour Times" in text
    update = Fact(subject="story", subject_name="the story", attribute="death toll", qualifier=None,
                  status="conflicting", values=values, articles=("aaaa1111", "bbbb2222"), note="updated",
                  evolution=(("2024-02-19", "12 dead", "aaaa1111"), ("2024-02-20", "17 dead", "bbbb2222"),
                             ("2024-02-21", "19 dead", "cccc3333")))
    changed = _conflict_sentence(update, sources).text
    assert "changed over time" in changed
    assert "aaaa1111" not in changed and "cccc3333" not in changed
    assert "12 dead (an unnamed outlet, 2024-02-19)" in changed and "19 dead (an unnamed outlet" in changed


def test_counts_of_copies_and_unnamed_outlets() -> None:
    members = [Member("a", None, "Harbour Times"), Member("b", "a", "harbour times "), Member("c", None, None),
               Member("d", "zz", "Wire"), Member("e", None, "  ")]
    c = count(members)
    assert (c.reports, c.articles, c.copies, c.outlets, c.unnamed) == (4, 5, 1, ("Harbour Times", "Wire"), 2)
    assert c.line() == "4 reports (+1 near-copy) from 2 outlets and unnamed outlets"
    assert count([Member("a", None, "X")]).line() == "1 report from 1 outlet"
    assert count([Member("a", None, None)]).line() == "1 report from an unnamed outlet"
    assert mention_count(["a", "b", "c"], members) == 2  # the copy b counts as its original a
    assert [plural(n, "story") for n in (0, 1, 2)] == ["0 stories", "1 story", "2 stories"]
    assert plural(2, "near-copy", "near-copies") == "2 near-copies" and plural(1, "day") == "1 day"
    assert plural(3, "day") == "3 days"


@given(st.lists(st.tuples(st.sampled_from("abcdef"), st.sampled_from(["", "a", "b", "x"]),
                          st.sampled_from([None, "", "Wire", "wire", "Times", " Times "])), max_size=8))
def test_count_invariants(rows: list[tuple[str, str, str | None]]) -> None:
    members = list({r[0]: Member(r[0], r[1] or None, r[2]) for r in rows}.values())
    c = count(members)
    assert c.reports + c.copies == c.articles == len(members)
    assert c.reports == len(report_ids(members)) and c.reports >= (1 if members else 0)
    assert len({o.casefold() for o in c.outlets}) == len(c.outlets)
    assert all(o == o.strip() and o for o in c.outlets)
    assert c.unnamed == sum(1 for m in members if not (m.source or "").strip())
    assert mention_count([m.id for m in members], members) == c.reports


def test_story_summary_json_documents_the_definitions(samples: Samples) -> None:
    schema: dict[str, Any] = samples.client.get("/openapi.json").json()["components"]["schemas"]
    props = schema["StorySummaryOut"]["properties"]
    assert "near-copy" in props["size"]["description"] and "unnamed_outlets" in props
