"""The feed commands against a local server: feeds add/list/remove/import, watch --once, and a
watch killed with SIGKILL mid-poll that resumes without losing or doubling anything."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from conftest import wait_for_stored_rows
from feedserver import FeedServer, Route, feed_server
from storyline.store import open_store

BODY = "Rescue crews reached the stranded ferry on Monday and took all passengers ashore safely. " * 10


def run(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "storyline.cli", *args, "--db", str(db)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "200"},
    )


def summary_feed(srv: FeedServer, n: int) -> bytes:
    items = "".join(
        f"<item><guid>e{i}</guid><title>Report {i}</title><link>{srv.url(f'/page/{i}')}</link>"
        f"<description>Summary {i}.</description></item>"
        for i in range(n)
    )
    return f'<rss version="2.0"><channel><title>Harbour Daily</title>{items}</channel></rss>'.encode()


def serve_pages(srv: FeedServer, n: int, delay: float = 0.0) -> None:
    for i in range(n):
        html = f"<html><head><title>Report {i}</title></head><body><article><p>Report {i}. {BODY}</p></article></body></html>"
        srv.routes[f"/page/{i}"] = Route(html.encode(), content_type="text/html", delay=delay)


def test_feed_commands(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with feed_server() as srv:
        srv.routes["/rss"] = Route(summary_feed(srv, 2), etag='"1"')
        serve_pages(srv, 2)
        added = run("feeds", "add", srv.url("/rss"), "--every", "30m", db=db)
        assert added.returncode == 0, added.stderr
        assert "every 30m" in added.stdout
        assert run("feeds", "add", "ftp://x", db=db).returncode == 2
        assert "interval" in run("feeds", "add", srv.url("/rss"), "--every", "soon", db=db).stderr
        polled = run("watch", "--once", "--no-enrich", db=db)
        assert polled.returncode == 0, polled.stderr
        assert "1 feed polled, 2 articles stored, 0 failed" in polled.stdout
        listed = run("feeds", "list", db=db)
        assert srv.url("/rss") in listed.stdout and "ok" in listed.stdout and "1 feed\n" in listed.stdout
        as_json = json.loads(run("feeds", "list", "--json", db=db).stdout)
        assert as_json[0]["articles"] == 2 and as_json[0]["etag"] == '"1"'
        again = run("watch", "--once", "--no-enrich", db=db)
        assert "not modified" in again.stderr and srv.count("/page/0") == 1
        opml = tmp_path / "f.opml"
        opml.write_text(f'<opml version="2.0"><body><outline text="b" xmlUrl="{srv.url("/other")}"/></body></opml>')
        assert "following 1 feed from" in run("feeds", "import", str(opml), db=db).stdout
        removed = run("feeds", "remove", as_json[0]["id"][:8], db=db)
        assert removed.returncode == 0 and "no longer following" in removed.stdout
        assert run("feeds", "remove", "nosuchfeed", db=db).returncode == 1


def test_watch_killed_mid_poll_resumes(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    n = 8
    with feed_server() as srv:
        srv.routes["/rss"] = Route(summary_feed(srv, n))
        serve_pages(srv, n, delay=0.2)
        assert run("feeds", "add", srv.url("/rss"), db=db).returncode == 0
        proc = subprocess.Popen(
            [sys.executable, "-m", "storyline.cli", "watch", "--once", "--no-enrich", "--db", str(db)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        stored = wait_for_stored_rows(proc, db, 3, timeout=120)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert 3 <= stored < n, "the watch was to be killed mid-poll"
        resumed = run("watch", "--once", "--no-enrich", db=db)
        assert resumed.returncode == 0, resumed.stderr
        pages = [srv.count(f"/page/{i}") for i in range(n)]
    with open_store(str(db)) as store:
        titles = sorted(a.article.title or "" for a in store.iter_articles())
        feed = store.list_feeds()[0]
    assert titles == sorted(f"Report {i}" for i in range(n))  # every entry once, none lost
    assert feed.status == "ok" and feed.articles >= n - stored
    # entries marked seen before the kill are never fetched again; at most the one in flight is
    assert sum(p > 1 for p in pages) <= 1
