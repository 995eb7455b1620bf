"""Which alerts a consolidated story raises for a watch. Pure functions over the stored story
(the export contract's story object) and what the watch has already been told."""

from __future__ import annotations

import hashlib
from typing import Any

from storyline.clean.outlet import normalize_outlet
from storyline.counts import count, plural
from storyline.store.base import fold_name
from storyline.text import words
from storyline.watches.model import Alert, AlertEvent, Watch


def _outlets(story: dict[str, Any]) -> set[str]:
    return {fold_name(normalize_outlet(a.get("source") or "") or "") for a in story.get("articles", [])} - {""}


def _entity_names(story: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for entity in story.get("entities", []):
        names.add(fold_name(entity.get("name") or ""))
        names.update(fold_name(alias) for alias in entity.get("aliases") or [])
    return names - {""}


def _story_words(story: dict[str, Any]) -> set[str]:
    parts = [story.get("title") or ""]
    parts += [a.get("title") or "" for a in story.get("articles", [])]
    parts += [b.get("text") or "" for b in story.get("brief", [])]
    return set(words(" ".join(parts)))


def matches(watch: Watch, story: dict[str, Any]) -> bool:
    """Whether the story is one the watch is about."""
    if watch.kind == "entity":
        return fold_name(watch.value) in _entity_names(story)
    if watch.kind == "outlet":
        return fold_name(normalize_outlet(watch.value) or watch.value) in _outlets(story)
    wanted = words(watch.value)
    return bool(wanted) and set(wanted) <= _story_words(story)


def _alert(watch: Watch, event: AlertEvent, story: dict[str, Any], key: str, detail: str, now: str) -> Alert:
    ident = hashlib.sha256(f"{watch.id}\x00{key}".encode()).hexdigest()[:16]
    payload = {
        "watch": {"id": watch.id, "kind": watch.kind, "value": watch.value},
        "event": event,
        "story": {"id": story["id"], "title": story.get("title"), "reports": count(story.get("articles", [])).reports},
        "detail": detail,
    }
    return Alert(ident, watch.id, event, story["id"], key, story.get("title") or story["id"], detail, now, payload)


def story_alerts(watch: Watch, story: dict[str, Any], known_keys: set[str], now: str) -> list[Alert]:
    """The alerts this story raises for the watch that were not raised before (`known_keys`): the
    story is new to the watch; it grew by another `watch.growth` reports; a conflicting fact appeared."""
    if not matches(watch, story):
        return []
    story_id = story["id"]
    size = count(story.get("articles", [])).reports  # near-copies count once (storyline.counts)
    out: list[Alert] = []
    new_key = f"new-story:{story_id}"
    if new_key not in known_keys:
        out.append(_alert(watch, "new-story", story, new_key, f"a new story with {plural(size, 'report')}", now))
    else:
        step = max(1, watch.growth)
        reached = size // step * step
        grew_key = f"grew:{story_id}:{reached}"
        if reached >= step and grew_key not in known_keys:
            out.append(_alert(watch, "grew", story, grew_key, f"the story has grown to {plural(size, 'report')}", now))
    for fact in story.get("facts", []):
        if fact.get("status") != "conflicting":
            continue
        values = sorted(str(v.get("text")) for v in fact.get("values", []))
        key = f"conflict:{story_id}:{fact.get('subject')}:{fact.get('attribute')}:{'|'.join(values)}"
        if key not in known_keys:
            detail = f"outlets disagree on {fact.get('attribute')} of {fact.get('subject')}: {', '.join(values)}"
            out.append(_alert(watch, "conflict", story, key, detail, now))
    return out
