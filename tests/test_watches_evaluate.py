"""Which alerts a stored story raises for a watch: new story, growth, new conflicts; once each."""

from __future__ import annotations

from typing import Any

from storyline.watches.evaluate import matches, story_alerts
from storyline.watches.model import Watch

NOW = "2026-12-01T12:00:00Z"


def story(n: int, conflicts: int = 0) -> dict[str, Any]:
    return {
        "id": "s1",
        "title": "Ferry runs aground off Northgate",
        "articles": [{"id": f"a{i}", "source": "World news | The Northgate Chronicle", "title": "Ferry aground"}
                     for i in range(n)],
        "entities": [{"name": "Harbour Authority", "aliases": ["Northgate Harbour Authority"], "type": "ORG"}],
        "brief": [{"text": "The ferry ran aground at dawn; all 212 passengers were taken ashore."}],
        "facts": [
            {"subject": "ferry", "attribute": "count", "status": "conflicting",
             "values": [{"text": f"{200 + i} passengers"}, {"text": "212 passengers"}]}
            for i in range(conflicts)
        ],
    }


def watch(kind: str, value: str, growth: int = 5) -> Watch:
    return Watch("w1", kind, value, NOW, None, None, growth)  # type: ignore[arg-type]


def test_matching_by_entity_query_and_outlet() -> None:
    s = story(2)
    assert matches(watch("entity", "northgate harbour authority"), s)
    assert not matches(watch("entity", "Coast Guard"), s)
    assert matches(watch("query", "ferry passengers"), s)
    assert not matches(watch("query", "ferry strike"), s)
    assert matches(watch("outlet", "The Northgate Chronicle"), s)
    assert matches(watch("outlet", "Business | The Northgate Chronicle"), s)
    assert not matches(watch("outlet", "Harbour Daily"), s)


def test_each_event_alerts_once() -> None:
    w = watch("entity", "Harbour Authority", growth=3)
    known: set[str] = set()

    def run(s: dict[str, Any]) -> list[str]:
        alerts = story_alerts(w, s, known, NOW)
        known.update(a.key for a in alerts)
        return [a.event for a in alerts]

    assert run(story(2)) == ["new-story"]
    assert run(story(2)) == []
    assert run(story(3)) == ["grew"]
    assert run(story(4)) == []
    assert run(story(6, conflicts=1)) == ["grew", "conflict"]
    assert run(story(6, conflicts=1)) == []
    assert run(story(6, conflicts=2)) == ["conflict"]  # a new disagreement is a new event
    assert story_alerts(watch("entity", "Nobody"), story(9, 3), set(), NOW) == []
