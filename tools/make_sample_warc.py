"""Build samples/sample_crawl.warc.gz from the HTML pages in tools/sample_warc_src/.

The pages are invented (see docs/samples.md). The output is deterministic: record ids are
UUID5s of the record type and URL, dates are fixed per page, and the gzip members carry no
timestamp, so re-running the script gives the same bytes with the same zlib.

Usage: .venv/bin/python tools/make_sample_warc.py [output path]
"""

from __future__ import annotations

import hashlib
import sys
import uuid
from datetime import UTC, datetime
from email.utils import format_datetime
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "tools" / "sample_warc_src"
OUT = ROOT / "samples" / "sample_crawl.warc.gz"
NAMESPACE = uuid.UUID("6f1d3c2a-5b7e-4d0a-9c11-2a7b0e5f4c01")

# (source file, URL it was "fetched" from, fetch time UTC)
PAGES = [
    (
        "meridianpress_2024-03-05_india-rmn-armoured-limousine.html",
        "https://www.meridianpress.net/world/asia/india-rmn-armoured-limousine-2024-03-05/",
        "2024-03-05T14:02:11",
    ),
    (
        "meridianpress_2024-04-02_shirakawa-fenwright-deal.html",
        "https://www.meridianpress.net/markets/deals/shirakawa-fenwright-2024-04-02/",
        "2024-04-02T09:30:45",
    ),
    (
        "lakeshoredailypost_2024-04-12_alps-rail-tunnel-explainer.html",
        "https://www.lakeshoredailypost.com/world/2024/04/12/sorvenne-alps-rail-tunnel-opens/",
        "2024-04-12T18:05:09",
    ),
]

# A non-article response, as crawls contain: readers must skip it (not text/html).
ROBOTS = (
    "https://www.meridianpress.net/robots.txt",
    "2024-03-05T14:02:09",
    b"User-agent: *\nDisallow: /signin/\nDisallow: /register/\n\nSitemap: https://www.meridianpress.net/sitemap.xml\n",
)


def record_id(kind: str, uri: str) -> str:
    return f"<urn:uuid:{uuid.uuid5(NAMESPACE, kind + ' ' + uri)}>"


def http_date(iso: str) -> str:
    return format_datetime(datetime.fromisoformat(iso).replace(tzinfo=UTC), usegmt=True)


def write_exchange(writer: WARCWriter, uri: str, fetched: str, body: bytes, content_type: str) -> None:
    host = uri.split("/")[2]
    path = "/" + uri.split("/", 3)[3]
    warc_date = fetched + "Z"

    req_headers = StatusAndHeaders(
        f"GET {path} HTTP/1.1",
        [
            ("Host", host),
            ("User-Agent", "storyline-sample-crawler/0.1 (+https://example.org/storyline)"),
            ("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"),
            ("Accept-Language", "en,fr;q=0.8"),
        ],
        is_http_request=True,
    )
    request = writer.create_warc_record(
        uri,
        "request",
        http_headers=req_headers,
        warc_headers_dict={"WARC-Record-ID": record_id("request", uri), "WARC-Date": warc_date},
    )

    resp_headers = StatusAndHeaders(
        "200 OK",
        [
            ("Date", http_date(fetched)),
            ("Server", "nginx"),
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "max-age=60"),
            ("ETag", '"' + hashlib.sha1(body).hexdigest()[:16] + '"'),
        ],
        protocol="HTTP/1.1",
    )
    response = writer.create_warc_record(
        uri,
        "response",
        payload=BytesIO(body),
        length=len(body),
        http_headers=resp_headers,
        warc_headers_dict={
            "WARC-Record-ID": record_id("response", uri),
            "WARC-Date": warc_date,
            "WARC-IP-Address": "192.0.2.10",
        },
    )
    request.rec_headers.add_header("WARC-Concurrent-To", record_id("response", uri))
    writer.write_record(response)
    writer.write_record(request)


def main(out: Path = OUT) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.0")
        info = writer.create_warcinfo_record(
            out.name,
            {
                "software": "storyline tools/make_sample_warc.py (warcio)",
                "format": "WARC File Format 1.0",
                "description": "Invented sample pages for the storyline demo corpus; not real news.",
                "isPartOf": "storyline-samples",
            },
        )
        info.rec_headers.replace_header("WARC-Record-ID", record_id("warcinfo", out.name))
        info.rec_headers.replace_header("WARC-Date", "2024-03-05T14:02:00Z")
        writer.write_record(info)

        robots_uri, robots_time, robots_body = ROBOTS
        write_exchange(writer, robots_uri, robots_time, robots_body, "text/plain")
        for name, uri, fetched in PAGES:
            body = (SRC / name).read_bytes()
            write_exchange(writer, uri, fetched, body, "text/html; charset=utf-8")
    print(f"wrote {out} ({out.stat().st_size} bytes, {len(PAGES)} HTML responses)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
