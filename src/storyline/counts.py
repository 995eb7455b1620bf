"""What a report, an outlet and a mention count are: one definition, used by the CLI, the API and the pages.

- An **article** is one stored article of the story, near-copies included.
- A **report** is an article of the story that is not a near-copy of another article of the same story
  (an agency copy republished word for word counts once, as its original).
- An **outlet** is a distinct outlet name (trimmed, compared case-insensitively) among the story's
  articles, near-copies included: an outlet that ran a copy did carry the story. An article with no
  outlet name is of *an unnamed outlet*: it is counted apart (`unnamed`), never as an outlet, and never
  shown by its id.
- An entity's **mention count** in a story is the number of the story's reports that mention it; across
  the whole database, the number of reports (articles that are not a near-copy) that mention it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

UNNAMED_OUTLET = "an unnamed outlet"


def outlet_name(source: str | None) -> str | None:
    """The outlet name as shown and counted: whitespace collapsed, None when there is none."""
    name = " ".join((source or "").split())
    return name or None


def outlet_label(source: str | None) -> str:
    """The outlet name, or "an unnamed outlet" (never an article id)."""
    return outlet_name(source) or UNNAMED_OUTLET


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """"1 report", "2 reports", "1 story", "3 stories", "1 near-copy", "2 near-copies"."""
    if n == 1:
        return f"{n} {singular}"
    if plural_form is None:
        if singular.endswith("y") and singular[-2:-1] not in ("a", "e", "i", "o", "u", ""):
            plural_form = singular[:-1] + "ies"
        else:
            plural_form = singular + "s"
    return f"{n} {plural_form}"


@dataclass(frozen=True)
class Member:
    """What the counts need of one article."""

    id: str
    duplicate_of: str | None
    source: str | None


@dataclass(frozen=True)
class Counts:
    reports: int
    articles: int
    outlets: tuple[str, ...]  # sorted case-insensitively
    unnamed: int  # articles (near-copies included) with no outlet name

    @property
    def copies(self) -> int:
        return self.articles - self.reports

    def line(self) -> str:
        """ "5 reports (+1 near-copy) from 4 outlets and an unnamed outlet" """
        text = plural(self.reports, "report")
        if self.copies:
            text += f" (+{plural(self.copies, 'near-copy', 'near-copies')})"
        named = plural(len(self.outlets), "outlet")
        if self.unnamed and self.outlets:
            text += f" from {named} and {UNNAMED_OUTLET if self.unnamed == 1 else 'unnamed outlets'}"
        elif self.unnamed:
            text += f" from {UNNAMED_OUTLET if self.unnamed == 1 else 'unnamed outlets'}"
        else:
            text += f" from {named}"
        return text


def members(items: Iterable[Any]) -> list[Member]:
    """Members from StoredArticle-like objects, story-JSON article dicts, or (id, duplicate_of, source)."""
    out = []
    for item in items:
        if isinstance(item, Member):
            out.append(item)
        elif isinstance(item, Mapping):
            out.append(Member(item["id"], item.get("duplicate_of"), item.get("source")))
        elif isinstance(item, tuple):
            out.append(Member(*item))
        else:
            article = getattr(item, "article", item)
            out.append(Member(item.id, getattr(item, "duplicate_of", None), getattr(article, "source", None)))
    return out


def _report_ids(ms: list[Member]) -> list[str]:
    by_id = {m.id: m for m in ms}

    def root(m: Member) -> str:
        """The original a chain of near-copies leads to (in a cycle, its smallest id)."""
        path = [m.id]
        while m.duplicate_of and m.duplicate_of in by_id and m.duplicate_of != m.id:
            m = by_id[m.duplicate_of]
            if m.id in path:
                return min(path[path.index(m.id):])
            path.append(m.id)
        return m.id

    return [m.id for m in ms if root(m) == m.id]


def report_ids(items: Iterable[Any]) -> list[str]:
    """The ids of the reports among `items`: articles that are not a near-copy of another of them."""
    return _report_ids(members(items))


def count(items: Iterable[Any]) -> Counts:
    """Reports, articles, outlets and unnamed-outlet articles of one story's articles."""
    ms = members(items)
    outlets: dict[str, str] = {}
    unnamed = 0
    for m in ms:
        name = outlet_name(m.source)
        if name is None:
            unnamed += 1
        else:
            outlets.setdefault(name.casefold(), name)
    return Counts(
        reports=len(_report_ids(ms)),
        articles=len(ms),
        outlets=tuple(sorted(outlets.values(), key=lambda n: (n.casefold(), n))),
        unnamed=unnamed,
    )


def mention_count(mentioning: Iterable[str], items: Iterable[Any]) -> int:
    """How many of the reports among `items` are in `mentioning` (ids of articles that mention an entity)."""
    wanted = set(mentioning)
    return sum(1 for aid in report_ids(items) if aid in wanted)
