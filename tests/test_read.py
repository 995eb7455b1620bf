"""Readers: each format on small fixtures written here, format detection, path expansion, real data."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from conftest import require_shared
from storyline.model import Article, Rejection, normalize_for_identity
from storyline.read import detect_format, read_bytes, read_paths

# --- fixtures -------------------------------------------------------------------------------------

FLOOD = (
    "The river rose two metres overnight and flooded the lower town, officials said on Monday.",
    "About 300 residents were moved to the school gym, where volunteers served hot meals.",
)


def html_page(
    title: str,
    paragraphs: tuple[str, ...],
    *,
    published: str = "2024-02-28T08:15:00+01:00",
    charset: str = "utf-8",
    extra_head: str = "",
) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="{charset}">'
        f"<title>{title} | Valley Courier</title>"
        '<meta property="og:site_name" content="Valley Courier">'
        '<meta name="author" content="Jane Roe">'
        f'<meta property="article:published_time" content="{published}">{extra_head}</head>'
        '<body><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav>'
        f"<article><h1>{title}</h1>{body}</article>"
        "<footer><p>Copyright Valley Courier. All rights reserved.</p></footer></body></html>"
    )


def make_warc(records: list[tuple[str, str, str, bytes]], *, compress: bool) -> bytes:
    """A WARC of response records (uri, HTTP status line, content type, body)."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=compress)
    for uri, status, content_type, body in records:
        headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            uri,
            "response",
            payload=io.BytesIO(body),
            http_headers=headers,
            warc_headers_dict={"WARC-Date": "2024-03-01T12:00:00Z"},
        )
        writer.write_record(record)
    return buffer.getvalue()


def articles(items: list[Article | Rejection]) -> list[Article]:
    return [item for item in items if isinstance(item, Article)]


def errors(items: list[Article | Rejection]) -> list[Rejection]:
    return [item for item in items if isinstance(item, Rejection)]


# --- text -----------------------------------------------------------------------------------------


def test_text_dump_format_date_line_and_headline() -> None:
    data = (
        b"date 2024-02-18\n"
        b"Storm closes the harbour\n"
        b"\n"
        b"High winds forced the port authority to close the harbour on Sunday.\n"
        b"Ships waited\noutside for hours.\n"
        b"\n"
        b"The storm is expected to ease by Tuesday, forecasters said.\n"
    )
    [article] = list(read_bytes(data, "dump/a.txt"))
    assert isinstance(article, Article)
    assert article.published == "2024-02-18"
    assert article.title == "Storm closes the harbour"
    assert article.text.split("\n\n") == [
        "High winds forced the port authority to close the harbour on Sunday.",
        "Ships waited outside for hours.",
        "The storm is expected to ease by Tuesday, forecasters said.",
    ]
    assert "date 2024" not in article.text
    assert (article.format, article.path, article.raw) == ("text", "dump/a.txt", data)


def test_text_hard_wrapped_paragraph_is_joined_and_sentence_is_not_a_title() -> None:
    data = (
        b"The port authority closed the harbour on Sunday after\n"
        b"winds of more than 100 km/h tore at the cranes and\n"
        b"forced two ferries to turn back to open water, the\n"
        b"agency said.\n\nA second paragraph follows.\n"
    )
    [article] = list(read_bytes(data, "b.txt"))
    assert isinstance(article, Article)
    assert article.title is None
    first, second = article.text.split("\n\n")
    assert first.startswith("The port authority") and first.endswith("the agency said.")
    assert "\n" not in first
    assert second == "A second paragraph follows."


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (
            "Le café de la Gare à Zürich a fermé ses portes après quarante années. Les habitués regrettent "
            "déjà les crêpes du dimanche matin.",
            "cp1252",
        ),
        (
            "Wczoraj w Łodzi otwarto nową bibliotekę miejską. Mieszkańcy chętnie odwiedzają świeżo "
            "wyremontowane sale, a dzieci cieszą się z kącika zabaw.",
            "cp1250",
        ),
        ("Вчера в Москве прошёл большой городской праздник, на который пришли тысячи жителей.", "cp1251"),
        ("Первая строка новости о событиях в городе и его окрестностях.", "utf-16"),
        ("Zweite Meldung über die Brücke in Köln, die am Montag gesperrt wurde.", "utf-8-sig"),
    ],
)
def test_text_encoding_is_detected(text: str, encoding: str) -> None:
    data = ((text + "\n") * 3).encode(encoding)
    [article] = list(read_bytes(data, "enc.txt"))
    assert isinstance(article, Article)
    assert article.text.split("\n\n")[0] == text


