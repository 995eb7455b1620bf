
"""Security: hostile articles through every page and the API, write guards (token, loopback, size,
rate), injection-proof search, and readers that never resolve external entities, never fetch and
never inflate past their cap. docs/security.md maps the threat model to these tests."""

from __future__ import annotations

import gzip
import hmac
import html as htmllib
import io
import json
import socket
import sqlite3
import tracemalloc
import zlib
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storyline.clean import clean_article
from storyline.model import Article, Rejection
from storyline.read import read_bytes, read_paths
from storyline.serve import api as api_module
from storyline.serve import create_app
from storyline.serve.ratelimit import TokenBucketLimiter, limiter_from_settings
from test_api_fixtures import Served, serve_corpus
from test_web import audit

HTML = {"accept": "text/html"}

# -- hostile articles through every page and the API ---------------------------------------------

TEMPLATE = "{{ 7*7 }} {% raw %} ${7*7} #{7*7}"
HOSTILE: list[dict[str, Any]] = [
    {"title": "</title><script src=//evil.example/x.js></script> Mine at Harbourton <svg onload=alert(1)>",
     "source": "<iframe src=javascript:alert(1)>", "url": "javascript:alert(document.cookie)",
     "published": "2024-02-10", "language": "en",
     "text": "The Harbourton mine reopened on Monday, owner Castrelo Mining said. </textarea></div><script>"
             "alert(1)</script> Workers of the Harbourton mine returned after 12 days. "
             f"The slogan {TEMPLATE} was painted on the Harbourton mine gate. "
             "<a href=\"javascript:alert(2)\" style=\"x\">click</a> \u202egnp.exe\u202c "
             "Castrelo Mining said production would reach 4,000 tonnes a month."},
    {"title": "Harbourton mine reopens <b onmouseover=alert(3)>", "source": "Evil ' onfocus='alert(4)",
     "url": "data:text/html,<script>alert(5)</script>", "published": "2024-02-11", "language": "en",
     "text": "The Harbourton mine reopened this week, Castrelo Mining said on Tuesday. Miners at the "
             "Harbourton mine said 40 workers <img src=x onerror=alert(6)> had returned. "
             "A spokesperson for Castrelo Mining said output would reach 4,000 tonnes a month."},
]
_SAFE_SCHEMES = ("/", "#", "?", "http://", "https://")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, list[str]]]:
    for served in serve_corpus(tmp_path_factory.mktemp("hostile")):
        # "format": "text": the markup stays in the stored text, so every page must escape it (by default
        # markup in `text` is read as HTML and dropped at ingest: tests/test_api_html.py).
        r = served.client.post("/api/v1/articles", json=[{**doc, "format": "text"} for doc in HOSTILE])
        assert r.status_code == 201, r.text
        yield served, [a["id"] for a in r.json()["articles"]]


