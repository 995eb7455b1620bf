"""`migrate(src, dst)`: a whole database copied between backends without loss, and verified."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import SAMPLES
from storyline.curate.decision import Decision
from storyline.model import Article, Entity, EntityMention, Quantity, TimeExpression
from storyline.pipeline import Config, ingest_paths
from storyline.store import Annotations, Store, StoreError, open_store
from storyline.store.base import TABLE_COLUMNS
from storyline.store.migrate import migrate, table_checksums
from storyline.watches.model import Alert, Watch


def _fill(store: Store) -> None:
    """Everything the schema holds: pipeline output plus versions, raw bytes, entities, merges."""
    ingest_paths(store, [str(SAMPLES)], Config())
    url = "https://example.org/versions"
    store.upsert_article(Article(text="First text.", title="V", url=url, raw=b"\x00\x01v1", extra={"a": 1.5}))
    res = store.upsert_article(Article(text="Second text.", title="V", url=url, raw=b"v2", authors=("X",)))
    store.set_annotations(res.id, Annotations(
        timexes=(TimeExpression(0, 6, "Second", "DATE", None, False),),
        quantities=(Quantity(0, 1, "S", 1e300, "USD", "money", True, None, 2.0, {"USD": 1.0, "note": "é"}),),
        mentions=(EntityMention(0, 6, "Second", "ORG", None), EntityMention(0, 6, "Second", "ORG", None)),
        notes={"timex": "no anchor", "entities": "ok"},
    ))
    kim = Entity("PERSON:kim", "Kim", "PERSON", ("Kim", "Kím"))
    store.replace_entities([kim, Entity("ORG:second", "Second", "ORG", ("Second",))], {(res.id, 0, 6): "ORG:second"})
    a = store.upsert_article(Article(text="merge me a", title="A")).id
    b = store.upsert_article(Article(text="merge me b", title="B")).id
    store.assign_story(a, "zz1", duplicate_of=None)
    store.assign_story(b, "zz2", duplicate_of=a, merged_from=["zz1"])
    store.set_story_title("zz2", "Merged")
    store.save_cluster_state(b"\x80state", 3)
    store.upsert_article(Article(text="Left unclustered.", published="2020-01-01"))
    feed = store.add_feed("https://example.org/rss", 900, "Example")
    store.mark_feed_entry(feed.id, "entry-1", "https://example.org/1", res.id, "2026-12-01T00:00:00Z")
    watch = store.add_watch(Watch("w1", "entity", "Kim", "2026-12-01T00:00:00Z", "https://example.org/hook", "k", 5))
    store.add_alerts([Alert("al1", watch.id, "new-story", "zz2", "new-story:zz2", "Merged", "new", "2026-12-01T00:00:00Z",
                            {"n": 1, "é": [1.5]})])
    store.add_curation(Decision("d1", "retitle", {"story": "zz2", "title": "Hand"}, "cli", "2026-12-01T00:00:00Z",
                                "2026-12-01T01:00:00Z", "cli"))


def _view(store: Store) -> dict[str, Any]:
    """Everything observable through the interface."""
    arts = store.list_articles()
    return {
        "articles": [(a.id, a.version, a.content_hash, a.article, a.ingested_at, a.updated_at, a.story_id,
                      a.duplicate_of) for a in arts],
        "versions": {a.id: store.article_versions(a.id) for a in arts},
        "raw": {a.id: [store.raw_input(a.id, v["version"]) for v in store.article_versions(a.id)] for a in arts},
        "annotations": {a.id: store.get_annotations(a.id) for a in arts},
        "entities": store.list_entities(),
        "stories": store.list_stories(),
        "merged": store.get_story("zz1"),
        "state": store.load_cluster_state(),
        "unclustered": [a.id for a in store.unclustered_articles()],
        "clustered_after": [a.id for a in store.clustered_after(0)],
        "search": sorted(h.article_id for h in store.search("fire", limit=100)),
    }


@pytest.fixture(scope="module")
def source_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("src") / "src.db"
    with open_store(str(path)) as store:
        _fill(store)
    return path


def test_sqlite_to_postgres_to_sqlite_is_lossless(source_db: Path, pg_url: str, tmp_path: Path) -> None:
    src_path = tmp_path / "src.db"
    shutil.copy(source_db, src_path)
    with open_store(str(src_path)) as src, open_store(pg_url) as pg, open_store(str(tmp_path / "back.db")) as back:
        there = migrate(src, pg)
        assert there.ok, there.summary()
        assert [t.table for t in there.tables] == list(TABLE_COLUMNS)
        assert {t.table: t.source_rows for t in there.tables}["articles"] == src.count_articles() > 28
        assert all(t.source_rows > 0 for t in there.tables)
        again = migrate(pg, back)
        assert again.ok, again.summary()
        sums = table_checksums(src)
        assert table_checksums(pg) == sums == table_checksums(back)
        view = _view(src)
        assert _view(pg) == view
        assert _view(back) == view
        # the copies keep working: ingestion order and cluster numbering continue after the copied ones
        for store in (pg, back):
            new = store.upsert_article(Article(text="Brand new after the migration."))
            assert store.list_articles()[-1].id == new.id
            assert store.assign_story(new.id, "zz2", duplicate_of=None) == len(view["clustered_after"]) + 1
            assert store.find_entities("kim")[0].key == "PERSON:kim"


def test_destination_with_data_is_refused(source_db: Path, pg_url: str, tmp_path: Path) -> None:
    with open_store(str(source_db)) as src, open_store(pg_url) as pg:
        pg.upsert_article(Article(text="already here"))
        with pytest.raises(StoreError, match="holds data"):
            migrate(src, pg)
        assert pg.count_articles() == 1
        dst = open_store(str(tmp_path / "dst.db"))
        dst.upsert_article(Article(text="already here"))
        with pytest.raises(StoreError, match="holds data"):
            migrate(src, dst)
        dst.close()
        with pytest.raises(StoreError, match="same database"):
            migrate(src, src)


def test_verification_reports_what_did_not_survive(pg_url: str, tmp_path: Path) -> None:
    # PostgreSQL text cannot hold NUL: the copy replaces it, and the checksums say so.
    with open_store(str(tmp_path / "nul.db")) as src, open_store(pg_url) as pg:
        src.upsert_article(Article(text="clean text", title="bad\x00title"))
        report = migrate(src, pg)
        assert not report.ok
        assert {t.table for t in report.tables if not t.ok} == {"articles", "article_versions"}
        assert "MISMATCH" in report.summary() and report.as_dict()["ok"] is False
