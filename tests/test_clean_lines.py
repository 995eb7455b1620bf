"""The learned line classifier: its shipped file, reproducible training, and a gate on held-out sites."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import require_shared
from storyline.clean import clean_article
from storyline.clean.lines import (
    FEATURES,
    MODEL_FORMAT,
    LineModel,
    line_features,
    remove_learned,
    shipped_model,
)
from storyline.clean.train import GATE_FOLD, MIN_DUMP_RECALL, Doc, fit
from storyline.eval.extraction import (
    PRF,
    GoldIndex,
    derive_dump,
    load_pages,
    read_dump,
    site_folds,
    visible_blocks,
)
from storyline.model import Article

TITLE_MARGIN = 0.2  # the learned headline beats the reader's first line by this share of the pages (0.26)
TITLE_ACCURACY = 0.32  # measured 0.38 on the gate subset
BODY = [
    "The council voted on Tuesday to close the old bridge to traffic after engineers found deep cracks.",
    "Repairs are expected to take at least eight months and cost about 4 million euros, officials said.",
    "Residents of the east bank will have to use the ferry, which the city will run every twenty minutes.",
    "Shop owners near the bridge said they feared losing customers during the busiest months of the year.",
]
FURNITURE = [
    "Home",
    "World",
    "Share on Facebook",
    "Most read",
    "Sign in",
    "Weather: 12°C Paris",
    "Contact us",
]


def _doc(k: int) -> Doc:
    lines = FURNITURE[: 2 + k % 3] + BODY[k % 2 :] + FURNITURE[3:]
    labels: list[int | None] = [int(line in BODY) for line in lines]
    return Doc("synthetic", str(k), f"site{k % 4}.example", lines, labels, " ".join(BODY), "\n".join(lines))


def test_training_is_reproducible_and_the_model_round_trips_as_json() -> None:
    docs = [_doc(k) for k in range(12)]
    first = fit(docs).to_json()
    again = fit(list(reversed(docs))).to_json()
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
    model = LineModel.from_json(json.loads(json.dumps(first)))
    keep = model.keep(_doc(1).lines)
    assert [line for line, k in zip(_doc(1).lines, keep, strict=True) if k] == BODY[1:]


def test_shipped_model_is_a_plain_json_file_matching_the_features() -> None:
    path = Path(__file__).resolve().parents[1] / "src" / "storyline" / "data" / "cleaner-lines.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == MODEL_FORMAT
    assert data["features"] == FEATURES
    model = shipped_model()
    assert model is not None
    scores = model.scores(FURNITURE + BODY)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert len(line_features(BODY)[0]) == len(FEATURES)


def test_remove_learned_keeps_paragraphs_and_never_empties_a_text() -> None:
    model = shipped_model()
    assert model is not None
    text = "\n\n".join(["Share on Facebook", *BODY, "Most read"])
    kept, removed = remove_learned(text, model)
    assert all(line in kept.split("\n\n") for line in BODY)
    assert "Most read" in removed
    assert (
        remove_learned("Home\nContact us", model)[0] == "Home\nContact us"
        or remove_learned("Home\nContact us", model)[1] == ()
    )


def test_html_pages_are_not_cut_by_the_plain_text_model() -> None:
    text = "\n\n".join(["Weather: 12°C Paris", *BODY])
    assert clean_article(Article(text=text, format="html")).text.startswith("Weather")


def test_gate_on_held_out_sites() -> None:
    """Plain-text dumps of pages whose sites the shipped model never saw: the cleaned text beats keeping
    every line, with little article text lost (a fixed small subset of the gate fold)."""
    root = require_shared("extraction")
    pages = [p for p in load_pages(root, ("zyte_aeb", "dragnet")) if p.gold_text]
    folds = site_folds(p.site for p in load_pages(root, ("zyte_aeb", "dragnet", "trafilatura_eval")))
    gate = [p for p in pages if folds[p.site] == GATE_FOLD][:60]
    assert len(gate) >= 40
    ours, keep_all = PRF(), PRF()
    for page in gate:
        assert page.gold_text is not None
        dump = derive_dump(visible_blocks(page.html()), GoldIndex(page.gold_text).covers)
        if dump is None:
            continue
        found = PRF()
        found.add(dump, page.gold_text)
        if found.recall < MIN_DUMP_RECALL:  # the derived dump missed the body (a few broken dragnet golds)
            continue
        keep_all.add(dump, page.gold_text)
        article = read_dump(dump, page.id)
        cleaned = clean_article(article).text if article is not None else ""
        ours.add(cleaned, page.gold_text)
    # measured: F1 0.827 against keep-all 0.737, recall 0.777 (token-weighted; a few long pages cut)
    assert ours.f1 >= keep_all.f1 + 0.07, (ours.cell(), keep_all.cell())
    assert ours.recall >= 0.74, ours.cell()


def test_boosted_trees_exported_as_json_score_as_scikit_learn_does() -> None:
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier

    from storyline.clean.lines import Trees
    from storyline.clean.train import _trees

    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 5))
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0).astype(int)
    trees, predict = _trees(x, y, np.ones(len(y)))
    again = Trees.from_json(json.loads(json.dumps(trees.to_json())))
    ours = np.array([again.prob(list(row)) for row in x[:50]])
    assert np.abs(ours - predict(x[:50])).max() < 1e-5
    assert isinstance(HistGradientBoostingClassifier, type)


def test_isolated_short_lines_are_not_taken_for_text() -> None:
    from storyline.clean.train import _isolated_short_unknown

    lines = ["Reply", BODY[0], "Tim", "Comments", "Great post", "Thanks"]
    labels: list[int | None] = [1, 1, 1, 0, 0, 1]
    assert _isolated_short_unknown(lines, labels) == [1, 1, 1, 0, 0, None]


def test_the_headline_of_a_dump_is_the_headline_line_not_the_menu_date_or_byline() -> None:
    text = "\n".join(
        ["Home", "World", "Europe", "12 March 2024", "Council closes the old bridge after cracks are found",
         "By Ann Lee", *BODY, "Share on Facebook", "Most read"]
    )  # fmt: skip
    article = read_dump(text + "\n", "bridge")
    assert article is not None
    cleaned = clean_article(article)
    assert cleaned.title == "Council closes the old bridge after cracks are found"
    assert "Council closes" not in cleaned.text
    assert all(line in cleaned.text for line in BODY)


def test_titles_of_held_out_dumps() -> None:
    """Plain-text dumps of pages of the gate fold's sites (never trained on) with a gold title: the learned
    headline is the title far more often than the reader's first line (a fixed small subset)."""
    from storyline.eval.extraction import _snippet_cover, same_title

    root = require_shared("extraction")
    folds = site_folds(p.site for p in load_pages(root, ("zyte_aeb", "dragnet", "trafilatura_eval")))
    pages = [p for p in load_pages(root, ("trafilatura_eval",)) if p.gold_title and p.gold_with]
    gate = [p for p in pages if folds[p.site] == GATE_FOLD][:50]
    assert len(gate) >= 40
    ours = reader = total = 0
    for page in gate:
        assert page.gold_title is not None
        dump = derive_dump(visible_blocks(page.html()), _snippet_cover(page.gold_with))
        article = read_dump(dump, page.id) if dump is not None else None
        if article is None:
            continue
        total += 1
        ours += same_title(clean_article(article).title, page.gold_title)
        reader += same_title(article.title, page.gold_title)
    assert ours >= reader + TITLE_MARGIN * total, (ours, reader, total)
    assert ours >= TITLE_ACCURACY * total, (ours, total)