def _page(served: Served, url: str, status: int = 200) -> str:
    r = served.get(url, headers=HTML)
    assert r.status_code == status, (url, r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY"
    return r.text


class _Live(HTMLParser):
    """What could run or load from elsewhere: scripts not from /static/, frames, objects, forms posting
    elsewhere, links with a scheme other than http(s), any on* attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script" and not (a.get("src") or "").startswith("/static/"):
            self.found.append(f"script {attrs}")
        if tag in ("iframe", "object", "embed", "frame", "base", "img"):
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}")
            linked = name in ("href", "src", "action", "formaction", "xlink:href") and value is not None
            if linked and not (value or "").strip().lower().startswith(_SAFE_SCHEMES):
                self.found.append(f"{tag} {name}={value!r}")


def _no_live_markup(html: str) -> None:
    parser = _Live()
    parser.feed(html)
    assert not parser.found, parser.found
    lowered = html.lower()
    for needle in ("<script>alert", "<script src=//evil", "<svg onload", "<img src=x", "<b onmouseover"):
        assert needle not in lowered, needle


def test_hostile_articles_on_every_page(hostile: tuple[Served, list[str]]) -> None:
    served, ids = hostile
    art = served.get(f"/api/v1/articles/{ids[0]}").json()
    story_id = art["story_id"]
    eid = next((m["entity_id"] for m in art["annotations"]["mentions"] if m["entity_id"]), None)
    urls = ["/", "/?sort=size", "/?q=Harbourton", f"/?outlet={HOSTILE[0]['source']}", f"/stories/{story_id}",
            f"/articles/{ids[0]}", f"/articles/{ids[0]}?hl=0-400", f"/articles/{ids[1]}", "/search?q=Harbourton",
            "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E"]
    if eid:
        urls.append(f"/entities/{eid}")
    for url in urls:
        html = _page(served, url)
        audit(html)  # no inline script, no on* or style attribute, no <img>
        _no_live_markup(html)
    article_html = _page(served, f"/articles/{ids[0]}")
    # The hostile strings are there, as text.
    assert "&lt;/textarea&gt;&lt;/div&gt;&lt;script&gt;" in article_html
    assert "{{ 7*7 }}" in htmllib.unescape(article_html)  # shown as typed, never evaluated
    # javascript: and data: URLs are shown, never linked.
    for i in ids:
        page_html = _page(served, f"/articles/{i}")
        assert 'href="javascript:' not in page_html and 'href="data:' not in page_html


def test_hostile_input_reflected_in_errors_is_escaped(hostile: tuple[Served, list[str]]) -> None:
    served, _ = hostile
    evil = "%3Csvg%20onload%3Dalert(1)%3E"  # no "/" in it: it must reach the routes
    for url, status in ((f"/articles/{evil}", 404), (f"/stories/{evil}", 404), (f"/entities/{evil}", 404),
                        ("/search?q=%22%3Cscript%3E", 400), (f"/?q=%22{evil}", 400), (f"/nothing/{evil}", 404)):
        html = _page(served, url, status)
        _no_live_markup(html)
    # The JSON errors carry the input as data, under the JSON content type (never sniffed as HTML).
    r = served.get(f"/api/v1/articles/{evil}")
    assert r.status_code == 404 and r.headers["content-type"] == "application/json"
    assert r.json()["error"]["message"] == "no article with id '<svg onload=alert(1)>'"


def test_hostile_articles_in_the_api_json_are_exact(hostile: tuple[Served, list[str]]) -> None:
    served, ids = hostile
    for doc, aid in zip(HOSTILE, ids, strict=True):
        r = served.get(f"/api/v1/articles/{aid}")
        assert r.headers["content-type"] == "application/json"
        got = r.json()
        # Data, not markup: the API returns the strings as given (the client escapes), unmangled.
        assert got["title"] == doc["title"] and got["source"] == doc["source"] and got["url"] == doc["url"]
        assert "<script>" in got["text"] or "<img" in got["text"]
    story = served.get(f"/api/v1/articles/{ids[0]}").json()["story_id"]
    for url in (f"/api/v1/stories/{story}", "/api/v1/stories", f"/api/v1/stories/{story}/timeline",
                f"/api/v1/stories/{story}/facts", "/api/v1/search?q=Harbourton"):
        r = served.get(url)
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        assert r.headers["x-content-type-options"] == "nosniff"
        json.loads(r.text)  # well-formed whatever the strings held


# -- write guards: token, loopback, constant time ------------------------------------------------

DOC = {"text": "The Osterby ferry resumed service on Friday after repairs, operators said.", "language": "en",
       "title": "Osterby ferry back", "source": "Test"}


def test_loopback_without_token_allows_writes(tmp_path: Path) -> None:
    with TestClient(create_app(str(tmp_path / "l.db"), token=None, public=False)) as client:
        assert client.post("/api/v1/articles", json=DOC).status_code == 201


def test_a_configured_token_is_needed_on_loopback_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYLINE_TOKEN", "env-token")
    with TestClient(create_app(str(tmp_path / "t.db")), raise_server_exceptions=False) as client:
        r = client.post("/api/v1/articles", json=DOC)
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        assert r.json() == {"error": {"status": 401, "message": "missing or wrong bearer token"}}
        for header in ("Bearer env-token-", "Bearer env-toke", "bearer  ", "Bearer \u00e9", "Token env-token"):
            assert client.post("/api/v1/articles", json=DOC,
                               headers={"Authorization": header.encode("utf-8")}).status_code == 401
        ok = client.post("/api/v1/articles", json=DOC, headers={"Authorization": "Bearer env-token"})
        assert ok.status_code == 201


@pytest.mark.parametrize(("host", "public"), [("127.0.0.1", False), ("::1", False), ("localhost", False),
                                              ("127.0.0.2", False), ("0.0.0.0", True), ("::", True),
                                              ("192.0.2.10", True), ("example.org", True)])
def test_serve_requires_the_token_beyond_loopback(host: str, public: bool, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from storyline.serve import serve

    captured: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: captured.update(app=app, **kw))
    monkeypatch.delenv("STORYLINE_TOKEN", raising=False)
    serve(str(tmp_path / "s.db"), host, 8000)
    app = captured["app"]
    assert app.state.public is public and captured["host"] == host
    assert captured["proxy_headers"] is False  # X-Forwarded-For cannot fake a loopback client
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.post("/api/v1/articles", json=DOC).status_code == (403 if public else 201)


def test_token_is_compared_in_constant_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(api_module.hmac, "compare_digest", spy)
    app = create_app(str(tmp_path / "c.db"), token="s3cret", public=True)
    with TestClient(app, raise_server_exceptions=False) as client:
        for header in ("Bearer nope", "Bearer s3cret", "Basic s3cret", "", "Bearer " + "x" * 5000):
            client.post("/api/v1/articles", json=DOC, headers={"Authorization": header} if header else {})
    # Every attempt (wrong scheme and missing header included) went through compare_digest, on digests
    # of one fixed length: neither the content nor the length of the token leaks through timing.
    assert len(calls) == 5
    assert all(len(a) == len(b) == 32 for a, b in calls)


# -- request size and the rate limit -------------------------------------------------------------


def test_streamed_body_over_the_limit_is_413(tmp_path: Path) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(6):
            yield b"a" * (1024 * 1024)
        yield b'"}'

    with TestClient(create_app(str(tmp_path / "b.db")), raise_server_exceptions=False) as client:
        r = client.post("/api/v1/articles", content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413 and r.json()["error"]["status"] == 413
        assert "content-security-policy" in r.headers
        batch = [DOC | {"url": f"https://x.example/{i}"} for i in range(101)]
        r = client.post("/api/v1/articles", json=batch)
        assert r.status_code == 413 and r.json()["error"]["message"] == "at most 100 articles per request"


def test_gzip_request_bodies_are_not_inflated(tmp_path: Path) -> None:
    bomb = gzip.compress(b" " * (50 * 1024 * 1024))
    with TestClient(create_app(str(tmp_path / "g.db")), raise_server_exceptions=False) as client:
        r = client.post("/api/v1/articles", content=bomb,
                        headers={"content-type": "application/json", "content-encoding": "gzip"})
        assert r.status_code in (400, 422) and r.json()["error"]["status"] == r.status_code


def test_writes_are_rate_limited_per_client(tmp_path: Path) -> None:
    app = create_app(str(tmp_path / "r.db"), write_rate=0.01, write_burst=3)
    with TestClient(app, raise_server_exceptions=False) as client:
        codes = [client.post("/api/v1/articles", json=DOC | {"url": f"https://x.example/{i}"}).status_code
                 for i in range(5)]
        assert codes == [201, 201, 201, 429, 429]
        r = client.post("/api/v1/articles", json=DOC)
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert set(r.json()) == {"error"} and r.json()["error"]["status"] == 429
        assert "too many writes" in r.json()["error"]["message"]
        # Invalid writes count too (they cost a parse); reads are never limited.
        assert client.post("/api/v1/articles", json={"nope": 1}).status_code == 429
        assert all(client.get("/api/v1/stories").status_code == 200 for _ in range(20))
    # Off when asked for.
    with TestClient(create_app(str(tmp_path / "o.db"), write_rate=0)) as client:
        assert all(client.post("/api/v1/articles", json=DOC).status_code == 201 for _ in range(5))


def test_rate_limit_runs_before_the_token_check(tmp_path: Path) -> None:
    app = create_app(str(tmp_path / "rt.db"), token="t0ken", public=True, write_rate=0.01, write_burst=2)
    with TestClient(app, raise_server_exceptions=False) as client:
        codes = [client.post("/api/v1/articles", json=DOC, headers={"Authorization": f"Bearer guess{i}"}).status_code
                 for i in range(4)]
        assert codes == [401, 401, 429, 429]  # token guessing is throttled


def test_token_bucket_refills_per_client_and_stays_bounded() -> None:
    now = [0.0]
    limiter = TokenBucketLimiter(rate=2.0, burst=2, max_clients=100, clock=lambda: now[0])
    assert [limiter.acquire("a") for _ in range(3)] == [0.0, 0.0, 0.5]
    assert limiter.acquire("b") == 0.0  # another client has its own bucket
    now[0] += 0.5
    assert limiter.acquire("a") == 0.0 and limiter.acquire("a") > 0
    for i in range(1000):  # a flood of addresses does not grow the table without bound
        limiter.acquire(f"10.0.{i // 256}.{i % 256}")
    assert len(limiter) <= 100


def test_rate_limit_settings_from_the_environment() -> None:
    assert limiter_from_settings(None, None, {"STORYLINE_WRITE_RATE": "off"}) is None
    assert limiter_from_settings(None, None, {"STORYLINE_WRITE_RATE": "0"}) is None
    lim = limiter_from_settings(None, None, {"STORYLINE_WRITE_RATE": "2.5", "STORYLINE_WRITE_BURST": "7"})
    assert lim is not None and (lim.rate, lim.burst) == (2.5, 7)
    default = limiter_from_settings(None, None, {})
    assert default is not None and default.rate > 0
    with pytest.raises(ValueError, match="STORYLINE_WRITE_RATE"):
        limiter_from_settings(None, None, {"STORYLINE_WRITE_RATE": "fast"})


def test_lone_surrogates_in_posted_json_are_refused(tmp_path: Path) -> None:
    with TestClient(create_app(str(tmp_path / "u.db")), raise_server_exceptions=False) as client:
        for field in ("text", "title", "source", "url"):
            doc: dict[str, Any] = DOC | {"url": f"https://x.example/{field}"}
            doc[field] = doc[field] + " \\ud800 tail"
            raw = json.dumps(doc).replace("\\\\ud800", "\\ud800")  # a JSON escape for a lone surrogate
            assert "\\ud800" in raw and "\\\\ud800" not in raw
            r = client.post("/api/v1/articles", content=raw, headers={"content-type": "application/json"})
            assert r.status_code == 422 and "valid string" in r.json()["error"]["message"], (field, r.text)


# -- search: never SQL, never FTS syntax ---------------------------------------------------------

NASTY_QUERIES = [
    "'", '"', '""', '"a" "', "'; DROP TABLE articles; --", "x' OR '1'='1", "NEAR(a b)", "a NEAR/3 b", "title:x",
    "text:bridge", "articles_fts:bridge", "^bridge", "bridge*", "*", "**", "a AND", "OR", "NOT bridge", "(", ")",
    "a + b", "a - b", "{a b}", "bridge OR (", "-bridge", "\\", "%", "_", "%_%", "\x00", "\x1a", "\u00ad",
    "\ufeff", "🙂", "é" * 500, "a" * 1000, " ".join(["bridge"] * 300), '"' + "a " * 400 + '"', "MATCH",
    "rank", "bm25(articles_fts)", "snippet(", "a:b:c", "col:", ":", "[x]", "]", "a\"b", "NEAR(", "ＡＮＤ",
]


@pytest.fixture(scope="module")
def searched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from serve_corpus(tmp_path_factory.mktemp("search"))


def _assert_search_ok(served: Served, q: str) -> None:
    for url, params in (("/api/v1/search", {"q": q}), ("/api/v1/stories", {"q": q})):
        r = served.get(url, params=params)
        assert r.status_code in (200, 400, 422), (q, url, r.status_code, r.text[:300])
        if r.status_code != 200:
            assert r.json()["error"]["status"] == r.status_code
    r = served.get("/search", params={"q": q}, headers=HTML)
    assert r.status_code in (200, 400, 422), (q, r.status_code)


def test_hostile_search_queries_never_500(searched: Served) -> None:
    for q in NASTY_QUERIES:
        _assert_search_ok(searched, q)
    assert searched.get("/api/v1/search", params={"q": "x' '1'='1"}).json()["articles"] == []
    refused = searched.get("/api/v1/search", params={"q": "x' OR '1'='1"})
    assert refused.status_code == 400 and "OR is not supported" in refused.json()["error"]["message"]
    with sqlite3.connect(searched.db) as conn:  # nothing was dropped or changed
        assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == len(searched.ids)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(q=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=60)
       | st.lists(st.sampled_from([*NASTY_QUERIES, "bridge", "Velmora", "AND", "OR", "NOT", "NEAR", '"', "*", "(", ")", ":", "^", "-", "+"]), min_size=1, max_size=8).map(" ".join))
def test_generated_search_queries_never_500(searched: Served, q: str) -> None:
    _assert_search_ok(searched, q)


# -- readers: no XXE, no fetching, capped decompression ------------------------------------------


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-TOKEN")
    return path


def _xxe_inputs(uri: str) -> list[tuple[str, bytes]]:
    dtd = (f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "{uri}"> <!ENTITY % ext SYSTEM "{uri}"> %ext;'
           f'<!ENTITY % p SYSTEM "http://203.0.113.9/evil.dtd"> %p;]>')
    page = (f"{dtd}<html><head><title>Title &xxe;</title></head><body><article><p>The bridge reopened on "
            f"Monday after repairs, officials said. &xxe;</p><p>Traffic resumed in the afternoon.</p>"
            f"</article></body></html>")
    xhtml = '<?xml version="1.0"?>' + page.replace("<html>", '<html xmlns="http://www.w3.org/1999/xhtml">')
    feed = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "{uri}">]><rss version="2.0"><channel>'
            "<title>&xxe;</title><item><title>x &xxe;</title><description>The bridge reopened, officials said. "
            "&xxe;</description></item></channel></rss>")
    atom = (f'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY xxe SYSTEM "{uri}">]>'
            '<feed xmlns="http://www.w3.org/2005/Atom"><title>&xxe;</title><entry><title>t</title>'
            '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">The bridge reopened. &xxe;</div>'
            "</content></entry></feed>")
    jsonl = json.dumps({"html": page, "url": "https://x.example/a"})
    block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + page.encode()
    warc = (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:2>\r\nWARC-Target-URI: "
            b"https://x.example/w\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: "
            + str(len(block)).encode() + b"\r\n\r\n" + block + b"\r\n\r\n")
    return [("p.html", page.encode()), ("p.xhtml", xhtml.encode()), ("f.rss", feed.encode()),
            ("f.atom", atom.encode()), ("j.jsonl", jsonl.encode()), ("w.warc", warc),
            ("w.warc.gz", gzip.compress(warc)), ("p.html.gz", gzip.compress(page.encode()))]


def test_no_external_entities_in_any_reader(secret: Path) -> None:
    for name, data in _xxe_inputs(secret.resolve().as_uri()):
        items = list(read_bytes(data, name))
        assert items, name
        for item in items:
            assert "TOP-SECRET" not in repr(item), (name, item)
            if isinstance(item, Article):
                assert "TOP-SECRET" not in clean_article(item).text


class _NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Any attempt to resolve a name or open a connection is recorded and fails."""
    attempts: list[str] = []

    def refuse(what: str) -> Any:
        def blocked(*args: Any, **kwargs: Any) -> Any:
            attempts.append(f"{what}{args[1:] if what.startswith('socket.') else args}")
            raise _NetworkUsed(f"network use: {what}")
        return blocked

    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "gethostbyname", refuse("gethostbyname"))
    return attempts


