"""Bad input: every broken file gives one clear Rejection, and nothing raises out of the readers."""

from __future__ import annotations

import gzip
import io
import os
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storyline.model import Article, Rejection
from storyline.read import read_bytes, read_paths

SMALL_CAP = 4096


def _warc_record(body: bytes, declared_length: int | None = None) -> bytes:
    """One uncompressed WARC response record, written by hand (declared length may lie)."""
    block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + body
    length = len(block) if declared_length is None else declared_length
    return (
        b"WARC/1.0\r\nWARC-Type: response\r\n"
        b"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\n"
        b"WARC-Date: 2024-03-01T12:00:00Z\r\nWARC-Target-URI: https://x.example/a\r\n"
        b"Content-Type: application/http; msgtype=response\r\n"
        b"Content-Length: " + str(length).encode() + b"\r\n\r\n" + block + b"\r\n\r\n"
    )


def _gzip_bomb() -> bytes:
    inflater = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return inflater.compress(b"a" * (SMALL_CAP * 50)) + inflater.flush()


# name: (file name, bytes, expected words in the reason)
CORPUS: dict[str, tuple[str, bytes, str]] = {
    "empty": ("empty.txt", b"", "empty file"),
    "blank": ("blank.txt", b" \n\t\r\n  \n", "empty file"),
    "png": (
        "picture.png",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        "binary content (PNG image)",
    ),
    "elf": ("program", b"\x7fELF\x02\x01\x01\x00" + bytes(64), "binary content (ELF executable)"),
    "nul bytes": ("data.txt", b"ab\x00\x01\x02cd\x00\xff" * 40, "binary content"),
    "undecodable": ("latin.txt", bytes(range(0x80, 0x100)) * 4, "undecodable"),
    "bad utf-16": ("u16.txt", b"\xff\xfe" + b"\x00\xd8" * 10, "invalid utf-16-le"),
    "truncated gzip": ("cut.txt.gz", gzip.compress(b"Some words here. " * 200)[:60], "truncated gzip"),
    "gzip bomb": ("bomb.txt.gz", _gzip_bomb(), "larger than"),
    "gigantic": ("huge.txt", b"word " * (SMALL_CAP // 4), "too large"),
    "html no text": ("empty.html", b"<html><body><script>var x = 1;</script></body></html>", "no text found"),
    "html garbage": ("garbage.html", b"<<<>>><</ >>", "no text found"),
    "json garbage": ("broken.jsonl", b'{"text": "unterminated\n', "malformed JSON"),
    "json no text": ("notext.jsonl", b'{"title": "Only a title"}\n', "no text found"),
    "not a feed": (
        "thing.xml",
        b'<?xml version="1.0"?><catalog><book>x</book></catalog>',
        "not an RSS or Atom feed",
    ),
    "broken entry": (
        "one.rss",
        b'<rss version="2.0"><channel><item><title>T</title></item></channel></rss>',
        "no text",
    ),
    "feed cut": (
        "cut.rss",
        b'<rss version="2.0"><channel><title>x</title><item><title>T</ti',
        "truncated feed",
    ),
    "warc cut": (
        "cut.warc",
        _warc_record(b"<html><p>Text of the page.</p></html>", declared_length=9000),
        "truncated",
    ),
    "warc no html": (
        "info.warc",
        b"WARC/1.0\r\nWARC-Type: warcinfo\r\nContent-Length: 0\r\n\r\n\r\n\r\n",
        "no HTML",
    ),
    "warc garbage": ("junk.warc", b"WARC/1.0\r\n\x00\x01garbage", "WARC"),
    "text bad date": ("dump.txt", b"date 2024-13-45\nBody of the text.\n", "invalid date"),
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_bad_input_gives_one_clear_error(name: str) -> None:
    filename, data, expected = CORPUS[name]
    items = list(read_bytes(data, f"corpus/{filename}", max_bytes=SMALL_CAP))
    assert len(items) == 1, items
    [item] = items
    assert isinstance(item, Rejection)
    message = str(item)
    assert message.startswith(f"corpus/{filename}")
    assert expected in item.reason
    assert "\n" not in message and len(message) < 400


def test_bad_corpus_as_a_folder_each_file_one_error(tmp_path: Path) -> None:
    for filename, data, _ in CORPUS.values():
        (tmp_path / filename).write_bytes(data)
    (tmp_path / "good.txt").write_bytes(b"One good report among the broken files.\n")
    items = list(read_paths([str(tmp_path)], max_bytes=SMALL_CAP))
    good = [item for item in items if isinstance(item, Article)]
    assert [item.text for item in good] == ["One good report among the broken files."]
    assert sorted(item.path for item in items if isinstance(item, Rejection)) == sorted(
        str(tmp_path / filename) for filename, _, _ in CORPUS.values()
    )


def test_malformed_lines_and_entries_do_not_stop_the_rest() -> None:
    jsonl = b'{"text": "one."}\n{oops}\n[1, 2\n{"text": "four."}\n'
    items = list(read_bytes(jsonl, "mixed.jsonl"))
    assert [(type(i).__name__, getattr(i, "line", None)) for i in items] == [
        ("Article", None),
        ("Rejection", 2),
        ("Rejection", 3),
        ("Article", None),
    ]
    feed = (
        b'<rss version="2.0"><channel><title>F</title>'
        b"<item><title>Good</title><description>Fine text.</description></item>"
        b"<item><title>Bad</title></item>"
        b"<item><title>Also good</title><description>More text.</description></item>"
        b"</channel></rss>"
    )
    kinds = [type(i).__name__ for i in read_bytes(feed, "f.rss")]
    assert kinds == ["Article", "Rejection", "Article"]
    cut = feed[: feed.index(b"More text")]
    items = list(read_bytes(cut, "cut.rss"))
    assert [type(i).__name__ for i in items] == ["Article", "Rejection", "Rejection"]
    assert isinstance(items[0], Article) and items[0].text == "Fine text."
    assert isinstance(items[-1], Rejection) and items[-1].reason.startswith("truncated feed")


class _EndlessStream(io.RawIOBase):
    """A stream of text that never ends, counting what was read from it."""

    def __init__(self) -> None:
        super().__init__()
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        chunk = (b"all work and no play " * (len(buffer) // 21 + 1))[: len(buffer)]
        buffer[: len(chunk)] = chunk
        self.served += len(chunk)
        return len(chunk)


def test_gigantic_stdin_is_rejected_without_reading_it_all() -> None:
    stream = _EndlessStream()
    items = list(read_paths(["-"], max_bytes=100_000, stdin=stream))  # type: ignore[arg-type]
    assert [str(item) for item in items] == [
        "<stdin>: too large: more than 100000 bytes (limit 100000 bytes)"
    ]
    assert stream.served <= 100_000 + 65536 + 1


def test_gigantic_file_is_rejected_from_its_size(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB that were never written
    assert list(read_paths([str(path)])) == [
        Rejection(str(path), f"too large: {50 * 1024 * 1024} bytes (limit {20 * 1024 * 1024} bytes)")
    ]


def test_unreadable_file_and_reader_bug_become_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import storyline.read.dispatch as dispatch

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(dispatch, "read_text", explode)
    path = tmp_path / "a.txt"
    path.write_text("Plain text.\n")
    assert list(read_paths([str(path)])) == [Rejection(str(path), "unexpected error: RuntimeError: boom")]


def test_keyboard_interrupt_is_not_swallowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import storyline.read.dispatch as dispatch

    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(dispatch, "read_text", interrupt)
    path = tmp_path / "a.txt"
    path.write_text("Plain text.\n")
    with pytest.raises(KeyboardInterrupt):
        list(read_paths([str(path)]))


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs file permissions to apply")
def test_permission_denied(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("Hidden text.\n")
    path.chmod(0)
    try:
        assert list(read_paths([str(path)])) == [Rejection(str(path), "permission denied")]
    finally:
        path.chmod(0o600)


_PREFIXES = [
    b"",
    b"<html><body>",
    b'<?xml version="1.0"?><rss version="2.0"><channel><item><description>',
    b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><content type="html">',
    b'{"text": "',
    b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 40\r\n\r\nHTTP/1.1 200 OK\r\n",
    b"\x1f\x8b\x08\x00",
    b"date 2024-01-01\n",
    b"\xff\xfe",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.sampled_from(_PREFIXES),
    body=st.binary(max_size=600) | st.text(max_size=300).map(lambda t: t.encode("utf-8")),
    name=st.sampled_from(["a.txt", "a.html", "a.jsonl", "a.xml", "a.warc", "a.gz", "a"]),
)
def test_read_bytes_never_raises(prefix: bytes, body: bytes, name: str) -> None:
    items = list(read_bytes(prefix + body, name))
    assert items, "every input gives at least an article or an error"
    for item in items:
        assert isinstance(item, Article | Rejection)
        if isinstance(item, Article):
            assert item.text.strip() and item.path == name and item.format is not None
        else:
            assert str(item).startswith(name) and "\n" not in str(item)