# --- html -----------------------------------------------------------------------------------------


def test_html_main_text_metadata_and_legacy_charset() -> None:
    page = html_page(
        "Flood in the lower town",
        ("Published 28 February 2024", *FLOOD, "The café near the bridge stayed open."),
        charset="windows-1252",
    )
    data = page.encode("cp1252")
    [article] = list(read_bytes(data, "news/flood.html"))
    assert isinstance(article, Article)
    assert article.title == "Flood in the lower town"
    paragraphs = article.text.split("\n\n")
    # the date line stays (boilerplate cleaning is the cleaner's job); navigation and footer go
    assert paragraphs == ["Published 28 February 2024", *FLOOD, "The café near the bridge stayed open."]
    assert "Copyright" not in article.text and "Home" not in article.text
    assert article.authors == ("Jane Roe",)
    assert article.source == "Valley Courier"
    assert article.published == "2024-02-28"
    assert article.published_time == "08:15+01:00"
    assert article.language == "en"
    assert article.format == "html"
    assert article.raw == data


def test_txt_that_is_html_is_read_as_html() -> None:
    data = html_page("Bridge reopens", FLOOD).encode()
    assert detect_format(data, "saved.txt") == "html"
    [article] = list(read_bytes(data, "saved.txt"))
    assert isinstance(article, Article)
    assert article.format == "html" and article.title == "Bridge reopens"
    assert "<p>" not in article.text


def test_html_without_text_is_an_error() -> None:
    [item] = list(read_bytes(b"<html><head><title>x</title></head><body><div></div></body></html>", "e.html"))
    assert isinstance(item, Rejection)
    assert item.reason == "no text found"


# --- jsonl ----------------------------------------------------------------------------------------


def test_jsonl_fields_and_malformed_line() -> None:
    lines = [
        json.dumps(
            {
                "id": 7,
                "title": "Mayor resigns",
                "text": "The mayor resigned on Friday.\nHer deputy takes over.",
                "url": "https://news.example.org/mayor",
                "source": {"name": "Example News"},
                "published": "2024-01-05T09:45:00Z",
                "language": "en-US",
                "authors": ["Ann Lee", {"name": "Bo Chan"}],
            }
        ),
        '{"id": "8", "text": "broken line',
        "",
        json.dumps({"id": "9", "time": "2010-05-15", "text": "Oil reached the coast ."}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "11", "title": "No body"}),
    ]
    data = ("\n".join(lines) + "\n").encode()
    items = list(read_bytes(data, "feed.jsonl"))
    first, second = articles(items)
    assert first.title == "Mayor resigns"
    assert first.text == "The mayor resigned on Friday.\n\nHer deputy takes over."
    assert (first.url, first.source, first.language) == (
        "https://news.example.org/mayor",
        "Example News",
        "en",
    )
    assert (first.published, first.published_time) == ("2024-01-05", "09:45+00:00")
    assert first.authors == ("Ann Lee", "Bo Chan")
    assert first.external_id == "7"
    assert first.raw == lines[0].encode()
    assert first.extra["line"] == 1
    assert (second.external_id, second.published, second.extra["line"]) == ("9", "2010-05-15", 4)
    assert [(e.line, e.reason.split(":")[0]) for e in errors(items)] == [
        (2, "malformed JSON"),
        (5, "expected a JSON object, got list"),
        (6, "no text found"),
    ]
    assert str(errors(items)[0]).startswith("feed.jsonl:2: malformed JSON")