def test_urls_in_content_are_never_fetched(no_network: list[str], secret: Path, tmp_path: Path) -> None:
    url = "http://203.0.113.9:8080/track"
    page = (f'<!DOCTYPE html SYSTEM "{url}/dtd"><html><head><link rel="canonical" href="{url}/canon">'
            f'<meta property="og:url" content="{url}/og"><link rel="stylesheet" href="{url}/css">'
            f'<base href="{url}/"><meta http-equiv="refresh" content="0; url={url}/refresh">'
            f'<script src="{url}/js"></script></head><body><article><h1>Bridge reopens</h1>'
            f'<p>The bridge reopened on Monday after repairs, officials said. See {url}/more for details.</p>'
            f'<img src="{url}/img.png"><iframe src="{url}/frame"></iframe><p>Traffic resumed.</p>'
            "</article></body></html>")
    feed = (f'<?xml version="1.0"?><?xml-stylesheet href="{url}/xsl"?><!DOCTYPE rss SYSTEM "{url}/rss.dtd">'
            f'<rss version="2.0" xml:base="{url}/"><channel><title>T</title><link>{url}</link><item>'
            f'<title>Bridge</title><link>{url}/item</link><enclosure url="{url}/e.mp3" type="audio/mpeg"/>'
            f"<description>&lt;p&gt;The bridge reopened. &lt;img src=&quot;{url}/i.png&quot;&gt;&lt;/p&gt;"
            "</description></item></channel></rss>")
    inputs = [*_xxe_inputs(url + "/entity"), ("p.html", page.encode()), ("f.rss", feed.encode()),
              ("j.jsonl", json.dumps({"text": f"The bridge reopened. Details at {url}/x.", "url": url}).encode()),
              ("t.txt", f"Bridge reopens\n\nThe bridge reopened, see {url}/y and www.example.org.".encode())]
    for name, data in inputs:
        for item in read_bytes(data, name):
            if isinstance(item, Article):
                clean_article(item)
        (tmp_path / name).write_bytes(data)
    assert list(read_paths([str(tmp_path)]))
    assert no_network == [], no_network


