"""The per-source line fingerprints of source templates, on both backends (SQLite, and PostgreSQL on a
throwaway cluster)."""

from __future__ import annotations

from pathlib import Path

from storyline.model import Article
from storyline.store import SourceLines, Store, open_store


def _article(n: int, source: str = "The Northgate Chronicle") -> Article:
    return Article(text=f"Article {n} text.", title=f"Title {n}", url=f"https://northgate.example/{n}", source=source)


def _lines(n: int, prints: tuple[str, ...], source: str = "The Northgate Chronicle") -> SourceLines:
    return SourceLines(source, f"hash-{n}", prints)


def test_templates_count_distinct_articles(store: Store) -> None:
    store.upsert_article(_article(1), lines=_lines(1, ("aa", "nav", "widget")))
    store.upsert_article(_article(2), lines=_lines(2, ("bb", "widget")))
    template = store.source_template("The Northgate Chronicle")
    assert template.articles == 2
    assert dict(template.counts) == {"aa": 1, "bb": 1, "nav": 1, "widget": 2}
    assert dict(store.source_template("The Northgate Chronicle", ["widget", "zz"]).counts) == {"widget": 2}
    assert store.source_template("Another Outlet").articles == 0


def test_reingesting_the_same_article_changes_nothing(store: Store) -> None:
    first = store.upsert_article(_article(1), lines=_lines(1, ("aa", "widget")))
    again = store.upsert_article(_article(1), lines=_lines(1, ("aa", "widget")))
    assert (first.status, again.status) == ("new", "unchanged")
    template = store.source_template("The Northgate Chronicle")
    assert template.articles == 1 and dict(template.counts) == {"aa": 1, "widget": 1}


def test_an_article_cut_by_its_template_is_unchanged_when_ingested_again(store: Store) -> None:
    """Its stored text lost template lines (storyline enrich); the same input again is no new version."""
    first = store.upsert_article(_article(1), lines=_lines(1, ("aa", "widget")))
    cut = Article(text="Article 1.", title="Title 1", url="https://northgate.example/1", source="The Northgate Chronicle")
    assert store.upsert_article(cut, article_id=first.id).status == "updated"
    again = store.upsert_article(_article(1), lines=_lines(1, ("aa", "widget")))
    assert again.status == "unchanged" and store.get_article(first.id).article.text == "Article 1."
    assert store.source_template("The Northgate Chronicle").articles == 1


def test_an_updated_article_is_unlearned_then_learned_again(store: Store) -> None:
    store.upsert_article(_article(1), lines=_lines(1, ("aa", "widget")))
    store.upsert_article(_article(2), lines=_lines(2, ("bb", "widget")))
    changed = Article(text="Article 1, updated.", title="Title 1", url="https://northgate.example/1",
                      source="The Northgate Chronicle")
    assert store.upsert_article(changed, lines=_lines(10, ("cc",))).status == "updated"
    template = store.source_template("The Northgate Chronicle")
    assert template.articles == 2 and dict(template.counts) == {"bb": 1, "cc": 1, "widget": 1}


def test_an_exact_resend_is_counted_once(store: Store) -> None:
    store.upsert_article(_article(1), lines=_lines(1, ("aa", "widget")))
    resent = store.upsert_article(_article(2), lines=_lines(2, ("aa", "widget")))
    assert resent.status == "new"
    template = store.source_template("The Northgate Chronicle")
    assert template.articles == 1 and dict(template.counts) == {"aa": 1, "widget": 1}


def test_fingerprints_travel_with_a_database_copy(store: Store, tmp_path: Path) -> None:
    store.upsert_article(_article(1), lines=_lines(1, ("aa", "widget")))
    copy = open_store(str(tmp_path / "copy.db"))
    try:
        copy.load_tables(store.dump_tables())
        assert copy.source_template("The Northgate Chronicle") == store.source_template("The Northgate Chronicle")
    finally:
        copy.close()