def test_json_file_with_one_object_per_line_is_jsonl_and_an_array_works() -> None:
    one_per_line = b'{"text": "First report."}\n{"text": "Second report."}\n'
    assert detect_format(one_per_line, "dump.json") == "jsonl"
    assert [a.text for a in articles(list(read_bytes(one_per_line, "dump.json")))] == [
        "First report.",
        "Second report.",
    ]
    array = json.dumps([{"text": "A."}, {"text": "B."}], indent=2).encode()
    assert [a.text for a in articles(list(read_bytes(array, "all.json")))] == ["A.", "B."]


# --- feeds ----------------------------------------------------------------------------------------

RSS = """<?xml version="1.0" encoding="ISO-8859-1"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Caf\xe9 Gazette</title><link>https://gazette.example.org/</link><language>fr-FR</language>
<item><title>Le pont rouvre</title><link>https://gazette.example.org/pont</link><guid>pont-1</guid>
<pubDate>Sun, 18 Feb 2024 10:30:00 +0100</pubDate><author>jane@example.org (Jane Roe)</author>
<description>Short summary only.</description>
<content:encoded><![CDATA[<p>Le pont a rouvert dimanche.</p>
<p>Les voitures<br>passent de nouveau.</p>]]></content:encoded>
</item>
<item><title>Sans contenu</title><guid>empty-2</guid></item>
<item><title>R\xe9sum\xe9 seul</title><guid>summary-3</guid>
<description>&lt;p&gt;Le march\xe9 est ferm\xe9.&lt;/p&gt;
&lt;p&gt;Il rouvre lundi.&lt;/p&gt;</description></item>
</channel></rss>
""".encode("latin-1")


def test_rss_entries_content_over_summary_and_broken_entry() -> None:
    assert detect_format(RSS, "gazette.xml") == "feed"
    items = list(read_bytes(RSS, "gazette.xml"))
    first, third = articles(items)
    assert first.text == "Le pont a rouvert dimanche.\n\nLes voitures\npassent de nouveau."
    assert first.title == "Le pont rouvre"
    assert (first.url, first.external_id) == ("https://gazette.example.org/pont", "pont-1")
    assert (first.published, first.published_time) == ("2024-02-18", "10:30+01:00")
    assert first.authors == ("Jane Roe",)
    assert (first.source, first.language, first.format) == ("Café Gazette", "fr", "feed")
    assert first.raw is not None and b"rouvert" in first.raw
    assert third.title == "Résumé seul"
    assert third.text == "Le marché est fermé.\n\nIl rouvre lundi."
    [broken] = errors(items)
    assert broken.reason == "entry 2 (Sans contenu): no text found"


def test_atom_feed() -> None:
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de"><title>Hafenblatt</title>
<entry><title>Faehre faellt aus</title><id>tag:hafen,2024:1</id>
<link href="https://hafen.example.de/1"/><updated>2024-03-02T07:05:00Z</updated>
<author><name>Karl Berg</name></author>
<content type="html">&lt;p&gt;Die F\xc3\xa4hre f\xc3\xa4llt heute aus.&lt;/p&gt;</content></entry>
</feed>"""
    assert detect_format(atom, "hafen.atom") == "feed"
    [entry] = list(read_bytes(atom, "hafen.atom"))
    assert isinstance(entry, Article)
    assert entry.text == "Die Fähre fällt heute aus."
    assert (entry.external_id, entry.url) == ("tag:hafen,2024:1", "https://hafen.example.de/1")
    assert (entry.published, entry.published_time) == ("2024-03-02", "07:05+00:00")
    assert (entry.authors, entry.source, entry.language) == (("Karl Berg",), "Hafenblatt", "de")


def test_feed_external_entities_are_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN")
    uri = secret.resolve().as_uri()
    feed = f"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{uri}"> <!ENTITY % remote SYSTEM "{uri}"> %remote; ]>
<rss version="2.0"><channel><title>t &xxe;</title>
<item><title>Entry &xxe;</title><description>Before &xxe; after, a sentence.</description></item>
</channel></rss>""".encode()
    items = list(read_bytes(feed, str(tmp_path / "xxe.rss")))
    assert items, "the feed yields its entry or an error"
    for item in items:
        assert "TOP-SECRET-TOKEN" not in repr(item)
    [entry] = articles(items)
    assert "Before" in entry.text and "after, a sentence." in entry.text


