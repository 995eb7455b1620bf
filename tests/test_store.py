"""The storage interface, exercised on both backends (SQLite, and PostgreSQL on a throwaway cluster)."""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from storyline.model import Article, Entity, EntityMention, Quantity, TimeExpression, article_id
from storyline.store import (
    AmbiguousId,
    Annotations,
    NotFound,
    QuerySyntaxError,
    Store,
    StoreError,
    open_store,
)
from storyline.store.base import parse_query
from storyline.store.sqlite import _MIGRATIONS, SCHEMA_VERSION


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


# -- semantics shared by both backends ------------------------------------------------------------


def test_ambiguous_prefix_is_an_error(store: Store) -> None:
    store.upsert_article(_article("one"), article_id="abc1")
    store.upsert_article(_article("two"), article_id="abc2")
    with pytest.raises(AmbiguousId, match="'abc' is ambiguous: abc1, abc2"):
        store.get_article("abc")
    assert store.get_article("abc2").article.text == "two"
    for weird in ("ab%", "a_c", "", "abc\\"):
        with pytest.raises(NotFound):
            store.get_article(weird)


def test_versions_statuses_and_listing(store: Store) -> None:
    url = "https://example.org/a"
    assert store.upsert_article(_article("v1", url=url, source="Example")).status == "new"
    assert store.upsert_article(_article("v1", url=url, source="Example")).status == "unchanged"
    res = store.upsert_article(_article("v2", url=url, source="Other"))
    assert (res.status, res.version) == ("updated", 2)
    assert store.upsert_article(_article("v2", url=url)).status == "unchanged"
    other = store.upsert_article(_article("another one", source="  "))
    assert store.get_article(other.id).article.source is None  # blank source stored as none
    assert [a.id for a in store.list_articles()] == [res.id, other.id]  # ingestion order
    assert [a.id for a in store.list_articles(limit=1, offset=1)] == [other.id]
    assert [a.id for a in store.iter_articles(batch=1)] == [res.id, other.id]
    stored = store.get_article(res.id)
    assert (stored.version, stored.article.text, stored.article.source) == (2, "v2", "Other")
    versions = store.article_versions(res.id)
    assert [(v["version"], v["raw_size"]) for v in versions] == [(1, None), (2, None)]
    assert store.raw_input(res.id) is None and store.raw_input(res.id, 7) is None


def test_article_fields_round_trip(store: Store) -> None:
    art = Article(
        text="Körper\tüber – “quoted” 東京", title="Ünïcode", url="https://x.org/a?b=1", source="X",
        published="2024-02", published_time="10:30+01:00", language="de", authors=("A", "B"), agency="AFP",
        path="in/a.html", fetched="2024-02-01T00:00:00Z", format="html", raw=b"\x00\xff raw",
        external_id="e1", extra={"k": [1, 2.5, None], "z": "ω"},
    )
    res = store.upsert_article(art)
    got = store.get_article(res.id).article
    assert got == replace_raw(art)
    assert store.raw_input(res.id) == b"\x00\xff raw"


def replace_raw(a: Article) -> Article:
    from dataclasses import replace

    return replace(a, raw=None)


def test_unclustered_order_undated_last_unknown_time_first(store: Store) -> None:
    late = store.upsert_article(_article("late", published="2024-03-01", published_time="09:00")).id
    undated = store.upsert_article(_article("undated")).id
    timed = store.upsert_article(_article("timed", published="2024-03-01", published_time="08:00")).id
    untimed = store.upsert_article(_article("untimed", published="2024-03-01")).id
    month = store.upsert_article(_article("month", published="2024-02")).id
    assert [a.id for a in store.unclustered_articles()] == [month, untimed, timed, late, undated]


def test_entities_replace_links_and_fuzzy_lookup(store: Store) -> None:
    res = store.upsert_article(_article("Kim Jong Un met Moon Jae-in."))
    store.set_annotations(res.id, Annotations(mentions=(
        EntityMention(0, 11, "Kim Jong Un", "PERSON"), EntityMention(16, 27, "Moon Jae-in", "PERSON"),
    )))
    kim = Entity("PERSON:kim jong un", "Kim Jong Un", "PERSON", ("Kim Jong Un", "Kim Jong-un", "Kim Čong-un"))
    moon = Entity("PERSON:moon jae in", "Moon Jae-in", "PERSON", ("Moon Jae-in",))
    store.replace_entities([moon, kim], {(res.id, 0, 11): kim.key})
    assert store.list_entities() == [kim, moon]
    assert [m.entity_key for m in store.get_annotations(res.id).mentions] == [kim.key, None]
    assert [e.key for e in store.find_entities("kim jong-un")][:1] == [kim.key]
    assert [e.key for e in store.find_entities("KIM CONG UN")][:1] == [kim.key]  # accents and case folded
    assert store.find_entities("Verano") == []
    store.replace_entities([moon], {})
    assert store.list_entities() == [moon] and store.get_annotations(res.id).mentions[0].entity_key is None


