"""Readers on hostile or damaged input: deep nesting, stray bytes, entity-expansion bombs."""

from __future__ import annotations

from xml.sax.saxutils import escape

from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.model import Article, Rejection
from storyline.read._encoding import decode
from storyline.read.dispatch import read_bytes

BODY = "The harbour of Northgate reopened on Monday after two weeks of repairs, officials said."


def _nested_page(levels: int) -> bytes:
    return (
        "<html><head><title>Harbour</title></head><body>"
        + "<div>" * levels
        + f"<p>{BODY}</p><p>Ferries will run every hour from Tuesday.</p>"
        + "</div>" * levels
        + "</body></html>"
    ).encode()


def test_html_nested_deeper_than_255_levels_keeps_its_text() -> None:
    [item] = list(read_bytes(_nested_page(300), "deep.html"))
    assert isinstance(item, Article), item
    assert BODY in item.text
    assert "Ferries will run every hour" in item.text


def test_html_nested_beyond_the_parser_limit_is_too_deeply_nested() -> None:
    [item] = list(read_bytes(_nested_page(2100), "deeper.html"))
    assert isinstance(item, Rejection)
    assert "too deeply nested" in item.reason
    assert "no text found" not in item.reason


def test_feed_entry_nested_deeper_than_255_levels_keeps_its_text() -> None:
    fragment = "<div>" * 1500 + f"<p>{BODY}</p>" + "</div>" * 1500
    feed = (
        '<rss version="2.0"><channel><title>Northgate</title><item><title>Deep</title>'
        f"<description>{escape(fragment)}</description></item></channel></rss>"
    ).encode()
    [item] = list(read_bytes(feed, "deep.rss"))
    assert isinstance(item, Article), item
    assert item.text == BODY


def test_feed_entry_nested_beyond_the_parser_limit_is_too_deeply_nested() -> None:
    fragment = "<div>" * 2100 + f"<p>{BODY}</p>" + "</div>" * 2100
    feed = (
        '<rss version="2.0"><channel><title>Northgate</title><item><title>Deep</title>'
        f"<description>{escape(fragment)}</description></item><item><title>Flat</title>"
        f"<description>{BODY}</description></item></channel></rss>"
    ).encode()
    deep, flat = list(read_bytes(feed, "deeper.rss"))
    assert isinstance(deep, Rejection)
    assert deep.reason.startswith("entry 1 (Deep): too deeply nested")
    assert isinstance(flat, Article) and flat.text == BODY


def test_ascii_text_with_one_bad_byte_is_utf8_with_a_replacement_character() -> None:
    data = (BODY + " ") * 5 + "\xff" + " More text follows."
    raw = data.encode("latin-1")
    text, encoding = decode(raw)
    assert encoding == "utf-8"
    assert text == data.replace("\xff", "\ufffd")


def test_utf8_text_with_one_bad_byte_stays_utf8() -> None:
    data = "Le café de Zürich a rouvert lundi. ".encode() * 4 + b"\x9c" + "Les habitués sont revenus.".encode()
    text, encoding = decode(data)
    assert encoding == "utf-8"
    assert "Le café de Zürich" in text and "Les habitués" in text
    assert text.count("\ufffd") == 1


def test_ascii_text_with_a_few_latin1_letters_is_windows_1252() -> None:
    data = ("The caf\xe9 on the quay and the na\xefve tourists were back on Monday. " * 3).encode("latin-1")
    text, encoding = decode(data)
    assert encoding == "cp1252"
    assert "café" in text and "naïve" in text


@settings(max_examples=60, deadline=None)
@given(
    words=st.lists(st.sampled_from(["harbour", "ferry", "Monday", "the", "reopened", "café", "Zürich"]), min_size=20),
    bad=st.sampled_from([b"\xff", b"\xfe", b"\xc3", b"\x80"]),
    at=st.integers(min_value=0),
)
def test_utf8_with_one_stray_byte_loses_only_that_byte(words: list[str], bad: bytes, at: int) -> None:
    original = " ".join(words)
    raw = original.encode()
    cut = raw.rfind(b" ", 0, at % len(raw) + 1) + 1  # a word boundary: never inside a character
    text, _ = decode(raw[:cut] + bad + raw[cut:])
    if "\ufffd" in text:
        assert text.replace("\ufffd", "") == original
    else:  # an ASCII-only text with one Latin-1 letter inside a word
        assert len(text) == len(original) + 1


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
<!ENTITY lol "lol">
<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<rss version="2.0"><channel><title>Northgate</title><link>https://northgate.example/</link>
<item><title>Laughs</title><link>https://northgate.example/a</link><description>&lol3;</description></item>
<item><title>Harbour</title><link>https://northgate.example/b</link>
<description>The harbour of Northgate reopened on Monday after two weeks of repairs.</description></item>
</channel></rss>"""


def test_feed_entity_expansion_bomb_entry_is_rejected_and_the_rest_read() -> None:
    bomb, good = list(read_bytes(BOMB, "bomb.rss"))
    assert isinstance(bomb, Rejection)
    assert "entry 1 (Laughs)" in bomb.reason and "entity-expansion bomb" in bomb.reason
    assert "\n" not in str(bomb)
    assert isinstance(good, Article)
    assert good.text.startswith("The harbour of Northgate reopened")