# --- warc -----------------------------------------------------------------------------------------

WARC_RECORDS = [
    (
        "https://courier.example/flood",
        "200 OK",
        "text/html; charset=utf-8",
        html_page("Flood", FLOOD).encode(),
    ),
    ("https://courier.example/missing", "404 Not Found", "text/html", b"<html><p>Not found</p></html>"),
    ("https://courier.example/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n...."),
    (
        "https://courier.example/bridge",
        "200 OK",
        "text/html",
        html_page(
            "Bridge",
            ("The bridge was closed for repairs, the council announced on Tuesday.",),
            published="2024-02-27",
        ).encode(),
    ),
]


@pytest.mark.parametrize("compress", [False, True])
def test_warc_html_responses_become_articles(compress: bool) -> None:
    data = make_warc(WARC_RECORDS, compress=compress)
    assert detect_format(data, "crawl.warc.gz" if compress else "crawl.warc") == "warc"
    items = list(read_bytes(data, "crawl.warc"))
    assert errors(items) == []
    flood, bridge = articles(items)
    assert (flood.url, flood.title, flood.format) == ("https://courier.example/flood", "Flood", "warc")
    assert flood.text == "\n\n".join(FLOOD)
    assert flood.fetched == "2024-03-01T12:00:00Z"
    assert (flood.published, flood.published_time) == ("2024-02-28", "08:15+01:00")
    assert flood.raw == WARC_RECORDS[0][3]
    assert flood.path == "crawl.warc" and flood.extra["record_id"].startswith("<urn:uuid:")
    assert bridge.url == "https://courier.example/bridge" and bridge.published == "2024-02-27"


@pytest.mark.parametrize("compress", [False, True])
def test_truncated_warc_keeps_records_read_so_far(compress: bool) -> None:
    data = make_warc(WARC_RECORDS, compress=compress)
    cut = data[: len(data) - 200]
    items = list(read_bytes(cut, "cut.warc"))
    assert [a.url for a in articles(items)] == ["https://courier.example/flood"]
    [problem] = errors(items)
    assert "truncated" in problem.reason
    assert items[-1] == problem


def test_warc_record_larger_than_cap_is_rejected_and_others_read() -> None:
    big = html_page("Big", ("Long report. " * 400,)).encode()
    data = make_warc(
        [("https://c.example/big", "200 OK", "text/html", big), *WARC_RECORDS[:1]], compress=True
    )
    items = list(read_bytes(data, "cap.warc.gz", max_bytes=len(big) - 1))
    assert [a.url for a in articles(items)] == ["https://courier.example/flood"]
    [problem] = errors(items)
    assert problem.reason == f"record https://c.example/big: payload larger than {len(big) - 1} bytes"


# --- detection ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "path", "expected"),
    [
        (b"Just words.\n", "a.txt", "text"),
        (b"Just words.\n", "a.md", "text"),
        (b"<html><body><p>x</p></body></html>", "a.txt", "html"),
        (b"  <!-- saved -->\n<!DOCTYPE html><html>", "page", "html"),
        (b"<p>fragment</p>", "a.htm", "html"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>', "a.xml", "feed"),
        (b'<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"></feed>', "a.txt", "feed"),
        (b"<rdf:RDF xmlns:rdf='x'></rdf:RDF>", "a", "feed"),
        (b'{"text": "a"}\n{"text": "b"}\n', "a.json", "jsonl"),
        (b'{"text": "a"}\n', "a.txt", "jsonl"),
        (b"WARC/1.0\r\nWARC-Type: warcinfo\r\n", "a.bin", "warc"),
        (gzip.compress(b"WARC/1.1\r\nWARC-Type: warcinfo\r\n", mtime=0), "a.gz", "warc"),
        (gzip.compress(b"<html><p>x</p></html>", mtime=0), "a.html.gz", "html"),
        ("<html><p>ü</p></html>".encode("utf-16"), "a.txt", "html"),
    ],
)
def test_detect_format(data: bytes, path: str, expected: str) -> None:
    assert detect_format(data, path) == expected


