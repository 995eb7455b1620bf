"""Article vectors (issue 14): stored on both backends, computed in the per-article stage and by
`storyline enrich`, kept out of the way with `Config(embed=False)`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from storyline import embed
from storyline.cli import app
from storyline.model import Article
from storyline.pipeline import Config, ingest_articles, prepare
from storyline.store import Annotations, NotFound, Store, open_store

ARTICLE = Article(
    text="Firefighters in Verrin brought a blaze at the Lindenholz chemical plant under control by noon.",
    title="Fire at Lindenholz plant", published="2026-03-03", language="en", source="Verrin Post",
)


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    url = str(tmp_path / "t.db") if request.param == "sqlite" else request.getfixturevalue("pg_clean_url")
    with open_store(url) as s:
        yield s


def test_vector_column_round_trips_and_follows_the_text(store: Store) -> None:
    vec = embed.pack(np.linspace(-1.0, 1.0, embed.DIM))
    aid = store.upsert_article(ARTICLE, Annotations(vector=vec)).id
    assert store.article_vector(aid) == vec
    assert store.get_annotations(aid).vector == vec
    assert store.articles_without_vector() == []
    store.set_article_vector(aid, None)
    assert store.article_vector(aid) is None and store.articles_without_vector() == [aid]
    store.set_article_vector(aid, vec)
    # a new version of the text comes with its own annotations: a vector computed for the old text goes
    store.upsert_article(ARTICLE.__class__(**{**ARTICLE.__dict__, "text": ARTICLE.text + " Nobody was hurt."}),
                         Annotations(), article_id=aid)
    assert store.article_vector(aid) is None
    with pytest.raises(NotFound):
        store.set_article_vector("nope", vec)


def test_prepare_embeds_only_when_asked() -> None:
    _, ann = prepare(ARTICLE, Config(enrich=False, embed=False))
    assert ann is None
    _, ann = prepare(ARTICLE, Config(enrich=False))
    assert ann is not None and ann.vector is not None and len(ann.vector) == 2 * embed.DIM
    assert ann.vector == embed.article_vector(ARTICLE.title, ARTICLE.text)


def test_enrich_command_fills_vectors_of_stored_articles(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    with open_store(str(db)) as store:
        ingest_articles(store, [ARTICLE], Config(embed=False, cluster=False))
        assert len(store.articles_without_vector()) == 1
    result = CliRunner().invoke(app, ["enrich", "--db", str(db)])
    assert result.exit_code == 0, result.output
    with open_store(str(db)) as store:
        assert store.articles_without_vector() == []
        aid = store.list_articles()[0].id
        got = embed.unpack(store.article_vector(aid) or b"")
        want = embed.unpack(embed.article_vector(ARTICLE.title, ARTICLE.text))
        assert float(got @ want) > 0.999
