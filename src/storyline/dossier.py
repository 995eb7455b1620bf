"""A story as the user reads it: the export contract's story object, and its Markdown dossier.

`consolidate_story` loads a story's articles and annotations from the store and runs the
consolidation steps over them, in this order:

1. `fold_entities`: the story's mentions folded into canonical entities (the only place this runs);
2. facts cross-checked across outlets, the story timeline and the cited brief (near-copies count once);
3. `story_record`: the export contract's story object, a plain JSON-serialisable dict.

The consolidation is a stored stage (`storyline.consolidate.stored`): the pipeline consolidates the
stories a batch touched and stores the record by story version; `story_json` reads it back.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from storyline.config import PipelineConfig
from storyline.counts import count, outlet_label
from storyline.model import AnnotatedArticle, Article, Entity, EntityMention
from storyline.store import Store, StoredArticle
from storyline.text.sentences import sentence_spans

EXPORT_FORMAT = "storyline-export-v1"
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True)
class Consolidated:
    story_id: str
    title: str
    articles: tuple[AnnotatedArticle, ...]
    entities: tuple[Entity, ...]
    facts: tuple[Any, ...]
    timeline: tuple[Any, ...]
    brief: tuple[Any, ...]
    merged_from: tuple[str, ...] = ()
    # undated articles' inferred publication dates (storyline.consolidate.inferred_dates.StoryDate by id)
    inferred: dict[str, Any] = field(default_factory=dict)

    @property
    def links(self) -> dict[tuple[str, int, int], str]:
        """(article id, start, end) of each mention -> its canonical entity key (from `fold_entities`)."""
        return {(a.id, m.start, m.end): m.entity_key for a in self.articles for m in a.mentions if m.entity_key}


def load_story(store: Store, story_id: str) -> list[AnnotatedArticle]:
    record = store.get_story(story_id)
    return [annotated(store, store.get_article(aid)) for aid in record.article_ids]


def annotated(store: Store, stored: StoredArticle) -> AnnotatedArticle:
    ann = store.get_annotations(stored.id)
    return AnnotatedArticle(
        id=stored.id, article=stored.article, timexes=ann.timexes, quantities=ann.quantities,
        mentions=ann.mentions, duplicate_of=stored.duplicate_of, story_id=stored.story_id,
    )


def fold_entities(items: Sequence[AnnotatedArticle]) -> tuple[list[AnnotatedArticle], list[Entity]]:
    """Consolidation step 1: fold the story's mentions into canonical entities; mentions get their key."""
    from storyline.enrich.resolve import resolve

    docs = [(a.id, a.article.text, a.mentions) for a in items]
    resolved = resolve(docs, [a.article.language for a in items])
    links = resolved.mention_keys
    out = []
    for a in items:
        mentions = tuple(
            EntityMention(m.start, m.end, m.text, m.label, links.get((a.id, m.start, m.end), m.entity_key))
            for m in a.mentions
        )
        out.append(AnnotatedArticle(a.id, a.article, a.timexes, a.quantities, mentions, a.duplicate_of, a.story_id))
    return out, list(resolved.entities)


resolve_story_entities = fold_entities  # the name evaluations and tests know


def consolidate(store: Store, story_id: str, config: PipelineConfig | None = None) -> Consolidated:
    """Every consolidation step over the story's stored articles (nothing is written)."""
    from storyline.consolidate.brief import build_brief
    from storyline.consolidate.facts import cross_check, extract_claims
    from storyline.consolidate.inferred_dates import as_dated, infer_story_dates, inferred_event
    from storyline.consolidate.timeline import build_story_timeline

    config = config or PipelineConfig()
    record = store.get_story(story_id)
    items, entities = fold_entities(load_story(store, record.id))
    # Undated articles get a date inferred from their text and the story's dated reports; the later
    # steps read their relative expressions resolved from it (marked inferred on the timeline).
    inferred = infer_story_dates(items)
    dated = as_dated(items, inferred)
    # Near-copies count once: facts, timeline and brief read the originals only.
    originals = [a for a in dated if a.duplicate_of is None] or dated
    facts = cross_check(extract_claims(originals, entities), config.crosscheck)
    timeline = [
        replace(ev, inferred=inferred_event(((s.article_id, s.start, s.end) for s in ev.sentences), ev.date,
                                            inferred))
        for ev in build_story_timeline(originals, config=config.timeline, filters=config.consolidation)
    ]
    brief = build_brief(originals, facts, timeline, config=config.brief, filters=config.consolidation)
    title = record.title or central_title([headline(a.article) for a in originals])
    return Consolidated(record.id, title, tuple(items), tuple(entities), tuple(facts), tuple(timeline),
                        tuple(brief), record.merged_from, inferred)