def test_search_paging_and_prefix_phrases(store: Store) -> None:
    ids = [store.upsert_article(_article(f"Report {i} on the flooding of the river.", title=f"R{i}")).id
           for i in range(5)]
    hits = store.search("flooding river", limit=2)
    assert len(hits) == 2 and all("[flooding]" in h.snippet for h in hits)
    rest = store.search("flooding river", limit=10, offset=2)
    assert {h.article_id for h in hits + rest} == set(ids)
    assert store.search('"river flooding"') == []  # a phrase keeps its word order
    assert len(store.search("flood* riv*")) == 5
    assert store.search("nothing-like-this") == []


def test_cluster_lock_is_exclusive(store: Store) -> None:
    order: list[str] = []
    entered = threading.Event()

    def second() -> None:
        entered.wait(10)
        with store.cluster_lock():
            order.append("second")

    thread = threading.Thread(target=second)
    thread.start()
    with store.cluster_lock():
        entered.set()
        time.sleep(0.3)
        order.append("first")
    thread.join(10)
    assert order == ["first", "second"]
    with store.cluster_lock():  # released, reusable
        pass


def test_concurrent_upserts_of_one_article_create_it_once(store: Store) -> None:
    art = _article("The same report, stored by many workers at once.", url="https://example.org/same")
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda _: store.upsert_article(art), range(12)))
    assert sorted(r.status for r in results) == ["new"] + ["unchanged"] * 11
    assert store.count_articles() == 1 and len(store.article_versions(results[0].id)) == 1


def test_concurrent_story_assignments_get_distinct_sequence_numbers(store: Store) -> None:
    ids = [store.upsert_article(_article(f"article {i}")).id for i in range(20)]
    with ThreadPoolExecutor(4) as pool:
        seqs = list(pool.map(lambda a: store.assign_story(a, "s1", duplicate_of=None), ids))
    assert sorted(seqs) == list(range(1, 21))
    assert [a.id for a in store.clustered_after(18)] == sorted(ids, key=lambda a: seqs[ids.index(a)])[18:]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_newer_schema_is_refused(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    url = str(tmp_path / "t.db") if backend == "sqlite" else request.getfixturevalue("pg_url")
    open_store(url).close()
    if url.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("INSERT INTO schema_migrations(version, applied_at) VALUES (99, 'x')")
    else:
        with sqlite3.connect(url) as conn:
            conn.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="schema version 99 is newer"):
        open_store(url)


# -- PostgreSQL specifics ---------------------------------------------------------------------------


def test_postgres_older_schema_is_upgraded(pg_url: str) -> None:
    import psycopg

    from storyline.store.postgres import SCHEMA_VERSION as PG_VERSION
    from storyline.store.postgres import PostgresStore

    with PostgresStore(pg_url, migrate_to=1) as old:
        assert old.schema_version() == 1
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO articles(id, version, content_hash, text, ingested_at, updated_at)"
            " VALUES ('abc', 1, 'h', 'old text about floods', 't', 't')"
        )
    with open_store(pg_url) as store:
        assert store.schema_version() == PG_VERSION
        assert store.get_article("abc").article.text == "old text about floods"
        assert store.get_annotations("abc") == Annotations()
        assert [a.id for a in store.unclustered_articles()] == ["abc"]
        assert [h.article_id for h in store.search("floods")] == ["abc"]
        assert store.assign_story("abc", "s1", duplicate_of=None) == 1


def test_postgres_concurrent_first_opens_migrate_once(pg_url: str) -> None:
    with ThreadPoolExecutor(4) as pool:
        stores = list(pool.map(lambda _: open_store(pg_url), range(4)))
    from storyline.store.postgres import SCHEMA_VERSION as PG_VERSION

    assert {s.schema_version() for s in stores} == {PG_VERSION}
    for s in stores:
        s.close()


def test_postgres_unreachable_server_is_a_clear_error() -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(StoreError, match=r"cannot connect to PostgreSQL") as info:
        open_store(f"postgresql://someone:s3cret@127.0.0.1:{port}/nothing")
    assert "s3cret" not in str(info.value) and "someone:***@" in str(info.value)


def test_postgres_tsquery_is_built_from_quoted_words() -> None:
    from storyline.store.postgres import _tsquery

    assert _tsquery('oil "gulf of mexico" spil*') == "('oil') & ('gulf' <-> 'of' <-> 'mexico') & ('spil':*)"
    assert _tsquery("fire & !plant | x:* <->") == "('fire') & ('plant') & ('x':*)"


