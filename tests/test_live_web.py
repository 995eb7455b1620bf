# ruff: noqa: F811  (pytest fixtures imported from test_api_fixtures are redefined as arguments)
"""Issue 16 on the server: CSV exports, Atom feeds, the feeds/watches/alerts/curation API, and the
Feeds, Alerts and Decisions pages with their forms (loopback only, same origin)."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from feedserver import Route, feed_server
from storyline.cli import app as cli_app
from storyline.consolidate.stored import current_story, raise_alerts
from storyline.serve import create_app
from storyline.store import open_store
from test_api_fixtures import Served, serve_corpus, served  # noqa: F401

SAME_ORIGIN = {"Origin": "http://testserver"}


def _export(db: Path, *args: str) -> list[dict[str, str]]:
    result = CliRunner().invoke(cli_app, ["export", "--db", str(db), "--format", "csv", *args])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_csv_exports_of_stories_and_facts(served: Served) -> None:
    stories = _export(served.db)
    listed = {s["id"]: s for s in served.get("/api/v1/stories?limit=200").json()["stories"]}
    assert {r["id"] for r in stories} == set(listed)
    bridge = next(r for r in stories if "Velmora" in r["title"] or "Velmora" in listed[r["id"]]["title"])
    summary = listed[bridge["id"]]
    # Counts as storyline.counts defines them (the near-copy from the wire is not a report).
    assert int(bridge["size"]) == summary["size"] and int(bridge["outlets"]) == len(summary["sources"])
    assert bridge["first_date"] == summary["first_date"] and "en" in bridge["languages"].split()
    story = served.get(f"/api/v1/stories/{bridge['id']}").json()
    assert int(bridge["conflicts"]) == sum(f["status"] == "conflicting" for f in story["facts"])

    facts = _export(served.db, "--facts", "--story", bridge["id"])
    assert list(facts[0]) == ["story", "subject", "attribute", "status", "value", "unit", "qualifier", "outlet",
                              "article", "offsets"]
    expected = sum(len(v["articles"]) for f in story["facts"] for v in f["values"])
    assert len(facts) == expected > 0
    texts = {a["id"]: a["text"] for a in story["articles"]}
    for row in facts:
        assert row["story"] == bridge["id"] and row["article"] in texts
        for span in filter(None, row["offsets"].split(";")):
            start, end = (int(x) for x in span.split("-"))
            assert 0 <= start < end <= len(texts[row["article"]])
    bad = CliRunner().invoke(cli_app, ["export", "--db", str(served.db), "--facts"])
    assert bad.exit_code == 2


def test_story_atom_feed(served: Served) -> None:
    sid = served.story_ids[0]
    story = served.get(f"/api/v1/stories/{sid}").json()
    r = served.get(f"/stories/{sid}.atom")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(r.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10" and parsed.feed.title == story["title"]
    reports = [a for a in story["articles"] if not a["duplicate_of"]]
    assert len(parsed.entries) == len(reports)
    dates = [e.updated for e in parsed.entries]
    assert dates == sorted(dates, reverse=True)  # newest first
    assert served.get("/stories/nosuch.atom").status_code == 404
    assert f'href="/stories/{sid}.atom"' in served.get(f"/stories/{sid}").text


def test_feeds_and_watches_api(served: Served) -> None:
    c = served.client
    assert c.get("/api/v1/feeds").json() == []
    r = c.post("/api/v1/feeds", json={"url": "https://news.example/rss", "every": "30m"})
    assert r.status_code == 201 and r.json()["every_seconds"] == 1800 and r.json()["status"] == "new"
    fid = r.json()["id"]
    assert [f["id"] for f in c.get("/api/v1/feeds").json()] == [fid]
    bad = c.post("/api/v1/feeds", json={"url": "https://news.example/rss", "every": "soon"})
    assert bad.status_code == 400 and bad.json() == {"error": {"status": 400, "message": bad.json()["error"]["message"]}}
    assert c.post("/api/v1/feeds", json={"url": "ftp://x.example/a"}).status_code == 422
    assert c.delete(f"/api/v1/feeds/{fid}").json()["id"] == fid
    assert c.delete(f"/api/v1/feeds/{fid}").status_code == 404

    w = c.post("/api/v1/watches", json={"kind": "query", "value": "Velmora bridge",
                                        "webhook": "https://hooks.example/x"})
    assert w.status_code == 201 and len(w.json()["secret"]) == 32
    wid = w.json()["id"]
    listed = c.get("/api/v1/watches").json()
    assert [x["id"] for x in listed] == [wid] and listed[0]["secret"] is None
    assert c.post("/api/v1/watches", json={"kind": "planet", "value": "x"}).status_code == 422

    # Alerts: raised when a story is consolidated; listed by the API, the page and the Atom feed.
    with open_store(str(served.db)) as store:
        bridge = next(s.id for s in store.list_stories() if "Velmora" in (s.title or ""))
        assert raise_alerts(store, current_story(store, bridge).story, "2024-03-05T10:00:00.000000Z") >= 1
    alerts = c.get("/api/v1/alerts", params={"watch": wid}).json()
    assert alerts and alerts[0]["story_id"] == bridge and "new-story" in {a["event"] for a in alerts}
    page = served.get("/alerts").text
    assert f'href="/stories/{bridge}"' in page and f'href="/watches/{wid}/alerts.atom"' in page
    atom = served.get(f"/watches/{wid}/alerts.atom")
    assert atom.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(atom.content)
    assert not parsed.bozo and len(parsed.entries) == len(alerts)
    assert parsed.entries[0].link.endswith(f"/stories/{bridge}")
    assert c.delete(f"/api/v1/watches/{wid}").status_code == 200
    assert c.get("/api/v1/alerts", params={"watch": wid}).status_code == 404


def test_openapi_documents_the_live_routes(served: Served) -> None:
    paths = served.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/feeds", "/api/v1/feeds/{feed_id}", "/api/v1/watches", "/api/v1/alerts",
                 "/api/v1/decisions", "/api/v1/curation/move", "/api/v1/curation/merge",
                 "/api/v1/curation/split", "/api/v1/curation/retitle", "/api/v1/curation/undo"):
        assert path in paths, path
    assert "401" in paths["/api/v1/curation/move"]["post"]["responses"]


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Served]:
    yield from serve_corpus(tmp_path)


def _story_of(s: Served, article_id: str) -> str:
    story_id: str = s.get(f"/api/v1/articles/{article_id}").json()["story_id"]
    return story_id


def test_curation_through_the_api_and_the_pages(fresh: Served) -> None:
    c = fresh.client
    article = fresh.ids[1]
    before = _story_of(fresh, article)
    moved = c.post("/api/v1/curation/move", json={"article": article, "story": "new"})
    assert moved.status_code == 201, moved.text
    d = moved.json()
    assert d["who"] == "api" and d["action"] == "move" and d["active"]
    assert _story_of(fresh, article) == d["args"]["story"] != before
    assert c.get("/api/v1/decisions").json()[0]["id"] == d["id"]
    audit = fresh.get("/decisions").text
    assert d["id"] in audit and "by api" in audit

    # The web forms: refused from another site's page or with no origin at all.
    assert c.post(f"/decisions/{d['id']}/undo", headers={"Origin": "http://evil.example"},
                  follow_redirects=False).status_code == 403
    assert c.post(f"/decisions/{d['id']}/undo", follow_redirects=False).status_code == 403
    assert c.post(f"/decisions/{d['id']}/undo", headers={**SAME_ORIGIN, "Sec-Fetch-Site": "cross-site"},
                  follow_redirects=False).status_code == 403
    undone = c.post(f"/decisions/{d['id']}/undo", headers=SAME_ORIGIN, follow_redirects=False)
    assert undone.status_code == 303 and undone.headers["location"] == "/decisions"
    assert _story_of(fresh, article) == before
    assert "undone" in fresh.get("/decisions").text
    assert c.post("/api/v1/curation/undo", json={"decision": d["id"]}).status_code == 400  # undone already

    # The story page's move menu and merge box post to the same operations.
    page = fresh.get(f"/stories/{before}").text
    assert f'action="/stories/{before}/move"' in page and f'value="{article}"' in page
    assert f'action="/stories/{before}/merge"' in page
    r = c.post(f"/stories/{before}/move", data={"article": article, "to": "new"}, headers=SAME_ORIGIN,
               follow_redirects=False)
    assert r.status_code == 303
    target = r.headers["location"].rsplit("/", 1)[1]
    assert _story_of(fresh, article) == target
    r = c.post(f"/stories/{before}/merge", data={"other": target}, headers=SAME_ORIGIN, follow_redirects=False)
    assert r.status_code == 303 and _story_of(fresh, article) == before
    assert [x["action"] for x in c.get("/api/v1/decisions").json()][:2] == ["merge", "move"]
    assert c.post(f"/stories/{before}/merge", data={"other": before}, headers=SAME_ORIGIN).status_code == 400

    retitled = c.post("/api/v1/curation/retitle", json={"story": before, "title": "The Velmora collapse"})
    assert retitled.status_code == 201 and fresh.get(f"/api/v1/stories/{before}").json()["title"] == \
        "The Velmora collapse"
    assert c.post("/api/v1/curation/move", json={"article": "nosuch", "story": "new"}).status_code == 404
    members = fresh.get(f"/api/v1/stories/{before}").json()["articles"]
    if len(members) > 1:
        split = c.post("/api/v1/curation/split", json={"story": before, "articles": [members[0]["id"]]})
        assert split.status_code == 201 and _story_of(fresh, members[0]["id"]) == split.json()["args"]["story"]
        merged = c.post("/api/v1/curation/merge", json={"story": before, "other": split.json()["args"]["story"]})
        assert merged.status_code == 201 and _story_of(fresh, members[0]["id"]) == before
    assert c.post("/api/v1/curation/split", json={"story": before, "articles": ["nosuch"]}).status_code == 404


def test_token_writes_record_the_token_name(tmp_path: Path) -> None:
    gen = serve_corpus(tmp_path, token="alice:s3cret-token")
    s = next(gen)
    try:
        article = s.ids[0]
        assert s.client.post("/api/v1/curation/move", json={"article": article, "story": "new"}).status_code == 401
        assert s.client.post("/api/v1/feeds", json={"url": "https://a.example/rss"}).status_code == 401
        auth = {"Authorization": "Bearer alice:s3cret-token"}
        r = s.client.post("/api/v1/curation/move", json={"article": article, "story": "new"}, headers=auth)
        assert r.status_code == 201 and r.json()["who"] == "alice"
        # With a token configured, the web forms do not write (a form cannot carry the token).
        assert s.client.post("/feeds", data={"url": "https://a.example/rss"}, headers=SAME_ORIGIN).status_code == 403
    finally:
        gen.close()


FEED = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Daily</title>'
        b"<item><guid>h1</guid><title>Ferry reaches Harbourton</title><link>https://h.example/1</link>"
        b"<description>" + b"Rescue crews reached the stranded ferry near Harbourton on Monday. " * 6 +
        b"</description></item></channel></rss>")


def test_feeds_page_forms_and_serve_watch(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    with feed_server() as srv:
        srv.routes["/rss"] = Route(FEED)
        app = create_app(str(db), watch=True, watch_every=0.2)
        with TestClient(app, raise_server_exceptions=False) as c:
            r = c.post("/feeds", data={"url": srv.url("/rss"), "every": "15m"}, headers=SAME_ORIGIN,
                       follow_redirects=False)
            assert r.status_code == 303
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:  # the poller beside the server polls the new feed
                feeds = c.get("/api/v1/feeds").json()
                if feeds and feeds[0]["status"] != "new":
                    break
                time.sleep(0.2)
            assert feeds[0]["status"] == "ok" and feeds[0]["articles"] == 1, feeds
            page = c.get("/feeds").text
            assert srv.url("/rss") in page and "Harbour Daily" in page and '<td class="articles">1</td>' in page
            assert c.post("/feeds", data={"url": "nope"}, headers=SAME_ORIGIN).status_code == 400
            fid = feeds[0]["id"]
            assert c.post(f"/feeds/{fid}/remove", headers=SAME_ORIGIN, follow_redirects=False).status_code == 303
            assert c.get("/api/v1/feeds").json() == []
        assert not app.state.poller.thread.is_alive()  # stopped at shutdown