_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


def central_title(titles: Sequence[str | None]) -> str:
    """The headline sharing the most words with the other headlines (ties: the earliest)."""
    present = [t.strip() for t in titles if t and t.strip()]
    if not present:
        return "(untitled story)"
    bags = [set(w.casefold() for w in _WORD.findall(t)) for t in present]
    counts: Counter[str] = Counter(w for bag in bags for w in bag)
    best = max(range(len(present)),
               key=lambda i: (sum(counts[w] - 1 for w in bags[i]) / (len(bags[i]) or 1) ** 0.5, -i))
    return present[best]


def headline(article: Article) -> str | None:
    """The article's title, or for untitled text its first sentence, cut at a word near 100 characters."""
    if article.title and article.title.strip():
        return article.title
    spans = sentence_spans(article.text)
    first = article.text[spans[0][0] : spans[0][1]] if spans else ""
    if len(first) > 100:
        first = first[:100].rsplit(" ", 1)[0] + "…"
    return first or None


def _date(value: str | None) -> str | None:
    return value if value and _DATE.match(value) else None


def consolidate_story(store: Store, story_id: str) -> dict[str, Any]:
    """The story consolidated now: the export contract's story object (a plain JSON-serialisable dict)."""
    return story_record(consolidate(store, story_id))


def story_json(store: Store, story_id: str) -> dict[str, Any]:
    """The story object, as stored for the story's current version (consolidated and stored first when
    the stored one is missing or older than the story)."""
    from storyline.consolidate.stored import current_story

    return current_story(store, story_id).story


def story_record(c: Consolidated) -> dict[str, Any]:
    """Consolidation step 3: the export contract's story object."""
    ids = {a.id for a in c.articles}

    def refs(articles: Sequence[str]) -> list[str]:
        return [a for a in dict.fromkeys(articles) if a in ids]

    copies_of: dict[str, list[str]] = {}
    for b in c.articles:
        if b.duplicate_of:
            copies_of.setdefault(b.duplicate_of, []).append(b.id)
    articles: list[dict[str, Any]] = []
    for a in c.articles:
        art = a.article
        copies = copies_of.get(a.id, [])
        articles.append({
            "id": a.id, "title": art.title, "source": art.source, "published": _date(art.published),
            "language": art.language, "path": art.path, "url": art.url, "duplicate_of": a.duplicate_of,
            "text": art.text, "authors": list(art.authors), "agency": art.agency, "copies": copies,
            "published_inferred": _inferred_json(c.inferred.get(a.id)),
        })
    mentions_by_key: dict[str, set[str]] = {}
    for a in c.articles:
        for m in a.mentions:
            if m.entity_key:
                mentions_by_key.setdefault(m.entity_key, set()).add(a.id)
    entities = [
        {"key": e.key, "name": e.name, "type": e.label, "aliases": list(e.aliases),
         "articles": sorted(mentions_by_key.get(e.key, ()))}
        for e in c.entities
        if mentions_by_key.get(e.key)
    ]
    entities.sort(key=lambda e: (-len(e["articles"]), e["name"]))
    timeline = []
    for ev in c.timeline:
        r = refs(ev.articles)
        if r:
            timeline.append({"date": _date(ev.date), "text": ev.text, "articles": r, "background": ev.background,
                             "granularity": ev.granularity, "inferred": bool(getattr(ev, "inferred", False)),
                             "sentences": [{"article": s.article_id, "start": s.start, "end": s.end}
                                           for s in ev.sentences]})
    facts = []
    for f in c.facts:
        values = []
        for v in f.values:
            r = refs(v.articles)
            if not r:
                continue
            values.append({
                "text": v.text, "value": v.value, "unit": v.unit, "normalized": v.normalized,
                "qualifier": ", ".join(v.qualifiers) or None, "articles": r, "sources": list(v.sources),
                "approximate": v.approximate, "comparable": v.comparable, "cluster": v.cluster,
                "spans": [{"article": s.article_id, "start": s.start, "end": s.end, "text": s.text,
                           "sentence_start": s.sentence_start, "sentence_end": s.sentence_end} for s in v.spans],
            })
        if values:
            facts.append({"subject": f.subject_name, "subject_key": f.subject, "attribute": f.attribute,
                          "qualifier": f.qualifier, "status": f.status, "note": f.note, "values": values,
                          "evolution": [list(e) for e in f.evolution]})
    brief = []
    for b in c.brief:
        r = refs(b.articles)
        if r:
            brief.append({"text": b.text, "articles": r, "kind": b.kind, "date": _date(b.date),
                          "spans": [{"article": s.article_id, "start": s.start, "end": s.end} for s in b.spans]})
    dates = [a["published"] for a in articles if a["published"]]
    counted = count(articles)
    return {
        "id": c.story_id, "title": c.title, "articles": articles, "entities": entities, "timeline": timeline,
        "facts": facts, "brief": brief, "merged_from": list(c.merged_from),
        "size": counted.reports,
        "sources": list(counted.outlets),
        "languages": sorted({a["language"] for a in articles if a["language"]}),
        "first_date": min(dates) if dates else None, "last_date": max(dates) if dates else None,
    }


