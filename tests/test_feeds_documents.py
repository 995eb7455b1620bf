"""Feed documents: RSS/Atom, JSON Feed, news sitemaps and OPML, parsed without fetching anything."""

from __future__ import annotations

import json

import pytest

from storyline.feeds.documents import FULL_TEXT_CHARS, parse_document, parse_opml, with_page

LONG = "The harbour authority said the ferry ran aground at dawn. " * 20

RSS = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>The Northgate Chronicle</title>
<link>https://northgate.example/</link>
<item><guid>n-1</guid><title>Ferry aground</title><link>https://northgate.example/ferry</link>
<description>{LONG}</description></item>
<item><guid>n-2</guid><title>Council vote</title><link>https://northgate.example/vote</link>
<description>A short summary.</description></item>
<item><title>No id, no link</title><description>Orphan.</description></item>
</channel></rss>""".encode()


def test_rss_entries_with_full_text_and_with_summaries() -> None:
    doc = parse_document(RSS, "https://northgate.example/rss")
    assert doc.kind == "feed"
    by_key = {e.key: e for e in doc.entries}
    assert set(by_key) == {"n-1", "n-2"}
    assert not by_key["n-1"].needs_page and len(by_key["n-1"].article.text) >= FULL_TEXT_CHARS
    assert by_key["n-2"].needs_page and by_key["n-2"].url == "https://northgate.example/vote"
    assert any("no id or link" in r.reason or "without id or link" in r.reason for r in doc.rejected)


def test_json_feed() -> None:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Harbour Daily",
        "items": [
            {"id": "1", "url": "https://h.example/1", "title": "Ferry", "content_html": f"<p>{LONG}</p>",
             "date_published": "2026-11-30T08:00:00Z", "authors": [{"name": "A. Writer"}]},
            {"id": 2, "url": "https://h.example/2", "summary": "Short."},
            "not an object",
        ],
    }
    doc = parse_document(json.dumps(feed).encode(), "https://h.example/feed.json")
    assert doc.kind == "jsonfeed" and doc.title == "Harbour Daily"
    first, second = doc.entries
    assert (first.key, first.article.published, first.article.authors) == ("1", "2026-11-30", ("A. Writer",))
    assert not first.needs_page and second.needs_page and second.key == "2"
    assert len(doc.rejected) == 1
    bad = parse_document(b'{"title": "x"}', "https://h.example/x.json")
    assert not bad.entries and "not a JSON Feed" in bad.rejected[0].reason


def test_news_sitemap() -> None:
    sitemap = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://h.example/a</loc><news:news><news:publication><news:name>Harbour Daily</news:name>
<news:language>en</news:language></news:publication><news:publication_date>2026-11-30</news:publication_date>
<news:title>Ferry aground</news:title></news:news></url>
<url><loc>https://h.example/b</loc></url></urlset>"""
    doc = parse_document(sitemap, "https://h.example/news-sitemap.xml")
    assert doc.kind == "sitemap"
    a, b = doc.entries
    assert (a.key, a.article.title, a.article.source, a.article.published) == (
        "https://h.example/a", "Ferry aground", "Harbour Daily", "2026-11-30")
    assert a.needs_page and b.needs_page


def test_entity_declarations_are_never_expanded_in_sitemaps() -> None:
    bomb = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://h.example/&b;</loc></url></urlset>"""
    doc = parse_document(bomb, "https://h.example/s.xml")
    assert all("aaaaa" not in e.key for e in doc.entries)


def test_page_fills_in_from_the_feed_and_keeps_the_raw_page() -> None:
    doc = parse_document(RSS, "https://northgate.example/rss")
    entry = next(e for e in doc.entries if e.key == "n-2")
    page = f"<html><head><title>Council vote</title></head><body><article><p>{LONG}</p></article></body></html>"
    article = with_page(entry, page.encode(), "https://northgate.example/vote", "2026-12-01T10:00:00Z")
    assert not isinstance(article, type(doc.rejected[0]))
    assert article.url == "https://northgate.example/vote" and article.raw == page.encode()
    assert article.source == "The Northgate Chronicle" and "ferry ran aground" in article.text


def test_opml() -> None:
    opml = b"""<?xml version="1.0"?><opml version="2.0"><body>
<outline text="News"><outline text="Northgate" type="rss" xmlUrl="https://northgate.example/rss"/>
<outline title="Harbour" xmlUrl="https://h.example/feed.json"/><outline text="dup" xmlUrl="https://northgate.example/rss"/>
<outline text="local" xmlUrl="file:///etc/passwd"/></outline></body></opml>"""
    assert parse_opml(opml) == [("https://northgate.example/rss", "Northgate"), ("https://h.example/feed.json", "Harbour")]
    with pytest.raises(ValueError, match="not an OPML"):
        parse_opml(b"<rss/>")
