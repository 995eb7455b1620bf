"""A hand-curation decision, as the store keeps it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Action = Literal["merge", "move", "split", "retitle"]
ACTIONS: tuple[Action, ...] = ("merge", "move", "split", "retitle")


@dataclass(frozen=True)
class Decision:
    id: str
    action: Action
    args: dict[str, Any]
    who: str
    at: str
    undone_at: str | None = None
    undone_by: str | None = None

    @property
    def active(self) -> bool:
        return self.undone_at is None

    def describe(self) -> str:
        a = self.args
        if self.action == "merge":
            return f"merged story {a['absorbed']} into {a['story']} ({len(a['articles'])} articles)"
        if self.action == "move":
            return f"moved article {a['articles'][0]} to story {a['story']}"
        if self.action == "split":
            return f"split {len(a['articles'])} articles from story {a['from']} into story {a['story']}"
        return f"retitled story {a['story']} {a['title']!r}"
