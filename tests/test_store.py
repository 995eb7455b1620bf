"""The storage interface, exercised on the SQLite backend."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storyline.model import Article, EntityMention, Quantity, TimeExpression, article_id
from storyline.store import Annotations, NotFound, QuerySyntaxError, Store, StoreError, open_store
from storyline.store.base import parse_query
from storyline.store.sqlite import _MIGRATIONS, SCHEMA_VERSION


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(str(tmp_path / "t.db"))


def _article(text: str = "A fire broke out at the Verano plant on Sunday.", **kw: object) -> Article:
    return Article(text=text, title=kw.pop("title", "Fire at Verano plant"), **kw)  # type: ignore[arg-type]


def test_same_content_is_a_noop(store: Store) -> None:
    first = store.upsert_article(_article(raw=b"raw bytes"))
    again = store.upsert_article(_article(raw=b"raw bytes"))
    assert first.status == "new" and again.status == "unchanged"
    assert again.id == first.id and store.count_articles() == 1
    assert store.article_versions(first.id)[0]["raw_size"] == len(b"raw bytes")


def test_whitespace_and_case_do_not_change_identity() -> None:
    a = _article("A fire broke out.\n\nIt spread.")
    b = _article("A  fire broke out.\n It spread. ")
    assert article_id(a) == article_id(b)


def test_same_url_with_changed_text_is_a_new_version(store: Store) -> None:
    url = "https://example.org/news/fire?utm_source=x"
    v1 = store.upsert_article(_article(url=url, raw=b"v1"))
    v2 = store.upsert_article(_article("A fire broke out at the Verano plant on Sunday. Two died.",
                                       url="https://www.example.org/news/fire/", raw=b"v2"))
    assert (v1.id, v1.status, v2.status, v2.version) == (v2.id, "new", "updated", 2)
    assert store.count_articles() == 1
    assert store.get_article(v1.id).article.text.endswith("Two died.")
    assert [v["version"] for v in store.article_versions(v1.id)] == [1, 2]
    assert store.raw_input(v1.id, 1) == b"v1" and store.raw_input(v1.id) == b"v2"
    # the search index follows the latest version only
    assert [h.article_id for h in store.search("died")] == [v1.id]


def test_search_ranks_and_highlights(store: Store) -> None:
    store.upsert_article(_article("Floods hit the valley. The river rose.", title="Floods in valley"))
    fire = store.upsert_article(_article("Fire, fire everywhere: the plant fire raged.", title="Plant fire"))
    store.upsert_article(_article("A fire drill was held.", title="Drill"))
    hits = store.search("fire")
    assert hits[0].article_id == fire.id
    assert "[fire]" in hits[0].snippet.lower()
    assert store.search('"fire drill"')[0].title == "Drill"
    assert store.search("flood*")[0].title == "Floods in valley"


@pytest.mark.parametrize("query", ['fire" OR', "NEAR(", "title:fire", "a AND OR NOT", "*", "'; DROP TABLE x"])
def test_search_input_never_becomes_query_syntax(store: Store, query: str) -> None:
    store.upsert_article(_article())
    try:
        store.search(query)
    except QuerySyntaxError as exc:
        assert "search query" in str(exc)


def test_parse_query_errors_are_precise() -> None:
    with pytest.raises(QuerySyntaxError, match="unbalanced double quote"):
        parse_query('"open')
    with pytest.raises(QuerySyntaxError, match="no words"):
        parse_query("  ** ")
    assert parse_query('oil "gulf of mexico" spil*') == [("oil", False), ("gulf of mexico", False), ("spil", True)]


def test_annotations_round_trip(store: Store) -> None:
    res = store.upsert_article(_article())
    ann = Annotations(
        timexes=(TimeExpression(41, 50, "on Sunday", "DATE", "2024-02-18"),),
        quantities=(Quantity(0, 1, "A", 1.0, "count", "count", False, "fire", None, {"x": 1}),),
        mentions=(EntityMention(24, 30, "Verano", "ORG", None),),
        notes={"entities": "ok"},
    )
    store.set_annotations(res.id, ann)
    assert store.get_annotations(res.id) == ann


def test_prefix_lookup_and_not_found(store: Store) -> None:
    res = store.upsert_article(_article())
    assert store.get_article(res.id[:6]).id == res.id
    with pytest.raises(NotFound, match="no article with id 'zzzz'"):
        store.get_article("zzzz")


def test_opening_an_older_database_upgrades_it(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(_MIGRATIONS[0])
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO articles(id, version, content_hash, text, ingested_at, updated_at, seq)"
        " VALUES ('abc', 1, 'h', 'old text', 't', 't', 1)"
    )
    conn.commit()
    conn.close()
    with open_store(str(path)) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.get_article("abc").article.text == "old text"
        assert store.get_annotations("abc") == Annotations()
        assert [a.id for a in store.unclustered_articles()] == ["abc"]


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"bad\.db"):
        open_store(str(bad))


def test_story_assignment_merges_and_state(store: Store) -> None:
    a = store.upsert_article(_article("one", published="2024-02-01")).id
    b = store.upsert_article(_article("two", published="2024-01-01")).id
    assert [s.id for s in store.unclustered_articles()] == [b, a]  # publication order
    assert store.assign_story(b, "s1", duplicate_of=None) == 1
    assert store.assign_story(a, "s2", duplicate_of=None) == 2
    store.save_cluster_state(b"state", 1)
    assert store.load_cluster_state() == (b"state", 1)
    assert [s.id for s in store.clustered_after(1)] == [a]
    c = store.upsert_article(_article("three", published="2024-02-02")).id
    store.assign_story(c, "s1", duplicate_of=a, merged_from=["s2"])
    stories = store.list_stories()
    assert [s.id for s in stories] == ["s1"]
    assert set(stories[0].article_ids) == {a, b, c} and stories[0].merged_from == ("s2",)
    assert store.get_story("s2").id == "s1"  # a merged id still resolves
    store.reset_stories()
    assert store.list_stories() == [] and len(store.unclustered_articles()) == 3
