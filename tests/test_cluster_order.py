"""Issue 10 item 9: the same articles give the same stories whether they are ingested in one command,
in several, or rebuilt by `recluster` (undated articles included)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from conftest import SAMPLES, require_shared
from storyline.model import Article
from storyline.pipeline import Config, ingest_articles, ingest_paths, recluster
from storyline.store import Store, open_store

Stories = set[frozenset[str]]


def _stories(store: Store) -> Stories:
    members = [frozenset(s.article_ids) for s in store.list_stories()]
    assert sum(map(len, members)) == store.count_articles()  # every article in exactly one story
    return set(members)


def _titles(store: Store) -> dict[frozenset[str], str]:
    return {frozenset(s.article_ids): s.title for s in store.list_stories()}


def _paths_in_batches(db: Path, batches: Sequence[Sequence[str]]) -> tuple[Stories, Stories, dict[frozenset[str], str]]:
    """(stories after ingesting the batches one command each, stories after a recluster, titles)."""
    with open_store(str(db)) as store:
        for batch in batches:
            ingest_paths(store, list(batch), Config(embed=False))
        incremental, titles = _stories(store), _titles(store)
        recluster(store)
        return incremental, _stories(store), titles


def test_samples_same_stories_in_one_command_per_file_or_rebuilt(tmp_path: Path) -> None:
    files = sorted(str(p) for p in SAMPLES.iterdir() if p.is_file())
    whole, whole_rebuilt, titles = _paths_in_batches(tmp_path / "whole.db", [files])
    assert whole == whole_rebuilt
    with open_store(str(tmp_path / "whole.db")) as store:
        undated = {a.id for a in store.list_articles() if not a.article.published}
        assert undated  # the samples have undated plain-text articles
        assert _titles(store) == titles  # the rebuild names the stories as the ingest did
    # one command per file, in name order: the undated Italian fire report arrives second, before the
    # other reports of its fire; it used to stay with another fire story
    per_file, per_file_rebuilt, _ = _paths_in_batches(tmp_path / "per_file.db", [[f] for f in files])
    assert per_file == whole and per_file_rebuilt == whole
    halves, halves_rebuilt, _ = _paths_in_batches(tmp_path / "halves.db", [files[1::2], files[::2]])
    assert halves == whole and halves_rebuilt == whole
    # the undated ones are where they belong: with reports of the same event, not alone
    by_article = {a: s for s in whole for a in s}
    assert all(len(by_article[a]) > 1 for a in undated)


def _timeline17(topics: Sequence[str], per_topic: int) -> list[Article]:
    """The first `per_topic` articles of each topic, every fourth one without its date (as a plain-text
    dump without a date line arrives), in publication order."""
    out: list[Article] = []
    for topic in topics:
        path = require_shared("timeline17", topic, "articles.jsonl")
        with path.open(encoding="utf-8") as fh:
            rows = [json.loads(line) for line, _ in zip(fh, range(per_topic), strict=False)]
        for n, row in enumerate(rows):
            text = row["text"]
            out.append(Article(
                text=text, title=text.split(" . ")[0][:120], url=f"https://{topic}.example/{row['id']}",
                source=topic.split("_")[1], published=None if n % 4 == 3 else row["time"][:10], language="en",
            ))
    return out


def test_timeline17_same_stories_at_once_in_two_batches_or_rebuilt(tmp_path: Path) -> None:
    articles = _timeline17(["haiti_bbc", "H1N1_reuters", "bpoil_guardian"], 40)
    undated = [a for a in articles if not a.published]
    dated = sorted((a for a in articles if a.published), key=lambda a: a.published or "")
    # a stream in time order: the first batch holds the earlier half of the dated reports and half of
    # the undated ones; the second, the rest
    cut = len(dated) // 2
    first = dated[:cut] + undated[::2]
    second = dated[cut:] + undated[1::2]
    config = Config(enrich=False, embed=False)

    with open_store(str(tmp_path / "once.db")) as store:
        ingest_articles(store, first + second, config)
        once = _stories(store)
        recluster(store, config)
        assert _stories(store) == once
    with open_store(str(tmp_path / "two.db")) as store:
        ingest_articles(store, first, config)
        after_first = _stories(store)
        ingest_articles(store, second, config)
        assert _stories(store) == once
        recluster(store, config)
        assert _stories(store) == once
    assert len(once) > 3 and any(len(s) > 5 for s in once)  # real stories, not one per article
    assert after_first != once  # the second batch did move things
