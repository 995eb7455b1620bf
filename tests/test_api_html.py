"""POST /api/v1/articles with HTML: read through the same HTML reader and cleaner as files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from storyline.serve import create_app
from storyline.serve.api import looks_like_html

ROOT = Path(__file__).resolve().parents[1]

FRAGMENT = (
    '<p>The Velmora bridge collapsed on Monday, killing 12 people, officials in Castrelo said.</p>'
    '<div class="share">Share on Facebook | Share on X | Email this article</div>'
    "<p>Transport minister <b>Ana Ribeiro</b> said an inquiry would report within 30 days.</p>"
    "<script>var tracker = 'Velmora';</script>"
)
PAGE = (
    '<!doctype html><html lang="en"><head><title>Harbourton quarry to close | Harbourton Post</title>'
    '<meta property="og:site_name" content="Harbourton Post">'
    '<meta property="article:published_time" content="2024-01-25T10:00:00Z">'
    "<style>p { color: red }</style></head><body>"
    '<nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a></nav>'
    "<article><h1>Harbourton quarry to close</h1>"
    "<p>Harbourton council said on Monday that the quarry near Harbourton will close next year after "
    "forty years of work.</p>"
    "<p>The quarry employed 40 people and produced 2 million tonnes of stone a year, the council said.</p>"
    "</article>"
    '<div class="share">Share this article</div><footer>Copyright 2024 Harbourton Post</footer>'
    "</body></html>"
)
MARKUP = ("<", ">", "share", "class=", "tracker", "color:", "Home |", "Copyright")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app = create_app(str(tmp_path_factory.mktemp("html") / "html.db"))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _post(client: TestClient, body: Any) -> dict[str, Any]:
    r = client.post("/api/v1/articles", json=body)
    assert r.status_code == 201, r.text
    got: dict[str, Any] = client.get(f"/api/v1/articles/{r.json()['articles'][0]['id']}").json()
    return got


def _clean(article: dict[str, Any]) -> None:
    text = article["text"]
    for junk in MARKUP:
        assert junk not in text, (junk, text)
    for m in article["annotations"]["mentions"]:
        assert text[m["start"] : m["end"]] == m["text"]
        assert "<" not in m["text"] and ">" not in m["text"] and "class" not in m["text"], m


def test_html_fragment_in_text_is_stored_cleaned(client: TestClient) -> None:
    got = _post(client, {"text": FRAGMENT, "title": "Velmora bridge collapses", "source": "Castrelo Herald",
                         "published": "2024-03-04", "url": "https://herald.example/velmora"})
    _clean(got)
    assert got["text"].startswith("The Velmora bridge collapsed on Monday")
    assert "Transport minister Ana Ribeiro said an inquiry" in got["text"]
    assert got["title"] == "Velmora bridge collapses" and got["source"] == "Castrelo Herald"
    assert got["published"] == "2024-03-04"
    names = {m["text"] for m in got["annotations"]["mentions"]}
    assert "Ana Ribeiro" in names


def test_whole_page_in_the_html_field_takes_its_metadata_from_the_page(client: TestClient) -> None:
    got = _post(client, {"html": PAGE, "url": "https://post.example/quarry"})
    _clean(got)
    assert got["text"].startswith("Harbourton council said on Monday")
    assert "2 million tonnes" in got["text"]
    assert got["title"].startswith("Harbourton quarry to close")
    assert got["source"] == "Harbourton Post" and got["published"] == "2024-01-25" and got["language"] == "en"
    # the fields given win over the page's
    given = _post(client, {"html": PAGE, "url": "https://post.example/quarry-2", "title": "Quarry closes",
                           "source": "Harbour Wire", "published": "2024-01-26"})
    assert (given["title"], given["source"], given["published"]) == ("Quarry closes", "Harbour Wire", "2024-01-26")


def test_whole_page_in_text_is_read_like_an_html_file(client: TestClient) -> None:
    got = _post(client, {"text": PAGE, "url": "https://post.example/quarry-3"})
    _clean(got)
    assert got["source"] == "Harbourton Post"


def test_a_sample_html_file_posted_is_stored_as_the_file_is(client: TestClient, tmp_path: Path) -> None:
    from storyline.pipeline import ingest_paths
    from storyline.store import open_store

    sample = ROOT / "samples" / "highveldmercury_modderkloof-fire-death-toll-rises.html"
    with open_store(str(tmp_path / "file.db")) as store:
        ingest_paths(store, [str(sample)])
        from_file = next(store.iter_articles()).article
    posted = _post(client, {"html": sample.read_text("utf-8")})
    assert posted["text"] == from_file.text
    assert posted["title"] == from_file.title and posted["published"] == from_file.published
    _clean(posted)


def test_plain_text_stays_text_and_format_text_keeps_markup(client: TestClient) -> None:
    plain = "If a < b and c > d, the harbour authority said on Monday, the crane would be repaired."
    assert _post(client, {"text": plain})["text"] == plain
    kept = _post(client, {"text": "The page said <b>closed</b> on Monday, the harbour authority said.",
                          "format": "text"})
    assert "<b>closed</b>" in kept["text"]


def test_text_or_html_one_of_them(client: TestClient) -> None:
    for body in ({}, {"text": "x", "html": "<p>x</p>"}, {"html": "   "}):
        r = client.post("/api/v1/articles", json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["error"]["status"] == 422
    empty = client.post("/api/v1/articles", json={"html": "<div><script>x()</script></div>"})
    assert empty.status_code == 422 and "no text" in empty.json()["error"]["message"]


def test_the_schema_documents_the_html_field(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]["ArticleIn"]
    assert "html" in schema["properties"] and "format" in schema["properties"]
    assert "HTML" in schema["properties"]["text"]["description"]
    assert "text" not in schema.get("required", [])


@pytest.mark.parametrize("text,expected", [
    ("<p>One.</p>", True), ("a <div class='x'>b</div>", True), ("line<br>next", True),
    ("<!DOCTYPE html><html><body>x</body></html>", True),
    ("a < b and c > d", False), ("the <tag> word", False), ("Plain text.", False), ("3 <5 and 7> 2", False),
])
def test_looks_like_html(text: str, expected: bool) -> None:
    assert looks_like_html(text) is expected
