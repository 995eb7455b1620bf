"""Fuzzing the readers and the cleaner (hypothesis).

The error contract under test:

* `read_bytes(data, path)` and `read_paths(paths)` never raise (only KeyboardInterrupt and
  SystemExit escape): every input gives at least one item, each an `Article` or a `Rejection`.
  A Rejection is one line of bounded length naming its input. An Article has non-empty text, and
  every string in it (text, title, url, source, authors, ...) is encodable Unicode: lone surrogates
  from escapes such as JSON "\\ud800" become U+FFFD.
* Hostile input is bounded: decompression stops at `max_bytes` (a gzip bomb is a Rejection, never
  inflated), XML entities are not expanded into a bomb and external entities are never resolved,
  nesting too deep to parse is a Rejection, and nothing is fetched.
* `clean_article(article)` never raises for any Article whose fields are strings (lone surrogates
  included) and returns an Article whose text is encodable.

Example counts are bounded by `settings(max_examples=...)` per test (see EXAMPLES); the file runs in
well under a minute. `pytest tests/test_fuzz.py --hypothesis-show-statistics` shows what ran.
"""

from __future__ import annotations

import gzip
import io
import json
import tempfile
import zlib
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storyline.clean import clean_article
from storyline.model import Article, Rejection
from storyline.read import read_bytes, read_paths

# max_examples per strategy (the numbers the report quotes).
EXAMPLES = {
    "bytes": 300,
    "html": 120,
    "feed": 120,
    "json": 150,
    "unicode": 150,
    "huge_lines": 6,
    "nesting": 12,
    "xml_bombs": 12,
    "gzip_bombs": 10,
    "paths": 25,
    "clean": 250,
}
SMALL_CAP = 256 * 1024
NAMES = ["a.txt", "a.html", "a.jsonl", "a.json", "a.xml", "a.rss", "a.atom", "a.warc", "a.gz", "a"]
PARA = "The council said on Monday that the bridge over the river would reopen after repairs next week."


def _fuzz(key: str, **extra: object) -> settings:
    return settings(max_examples=EXAMPLES[key], deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much], **extra)  # type: ignore[arg-type]


def _encodable(value: object) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, tuple | list):
        return all(_encodable(v) for v in value)
    if isinstance(value, dict):
        return all(_encodable(k) and _encodable(v) for k, v in value.items())
    return True


def check_items(items: list[Article | Rejection], path: str | None = None, *, clean: bool = True,
                max_text: int | None = None) -> None:
    """The reader's output contract; the cleaner must take every article the readers give."""
    assert items, "every input gives at least an article or an error"
    for item in items:
        assert isinstance(item, Article | Rejection), type(item)
        if isinstance(item, Rejection):
            text = str(item)
            assert "\n" not in text and len(item.reason) <= 300 and item.reason
            if path is not None:
                assert item.path.startswith(path) or path.startswith(item.path) or item.path == path
            assert _encodable(item.reason)
            continue
        assert item.text.strip()
        for name in ("text", "title", "url", "source", "published", "published_time", "language", "authors",
                     "agency", "external_id", "extra"):
            assert _encodable(getattr(item, name)), (name, getattr(item, name))
        if max_text is not None:
            assert len(item.text) <= max_text
        if clean:
            cleaned = clean_article(item)
            assert isinstance(cleaned, Article) and _encodable(cleaned.text)


def read(data: bytes, path: str, **kw: int) -> list[Article | Rejection]:
    return list(read_bytes(data, path, **kw))


# -- arbitrary bytes -----------------------------------------------------------------------------

_PREFIXES = [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"<", b"<?xml version='1.0'?>", b"{", b"[",
             b"WARC/1.1\r\n", b"\x1f\x8b\x08\x00\x00\x00\x00\x00", b"date 2024-02-30\n", b"<html>"]


@_fuzz("bytes")
@given(prefix=st.sampled_from(_PREFIXES), body=st.binary(max_size=4096), name=st.sampled_from(NAMES))
def test_arbitrary_bytes(prefix: bytes, body: bytes, name: str) -> None:
    check_items(read(prefix + body, name), name)


# -- malformed HTML ------------------------------------------------------------------------------