def test_postgres_nul_characters_do_not_break_ingest(pg_url: str) -> None:
    with open_store(pg_url) as store:
        res = store.upsert_article(Article(text="text with a \x00 nul", title="t\x00"))
        assert store.get_article(res.id).article.title == "t\ufffd"


def test_cluster_lock_is_reentrant(store: Store) -> None:
    with store.cluster_lock(), store.cluster_lock():
        store.upsert_article(_article("inside the lock"))
    with store.cluster_lock():
        pass


def test_merge_entities_adds_aliases_and_links(store: Store) -> None:
    from storyline.model import Entity

    res = store.upsert_article(
        _article("Kim Jong Un met Kim Jong-un fans.", title="Kim"),
        Annotations(mentions=(EntityMention(0, 11, "Kim Jong Un", "PERSON"), EntityMention(16, 27, "Kim Jong-un", "PERSON"))),
    )
    key = "PERSON:kim jong un"
    store.merge_entities([Entity(key, "Kim Jong Un", "PERSON", ("Kim Jong Un",))], {(res.id, 0, 11): key})
    store.merge_entities([Entity(key, "Kim Jong Un", "PERSON", ("Kim Jong-un",))], {(res.id, 16, 27): key})
    [entity] = store.list_entities()
    assert entity.aliases == ("Kim Jong Un", "Kim Jong-un")
    assert [m.entity_key for m in store.get_annotations(res.id).mentions] == [key, key]


# -- drift between the backends, pinned (one SQL layer: store/sql.py) -----------------------------


def _raw_sql(store: Store, *statements: str) -> None:
    """Write behind the interface's back (to build states the interface never makes)."""
    if store.url.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(store.url, autocommit=True) as conn:
            for sql in statements:
                conn.execute(sql)
    else:
        with sqlite3.connect(store.url) as conn:
            for sql in statements:
                conn.execute(sql)


def test_annotation_ties_keep_their_stored_order(store: Store) -> None:
    res = store.upsert_article(_article())
    labels = ["ORG", "PERSON", "GPE", "LOC"]
    ann = Annotations(
        timexes=tuple(TimeExpression(41, 50, "on Sunday", "DATE", f"2024-02-{d:02d}") for d in (18, 11, 25, 4)),
        quantities=tuple(Quantity(0, 1, "A", float(v), "count", "count", False) for v in (3, 1, 2)),
        mentions=tuple(EntityMention(24, 30, "Verano", labels[i % 4], f"k{39 - i}") for i in range(40)),
        notes={"timex": "b", "entities": "a", "quantities": "c"},
    )
    store.set_annotations(res.id, ann)
    got = store.get_annotations(res.id)
    assert got == ann
    assert list(got.notes) == ["entities", "quantities", "timex"]  # by annotator name
    again = Annotations(mentions=ann.mentions[::-1])  # replaced: the new order is the stored order
    store.set_annotations(res.id, again)
    assert store.get_annotations(res.id) == again
    # sorted by offsets first, ties in the order given
    mixed = Annotations(mentions=(EntityMention(5, 9, "b", "ORG"), EntityMention(0, 4, "a", "ORG"),
                                  EntityMention(5, 9, "c", "ORG")))
    store.set_annotations(res.id, mixed)
    assert [m.text for m in store.get_annotations(res.id).mentions] == ["a", "b", "c"]


def test_get_story_stops_on_a_merge_cycle(store: Store) -> None:
    a = store.upsert_article(_article("one")).id
    b = store.upsert_article(_article("two")).id
    store.assign_story(a, "s1", duplicate_of=None)
    store.assign_story(b, "s2", duplicate_of=None)
    _raw_sql(store, "UPDATE stories SET merged_into = 's2' WHERE id = 's1'",
             "UPDATE stories SET merged_into = 's1' WHERE id = 's2'")
    assert store.get_story("s1").article_ids == (b,)  # s1 -> s2 -> (s1 again): stop at s2
    assert store.get_story("s2").article_ids == (a,)
    _raw_sql(store, "UPDATE stories SET merged_into = 's1' WHERE id = 's1'")
    assert store.get_story("s1").article_ids == (a,)


def test_assigning_to_a_merged_away_story_revives_it(store: Store) -> None:
    a, b, c = (store.upsert_article(_article(t)).id for t in ("one", "two", "three"))
    store.assign_story(a, "s1", duplicate_of=None)
    store.assign_story(b, "s2", duplicate_of=None, merged_from=["s1"])
    store.assign_story(c, "s1", duplicate_of=None, merged_from=["s2"])  # never a cycle
    [story] = store.list_stories()
    assert story.id == "s1" and set(story.article_ids) == {a, b, c}
    assert store.get_story("s2").id == "s1"
    d = store.upsert_article(_article("four")).id
    store.assign_story(d, "s1", duplicate_of=None, merged_from=["s1"])  # a story is not merged into itself
    assert [s.id for s in store.list_stories()] == ["s1"] and len(store.get_story("s1").article_ids) == 4


