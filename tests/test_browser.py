"""The UI in a real browser: Playwright driving Debian's chromium (headless) against the real server
(uvicorn on a free loopback port) on a temporary database holding the sample corpus.

Screenshots are kept under build/screenshots/. Skips where chromium or playwright is absent, and
fails instead when CI is set. Install the browser with scripts/install_browser.sh (never
`playwright install`)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from test_api_fixtures import CORPUS

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SHOTS = ROOT / "build" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(reason + " (required when CI is set)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from storyline.model import Article
    from storyline.pipeline import ingest_articles, ingest_paths
    from storyline.serve import create_app
    from storyline.store import open_store

    db = tmp_path_factory.mktemp("browser") / "ui.db"
    with open_store(str(db)) as store:
        if SAMPLES.is_dir() and any(SAMPLES.iterdir()):
            report = ingest_paths(store, [str(SAMPLES)])
        else:
            report = ingest_articles(store, [Article(**{k: v for k, v in c.items() if k != "format"}) for c in CORPUS])
        assert report.stored > 0
    port = _free_port()
    config = uvicorn.Config(create_app(str(db)), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is absent: run scripts/install_browser.sh")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install playwright)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def test_reader_journey(server: str, browser: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    # Front page: stories, most recently active first.
    page.goto(server + "/")
    cards = page.locator("li.story-card")
    assert cards.count() >= 3
    assert page.locator("svg.spark").count() == cards.count()
    page.screenshot(path=str(SHOTS / "01-front.png"), full_page=True)

    # Open the largest story.
    page.goto(server + "/?sort=size")
    first = page.locator("li.story-card h2 a").first
    story_title = first.inner_text()
    first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == story_title
    assert page.locator("svg.timeline").count() == 1
    page.screenshot(path=str(SHOTS / "02-story.png"), full_page=True)
    story_url = page.url

    # Follow a citation of the brief: the article opens with the cited sentence highlighted.
    cite = page.locator("ul.brief a.cite").first
    href = cite.get_attribute("href")
    assert href and "?hl=" in href
    cite.click()
    page.wait_for_load_state()
    assert "hl=" in page.url
    mark = page.locator("mark#hl")
    assert mark.is_visible()
    start, end = (int(x) for x in href.split("hl=")[1].split("#")[0].split("-"))
    art_id = href.split("/articles/")[1].split("?")[0]
    text = httpx.get(f"{server}/api/v1/articles/{art_id}").json()["text"]
    assert mark.inner_text().strip() in text[start:end]
    page.screenshot(path=str(SHOTS / "03-article-highlight.png"), full_page=False)

    # Keyboard: focus is visible on links (an outline is drawn).
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", ""), outline

    # Search from the header.
    word = story_title.split()[0] if len(story_title.split()[0]) > 3 else max(story_title.split(), key=len)
    page.fill("#site-q", word.strip("'\",.:"))
    page.press("#site-q", "Enter")
    page.wait_for_load_state()
    assert "/search?q=" in page.url
    assert page.locator("ol.hits li").count() >= 1
    page.screenshot(path=str(SHOTS / "04-search.png"), full_page=True)

    # Filter by language (the select submits the form by itself).
    page.goto(server + "/")
    languages = page.locator("#f-language option").all_inner_texts()[1:]
    lang = next((lang for lang in languages if lang != "en"), languages[0])
    page.select_option("#f-language", lang)
    page.wait_for_url(f"**language={lang}**")
    langs = page.locator("li.story-card dd").all_inner_texts()
    assert page.locator("li.story-card").count() >= 1 and any(lang in t for t in langs)
    page.screenshot(path=str(SHOTS / "05-filter-language.png"), full_page=True)

    # Ingest a new report through the API: it appears in its story.
    stories = httpx.get(f"{server}/api/v1/stories", params={"limit": 1}).json()["stories"]
    target = stories[0]
    story = httpx.get(f"{server}/api/v1/stories/{target['id']}").json()
    base = next(a for a in story["articles"] if not a["duplicate_of"])
    new_title = "Update: " + (base["title"] or "report") + " (browser test)"
    r = httpx.post(f"{server}/api/v1/articles", json={
        "title": new_title, "text": base["text"] + "\n\nOfficials gave a further update on the day.",
        "url": "https://browser-test.example/update", "source": "Browser Test Gazette",
        "published": target["last_date"], "language": base["language"],
    }, timeout=120)
    assert r.status_code == 201, r.text
    assert r.json()["story_ids"] == [target["id"]]
    page.goto(f"{server}/stories/{target['id']}")
    assert page.get_by_text(new_title).first.is_visible() or page.locator("details.copies").count() >= 1
    assert new_title in page.content()
    page.screenshot(path=str(SHOTS / "06-story-after-ingest.png"), full_page=True)

    page.goto(story_url)
    assert not errors, errors  # no CSP violation, no script error
    page.close()


LIVE_FEED = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Daily</title>'
             b"<item><guid>h1</guid><title>Ferry reaches Harbourton after storm</title>"
             b"<link>https://harbour.example/ferry</link><description>"
             + b"Rescue crews reached the stranded ferry near Harbourton on Monday and took everyone ashore. " * 6
             + b"</description></item></channel></rss>")


def test_live_journey(server: str, browser: Any) -> None:
    """Follow a feed and poll it from the Feeds page; move an article out of its story from the story
    page's menu, see the decision in the audit list, undo it."""
    from feedserver import Route, feed_server

    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    with feed_server() as srv:
        srv.routes["/rss"] = Route(LIVE_FEED)
        page.goto(server + "/feeds")
        page.fill("#feed-url", srv.url("/rss"))
        with page.expect_navigation():
            page.click("form.add-feed button")
        row = page.locator("tr.feed")
        assert row.count() == 1, page.locator("main").inner_text()
        assert srv.url("/rss") in row.inner_text()
        assert row.locator("td.status").inner_text().strip() == "new"
        with page.expect_navigation(timeout=120_000):
            page.click("form.poll button")
        row = page.locator("tr.feed")
        assert row.locator("td.status").inner_text().strip() == "ok", row.inner_text()
        assert row.locator("td.articles").inner_text().strip() == "1" and "Harbour Daily" in row.inner_text()
        page.screenshot(path=str(SHOTS / "07-feeds.png"), full_page=True)
    hits = httpx.get(f"{server}/api/v1/search", params={"q": "Harbourton ferry"}).json()["articles"]
    assert any(h["title"] == "Ferry reaches Harbourton after storm" for h in hits)

    # Move the first listed article of the largest story to a new story through its menu.
    story = httpx.get(f"{server}/api/v1/stories", params={"sort": "size", "limit": 1}).json()["stories"][0]
    page.goto(f"{server}/stories/{story['id']}")
    menu = page.locator("form.move").first
    article = menu.locator("input[name=article]").get_attribute("value")
    title = httpx.get(f"{server}/api/v1/articles/{article}").json()["title"]
    menu.locator("input[name=to]").fill("new")
    with page.expect_navigation(timeout=120_000):
        menu.locator("button").click()
    moved_to = httpx.get(f"{server}/api/v1/articles/{article}").json()["story_id"]
    assert moved_to != story["id"] and page.url.endswith(f"/stories/{moved_to}")
    assert title in page.content()

    page.goto(server + "/decisions")
    latest = page.locator("li.decision").first
    assert f"moved article {article}" in latest.inner_text() and "by web" in latest.inner_text()
    page.screenshot(path=str(SHOTS / "08-decisions.png"), full_page=True)
    with page.expect_navigation(timeout=120_000):
        latest.locator("button").click()
    assert "undone" in page.locator("li.decision").first.inner_text()
    assert httpx.get(f"{server}/api/v1/articles/{article}").json()["story_id"] == story["id"]
    page.screenshot(path=str(SHOTS / "09-decision-undone.png"), full_page=True)
    assert not errors, errors
    page.close()