_HTML_TOKENS = [
    "<html>", "</html>", "<head>", "<body>", "</body>", "<div>", "</div>", "<p>", "</p>", "<article>",
    "<script>", "</script>", "<style>", "<!--", "-->", "<![CDATA[", "]]>", "<!DOCTYPE html>", "<", ">", "&",
    "&amp;", "&#0;", "&#x0;", "&#xD800;", "&#55296;", "&#1114112;", "&#x110000;", "&nbsp", '<meta charset="utf-16">',
    '<meta charset="x-unknown">', '<meta property="article:published_time" content="2024-02-31T99:99">',
    '<time datetime="0000-00-00" pubdate>', "<title>", "</title>", "<h1>", '<a href="javascript:alert(1)">',
    '<img src="http://203.0.113.9/x.png">', '<link rel="canonical" href="http://203.0.113.9/">',
    '<iframe src="http://203.0.113.9/">', "<table><tr><td>", "<li>", "<ul>", "<br/>", "\x00", "\r", "\n\n",
    '<p lang="xx-YY">', '<html lang="\ud800">', '<script type="application/ld+json">{"datePublished": "',
    PARA, PARA, PARA,
]
html_soup = st.lists(st.sampled_from(_HTML_TOKENS) | st.text(max_size=40), max_size=60).map("".join)


@_fuzz("html")
@given(html=html_soup, encoding=st.sampled_from(["utf-8", "utf-16", "latin-1"]),
       name=st.sampled_from(["a.html", "a.htm", "a.txt", "a"]))
def test_malformed_html(html: str, encoding: str, name: str) -> None:
    data = html.encode(encoding, errors="surrogatepass" if encoding.startswith("utf") else "replace")
    check_items(read(data, name), name)


# -- malformed XML feeds -------------------------------------------------------------------------

_XML_TOKENS = [
    "<item>", "</item>", "<entry>", "</entry>", "<title>", "</title>", "<description>", "</description>",
    '<content type="html">', '<content type="xhtml">', "</content>", "<summary>", "</summary>",
    "<link>http://203.0.113.9/a</link>", '<link href="file:///etc/passwd"/>', "<pubDate>", "</pubDate>",
    "Mon, 31 Feb 2024 25:61:00 +9999", "<![CDATA[", "]]>", "&lt;p&gt;", "&amp;", "&e;", "&#xD800;", "&#0;",
    "&undefined;", "<!--", "-->", "<?pi x?>", "<dc:creator>", "</dc:creator>", 'xml:lang="zz"', "<", ">",
    PARA, PARA,
]
_DOCTYPES = [
    "", '<!DOCTYPE rss [<!ENTITY e "entity text">]>',
    '<!DOCTYPE rss [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE rss [<!ENTITY % p SYSTEM "http://203.0.113.9/evil.dtd"> %p;]>',
    '<!DOCTYPE rss SYSTEM "http://203.0.113.9/rss.dtd">',
]
_ROOTS = [('<rss version="2.0"><channel><title>T</title>', "</channel></rss>"),
          ('<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>', "</feed>"),
          ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">',
           "</rdf:RDF>")]


@_fuzz("feed")
@given(doctype=st.sampled_from(_DOCTYPES), root=st.sampled_from(_ROOTS),
       body=st.lists(st.sampled_from(_XML_TOKENS) | st.text(max_size=30), max_size=50).map("".join),
       close=st.booleans(), name=st.sampled_from(["a.rss", "a.xml", "a.atom", "a"]))
def test_malformed_feeds(doctype: str, root: tuple[str, str], body: str, close: bool, name: str) -> None:
    doc = '<?xml version="1.0" encoding="utf-8"?>' + doctype + root[0] + body + (root[1] if close else "")
    items = read(doc.encode("utf-8", "surrogatepass"), name)
    check_items(items, name)
    assert not any("root:" in repr(i) for i in items)  # /etc/passwd never read


# -- malformed JSON ------------------------------------------------------------------------------

_KEYS = st.sampled_from(["text", "title", "url", "source", "published", "language", "author", "authors", "id",
                         "html", "content", "body", "date", "lang"]) | st.text(max_size=8)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=60)
    | st.just(PARA) | st.just("<p>" + PARA + "</p>"),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(_KEYS, children, max_size=6),
    max_leaves=25,
)


