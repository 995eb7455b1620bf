"""The pipeline configuration (storyline.config): defaults round-trip, files are checked key by key, an
override really changes what a stage does, and no tuning constant is left at module level."""

from __future__ import annotations

import ast
import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLES, stored_by_manifest_id
from storyline.config import (
    BriefConfig,
    DedupConfig,
    PipelineConfig,
    ServeConfig,
    config_from_dict,
    config_to_json,
    load_config,
)
from storyline.consolidate.stored import consolidate_stories, current_story, stored_if_current
from storyline.errors import ConfigError
from storyline.pipeline import Config, ingest_paths
from storyline.store import open_store

FAST = Config(enrich=False, embed=False)


def test_pipeline_config_is_the_one_config_object() -> None:
    assert Config is PipelineConfig
    config = Config(enrich=False)
    assert config.languages == config.clean.languages and config.max_bytes == config.read.max_bytes == 20 * 1024 * 1024


def test_defaults_round_trip_through_json() -> None:
    default = PipelineConfig()
    data = json.loads(config_to_json(default))
    assert data["version"] == 1
    assert config_from_dict(data) == default
    # every section is there, with the reused ones of other modules
    for section in ("read", "clean", "enrichment", "dedup", "clustering", "crosscheck", "timeline", "brief",
                    "consolidation", "embedding", "scorer", "scale", "serve"):
        assert isinstance(data[section], dict) and data[section], section
    assert data["clustering"]["threshold"] == 0.20 and data["crosscheck"]["magnitude"] == 5.0


def test_a_toml_file_overrides_a_subset(tmp_path: Path) -> None:
    path = tmp_path / "storyline.toml"
    path.write_text('embed = false\n[brief]\nmax_sentences = 4\nmmr_lambda = 1\n'
                    '[clustering]\nexpire_articles = 1000\n[clean]\nlanguages = ["en", "fr"]\n', encoding="utf-8")
    config = load_config(path)
    assert config.embed is False and config.enrich is True
    assert config.brief == dataclasses.replace(BriefConfig(), max_sentences=4, mmr_lambda=1.0)
    assert isinstance(config.brief.mmr_lambda, float)
    assert config.clustering.expire_articles == 1000 and config.languages == ("en", "fr")
    assert config.dedup == DedupConfig()
    # and the same as JSON, the whole effective configuration
    again = tmp_path / "effective.json"
    again.write_text(config_to_json(config), encoding="utf-8")
    assert load_config(again) == config


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"brief": {"max_sentence": 3}}', "unknown setting 'brief.max_sentence'"),
        ('{"bref": {"max_sentences": 3}}', "unknown setting 'bref'"),
        ('{"brief": {"max_sentences": "3"}}', "brief.max_sentences must be an integer, not '3'"),
        ('{"brief": {"max_sentences": true}}', "brief.max_sentences must be an integer, not True"),
        ('{"enrich": 1}', "enrich must be true or false, not 1"),
        ('{"brief": 3}', "brief is a section: expected a table, got 3"),
        ('{"clean": {"languages": ["en", 2]}}', "clean.languages must be a list of a string"),
        ('{"version": 9}', "configuration version 9 is not 1"),
        ('{"brief": ', "not valid JSON"),
    ],
)
def test_bad_files_are_one_line_coded_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    text = str(caught.value)
    assert text.startswith(f"[E001] {path}: ") and message in text and "\n" not in text


def test_the_config_command_prints_the_effective_config_and_rejects_unknown_keys(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "storyline.cli", "config", *args], capture_output=True,
                              text=True, timeout=120, cwd=ROOT, check=False)

    shown = run()
    assert shown.returncode == 0, shown.stderr
    assert config_from_dict(json.loads(shown.stdout)) == PipelineConfig()
    good = tmp_path / "ok.toml"
    good.write_text("[dedup]\nthreshold = 0.6\n", encoding="utf-8")
    shown = run("--config", str(good))
    assert json.loads(shown.stdout)["dedup"]["threshold"] == 0.6
    bad = tmp_path / "bad.toml"
    bad.write_text("[serve]\npage = 10\n", encoding="utf-8")
    refused = run("--config", str(bad))
    assert refused.returncode == 2 and refused.stdout == ""
    assert f"[E001] {bad}: unknown setting 'serve.page'" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1


def test_a_dedup_threshold_override_changes_what_is_a_near_copy(tmp_path: Path) -> None:
    """The sample corpus plants one edited agency copy (e1-lakeshore of e1-mpa): found with the default
    threshold, not at a Jaccard of 0.95 (its headline, dateline and boilerplate were edited)."""

    def copy_of(config: PipelineConfig, name: str) -> str | None:
        with open_store(str(tmp_path / name)) as store:
            ingest_paths(store, [str(SAMPLES)], config)
            stored = stored_by_manifest_id(store)
            return next((mid for mid, s in stored.items() if s.id == stored["e1-lakeshore"].duplicate_of), None)

    assert copy_of(FAST, "default.db") == "e1-mpa"
    strict = dataclasses.replace(FAST, dedup=DedupConfig(threshold=0.95))
    assert copy_of(strict, "strict.db") is None


