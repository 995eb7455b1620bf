# ruff: noqa: F811  (pytest fixtures imported from test_api_fixtures are redefined as arguments)
"""The pages: content, links, escaping of article strings, no inline script or style."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from test_api_fixtures import CORPUS, XSS_TITLE, Served, served  # noqa: F401

HTML = {"accept": "text/html"}


class _Audit(HTMLParser):
    """Collects what would execute or style inline: scripts without src, on* and style attributes,
    img elements; and form fields without a label."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.labels: set[str] = set()
        self.fields: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "script" and not a.get("src"):
            self.problems.append("inline script")
        if tag == "img":
            self.problems.append(f"img element {attrs}")
        for name, _ in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"{name} attribute on <{tag}>")
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"] or "")
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.fields.append(a.get("id") or "")


def audit(html: str) -> _Audit:
    p = _Audit()
    p.feed(html)
    assert not p.problems, p.problems
    assert all(f and f in p.labels for f in p.fields), (p.fields, p.labels)
    for landmark in ("header", "nav", "main", "h1"):
        assert landmark in p.tags
    return p


def page(served: Served, url: str, status: int = 200) -> str:
    r = served.get(url, headers=HTML)
    assert r.status_code == status, (url, r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    return r.text


def test_front_page_lists_stories_with_sparklines(served: Served) -> None:
    html = page(served, "/")
    audit(html)
    assert "Velmora bridge collapse kills 12 in Castrelo" in html
    assert html.count('class="story-card"') == len(served.story_ids)
    assert '<svg class="spark"' in html and "<rect" in html
    assert 'action="/search"' in html


def test_front_page_filters(served: Served) -> None:
    html = page(served, "/?language=fr")  # the Velmora story holds the French report too
    assert "Velmora" in html and "Orchard" not in html
    html = page(served, "/?outlet=Castrelo+Herald")
    assert "Orchard" in html and "Le pont" not in html
    html = page(served, "/?entity=Ana+Ribeiro")
    assert "Velmora" in html and "Orchard" not in html
    html = page(served, "/?q=%22broken", status=400)
    assert "Search query not understood" in html


def test_story_page(served: Served) -> None:
    sid = served.get("/api/v1/stories", params={"sort": "size"}).json()["stories"][0]["id"]
    html = page(served, f"/stories/{sid}")
    audit(html)
    assert re.search(r'href="/articles/[0-9a-f]{16}\?hl=\d+-\d+#hl"', html), "brief cites with a highlight"
    assert 'class="timeline"' in html and "<circle" in html
    assert 'class="facts"' in html or "No facts extracted" in html
    assert "Who said what" in html and "Castrelo Herald" in html
    assert '<details class="copies">' in html  # the agency copy folded under its original
    assert "Ana Ribeiro" in html


def test_article_page_highlights(served: Served) -> None:
    aid = served.ids[0]
    text = served.get(f"/api/v1/articles/{aid}").json()["text"]
    html = page(served, f"/articles/{aid}?hl=0-30")
    audit(html)
    assert '<mark class="hl" id="hl">' in html
    assert re.search(r'<a class="ann ent" href="/entities/[0-9a-f]{12}"', html)
    assert '<mark class="date"' in html and '<mark class="qty"' in html
    stripped = re.sub(r"<[^>]+>", "", html.split('<div class="text">')[1].split("</div>")[0])
    import html as h

    assert h.unescape(stripped) == text  # marks add no text and lose none
    page(served, "/articles/nope", status=404)
    page(served, f"/articles/{aid}?hl=junk")  # a bad range is ignored


def test_entity_and_search_pages(served: Served) -> None:
    a = served.get(f"/api/v1/articles/{served.ids[0]}").json()
    eid = next(m["entity_id"] for m in a["annotations"]["mentions"] if m["entity_id"])
    html = page(served, f"/entities/{eid}")
    audit(html)
    assert "Stories over time" in html and f"/stories/{a['story_id']}" in html
    html = page(served, "/search?q=Velmora")
    audit(html)
    assert "<mark>Velmora</mark>" in html
    assert "Search query not understood" in page(served, "/search?q=%22x", status=400)
    page(served, "/entities/nobody-at-all", status=404)


def test_article_strings_render_as_text(served: Served) -> None:
    xss = next(i for i, c in zip(served.ids, CORPUS, strict=True) if c["title"] == XSS_TITLE)
    sid = served.get(f"/api/v1/articles/{xss}").json()["story_id"]
    for url in ("/", f"/stories/{sid}", f"/articles/{xss}", f"/articles/{xss}?hl=5-60", "/search?q=quarry",
                "/?outlet=Evil+%22%3E%3Cb%3EOutlet%3C%2Fb%3E"):
        html = page(served, url)
        audit(html)  # no <img>, no inline <script>, no on* attribute got through
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>Outlet" not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html or "&lt;script&gt;" in html or url.startswith("/search")
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page(served, f"/articles/{xss}")