def _inferred_json(found: Any) -> dict[str, Any] | None:
    """An undated article's inferred publication date, marked as such, with its evidence and the
    relative expressions resolved from it (each an inferred value)."""
    if found is None:
        return None
    inferred = found.inferred
    return {
        "date": inferred.date, "inferred": True, "method": inferred.method,
        "confidence": round(inferred.confidence, 4), "evidence": inferred.evidence(),
        "resolved": [{"start": t.start, "end": t.end, "text": t.text, "type": t.type, "value": t.value,
                      "inferred": True} for t in found.resolved],
    }


def export_json(store: Store, story_ids: Sequence[str] | None = None) -> dict[str, Any]:
    ids = list(story_ids) if story_ids else [s.id for s in store.list_stories()]
    return {"format": EXPORT_FORMAT, "stories": [story_json(store, sid) for sid in ids]}


def story_markdown(story: dict[str, Any]) -> str:
    """A readable dossier: brief with numbered citations, timeline, facts, entities, sources."""
    numbers = {a["id"]: n for n, a in enumerate(story["articles"], 1)}

    def cite(ids: Sequence[str]) -> str:
        return "".join(f"[{numbers[i]}]" for i in ids if i in numbers)

    lines = [f"# {story['title']}", ""]
    span = " to ".join(d for d in (story.get("first_date"), story.get("last_date")) if d)
    lines.append(count(story["articles"]).line() + (f", {span}" if span else "") + ".")
    lines += ["", "## Brief", ""]
    for b in story["brief"]:
        lines.append(f"- {b['text']} {cite(b['articles'])}")
    lines += ["", "## Timeline", ""]
    for ev in story["timeline"]:
        mark = (" *(background)*" if ev.get("background") else "") + (" *(inferred date)*" if ev.get("inferred") else "")
        lines.append(f"- **{ev['date'] or 'undated'}**{mark}: {ev['text']} {cite(ev['articles'])}")
    lines += ["", "## Facts", "", "| subject | attribute | status | values |", "|---|---|---|---|"]
    for f in story["facts"]:
        status = f"**{f['status'].upper()}**" if f["status"] == "conflicting" else f["status"]
        vals = "; ".join(
            f"{v['text']}" + (f" ({v['qualifier']})" if v.get("qualifier") else "") + f" {cite(v['articles'])}"
            for v in f["values"]
        )
        lines.append(f"| {_md(f['subject'])} | {_md(f['attribute'])} | {status} | {_md(vals)} |")
    lines += ["", "## Entities", ""]
    for e in story["entities"]:
        aliases = ", ".join(a for a in e["aliases"] if a != e["name"])
        lines.append(f"- **{e['name']}** ({e['type']})" + (f": also {aliases}" if aliases else ""))
    lines += ["", "## Sources", ""]
    for a in story["articles"]:
        copy = f" (near-copy of [{numbers.get(a['duplicate_of'], '?')}])" if a["duplicate_of"] else ""
        where = a["url"] or a["path"] or ""
        inferred = a.get("published_inferred")
        when = a["published"] or (f"{inferred['date']} (inferred)" if inferred else "undated")
        lines.append(f"{numbers[a['id']]}. {outlet_label(a['source'])}, {when}: "
                     f"{a['title'] or '(untitled)'}{copy} {where}".rstrip())
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