def test_writes_to_an_unknown_article_are_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="no article with id 'nope'"):
        store.assign_story("nope", "s1", duplicate_of=None)
    with pytest.raises(NotFound, match="no article with id 'nope'"):
        store.set_annotations("nope", Annotations(mentions=(EntityMention(0, 1, "x", "ORG"),)))
    assert store.list_stories() == []
    res = store.upsert_article(_article())
    assert store.assign_story(res.id, "s1", duplicate_of=None) == 1  # no number was used up


def test_prefix_lookup_is_exact_about_case(store: Store) -> None:
    store.upsert_article(_article("one"), article_id="abc1")
    assert store.get_article("ab").id == "abc1"
    for other in ("ABC", "Abc1", "abc1 "):
        with pytest.raises(NotFound):
            store.get_article(other)


def test_search_ties_come_in_ingestion_order(store: Store) -> None:
    ids = [store.upsert_article(_article("The levee held."), article_id=f"id{9 - i}").id for i in range(6)]
    assert [h.article_id for h in store.search("levee")] == ids
    assert [h.article_id for h in store.search("levee", limit=2, offset=3)] == ids[3:5]


def test_merge_entities_with_one_key_twice(store: Store) -> None:
    key = "PERSON:kim jong un"
    store.merge_entities([Entity(key, "Kim Jong Un", "PERSON", ("Kim Jong Un",)),
                          Entity(key, "Kim Jong Un", "PERSON", ("Kim Jong-un", "Kim Jong Un"))], {})
    assert store.list_entities() == [Entity(key, "Kim Jong Un", "PERSON", ("Kim Jong Un", "Kim Jong-un"))]
    assert [e.key for e in store.find_entities("kim jong-un")] == [key]


def test_reads_never_see_a_write_in_flight(store: Store) -> None:
    """Another thread's read waits for (SQLite: one connection) or ignores (PostgreSQL) an open write,
    so a write that then rolls back was never seen."""
    from storyline.store.sql import SQLStore, Tx

    assert isinstance(store, SQLStore)
    started, release = threading.Event(), threading.Event()

    def half_write(tx: Tx) -> None:
        tx.execute("INSERT INTO articles(id, version, content_hash, text, ingested_at, updated_at, seq)"
                   " VALUES ('half', 1, 'h', 'x', 't', 't', 1)")
        started.set()
        release.wait(10)
        raise RuntimeError("rolled back")

    with ThreadPoolExecutor(2) as pool:
        writer = pool.submit(store._write, half_write)
        assert started.wait(10)
        reader = pool.submit(store.count_articles)
        time.sleep(0.3)
        release.set()
        with pytest.raises(RuntimeError, match="rolled back"):
            writer.result(10)
        assert reader.result(10) == 0
    assert store.count_articles() == 0


def test_consolidations_round_trip_replace_drop_and_reset(store: Store) -> None:
    a = store.upsert_article(_article(url="https://a.example/1")).id
    b = store.upsert_article(_article("Another text about the Verano fire.", url="https://a.example/2")).id
    store.assign_story(a, "s1", duplicate_of=None)
    store.assign_story(b, "s1", duplicate_of=a)
    assert store.load_consolidation("s1") is None
    store.save_consolidation("s1", "v1", '{"id": "s1", "x": "caf\u00e9"}', '{"size": 1}', "2024-01-01T00:00:00Z")
    store.save_consolidation("s1", "v2", '{"id": "s1"}', '{"size": 2}', "2024-01-02T00:00:00Z")
    assert store.load_consolidation("s1") == ("v2", '{"id": "s1"}', '{"size": 2}', "2024-01-02T00:00:00Z")
    store.save_consolidation("gone", "v1", "{}", "{}", "2024-01-01T00:00:00Z")
    assert set(store.consolidation_summaries()) == {"s1", "gone"}
    assert store.drop_consolidations(keep=["s1"]) == 1
    assert store.consolidation_summaries() == {"s1": ("v2", '{"size": 2}')}
    version_b = store.get_article(b).version
    assert store.article_states([b, "missing", a]) == [
        (b, version_b, store.get_article(b).content_hash, a, None, None),
        (a, 1, store.get_article(a).content_hash, None, None, None),
    ]
    store.reset_stories()
    assert store.consolidation_summaries() == {}
