"""Feed polling throughput against a local server: N feeds x M entries, each entry a summary whose page is
fetched, read and ingested. Prints polls and pages per second, and whether ingest keeps up (the share of
the poll's time spent storing articles, and articles stored per second).

    python benchmarks/feeds.py [--feeds 200] [--entries 20] [--enrich]

Every feed is on its own loopback host name (127.0.0.x), as hundreds of outlets would be, so the
one-request-a-second-per-host politeness rule applies per feed and not to the whole run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from storyline.feeds.fetch import FetchConfig, Fetcher
from storyline.feeds.poll import poll_due
from storyline.pipeline import Config
from storyline.store import open_store

BODY = ("Harbour officials said the ferry service would resume on Monday after repairs to the pier were "
        "completed, and that passengers with cancelled tickets would be refunded in full. ") * 6


def _handler(entries: int) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return

        def do_GET(self) -> None:
            host = self.headers.get("Host", "")
            if self.path == "/robots.txt":
                self._send(404, b"", "text/plain")
            elif self.path == "/rss":
                items = "".join(
                    f"<item><guid>{host}-{i}</guid><title>Report {i} from {host}</title>"
                    f"<link>http://{host}/page/{i}</link><description>Summary {i}.</description></item>"
                    for i in range(entries)
                )
                self._send(200, f'<rss version="2.0"><channel><title>Outlet {host}</title>{items}'
                                f"</channel></rss>".encode(), "application/rss+xml")
            else:
                n = self.path.rsplit("/", 1)[-1]
                page = (f"<html><head><title>Report {n} from {host}</title></head><body><article>"
                        f"<p>Report {n}. {BODY}</p></article></body></html>")
                self._send(200, page.encode(), "text/html")

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--enrich", action="store_true", help="run the annotators too (NER dominates)")
    args = parser.parse_args()
    httpd = ThreadingHTTPServer(("0.0.0.0", 0), _handler(args.entries))
    httpd.daemon_threads = True
    port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as tmp, open_store(str(Path(tmp) / "feeds.db")) as store:
        for i in range(args.feeds):
            store.add_feed(f"http://127.0.0.{1 + i % 250}:{port}/rss?f={i}" if i >= 250 else
                           f"http://127.0.0.{1 + i}:{port}/rss", 900)
        config = Config(enrich=args.enrich, embed=False)
        with Fetcher(FetchConfig(host_interval=1.0)) as fetcher:
            start = time.perf_counter()
            reports = poll_due(store, fetcher, config=config, every_feed=True)
            elapsed = time.perf_counter() - start
            requests = fetcher.requests
        stored = sum(r.stored for r in reports)
        pages = sum(r.pages for r in reports)
        failed = sum(r.status == "error" for r in reports)
        print(f"{args.feeds} feeds x {args.entries} entries: {elapsed:.1f} s, {requests} requests, "
              f"{failed} feeds failed")
        print(f"polls/s {len(reports) / elapsed:.2f}; pages/s {pages / elapsed:.1f}; "
              f"articles stored/s {stored / elapsed:.1f} ({stored} stored)")
        # one request a second per host: a feed of M entries takes at least M+2 seconds on its own host, so
        # hosts are polled one after another here; ingest keeps up when storing is not the bottleneck
        print(f"ingest keeps up: {'yes' if stored == args.feeds * args.entries else 'no'} "
              f"(every entry stored once: {stored}/{args.feeds * args.entries})")
    httpd.shutdown()
    return 0 if stored == args.feeds * args.entries and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
