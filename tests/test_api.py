# ruff: noqa: F811  (pytest fixtures imported from test_api_fixtures are redefined as arguments)
"""The HTTP API: shapes, filters, ingestion, the one error shape, limits, the token."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from fastapi.testclient import TestClient

from storyline.serve import create_app
from test_api_fixtures import CORPUS, Served, served  # noqa: F401

CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "contracts" / "export.schema.json"


def assert_error(r, status: int) -> None:  # type: ignore[no-untyped-def]
    """The one error shape, for every error."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "message"}
    assert body["error"]["status"] == status
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


def test_error_shape_is_pinned(served: Served) -> None:
    assert_error(served.get("/api/v1/stories/nope"), 404)
    assert_error(served.get("/api/v1/articles/nope"), 404)
    assert_error(served.get("/api/v1/entities/nope"), 404)
    assert_error(served.get("/api/v1/nothing-here"), 404)
    assert_error(served.get("/api/v1/search", params={"q": '"unbalanced'}), 400)
    assert_error(served.get("/api/v1/search", params={"q": "!!!"}), 400)
    assert_error(served.get("/api/v1/stories", params={"limit": 201}), 422)
    assert_error(served.get("/api/v1/stories", params={"from": "yesterday"}), 400)
    assert_error(served.client.post("/api/v1/articles", json={"title": "no text"}), 422)
    assert_error(served.client.post("/api/v1/articles", content=b"{not json",
                                     headers={"content-type": "application/json"}), 422)
    assert_error(served.client.post("/api/v1/articles", json={"text": "x", "published": "soon"}), 422)
    big = json.dumps({"text": "a" * (5 * 1024 * 1024 + 10)})
    assert_error(served.client.post("/api/v1/articles", content=big,
                                    headers={"content-type": "application/json"}), 413)
    assert_error(served.client.delete("/api/v1/stories"), 405)


def test_500_has_the_same_shape(tmp_path: Path) -> None:
    app = create_app(str(tmp_path / "x.db"))

    def boom() -> None:
        raise RuntimeError("secret detail")

    app.add_api_route("/api/v1/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/api/v1/boom")
        assert_error(r, 500)
        assert "secret" not in r.text


def test_story_matches_the_export_contract(served: Served) -> None:
    schema = json.loads(CONTRACT.read_text()) if CONTRACT.exists() else None
    for sid in served.story_ids:
        r = served.get(f"/api/v1/stories/{sid}")
        assert r.status_code == 200
        story = r.json()
        for key in ("id", "title", "articles", "entities", "timeline", "facts", "brief"):
            assert key in story
        if schema is not None:
            jsonschema.validate(story, {"$ref": "#/$defs/story", "$defs": schema["$defs"]})
        assert served.get(f"/api/v1/stories/{sid}/timeline").json()["timeline"] == story["timeline"]
        assert served.get(f"/api/v1/stories/{sid}/facts").json()["facts"] == story["facts"]


def test_stories_list_filters_sort_paging(served: Served) -> None:
    all_ = served.get("/api/v1/stories").json()
    # the French report of the Velmora collapse joins the English reports' story (cross-language joining)
    assert all_["total"] == len(served.story_ids) == 3
    lasts = [s["last_update"] or "" for s in all_["stories"]]
    assert lasts == sorted(lasts, reverse=True)
    by_size = served.get("/api/v1/stories", params={"sort": "size"}).json()["stories"]
    assert by_size[0]["size"] == max(s["size"] for s in by_size)
    page = served.get("/api/v1/stories", params={"limit": 2, "offset": 1}).json()
    assert [s["id"] for s in page["stories"]] == [s["id"] for s in all_["stories"][1:3]]
    fr = served.get("/api/v1/stories", params={"language": "fr"}).json()["stories"]
    assert [sorted(s["languages"]) for s in fr] == [["en", "fr"]] and "Velmora" in fr[0]["title"]
    herald = served.get("/api/v1/stories", params={"outlet": "castrelo herald"}).json()["stories"]
    assert len(herald) == 2 and all("Castrelo Herald" in s["sources"] for s in herald)
    may = served.get("/api/v1/stories", params={"from": "2024-01-19", "to": "2024-01-21"}).json()["stories"]
    assert [s["title"] for s in may] == [CORPUS[4]["title"]]
    q = served.get("/api/v1/stories", params={"q": "orchard"}).json()["stories"]
    assert [s["title"] for s in q] == [CORPUS[4]["title"]]
    ribeiro = served.get("/api/v1/stories", params={"entity": "Ana Ribeiro"}).json()["stories"]
    assert ribeiro and all("Velmora" in s["title"] or "Velmora" in s["title"] for s in ribeiro)
    assert served.get("/api/v1/stories", params={"entity": "Nobody Atall"}).json()["total"] == 0
    spark = next(s for s in all_["stories"] if s["articles"] == 4)  # the Velmora story, French report included
    assert sum(n for _, n in spark["per_day"]) == 4


