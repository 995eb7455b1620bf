"""The store methods clustering relies on for issue 10 items 8 and 9, on both backends: a rebuild
switched in one transaction (`replace_stories`) and undated articles placed outside the clustering
sequence (`undated_articles`, `place_articles`)."""

from __future__ import annotations

from storyline.model import Article
from storyline.store import Placement, Store, StoryRebuild


def _add(store: Store, n: int, published: str | None) -> str:
    return store.upsert_article(Article(text=f"Report {n} of the fire.", title=f"Fire {n}", published=published)).id


def _cluster_seqs(store: Store) -> dict[str, int | None]:
    rows = next(list(rows) for table, rows in store.dump_tables() if table == "articles")
    return {r["id"]: r["cluster_seq"] for r in rows}


def test_replace_stories_switches_everything_at_once(store: Store) -> None:
    a, b, c = (_add(store, n, f"2024-03-0{n}") for n in (1, 2, 3))
    undated, late = _add(store, 4, None), _add(store, 5, "2024-03-05")
    for aid in (a, b, c, undated, late):
        store.assign_story(aid, "s00000009", duplicate_of=None)
    store.save_cluster_state(b"old", 5)

    store.replace_stories(StoryRebuild(
        clustered=[Placement(a, "s00000001"), Placement(b, "s00000001", duplicate_of=a), Placement(c, "s00000003")],
        placed=[Placement(undated, "u" + undated)],
        merges=[("s00000001", "s00000002")],
        titles={"s00000001": "Fire", "s00000003": "Other fire"},
        state=b"new state",
    ))
    stories = {s.id: s for s in store.list_stories()}
    assert set(stories) == {"s00000001", "s00000003", "u" + undated}
    assert set(stories["s00000001"].article_ids) == {a, b} and stories["s00000001"].title == "Fire"
    assert stories["s00000001"].merged_from == ("s00000002",)
    assert store.get_story("s00000002").id == "s00000001"  # a merged-away id leads to its story
    assert store.get_article(b).duplicate_of == a
    assert store.get_article(late).story_id is None  # not in the rebuild: clustered by the next run
    assert [s.id for s in store.unclustered_articles()] == [late]
    assert store.load_cluster_state() == (b"new state", 3)
    seqs = _cluster_seqs(store)
    assert (seqs[a], seqs[b], seqs[c], seqs[undated], seqs[late]) == (1, 2, 3, None, None)
    assert [s.id for s in store.clustered_after(1)] == [b, c]
    # the next assignment continues the sequence
    assert store.assign_story(late, "s00000003", duplicate_of=None) == 4


def test_undated_articles_are_placed_outside_the_sequence(store: Store) -> None:
    dated = _add(store, 1, "2024-03-01")
    u1, u2 = sorted([_add(store, 2, None), _add(store, 3, None)])
    assert [a.id for a in store.undated_articles()] == [u1, u2]
    store.assign_story(dated, "s00000001", duplicate_of=None)
    store.place_articles([Placement(u1, "u" + u1), Placement(u2, "u" + u1, duplicate_of=u1)])
    assert set(store.get_story("u" + u1).article_ids) == {u1, u2}
    assert store.get_article(u2).duplicate_of == u1
    # placed again: u1 joins the dated story; the story it opened keeps u2
    store.place_articles([Placement(u1, "s00000001"), Placement(u2, "u" + u1, duplicate_of=u1)])
    assert set(store.get_story("s00000001").article_ids) == {dated, u1}
    # and then u2 goes too: the emptied story is dropped
    store.place_articles([Placement(u1, "s00000001"), Placement(u2, "s00000001")])
    assert [s.id for s in store.list_stories()] == ["s00000001"]
    assert _cluster_seqs(store) == {dated: 1, u1: None, u2: None}
    assert not store.unclustered_articles()
