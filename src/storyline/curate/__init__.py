"""Hand curation of stories: merge, move, split and retitle, kept as decisions.

A decision is stored (who, when, what), listed in an audit trail, undoable, and it is a constraint,
not a one-off edit: after every clustering run, online or a full recluster, the active decisions are
applied again in the order they were taken. Decisions name articles, not only stories, so they hold
when a recluster rebuilds the stories:

- merge A B: every article of A and B at that moment is kept in A; later articles the clusterer puts
  in B go to A;
- move ARTICLE STORY|new: the article is kept in STORY (or a story of its own);
- split STORY ARTICLE...: the listed articles are kept together in a new story;
- retitle STORY TITLE: the story keeps that title.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from storyline.curate.decision import Action, Decision

if TYPE_CHECKING:  # the store imports the decision record: no import of it at load time here
    from storyline.store.base import Store


@dataclass
class Curation:
    """What the active decisions ask for, compiled in order."""

    article_story: dict[str, str] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)  # absorbed story -> kept story
    titles: dict[str, str] = field(default_factory=dict)

    def story_for(self, story_id: str) -> str:
        seen: set[str] = set()
        while story_id in self.redirects and story_id not in seen:
            seen.add(story_id)
            story_id = self.redirects[story_id]
        return story_id


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _decision(action: Action, args: dict[str, Any], who: str) -> Decision:
    at = _now()
    ident = hashlib.sha256(f"{action}\x00{sorted(args.items())}\x00{at}".encode()).hexdigest()[:12]
    return Decision(ident, action, args, who, at)


def compile_decisions(decisions: Sequence[Decision]) -> Curation:
    """The constraints of the active decisions, later decisions over earlier ones."""
    curation = Curation()
    for d in decisions:
        if not d.active:
            continue
        if d.action == "retitle":
            curation.titles[d.args["story"]] = d.args["title"]
            continue
        target = d.args["story"]
        for article in d.args["articles"]:
            curation.article_story[article] = target
        if d.action == "merge":
            curation.redirects[d.args["absorbed"]] = target
            curation.redirects.pop(target, None)
            if d.args["absorbed"] in curation.titles:
                curation.titles.setdefault(target, curation.titles[d.args["absorbed"]])
    return curation


def apply_curation(store: Store, *, retitle: Callable[[set[str]], None] | None = None) -> set[str]:
    """Place every article where the active decisions want it and set curated titles (the stories
    changed otherwise get `retitle` first); returns the stories this changed."""
    from storyline.store.base import Placement

    curation = compile_decisions(store.list_curations())
    if not (curation.article_story or curation.redirects or curation.titles):
        return set()
    placements: list[Placement] = []
    touched: set[str] = set()
    for stored in store.iter_articles():
        if stored.story_id is None:
            continue
        wanted = curation.article_story.get(stored.id) or curation.story_for(stored.story_id)
        if wanted != stored.story_id:
            placements.append(Placement(stored.id, wanted, stored.duplicate_of))
            touched.update((wanted, stored.story_id))
    if placements:
        store.place_articles(placements)
    live = {s.id for s in store.list_stories()}
    if retitle is not None:
        retitle((touched & live) - set(curation.titles))
    for story_id, title in curation.titles.items():
        if story_id in live:
            store.set_story_title(story_id, title)
            touched.add(story_id)
    return touched & {s.id for s in store.list_stories()}


# -- the operations --------------------------------------------------------------------------------


def merge(store: Store, story_id: str, other_id: str, *, who: str = "cli") -> Decision:
    kept, absorbed = store.get_story(story_id), store.get_story(other_id)
    if kept.id == absorbed.id:
        raise ValueError("a story cannot be merged into itself")
    return _take(store, _decision("merge", {
        "story": kept.id, "absorbed": absorbed.id,
        "articles": sorted({*kept.article_ids, *absorbed.article_ids}),
    }, who))


def move(store: Store, article_id: str, story_id: str, *, who: str = "cli") -> Decision:
    article = store.get_article(article_id)
    if article.story_id is None:
        raise ValueError(f"article {article.id} is in no story yet (cluster it first)")
    decision = _decision("move", {"articles": [article.id], "from": article.story_id, "story": ""}, who)
    target = "c" + decision.id if story_id == "new" else store.get_story(story_id).id
    decision.args["story"] = target
    return _take(store, decision)


def split(store: Store, story_id: str, article_ids: Sequence[str], *, who: str = "cli") -> Decision:
    story = store.get_story(story_id)
    articles = sorted({store.get_article(a).id for a in article_ids})
    strangers = [a for a in articles if a not in story.article_ids]
    if strangers:
        raise ValueError(f"not in story {story.id}: {', '.join(strangers)}")
    if not articles or len(articles) == len(story.article_ids):
        raise ValueError("a split takes some of the story's articles, not none or all")
    decision = _decision("split", {"articles": articles, "from": story.id, "story": ""}, who)
    decision.args["story"] = "c" + decision.id
    return _take(store, decision)


def retitle(store: Store, story_id: str, title: str, *, who: str = "cli") -> Decision:
    if not title.strip():
        raise ValueError("a title cannot be empty")
    story = store.get_story(story_id)
    return _take(store, _decision("retitle", {"story": story.id, "title": " ".join(title.split())}, who))


def undo(store: Store, decision_id: str, *, who: str = "cli") -> Decision:
    """Undo a decision; the stories are rebuilt so nothing of it is left (a recluster)."""
    from storyline.pipeline import recluster

    decision = store.undo_curation(decision_id, _now(), who)
    recluster(store)
    return decision


def _take(store: Store, decision: Decision) -> Decision:
    """Store the decision, apply every decision again, consolidate the stories that changed."""
    from storyline.consolidate.stored import consolidate_stories
    from storyline.pipeline import apply_decisions

    store.add_curation(decision)
    with store.cluster_lock():  # no clustering run in between: it would apply the decisions too
        consolidate_stories(store, apply_decisions(store))
    return decision
