"""The bundled sample corpus end to end: ingest, clean, enrich, cluster, consolidate, export.

The gold is tests/data/samples_manifest.json (written with the corpus). Each test asserts what a
user of the demo sees.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import SAMPLES_MANIFEST, stored_by_manifest_id
from storyline.pipeline import ingest_paths
from storyline.store import Store, open_store

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = SAMPLES_MANIFEST
SCHEMA = ROOT.parent / "shared" / "contracts" / "export.schema.json"


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Any]]:
    db = tmp_path_factory.mktemp("samples") / "samples.db"
    store = open_store(str(db))
    report = ingest_paths(store, [str(ROOT / "samples")])
    yield store, report
    store.close()


def test_every_sample_is_ingested(sample_db: tuple[Store, Any]) -> None:
    store, report = sample_db
    assert report.rejected == []
    assert store.count_articles() == len(MANIFEST["articles"]) == 28
    assert len(stored_by_manifest_id(store)) == 28


def test_metadata_matches_the_manifest(sample_db: tuple[Store, Any]) -> None:
    store, _ = sample_db
    arts = stored_by_manifest_id(store)
    wrong = []
    for entry in MANIFEST["articles"]:
        a = arts[entry["id"]].article
        if a.published != entry["published"]:
            wrong.append((entry["id"], "published", a.published, entry["published"]))
        if a.language != entry["language"]:
            wrong.append((entry["id"], "language", a.language, entry["language"]))
        # trafilatura cuts a <title> at a separator such as ";": the headline's head must be there
        if not a.title or not entry["title"].startswith(a.title) or len(a.title) < 40:
            wrong.append((entry["id"], "title", a.title, entry["title"]))
    assert wrong == []


def test_boilerplate_is_gone_and_first_sentence_kept(sample_db: tuple[Store, Any]) -> None:
    store, _ = sample_db
    arts = stored_by_manifest_id(store)
    left, total = [], 0
    for entry in MANIFEST["articles"]:
        text = arts[entry["id"]].article.text
        assert entry["first_sentence"][:60] in text, entry["id"]
        for item in entry["boilerplate"]:
            if item["kind"] == "dateline":  # a dateline opens the first sentence: it stays
                continue
            total += 1
            if item["text"] in text:
                left.append((entry["id"], item["kind"], item["text"]))
    assert total > 60
    assert len(left) / total <= 0.05, left


def test_near_copy_is_folded_under_its_original(sample_db: tuple[Store, Any]) -> None:
    store, _ = sample_db
    arts = stored_by_manifest_id(store)
    for pair in MANIFEST["near_copies"]:
        original, copy = arts[pair["original"]], arts[pair["copy"]]
        assert copy.duplicate_of == original.id
        assert copy.story_id == original.story_id
    assert sum(1 for a in arts.values() if a.duplicate_of) == len(MANIFEST["near_copies"])


def test_each_event_is_one_story_per_language(sample_db: tuple[Store, Any]) -> None:
    store, _ = sample_db
    arts = stored_by_manifest_id(store)
    stories: dict[tuple[str, str], set[str]] = defaultdict(set)
    for entry in MANIFEST["articles"]:
        stories[(entry["event"], entry["language"])].add(arts[entry["id"]].story_id or "")
    english = {k: v for k, v in stories.items() if k[1] == "en"}
    assert all(len(ids) == 1 for ids in english.values()), english
    assert len({next(iter(v)) for v in english.values()}) == len(MANIFEST["events"])  # no two events merged


def test_relative_dates_resolve_as_intended(sample_db: tuple[Store, Any]) -> None:
    store, _ = sample_db
    arts = stored_by_manifest_id(store)
    right = total = 0
    misses = []
    for event in MANIFEST["events"].values():
        for rel in event["relative_dates"]:
            stored = arts[rel["article"]]
            if stored.article.language != "en":
                continue
            total += 1
            timexes = store.get_annotations(stored.id).timexes
            values = {t.value for t in timexes if rel["text"] in t.text or t.text in rel["text"]}
            if rel["resolved"] in values or (rel["resolved"] is None and None in values):
                right += 1
            else:
                misses.append((rel["article"], rel["text"], rel["resolved"], values))
    assert total >= 50
    assert right / total >= 0.85, misses


def test_export_validates_against_the_contract(sample_db: tuple[Store, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    if not SCHEMA.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{SCHEMA} is absent (required when CI is set)")
        pytest.skip(f"{SCHEMA} is absent: the export contract lives in ../shared/contracts")
    from storyline.dossier import export_json

    store, _ = sample_db
    data = json.loads(json.dumps(export_json(store)))
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert len(data["stories"]) == len(store.list_stories())
    for story in data["stories"]:
        ids = {a["id"] for a in story["articles"]}
        for section in ("timeline", "brief"):
            for item in story[section]:
                assert set(item["articles"]) <= ids


def test_name_variants_fold_into_one_stored_entity(sample_db: tuple[Store, Any]) -> None:
    """Spelling variants across outlets ("Sarathi"/"Saarthi"/"Sarthi Kavach") become one entity whose
    aliases list them, and the stored mentions point at it."""
    store, _ = sample_db
    entities = store.list_entities()
    by_alias: dict[str, set[str]] = defaultdict(set)
    for e in entities:
        for alias in e.aliases:
            by_alias[alias].add(e.key)
    folded = total = 0
    split = []
    for event in MANIFEST["events"].values():
        for group in event["entities"]:
            seen = [v for v in group["variants"] if v in by_alias]
            if len(seen) < 2:
                continue
            total += 1
            keys = set.intersection(*(by_alias[v] for v in seen))
            if keys:
                folded += 1
            else:
                split.append((group["canonical"], {v: sorted(by_alias[v]) for v in seen}))
    assert total >= 8
    assert folded / total >= 0.8, split
    linked = [m for a in store.iter_articles() for m in store.get_annotations(a.id).mentions if m.entity_key]
    assert linked and {m.entity_key for m in linked} <= {e.key for e in entities}