def test_a_brief_length_override_reaches_the_stored_consolidation(tmp_path: Path) -> None:
    """Consolidating with other brief settings changes the brief and the story's version: the story
    consolidated with the defaults is stale under the new settings, and the other way round."""
    short = dataclasses.replace(FAST, brief=dataclasses.replace(BriefConfig(), min_sentences=2, max_sentences=2))
    with open_store(str(tmp_path / "s.db")) as store:
        ingest_paths(store, [str(SAMPLES)], FAST)
        story = max(store.list_stories(), key=lambda s: len(s.article_ids))
        default_brief = current_story(store, story.id).story["brief"]
        extracts = [b for b in default_brief if b.get("kind", "extract") == "extract"]
        assert len(extracts) > 2
        assert stored_if_current(store, story.id, short)[2] is None  # stale under other settings
        assert consolidate_stories(store, [story.id], config=short) == 1
        stored = stored_if_current(store, story.id, short)[2]
        assert stored is not None
        short_extracts = [b for b in stored.story["brief"] if b.get("kind", "extract") == "extract"]
        assert 0 < len(short_extracts) <= 2
        assert stored_if_current(store, story.id)[2] is None  # and the defaults' one is stale now
        assert stored_if_current(store, story.id, PipelineConfig())[2] is None


def test_a_serve_override_reaches_the_web_pages(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from storyline.serve import create_app

    db = tmp_path / "w.db"
    with open_store(str(db)) as store:
        ingest_paths(store, [str(SAMPLES)], FAST)
        n_stories = len(store.list_stories())
    assert n_stories > 2
    config = dataclasses.replace(FAST, serve=dataclasses.replace(ServeConfig(), page_size=2, max_page=3))
    with TestClient(create_app(str(db), config=config)) as client:
        page = client.get("/api/v1/stories", params={"limit": 50}).json()
        assert page["limit"] == 3 and len(page["stories"]) == 3
        html = client.get("/").text
        assert html.count('<li class="story-card">') == 2
        assert f"Page 1 of {(n_stories + 1) // 2}" in html


# -- no tuning constant left at module level ------------------------------------------------------

SRC = ROOT / "src" / "storyline"
OWNED = [
    *sorted((SRC / "read").glob("*.py")),
    SRC / "clean" / "pipeline.py", SRC / "clean" / "language.py", SRC / "clean" / "boilerplate.py",
    *[p for p in sorted((SRC / "enrich").rglob("*.py")) if p.name not in ("quantities.py", "money.py", "units.py")],
    SRC / "dedup.py",
    SRC / "consolidate" / "brief.py", SRC / "consolidate" / "timeline.py", SRC / "consolidate" / "stored.py",
    SRC / "consolidate" / "sentences.py",
    *sorted((SRC / "serve").glob("*.py")),
    SRC / "snippets.py", SRC / "scale.py", SRC / "storyscore.py", SRC / "embed.py", SRC / "pipeline.py",
]
# True constants: formats and versions, properties of a library or a model, I/O buffer sizes that no
# result depends on, the one-line message format.
TRUE_CONSTANTS = {
    ("consolidate/stored.py", "CONSOLIDATION_FORMAT"),  # the stored story's format version
    ("storyscore.py", "MODEL_VERSION"),
    ("enrich/matcher.py", "FORMAT_VERSION"),
    ("embed.py", "DIM"),  # the encoder's output dimension
    ("read/_paragraphs.py", "MAX_DEPTH"),  # libxml2's depth limit with huge_tree
    ("read/html.py", "_DEFAULT_DEPTH"),  # libxml2's depth limit without it
    ("read/warc.py", "_TRAILER"),  # the WARC format's record trailer
    ("read/warc.py", "_CHUNK"),  # an I/O buffer
    ("consolidate/sentences.py", "_SPLIT_CACHE_SIZE"),  # a memory bound of a cache, not a tuning of output
    ("read/_common.py", "_MAX_REASON"),  # a rejection is one line
    ("read/_dates.py", "_MIN_YEAR"), ("read/_dates.py", "_MAX_YEAR"),  # what a publication year can be
    ("dedup.py", "_MASK32"), ("dedup.py", "_MIX"),  # hash arithmetic
}


def _numeric(node: ast.expr) -> bool:
    """A number, or arithmetic and tuples of numbers only (`5 * 1024 * 1024`, `5, 8`)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int | float) and not isinstance(node.value, bool)
    if isinstance(node, ast.UnaryOp):
        return _numeric(node.operand)
    if isinstance(node, ast.BinOp):
        return _numeric(node.left) and _numeric(node.right)
    if isinstance(node, ast.Tuple):
        return bool(node.elts) and all(_numeric(e) for e in node.elts)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("uint64", "uint32"):
        return all(_numeric(a) for a in node.args)
    if isinstance(node, ast.Dict):  # a table of weights (word-to-number lexicons are tables of integers)
        values = [v for v in node.values if v is not None]
        return bool(values) and all(_numeric(v) for v in values) and any(
            isinstance(v, ast.Constant) and isinstance(v.value, float) for v in values)
    return False


def _names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple):
        return [n for e in target.elts for n in _names(e)]
    return []


def test_no_module_level_numeric_tuning_constant_is_left_in_the_stages() -> None:
    found = []
    for path in OWNED:
        rel = path.relative_to(SRC).as_posix()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign):
                targets, value = [n for t in node.targets for n in _names(t)], node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = _names(node.target), node.value
            else:
                continue
            for name in targets:
                if name.lstrip("_").isupper() and _numeric(value) and (rel, name) not in TRUE_CONSTANTS:
                    found.append(f"{rel}:{node.lineno} {name}")
    assert found == []
    assert len(OWNED) > 40  # the list above still names the modules
