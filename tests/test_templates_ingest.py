"""Source templates in the ingest: a widget line an outlet repeats is cut from its later articles as they
arrive, and from the earlier ones by `storyline enrich` (run as a user runs it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from storyline.model import Article
from storyline.pipeline import Config, ingest_articles
from storyline.store import open_store

WIDGET = "Tip us at the harbour desk on weekdays"
PLACES = ["east dock", "north quay", "old lighthouse", "ferry terminal", "fish market", "dry dock"]
CREWS = ["night shift", "morning crew", "harbour pilots", "crane operators", "dock workers", "tug captains"]


def _article(i: int, *, widget: bool = True, source: str = "The Northgate Chronicle") -> Article:
    paragraphs = [
        f"The harbour authority said on Monday that repairs at the {PLACES[i]} had finished after a fire.",
        f"The {CREWS[i]} returned to work and inspectors found no further damage to the {PLACES[i]}.",
        *([WIDGET] if widget else []),
        f"A spokesperson for the {CREWS[i]} said the {PLACES[i]} would reopen to visitors in May.",
    ]
    return Article(
        text="\n\n".join(paragraphs), title=f"Repairs finished at the {PLACES[i]}", source=source,
        url=f"https://northgate.example/news/{i}", published=f"2024-03-{10 + i:02d}", format="text",
    )


CONFIG = Config(enrich=False, embed=False, cluster=False)


def _texts(db: Path) -> list[str]:
    store = open_store(str(db))
    try:
        return [a.article.text for a in store.iter_articles()]
    finally:
        store.close()


def test_a_repeated_widget_is_cut_from_later_articles_then_from_earlier_ones_by_enrich(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    store = open_store(str(db))
    try:
        report = ingest_articles(store, [_article(i) for i in range(4)], CONFIG)
        assert report.new == 4
        fifth = ingest_articles(store, [_article(4)], CONFIG)
        assert fifth.new == 1
        again = ingest_articles(store, [_article(i) for i in range(5)], CONFIG)
        assert again.unchanged == 5  # re-running the same ingest changes nothing
        assert store.source_template("The Northgate Chronicle").articles == 5
        other = ingest_articles(store, [_article(5, source="The Tokyo Harbour Times")], CONFIG)
        assert other.new == 1
    finally:
        store.close()
    texts = _texts(db)
    assert WIDGET not in texts[4]  # learned from the four before it
    assert WIDGET in texts[0]  # the first ones were stored before the template knew the line
    assert WIDGET in texts[5]  # another outlet's template knows nothing of it

    done = subprocess.run(
        [sys.executable, "-m", "storyline.cli", "enrich", "--db", str(db), "--json"],
        capture_output=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr.decode()
    texts = _texts(db)
    assert [WIDGET in t for t in texts] == [False, False, False, False, False, True]
    assert all(f"repairs at the {PLACES[i]}" in texts[i] for i in range(6))  # the article text stays

    store = open_store(str(db))
    try:
        for stored in store.iter_articles():  # annotations point into the text they were made on
            annotations = store.get_annotations(stored.id)
            assert annotations.mentions or annotations.timexes
            for m in [*annotations.mentions, *annotations.timexes, *annotations.quantities]:
                assert stored.article.text[m.start : m.end] == m.text
        report = ingest_articles(store, [_article(i) for i in range(5)], CONFIG)
        assert report.unchanged == 5  # the original input again: still nothing to change
    finally:
        store.close()