def test_urls_in_content_are_never_fetched_by_the_pipeline(no_network: list[str], tmp_path: Path) -> None:
    from storyline.pipeline import ingest_articles
    from storyline.store import open_store

    url = "http://203.0.113.9:8080/"
    with open_store(str(tmp_path / "n.db")) as store:
        report = ingest_articles(store, [Article(
            text=f"The Velmora bridge reopened on Monday, officials said at {url}a. Photos: {url}b.png",
            title="Bridge reopens", url=url + "article", source="X", language="en")])
    assert report.stored == 1
    assert no_network == [], no_network


def test_decompression_is_capped_in_memory(tmp_path: Path) -> None:
    inflated = 512 * 1024 * 1024  # half a gigabyte of zeros in about half a megabyte
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(1 << 20)
    bomb = b"".join(packer.compress(chunk) for _ in range(inflated >> 20)) + packer.flush()
    assert len(bomb) < inflated // 500
    (tmp_path / "bomb.txt.gz").write_bytes(bomb)
    cap = 1024 * 1024
    tracemalloc.start()
    try:
        items = list(read_bytes(bomb, "bomb.txt.gz", max_bytes=cap))
        from_file = list(read_paths([str(tmp_path / "bomb.txt.gz")], max_bytes=cap))
        from_stdin = list(read_paths(["-"], max_bytes=cap, stdin=io.BytesIO(bomb)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    for found in (items, from_file, from_stdin):
        assert len(found) == 1 and isinstance(found[0], Rejection), found
        assert "larger than" in found[0].reason
    assert peak < 16 * cap + 4 * len(bomb), f"peak {peak} bytes while reading a capped bomb"