def test_article_annotations_point_into_the_text(served: Served) -> None:
    a = served.get(f"/api/v1/articles/{served.ids[0]}").json()
    assert a["text"].startswith("The Velmora bridge")
    ann = a["annotations"]
    assert ann["mentions"] and ann["timexes"] and ann["quantities"]
    for kind in ("mentions", "timexes", "quantities"):
        for m in ann[kind]:
            assert a["text"][m["start"]:m["end"]] == m["text"]
    linked = [m for m in ann["mentions"] if m["entity_id"]]
    assert linked
    e = served.get(f"/api/v1/entities/{linked[0]['entity_id']}").json()
    assert e["id"] == linked[0]["entity_id"] and e["name"] and linked[0]["text"] in e["aliases"]
    assert a["story_id"] in [s["id"] for s in e["stories"]]
    # A unique id prefix works too.
    assert served.get(f"/api/v1/articles/{served.ids[0][:8]}").json()["id"] == served.ids[0]


def test_search_returns_articles_and_stories(served: Served) -> None:
    r = served.get("/api/v1/search", params={"q": "Velmora bridge"}).json()
    assert r["articles"] and r["stories"]
    assert {a["story_id"] for a in r["articles"]} >= {s["id"] for s in r["stories"]}
    assert served.get("/api/v1/search", params={"q": "zzzzqqq"}).json()["articles"] == []


def test_post_one_article_joins_its_story(served: Served) -> None:
    story = served.get("/api/v1/stories", params={"q": "Velmora", "sort": "size"}).json()["stories"][0]
    r = served.client.post("/api/v1/articles", json={
        "title": "Velmora bridge inquiry begins as death toll reaches 15", "source": "Castrelo Herald",
        "published": "2024-03-06T09:30:00+01:00", "language": "en",
        "url": "https://herald.example/velmora-inquiry",
        "text": "The death toll from the collapse of the Velmora bridge in Castrelo reached 15 on Wednesday, "
                "officials said. The 340-metre bridge over the river Duran collapsed on Monday, 4 March 2024. "
                "Transport minister Ana Ribeiro said an inquiry into the Velmora bridge collapse would report "
                "within 30 days. Rescue teams searched the river Duran for survivors.",
    })
    assert r.status_code == 201, r.text
    body = r.json()
    assert len(body["articles"]) == 1 and body["story_ids"] == [story["id"]]
    new_id = body["articles"][0]["id"]
    full = served.get(f"/api/v1/stories/{story['id']}").json()
    assert new_id in [a["id"] for a in full["articles"]]
    listed = served.get("/api/v1/stories", params={"q": "Velmora", "sort": "size"}).json()["stories"][0]
    assert listed["articles"] == story["articles"] + 1
    art = served.get(f"/api/v1/articles/{new_id}").json()
    assert art["published"] == "2024-03-06" and art["published_time"] == "09:30+01:00"


def test_security_headers(served: Served) -> None:
    r = served.get("/api/v1/stories")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"


@pytest.fixture(scope="module")
def public_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app = create_app(str(tmp_path_factory.mktemp("pub") / "p.db"), token="s3cret-token", public=True)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_token_guards_writes(public_app: TestClient, tmp_path: Path) -> None:
    doc = {"text": "The Osterby ferry resumed service on Friday after repairs, operators said.", "language": "en",
           "title": "Osterby ferry back", "source": "Test"}
    assert_error(public_app.post("/api/v1/articles", json=doc), 401)
    assert_error(public_app.post("/api/v1/articles", json=doc, headers={"Authorization": "Bearer wrong"}), 401)
    assert_error(public_app.post("/api/v1/articles", json=doc, headers={"Authorization": "Basic s3cret-token"}),
                 401)
    r = public_app.post("/api/v1/articles", json=doc, headers={"Authorization": "Bearer s3cret-token"})
    assert r.status_code == 201, r.text
    assert public_app.get("/api/v1/stories").status_code == 200  # reads stay open
    # Beyond localhost with no token configured: writes are refused.
    app = create_app(str(tmp_path / "n.db"), token=None, public=True)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert_error(client.post("/api/v1/articles", json=doc), 403)


def test_openapi_is_served(served: Served) -> None:
    spec = served.get("/openapi.json").json()
    paths = spec["paths"]
    for p in ("/api/v1/stories", "/api/v1/stories/{story_id}", "/api/v1/stories/{story_id}/timeline",
              "/api/v1/stories/{story_id}/facts", "/api/v1/articles/{article_id}", "/api/v1/entities/{entity_ref}",
              "/api/v1/search", "/api/v1/articles"):
        assert p in paths
    assert not any(not p.startswith("/api/v1/") for p in paths)
