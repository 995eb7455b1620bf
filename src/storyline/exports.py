"""Exports beside the JSON contract: CSV of stories or of their facts, and Atom feeds of a story's
reports and of a watch's alerts. Everything is read from the stored consolidations (counts as
`storyline.counts` defines them)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any
from xml.etree import ElementTree as ET

from storyline.counts import count, outlet_name, report_ids
from storyline.store import Store
from storyline.watches.model import Alert, Watch

STORY_COLUMNS = ("id", "title", "size", "outlets", "languages", "first_date", "last_date", "conflicts")
FACT_COLUMNS = ("story", "subject", "attribute", "status", "value", "unit", "qualifier", "outlet", "article",
                "offsets")
ATOM = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml; charset=utf-8"


def _stories(store: Store, story_ids: Sequence[str] | None) -> Iterable[dict[str, Any]]:
    from storyline.consolidate.stored import current_story

    ids = list(story_ids) if story_ids else [s.id for s in store.list_stories()]
    for sid in ids:
        yield current_story(store, sid).story


def story_row(story: dict[str, Any]) -> list[Any]:
    counted = count(story["articles"])
    languages = sorted({a.get("language") for a in story["articles"] if a.get("language")})
    conflicts = sum(1 for f in story.get("facts", []) if f.get("status") == "conflicting")
    return [story["id"], story.get("title") or "", counted.reports, len(counted.outlets), " ".join(languages),
            story.get("first_date") or "", story.get("last_date") or "", conflicts]


def fact_rows(story: dict[str, Any]) -> Iterable[list[Any]]:
    """One row per fact value and article citing it (offsets: start-end of each span, ';'-separated)."""
    sources = {a["id"]: outlet_name(a.get("source")) or "" for a in story["articles"]}
    for fact in story.get("facts", []):
        for value in fact.get("values", []):
            for article in value.get("articles", []):
                spans = [f"{s['start']}-{s['end']}" for s in value.get("spans", []) if s.get("article") == article]
                yield [story["id"], fact.get("subject") or "", fact.get("attribute") or "", fact.get("status") or "",
                       value.get("text") or "", value.get("unit") or "", value.get("qualifier") or "",
                       sources.get(article, ""), article, ";".join(spans)]


def export_csv(store: Store, story_ids: Sequence[str] | None = None, *, facts: bool = False) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(FACT_COLUMNS if facts else STORY_COLUMNS)
    for story in _stories(store, story_ids):
        if facts:
            writer.writerows(fact_rows(story))
        else:
            writer.writerow(story_row(story))
    return buf.getvalue()


# -- Atom ------------------------------------------------------------------------------------------


def _stamp(value: str | None, fallback: str) -> str:
    """An RFC 3339 date-time of a date or date-time (Atom requires one)."""
    value = (value or "").strip() or fallback
    if len(value) == 4:
        value += "-01-01"
    elif len(value) == 7:
        value += "-01"
    if len(value) == 10:
        return value + "T00:00:00Z"
    value = value.replace(" ", "T")
    return value if value.endswith("Z") or "+" in value[10:] or value[19:].count("-") else value + "Z"


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    el.text = text
    return el


def _feed(title: str, ident: str, updated: str, self_url: str, alt_url: str) -> ET.Element:
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "title", title)
    _text(feed, "id", ident)
    _text(feed, "updated", updated)
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": self_url})
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "alternate", "href": alt_url, "type": "text/html"})
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "storyline")
    return feed


def _done(feed: ET.Element) -> bytes:
    out: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return out


def story_atom(story: dict[str, Any], base: str, updated: str) -> bytes:
    """One entry per report of the story (near-copies left out), newest first."""
    reports = set(report_ids(story["articles"]))
    articles = [a for a in story["articles"] if a["id"] in reports]
    articles.sort(key=lambda a: (a.get("published") or "", a["id"]), reverse=True)
    newest = _stamp(articles[0].get("published"), updated) if articles else updated
    feed = _feed(story.get("title") or story["id"], f"{base}/stories/{story['id']}", max(newest, updated),
                 f"{base}/stories/{story['id']}.atom", f"{base}/stories/{story['id']}")
    for a in articles:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "title", a.get("title") or "untitled")
        _text(entry, "id", f"{base}/articles/{a['id']}")
        _text(entry, "updated", _stamp(a.get("published"), updated))
        ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "alternate", "href": a.get("url") or f"{base}/articles/{a['id']}"})
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        _text(author, "name", outlet_name(a.get("source")) or "an unnamed outlet")
        text = " ".join((a.get("text") or "").split())
        _text(entry, "summary", text[:400] + ("…" if len(text) > 400 else ""))
    return _done(feed)


def alerts_atom(watch: Watch, alerts: Sequence[Alert], base: str, updated: str) -> bytes:
    """One entry per alert of the watch, newest first."""
    newest = max((_stamp(a.created_at, updated) for a in alerts), default=updated)
    feed = _feed(f"storyline: {watch.kind} {watch.value}", f"{base}/watches/{watch.id}", newest,
                 f"{base}/watches/{watch.id}/alerts.atom", f"{base}/alerts?watch={watch.id}")
    for alert in alerts:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "title", f"{alert.event}: {alert.title}")
        _text(entry, "id", f"{base}/alerts/{alert.id}")
        _text(entry, "updated", _stamp(alert.created_at, updated))
        ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "alternate", "href": f"{base}/stories/{alert.story_id}"})
        _text(entry, "summary", alert.detail)
    return _done(feed)