# --- paths ----------------------------------------------------------------------------------------


def test_folder_recursive_sorted_glob_stdin_and_missing(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "inner").mkdir()
    (tmp_path / "a.txt").write_text("Alpha report body.\n")
    (tmp_path / "b" / "z.txt").write_text("Zulu report body.\n")
    (tmp_path / "b" / "inner" / "m.txt").write_text("Mike report body.\n")
    (tmp_path / "c.jsonl").write_text('{"text": "Charlie one."}\n{"text": "Charlie two."}\n')
    (tmp_path / ".hidden.txt").write_text("Hidden body.\n")
    stdin = io.BytesIO(b"Report from standard input.\n")
    missing = str(tmp_path / "nope.txt")
    items = list(read_paths([str(tmp_path), "-", missing, str(tmp_path / "b" / "*.txt")], stdin=stdin))
    got = [
        (item.path, item.text) if isinstance(item, Article) else (item.path, item.reason) for item in items
    ]
    assert got == [
        (str(tmp_path / "a.txt"), "Alpha report body."),
        (str(tmp_path / "b" / "inner" / "m.txt"), "Mike report body."),
        (str(tmp_path / "b" / "z.txt"), "Zulu report body."),
        (str(tmp_path / "c.jsonl"), "Charlie one."),
        (str(tmp_path / "c.jsonl"), "Charlie two."),
        ("<stdin>", "Report from standard input."),
        (missing, "no such file or directory"),
        (str(tmp_path / "b" / "z.txt"), "Zulu report body."),
    ]


def test_glob_without_match_is_an_error(tmp_path: Path) -> None:
    pattern = str(tmp_path / "*.nothing")
    assert list(read_paths([pattern])) == [Rejection(pattern, "no file matches this pattern")]


def test_folder_of_ten_thousand_files(tmp_path: Path) -> None:
    count = 10_000
    for shard in range(10):
        folder = tmp_path / f"shard{shard}"
        folder.mkdir()
        for number in range(count // 10):
            (folder / f"{number:04d}.txt").write_text(f"Report {shard}-{number} on the harbour.\n")
    seen = 0
    for item in read_paths([str(tmp_path)]):
        assert isinstance(item, Article), item
        shard, number = Path(item.path or "").parent.name[5:], Path(item.path or "").stem
        assert item.text == f"Report {shard}-{int(number)} on the harbour."
        seen += 1
    assert seen == count


def test_big_warc_file_is_streamed_with_a_per_record_cap(tmp_path: Path) -> None:
    data = make_warc(WARC_RECORDS, compress=True)
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(data)
    cap = max(len(r[3]) for r in WARC_RECORDS) + 1
    assert len(data) > cap  # the whole archive exceeds the cap, each record does not
    items = list(read_paths([str(path)], max_bytes=cap))
    assert [a.url for a in articles(items)] == [
        "https://courier.example/flood",
        "https://courier.example/bridge",
    ]
    assert errors(items) == []


# --- real data ------------------------------------------------------------------------------------


def test_timeline17_jsonl_read_in_full() -> None:
    root = require_shared("timeline17")
    files = sorted(root.glob("*/articles.jsonl"))
    assert files
    total = 0
    for path in files:
        lines = path.read_bytes().split(b"\n")
        records = [(n, line, json.loads(line)) for n, line in enumerate(lines, 1) if line.strip()]
        items = list(read_paths([str(path)]))
        # every line gives one item: an article, or an error when the corpus left its text empty
        assert len(items) == len(records)
        for item, (number, line, record) in zip(items, records, strict=True):
            if not record["text"].strip():
                assert item == Rejection(str(path), "no text found", number)
                continue
            assert isinstance(item, Article)
            assert (item.external_id, item.published, item.raw) == (record["id"], record["time"], line)
            assert normalize_for_identity(item.text) == normalize_for_identity(record["text"])
            total += 1
    assert total > 2000