@st.composite
def json_documents(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(json_values, min_size=1, max_size=5))
    if draw(st.booleans()):
        text = "\n".join(json.dumps(v, allow_nan=True) for v in lines)
    else:
        text = json.dumps(lines, indent=draw(st.sampled_from([None, 2])), allow_nan=True)
    data = text.encode("utf-8")
    mutation = draw(st.sampled_from(["none", "cut", "insert", "escape"]))
    if mutation == "cut" and data:
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif mutation == "insert":
        at = draw(st.integers(0, len(data)))
        junk = draw(st.sampled_from([b"\x00", b'"', b"}", b"]", b"\\", b"\\ud800", b"\xff", b",,"]))
        data = data[:at] + junk + data[at:]
    elif mutation == "escape":
        data = data.replace(b"bridge", b"\\ud800\\udbff bridge\\u0000")
    return data


@_fuzz("json")
@given(data=json_documents(), name=st.sampled_from(["a.jsonl", "a.json", "a.ndjson", "a"]))
def test_malformed_json(data: bytes, name: str) -> None:
    check_items(read(data, name), name)


# -- invalid UTF-8 / UTF-16, surrogates ----------------------------------------------------------

_BAD_UNITS = [b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xc0\xaf", b"\xe0\x80\xaf", b"\xf4\x90\x80\x80", b"\xff",
              b"\x80", b"\x00\xd8", b"\x00\xdc", b"\xd8\x00", b"\x00", b"\xef\xbb\xbf"]


