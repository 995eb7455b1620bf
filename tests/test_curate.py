"""Hand curation: merge, move, split and retitle are stored decisions (who, when), undoable, and kept
as constraints by online clustering and by a full recluster."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import SAMPLES
from storyline.curate import merge, move, retitle, split, undo
from storyline.curate.decision import Decision
from storyline.pipeline import Config, ingest_paths, recluster
from storyline.store import Store, StoreError, open_store

FAST = Config(enrich=False, embed=False)


def test_decisions_are_stored_listed_and_undone_once(store: Store) -> None:
    decision = Decision("d1", "retitle", {"story": "s1", "title": "T"}, "cli", "2026-12-01T00:00:00.000000Z")
    store.add_curation(decision)
    assert store.list_curations() == [decision]
    undone = store.undo_curation("d1", "2026-12-01T01:00:00.000000Z", "alice")
    assert (undone.undone_by, store.list_curations()[0].undone_at) == ("alice", "2026-12-01T01:00:00.000000Z")
    with pytest.raises(StoreError, match="undone already"):
        store.undo_curation("d1", "2026-12-01T02:00:00.000000Z", "bob")


def _story_of(store: Store, article_id: str) -> str:
    story = store.get_article(article_id).story_id
    assert story is not None
    return story


def _members(store: Store) -> dict[str, frozenset[str]]:
    return {s.id: frozenset(s.article_ids) for s in store.list_stories()}


@pytest.fixture
def samples(tmp_path: Path) -> Iterator[Store]:
    with open_store(str(tmp_path / "s.db")) as opened:
        ingest_paths(opened, [str(SAMPLES)], FAST)
        yield opened


def test_curation_holds_through_recluster_and_undo(samples: Store) -> None:
    store = samples
    stories = sorted(store.list_stories(), key=lambda s: (-len(s.article_ids), s.id))
    big, other = stories[0], stories[1]
    before = _members(store)

    merged = merge(store, big.id, other.id, who="alice")
    assert set(store.get_story(big.id).article_ids) == set(big.article_ids) | set(other.article_ids)
    leaving = sorted(big.article_ids)[:2]
    cut = split(store, big.id, leaving)
    new_story = cut.args["story"]
    assert set(store.get_story(new_story).article_ids) == set(leaving)
    lone = sorted(other.article_ids)[0]
    moved = move(store, lone, "new")
    assert store.get_story(moved.args["story"]).article_ids == (lone,)
    titled = retitle(store, big.id, "Hand-picked title")
    assert store.get_story(big.id).title == "Hand-picked title"

    recluster(store, FAST)  # the decisions are constraints: a full rebuild keeps them
    after = _members(store)
    assert after[new_story] == frozenset(leaving)
    assert after[moved.args["story"]] == frozenset({lone})
    assert set(other.article_ids) - {lone} <= after[big.id]
    assert store.get_story(big.id).title == "Hand-picked title"
    assert [d.id for d in store.list_curations()] == [merged.id, cut.id, moved.id, titled.id]
    assert store.list_curations()[0].who == "alice"

    for decision in (titled, moved, cut, merged):
        undo(store, decision.id)
    assert _members(store) == before  # every decision undone: the stories the clusterer made
    assert all(d.undone_at for d in store.list_curations())


def test_bad_requests_are_refused(samples: Store) -> None:
    story = samples.list_stories()[0]
    with pytest.raises(ValueError, match="into itself"):
        merge(samples, story.id, story.id)
    with pytest.raises(ValueError, match="not none or all"):
        split(samples, story.id, list(story.article_ids))
    other = next(s for s in samples.list_stories() if s.id != story.id)
    with pytest.raises(ValueError, match="not in story"):
        split(samples, story.id, [other.article_ids[0]])
    with pytest.raises(ValueError, match="empty"):
        retitle(samples, story.id, "  ")
    assert samples.list_curations() == []


def test_curation_commands(tmp_path: Path) -> None:
    db = tmp_path / "c.db"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "storyline.cli", *args, "--db", str(db)], capture_output=True,
                              text=True, timeout=300, env={**os.environ, "COLUMNS": "200"})

    assert run("ingest", "--no-enrich", str(SAMPLES)).returncode == 0
    with open_store(str(db)) as store:
        story = sorted(store.list_stories(), key=lambda s: -len(s.article_ids))[0]
    done = run("retitle", story.id, "A title by hand")
    assert done.returncode == 0, done.stderr
    assert "retitled story" in done.stdout
    listed = run("decisions")
    assert "A title by hand" in listed.stdout and "cli" in listed.stdout
    assert run("split", story.id, "nosucharticle").returncode == 1
    decision_id = done.stdout.split()[1].rstrip(":")
    assert run("undo", decision_id).returncode == 0
    assert "undone" in run("decisions").stdout
    assert run("undo", decision_id).returncode == 1
