"""Outlet names: sections and feed labels stripped, a feed mapped to its site."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from storyline.clean import clean_article
from storyline.clean.outlet import normalize_outlet
from storyline.model import Article
from storyline.read.dispatch import read_bytes


@pytest.mark.parametrize(
    ("name", "link", "expected"),
    [
        ("World news | The Northgate Chronicle", "https://www.northgatechronicle.co.uk/world", "The Northgate Chronicle"),
        ("World news | The Northgate Chronicle", None, "The Northgate Chronicle"),
        ("The Northgate Chronicle", None, "The Northgate Chronicle"),
        ("The Tokyo Harbour Times - Business", "https://www.tokyoharbourtimes.jp/business", "The Tokyo Harbour Times"),
        ("Meridian Press Agency — Latest news", None, "Meridian Press Agency"),
        ("Reuters: Top News", "https://feeds.reuters.com/reuters/topNews", "Reuters"),
        ("Highveld Mercury RSS feed", None, "Highveld Mercury"),
        ("Il Faro Lombardo - Home", None, "Il Faro Lombardo"),
        ("Climate crisis | The Northgate Chronicle", None, "The Northgate Chronicle"),
        ("Politics – BBC News", "https://www.bbc.co.uk/news/politics", "BBC News"),
        ("Latest news", "https://www.lakeshoredailypost.com/rss", "lakeshoredailypost.com"),
        ("World", "https://feeds.example-gazette.org/world.xml", "example-gazette.org"),
        ("Le Courrier du Rhône", "https://www.lecourrierdurhone.fr/", "Le Courrier du Rhône"),
        (None, "https://www.deccanledger.in/a/b", "deccanledger.in"),
        ("  ", None, None),
    ],
)
def test_outlet_names(name: str | None, link: str | None, expected: str | None) -> None:
    assert normalize_outlet(name, link) == expected


_NAME_WORDS = st.sampled_from(["Northgate", "Harbour", "Lakeshore", "Meridian", "Deccan", "Faro", "Rhône", "Tokyo"])
_MASTHEADS = st.sampled_from(["Chronicle", "Times", "Post", "Ledger", "Press", "Mercury", "Gazette"])
_SECTIONS = st.lists(
    st.sampled_from(["World", "news", "Latest", "Business", "Sport", "Top", "stories", "Home", "UK", "Politics"]),
    min_size=1,
    max_size=3,
).map(" ".join)
_SEPARATORS = st.sampled_from([" | ", " - ", " – ", " — ", ": ", " · ", "|", " » "])


@st.composite
def _outlets(draw: st.DrawFn) -> str:
    the = draw(st.sampled_from(["", "The "]))
    return the + " ".join(draw(st.lists(_NAME_WORDS, min_size=1, max_size=2))) + " " + draw(_MASTHEADS)


@st.composite
def _links(draw: st.DrawFn) -> str | None:
    host = draw(st.sampled_from(["www.northgatechronicle.co.uk", "feeds.example.com", "tokyoharbourtimes.jp"]))
    return draw(st.sampled_from([None, f"https://{host}/section/page"]))


@settings(max_examples=300, deadline=None)
@given(
    name=_outlets() | st.text(max_size=60) | st.builds("{} | {}".format, _SECTIONS, _outlets()),
    link=_links(),
)
def test_normalizing_twice_changes_nothing(name: str, link: str | None) -> None:
    once = normalize_outlet(name, link)
    assert normalize_outlet(once, link) == once


@settings(max_examples=300, deadline=None)
@given(outlet=_outlets(), section=_SECTIONS, separator=_SEPARATORS, suffix=st.booleans(), rss=st.booleans())
def test_a_section_or_feed_label_does_not_change_the_outlet(
    outlet: str, section: str, separator: str, suffix: bool, rss: bool
) -> None:
    decorated = f"{outlet}{separator}{section}" if suffix else f"{section}{separator}{outlet}"
    if rss:
        decorated += " RSS"
    assert normalize_outlet(decorated) == normalize_outlet(outlet) == outlet


@settings(max_examples=200, deadline=None)
@given(name=st.text(max_size=60), link=_links())
def test_an_outlet_is_never_empty_and_has_no_edge_space(name: str, link: str | None) -> None:
    result = normalize_outlet(name, link)
    assume(result is not None)
    assert result and result == result.strip()


def test_rss_channel_title_with_a_section_names_the_site() -> None:
    feed = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>World news | The Northgate Chronicle</title>
<link>https://www.northgatechronicle.co.uk/world</link>
<item><title>Harbour reopens</title><link>https://www.northgatechronicle.co.uk/world/harbour</link>
<description>The harbour of Northgate reopened on Monday after two weeks of repairs.</description></item>
</channel></rss>"""
    [article] = list(read_bytes(feed, "world.rss"))
    assert isinstance(article, Article)
    assert article.source == "The Northgate Chronicle"


def test_cleaning_normalizes_every_articles_outlet() -> None:
    text = "The harbour of Northgate reopened on Monday after two weeks of repairs, officials said."
    cleaned = clean_article(
        Article(text=text, source="The Tokyo Harbour Times - Business", url="https://www.tokyoharbourtimes.jp/b/1")
    )
    assert cleaned.source == "The Tokyo Harbour Times"
    assert clean_article(Article(text=text)).source is None