@st.composite
def bad_unicode(draw: st.DrawFn) -> tuple[bytes, str]:
    kind = draw(st.sampled_from(["utf-8", "utf-16-le", "utf-16-be", "json-escape", "xml-ref", "html-ref"]))
    words = [PARA] * draw(st.integers(1, 3))
    text = " ".join(words)
    if kind == "utf-8":
        parts = [text.encode(), *draw(st.lists(st.sampled_from(_BAD_UNITS), min_size=1, max_size=6))]
        return b" ".join(draw(st.permutations(parts))), draw(st.sampled_from(["a.txt", "a.html", "a"]))
    if kind.startswith("utf-16"):
        bom = b"\xff\xfe" if kind.endswith("le") else b"\xfe\xff"
        body = text.encode(kind)
        lone = draw(st.sampled_from(["\ud800", "\udfff", "\udbff\udbff"])).encode(kind, "surrogatepass")
        at = draw(st.integers(0, len(body) // 2)) * 2
        return bom * draw(st.booleans()) + body[:at] + lone + body[at:], "a.txt"
    lone = draw(st.sampled_from(["\\ud800", "\\udfff", "\\ud800\\ud800", "\\udc00\\ud800"]))
    if kind == "json-escape":
        doc = {"text": text, "title": "Title", "source": "Outlet", "authors": ["A"], "url": "https://x.example/a"}
        field = draw(st.sampled_from(sorted(doc)))
        raw = json.dumps(doc).replace(f'"{field}": "', f'"{field}": "{lone}', 1)
        return raw.encode(), "a.jsonl"
    ref = draw(st.sampled_from(["&#xD800;", "&#55296;", "&#xDFFF;&#xD800;", "&#0;", "&#x110000;"]))
    if kind == "xml-ref":
        return (f'<rss version="2.0"><channel><title>T{ref}</title><item><title>I{ref}</title>'
                f"<description>{text} {ref}</description><author>{ref}</author></item></channel></rss>"
                ).encode(), "a.rss"
    return f"<html><head><title>T{ref}</title></head><body><p>{text} {ref}</p></body></html>".encode(), "a.html"


@_fuzz("unicode")
@given(case=bad_unicode())
def test_invalid_unicode(case: tuple[bytes, str]) -> None:
    data, name = case
    check_items(read(data, name), name)


# -- huge lines, deep nesting --------------------------------------------------------------------


@_fuzz("huge_lines")
@given(size=st.sampled_from([200_000, 1_000_000, 3_000_000]), kind=st.sampled_from(["text", "html", "jsonl",
                                                                                     "feed"]))
def test_huge_lines(size: int, kind: str) -> None:
    line = ("word " * (size // 5))[:size]
    if kind == "html":
        data, name = f"<html><body><p>{line}</p></body></html>", "a.html"
    elif kind == "jsonl":
        data, name = json.dumps({"text": line, "title": "t" * 10_000}), "a.jsonl"
    elif kind == "feed":
        data, name = f'<rss version="2.0"><channel><item><description>{line}</description></item></channel></rss>', "a.rss"
    else:
        data, name = line, "a.txt"
    check_items(read(data.encode(), name), name)


def _nested(kind: str, depth: int) -> tuple[bytes, str]:
    if kind == "div":
        return b"<html><body>" + b"<div>" * depth + PARA.encode() + b"</div>" * depth + b"</body></html>", "a.html"
    if kind == "unclosed-div":
        return b"<html><body>" + b"<div><p>x" * depth + PARA.encode(), "a.html"
    if kind == "json-list":
        return b"[" * depth + b"]" * depth, "a.json"
    if kind == "json-object":
        return b'{"text": ' + b'{"a": ' * depth + b"1" + b"}" * depth + b"}\n" + json.dumps({"text": PARA}).encode(), \
            "a.jsonl"
    if kind == "xml":
        inner = b"<x>" * depth + b"</x>" * depth
        return b'<rss version="2.0"><channel><item><description>' + inner + PARA.encode() + \
            b"</description></item></channel></rss>", "a.rss"
    return b"<html><body>" + b"<blockquote><table><tr><td>" * depth + PARA.encode(), "a.html"


@_fuzz("nesting")
@given(kind=st.sampled_from(["div", "unclosed-div", "json-list", "json-object", "xml", "table"]),
       depth=st.sampled_from([1_000, 10_000, 50_000]))
def test_deep_nesting(kind: str, depth: int) -> None:
    data, name = _nested(kind, depth)
    items = read(data, name)
    check_items(items, name)
    if kind == "json-object":  # the deep line is an error, the next line still an article
        assert isinstance(items[0], Rejection) and isinstance(items[-1], Article)


# -- XML bombs -----------------------------------------------------------------------------------


def billion_laughs(levels: int, fanout: int) -> str:
    decls = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * fanout + '">' for i in range(1, levels + 1)]
    return "<!DOCTYPE bomb [" + "".join(decls) + "]>", f"&lol{levels};"


def quadratic_blowup(size: int, refs: int) -> tuple[str, str]:
    return f'<!DOCTYPE bomb [<!ENTITY a "{"x" * size}">]>', "&a;" * refs


@_fuzz("xml_bombs")
@given(bomb=st.sampled_from(["laughs", "quadratic"]), levels=st.integers(3, 9),
       wrapper=st.sampled_from(["rss", "atom", "html", "xhtml"]))
def test_xml_bombs(bomb: str, levels: int, wrapper: str) -> None:
    doctype, ref = billion_laughs(levels, 10) if bomb == "laughs" else quadratic_blowup(20_000, 10 ** min(levels, 5))
    body = f"{PARA} {ref} {PARA}"
    if wrapper == "rss":
        doc, name = (f'<?xml version="1.0"?>{doctype}<rss version="2.0"><channel><title>T</title><item>'
                     f"<title>{ref}</title><description>{body}</description></item></channel></rss>", "a.rss")
    elif wrapper == "atom":
        doc, name = (f'<?xml version="1.0"?>{doctype}<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
                     f"<title>t</title><content>{body}</content></entry></feed>", "a.atom")
    else:
        doc = f"{doctype}<html><head><title>{ref}</title></head><body><p>{body}</p></body></html>"
        if wrapper == "xhtml":
            doc = '<?xml version="1.0"?>' + doc.replace("<html>", '<html xmlns="http://www.w3.org/1999/xhtml">')
        name = "a.html"
    items = read(doc.encode(), name)
    # Nothing expands into gigabytes: every article stays within a small multiple of its input.
    check_items(items, name, max_text=max(4 * len(doc), 100_000))


# -- gzip bombs ----------------------------------------------------------------------------------


@cache
def gzip_bomb(inflated: int, payload: bytes = b"\x00") -> bytes:
    """`inflated` bytes of `payload` repeated, gzip-compressed (about a thousandth of the size)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = payload * (1 << 20 // len(payload))
    out = [packer.compress(chunk) for _ in range(inflated // len(chunk))]
    return b"".join(out) + packer.flush()


def _warc_gz(payload: bytes) -> bytes:
    block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + payload
    record = (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:1>\r\n"
              b"WARC-Target-URI: http://203.0.113.9/a\r\nContent-Type: application/http; msgtype=response\r\n"
              b"Content-Length: " + str(len(block)).encode() + b"\r\n\r\n" + block + b"\r\n\r\n")
    return gzip.compress(record, compresslevel=9)


@_fuzz("gzip_bombs")
@given(kind=st.sampled_from(["zeros", "text", "html", "nested", "warc"]),
       inflated=st.sampled_from([8 << 20, 64 << 20]))
def test_gzip_bombs(kind: str, inflated: int) -> None:
    if kind == "zeros":
        data, name = gzip_bomb(inflated), "a.txt.gz"
    elif kind == "text":
        data, name = gzip_bomb(inflated, b"word "), "a.txt.gz"
    elif kind == "html":
        data, name = gzip.compress(b"<html><body><p>" + b"a " * (inflated // 16)), "a.html.gz"
    elif kind == "nested":
        data, name = gzip.compress(gzip_bomb(inflated)), "a.gz"
    else:
        data, name = _warc_gz(b"<html><body><p>" + b"a " * (inflated // 16)), "a.warc.gz"
    items = read(data, name, max_bytes=SMALL_CAP)
    check_items(items, name, max_text=SMALL_CAP)
    assert all(isinstance(i, Rejection) for i in items), items


# -- read_paths ----------------------------------------------------------------------------------

any_file = (st.binary(max_size=2000) | html_soup.map(lambda s: s.encode("utf-8", "surrogatepass"))
            | json_documents())


@_fuzz("paths")
@given(files=st.lists(st.tuples(st.sampled_from([*NAMES, "sub/b.html", "sub/deeper/c.jsonl", ".hidden"]),
                                any_file), max_size=6),
       stdin=any_file)
def test_read_paths(files: list[tuple[str, bytes]], stdin: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, data in files:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        given_paths = [str(root), str(root / "*.txt"), str(root / "missing.txt"), "-"]
        items = list(read_paths(given_paths, stdin=io.BytesIO(stdin)))
        check_items(items, clean=False)
        assert any(isinstance(i, Rejection) and i.path.endswith("missing.txt") for i in items)


# -- clean_article -------------------------------------------------------------------------------

# Every code point, lone surrogates and controls included.
any_char = st.characters(exclude_categories=())
hostile_text = st.one_of(
    st.text(any_char, max_size=400),
    st.lists(st.sampled_from([PARA, "\n", "\n\n", "\r\n", "\u2028", "\u2029", "\x0b", "\ufeff", "\u00ad",
                              "By JANE DOE, Reuters", "Published: 20 Feb 2024 14:00 GMT | Updated: 21 Feb",
                              "PARIS, Feb 20 (Reuters) -", "-LRB- x -RRB-", " , ", "``", "''", "\ud800",
                              "Advertisement", "Subscribe to our newsletter", "ﬁ", "１２", "\x00", "\t"]),
             max_size=40).map("".join),
    st.integers(10_000, 300_000).map(lambda n: ("x" * n)),
)


@_fuzz("clean")
@given(text=hostile_text, title=st.none() | st.text(any_char, max_size=80),
       authors=st.lists(st.text(any_char, max_size=20), max_size=3),
       source=st.none() | st.text(any_char, max_size=30), language=st.none() | st.sampled_from(["en", "xx", ""]),
       published=st.none() | st.sampled_from(["2024-02-19", "not a date", ""]))
def test_clean_article_never_raises(text: str, title: str | None, authors: list[str], source: str | None,
                                    language: str | None, published: str | None) -> None:
    article = Article(text=text, title=title, authors=tuple(authors), source=source, language=language or None,
                      published=published)
    cleaned = clean_article(article)
    assert isinstance(cleaned, Article)
    assert _encodable(cleaned.text) and (cleaned.title is None or _encodable(cleaned.title))
    assert cleaned.language is None or len(cleaned.language) == 2
