"""The pages: server-rendered with Jinja2 (autoescape on), readable without JavaScript.

Everything that comes from an article (titles, text, outlet names, quotes) reaches the HTML through
Jinja2's escaping only; highlighted text is built as (text, kind, link) segments that the template
escapes, never as pre-built HTML.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from storyline.config import SERVE, ServeConfig
from storyline.counts import (
    UNNAMED_OUTLET,
    count,
    outlet_label,
    outlet_name,
    plural,
    report_ids,
)
from storyline.serve.api import is_date
from storyline.serve.data import Catalog, EntityInfo, StorySummary, entity_id, filter_stories
from storyline.snippets import snippet_parts
from storyline.store import QuerySyntaxError

HERE = Path(__file__).resolve().parent
# The tuning values are `storyline.config.ServeConfig` (the catalog's `config.serve`).

_env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def safe_href(url: object) -> str | None:
    """An article's URL as a link target only when it is http(s): never javascript:, data:, file:..."""
    if not isinstance(url, str):
        return None
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


_env.filters["safe_href"] = safe_href
_env.globals["plural"] = plural
_env.globals["outlet_label"] = outlet_label
templates = Jinja2Templates(env=_env)


def precompile_templates() -> None:
    """Compile every page template now (at server start), not on the first request that needs it."""
    for name in _env.list_templates(filter_func=lambda n: n.endswith(".html")):
        _env.get_template(name)

router = APIRouter(include_in_schema=False)



def _catalog(request: Request) -> Catalog:
    catalog: Catalog = request.app.state.catalog
    return catalog


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status)


def render_error(request: Request, status: int, message: str) -> Response:
    return render(request, "error.html", status=status, status_code=status, message=message)


def _date(value: str | None) -> str | None:
    return value.strip() if value and is_date(value.strip()) else None


# -- drawings ------------------------------------------------------------------------------------


def sparkline(per_day: Sequence[tuple[str, int]], width: int = 120, height: int = 24) -> dict[str, Any]:
    """Bars of articles per day, as numbers for an inline SVG."""
    if not per_day:
        return {"width": width, "height": height, "bars": [], "label": "no dated articles"}
    peak = max(n for _, n in per_day) or 1
    step = width / len(per_day)
    bars = []
    for i, (day, n) in enumerate(per_day):
        h = 0.0 if n == 0 else max(2.0, (height - 2) * n / peak)
        bars.append({"x": round(i * step, 2), "y": round(height - h, 2), "w": round(max(step - 1, 1), 2),
                     "h": round(h, 2), "title": f"{day}: {n} article{'s' if n != 1 else ''}"})
    total = sum(n for _, n in per_day)
    label = (f"{total} articles over {len(per_day)} days, {per_day[0][0]} to {per_day[-1][0]}, "
             f"at most {peak} a day")
    return {"width": width, "height": height, "bars": bars, "label": label}


def _day_span(value: str) -> tuple[dt.date, dt.date]:
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        d = dt.date(*parts)
        return d, d
    if len(parts) == 2:
        start = dt.date(parts[0], parts[1], 1)
        nxt = dt.date(parts[0] + (parts[1] == 12), parts[1] % 12 + 1, 1)
        return start, nxt - dt.timedelta(days=1)
    return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)


def _quartiles(days: Sequence[int]) -> tuple[int, int, int]:
    ordered = sorted(days)
    n = len(ordered)
    return ordered[n // 4], ordered[n // 2], ordered[(3 * n) // 4]


def _tick_candidates(lo: dt.date, hi: dt.date, around: dt.date) -> list[tuple[dt.date, str]]:
    """Year starts, then month starts, then days (the 400 nearest `around`) from lo to hi, in that
    order of preference."""
    years = [(dt.date(y, 1, 1), str(y)) for y in range(lo.year, hi.year + 1) if lo <= dt.date(y, 1, 1) <= hi]
    months: list[tuple[dt.date, str]] = []
    day = dt.date(lo.year, lo.month, 1)
    while day <= hi and len(months) < 1200:
        if day >= lo and day.month != 1:
            months.append((day, day.strftime("%b %Y")))
        day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    first, last = max(lo, around - dt.timedelta(days=200)), min(hi, around + dt.timedelta(days=200))
    days = [(first + dt.timedelta(days=i), (first + dt.timedelta(days=i)).strftime("%d %b"))
            for i in range((last - first).days + 1) if (first + dt.timedelta(days=i)).day != 1]
    return years + months + days


def timeline_drawing(events: Sequence[dict[str, Any]], width: int = 900, *,
                     config: ServeConfig = SERVE) -> dict[str, Any] | None:
    """Dated events on a time axis: a dot for a day, a bar for a month or a year; stacked in rows where
    they would overlap. Background events are drawn faded.

    The axis is linear, unless a few events lie far from the bulk of them (an old background event, a
    date years ahead): then time is compressed logarithmically with the distance from the median event
    (a log-scaled gap), so the outliers do not squeeze every other event against one edge."""
    dated = []
    for n, ev in enumerate(events):
        d = _date(ev.get("date"))
        if d:
            try:
                dated.append((n, ev, *_day_span(d)))
            except ValueError:
                continue
    if not dated:
        return None
    lo = min(s for _, _, s, _ in dated)
    hi = max(e for _, _, _, e in dated)
    left, right = config.tick_edge, width - config.tick_edge  # room for a label on either side of its tick
    # The bulk: the days of the events dated to the day (month and year bars are context).
    days = [s.toordinal() for _, _, s, e in dated if s == e] or [s.toordinal() for _, _, s, _ in dated]
    q1, median, q3 = _quartiles(days)
    log_scale = (hi - lo).days > 4 * max(q3 - q1, 7)

    def f(d: dt.date) -> float:
        if not log_scale:
            return float(d.toordinal())
        off = d.toordinal() - median
        return math.copysign(math.log1p(abs(off)), off)

    f_lo, f_hi = f(lo), f(hi)
    span = (f_hi - f_lo) or 1.0

    def x(d: dt.date) -> float:
        return round(left + (right - left) * (f(d) - f_lo) / span, 1)

    rows: list[float] = []
    marks = []
    for n, ev, start, end in sorted(dated, key=lambda t: (t[2], t[0])):
        xs, xe = x(start), x(end)
        row = next((i for i, last in enumerate(rows) if last < xs - 12), None)
        if row is None:
            rows.append(xe)
            row = len(rows) - 1
        else:
            rows[row] = xe
        marks.append({"n": n + 1, "x": xs, "x1": xe, "bar": start != end, "y": 18 + row * 16,
                      "background": bool(ev.get("background")),
                      "title": f"{ev.get('date')}: {ev.get('text', '')}"})
    axis_y = 18 + len(rows) * 16 + 4
    ticks: list[dict[str, Any]] = []
    for day, label in _tick_candidates(lo, hi, dt.date.fromordinal(median)):
        tx = x(day)
        if all(abs(tx - t["x"]) >= config.tick_gap for t in ticks):
            ticks.append({"x": tx, "label": label})
        if len(ticks) >= 12:
            break
    if not ticks:
        ticks.append({"x": x(lo), "label": lo.strftime("%d %b %Y")})
    ticks.sort(key=lambda t: t["x"])
    return {
        "width": width, "height": axis_y + 24, "axis_y": axis_y, "left": left, "right": right,
        "marks": marks, "ticks": ticks, "log_scale": log_scale,
        "first": lo.isoformat(), "last": hi.isoformat(),
    }


# -- highlighted text ----------------------------------------------------------------------------


def segments(text: str, spans: Sequence[dict[str, Any]], hl: tuple[int, int] | None) -> list[dict[str, Any]]:
    """The text cut into segments: plain, or one annotation (entity/date/quantity), each marked as inside
    the highlighted range or not. Overlapping annotations: the earliest (then longest) wins."""
    chosen: list[dict[str, Any]] = []
    last_end = 0
    for s in sorted(spans, key=lambda s: (s["start"], -(s["end"] - s["start"]))):
        if s["start"] >= last_end and 0 <= s["start"] < s["end"] <= len(text):
            chosen.append(s)
            last_end = s["end"]
    cuts = {0, len(text)}
    for s in chosen:
        cuts |= {s["start"], s["end"]}
    if hl:
        cuts |= {max(0, min(hl[0], len(text))), max(0, min(hl[1], len(text)))}
    points = sorted(cuts)
    out = []
    ci = 0
    first_hl = True
    for a, b in itertools.pairwise(points):
        if a == b:
            continue
        while ci < len(chosen) and chosen[ci]["end"] <= a:
            ci += 1
        ann = chosen[ci] if ci < len(chosen) and chosen[ci]["start"] <= a < chosen[ci]["end"] else None
        in_hl = bool(hl and hl[0] <= a < hl[1])
        seg = {"text": text[a:b], "ann": ann, "hl": in_hl, "anchor": in_hl and first_hl}
        if in_hl:
            first_hl = False
        out.append(seg)
    return out


def _parse_hl(hl: str | None) -> tuple[int, int] | None:
    if not hl:
        return None
    m = re.fullmatch(r"(\d{1,9})-(\d{1,9})", hl.strip())
    if not m or int(m.group(1)) >= int(m.group(2)):
        return None
    return int(m.group(1)), int(m.group(2))


def article_link(article_id: str, span: dict[str, Any] | None = None) -> str:
    if span and isinstance(span.get("start"), int) and isinstance(span.get("end"), int) \
            and span["end"] > span["start"]:
        return f"/articles/{article_id}?hl={span['start']}-{span['end']}#hl"
    return f"/articles/{article_id}"


# -- pages ---------------------------------------------------------------------------------------


def _query(**params: Any) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


@router.get("/", response_class=HTMLResponse)
def front_page(
    request: Request,
    q: Annotated[str | None, Query(max_length=1000)] = None,
    entity: Annotated[str | None, Query(max_length=500)] = None,
    outlet: Annotated[str | None, Query(max_length=500)] = None,
    language: Annotated[str | None, Query(max_length=20)] = None,
    date_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    sort: Annotated[str, Query(max_length=10)] = "updated",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    cat = _catalog(request)
    q, entity, outlet, language = (v.strip() if v else None for v in (q, entity, outlet, language))
    view = cat.view(entities=bool(entity))
    error = None
    bad_dates = [f"“{v.strip()[:40]}” is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"
                 for v in (date_from, date_to) if v and v.strip() and not is_date(v.strip())]
    try:
        if bad_dates:
            raise QuerySyntaxError("; ".join(bad_dates))
        stories = filter_stories(
            cat, q=q or None, entity=entity or None, outlet=outlet or None, language=language or None,
            date_from=_date(date_from), date_to=_date(date_to), sort="size" if sort == "size" else "updated",
            view=view,
        )
    except QuerySyntaxError as exc:
        stories = []
        error = f"Dates not understood: {exc.message}" if bad_dates else f"Search query not understood: {exc.message}"
    total = len(stories)
    size = cat.config.serve.page_size
    shown = stories[(page - 1) * size : page * size]
    entity_info = view.find_entity(entity) if entity else None
    filters = {"q": q, "entity": entity, "outlet": outlet, "language": language, "from": _date(date_from),
               "to": _date(date_to), "sort": sort if sort == "size" else None}
    top_entities = sorted(view.entities.values(), key=lambda e: (-len(e.per_story), -e.articles, e.name))[:300]
    return render(
        request, "index.html", status=400 if error else 200,
        stories=[{"s": s, "spark": sparkline(s.per_day)} for s in shown], total=total, page=page,
        pages=max(1, (total + size - 1) // size), filters=filters, error=error, entity_info=entity_info,
        outlets=view.outlets, languages=view.languages, entities=top_entities,
        active=any(v for v in filters.values()),
        page_url=lambda n: "/?" + _query(**filters, page=n if n > 1 else None),
    )


def _story_context(story: dict[str, Any], serve: ServeConfig = SERVE) -> dict[str, Any]:
    articles = story["articles"]
    by_id = {a["id"]: a for a in articles}
    numbers = {a["id"]: n for n, a in enumerate(articles, 1)}

    def cites(ids: Sequence[str], spans: Sequence[dict[str, Any]] = ()) -> list[dict[str, Any]]:
        out = []
        first_span: dict[Any, dict[str, Any]] = {}
        for s in spans:  # each article's first span (one pass: a brief can cite hundreds of articles)
            first_span.setdefault(s.get("article"), s)
        for aid in ids:
            if aid not in by_id:
                continue
            span = first_span.get(aid)
            a = by_id[aid]
            out.append({"n": numbers[aid], "href": article_link(aid, span),
                        "label": f"{outlet_label(a.get('source'))}, {a.get('published') or 'undated'}: "
                                 f"{a.get('title') or '(untitled)'}"})
        return out

    brief = [{"text": b["text"], "cites": cites(b["articles"], b.get("spans") or ())} for b in story["brief"]]
    timeline = []
    for ev in story["timeline"]:
        spans = [{"article": s.get("article"), "start": s.get("start"), "end": s.get("end")}
                 for s in ev.get("sentences") or ()]
        timeline.append({**ev, "cites": cites(ev["articles"], spans)})
    drawing = timeline_drawing(story["timeline"], config=serve)

    facts = []
    said: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in story["facts"]:
        values = []
        for v in f["values"]:
            quotes = []
            for aid in v["articles"]:
                a = by_id.get(aid)
                if not a:
                    continue
                span = next((s for s in v.get("spans") or () if s.get("article") == aid), None)
                quote = (span or {}).get("text") or v["text"]
                if span and isinstance(span.get("sentence_start"), int) \
                        and isinstance(span.get("sentence_end"), int):
                    link_span: dict[str, Any] | None = {"start": span["sentence_start"],
                                                        "end": span["sentence_end"]}
                else:
                    link_span = span
                quotes.append({"quote": quote, "source": outlet_label(a.get("source")),
                               "published": a.get("published"), "href": article_link(aid, link_span),
                               "n": numbers[aid]})
                said[outlet_label(a.get("source"))].append(
                    {"subject": f["subject"], "attribute": f["attribute"], "value": v["text"],
                     "conflict": f["status"] == "conflicting", "href": article_link(aid, link_span)})
            title = " | ".join(f"“{q['quote']}” ({q['source']})" for q in quotes[:4])
            values.append({**v, "quotes": quotes, "title": title})
        facts.append({**f, "values": values})

    # Outlets: their articles, with near-copies folded under their original.
    originals = [a for a in articles if not a.get("duplicate_of") or a["duplicate_of"] not in by_id]
    copies: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in articles:
        if a.get("duplicate_of") and a["duplicate_of"] in by_id:
            copies[a["duplicate_of"]].append(a)
    counted = count(articles)
    names = {n.casefold(): n for n in counted.outlets}
    outlets: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in articles:
        name = outlet_name(a.get("source"))
        outlets[names.get(name.casefold(), name) if name else UNNAMED_OUTLET].append(a)
    story_reports = set(report_ids(articles))
    who = [{"outlet": name, "articles": len(arts), "reports": sum(1 for a in arts if a["id"] in story_reports),
            "languages": sorted({a["language"] for a in arts if a.get("language")}),
            "said": said.get(name, [])}
           for name, arts in sorted(outlets.items(), key=lambda kv: (kv[0] == UNNAMED_OUTLET, -len(kv[1]),
                                                                     kv[0].casefold()))]

    entities = []
    for e in story["entities"]:
        key = e.get("key")
        eid = entity_id(key) if key else None  # the story's entities are stored with its consolidation
        entities.append({**e, "href": f"/entities/{eid}" if eid else "/entities/" + _quote_path(e["name"]),
                         "others": [a for a in e["aliases"] if a != e["name"]],
                         "reports": sum(1 for aid in set(e["articles"]) if aid in story_reports)})
    return {
        "story": story, "counts": counted, "brief": brief, "timeline": timeline, "drawing": drawing, "facts": facts,
        "conflicts": sum(1 for f in facts if f["status"] == "conflicting"), "who": who, "entities": entities,
        "originals": [
            {"a": a, "n": numbers[a["id"]], "copies": [(c, numbers[c["id"]]) for c in copies[a["id"]]]}
            for a in originals
        ],
    }


def _quote_path(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(request: Request, story_id: str) -> Response:
    cat = _catalog(request)
    entry = cat.story_entry(story_id)
    per_day = entry.summary.get("per_day")
    from storyline.serve.live import merge_choices

    return render(request, "story.html", **_story_context(entry.story, cat.config.serve), others=merge_choices(cat, entry.story["id"]),
                  spark=sparkline([(d, int(n)) for d, n in per_day]) if per_day else None)


_KIND = {"mention": "ent", "timex": "date", "quantity": "qty"}


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(
    request: Request, article_id: str, hl: Annotated[str | None, Query(max_length=40)] = None
) -> Response:
    cat = _catalog(request)
    stored, ann = cat.article(article_id)
    known = cat.entity_names(stored.story_id)
    spans: list[dict[str, Any]] = []
    for m in ann.mentions:
        ent = known.get(m.entity_key) if m.entity_key else None
        spans.append({"start": m.start, "end": m.end, "kind": "ent", "label": m.label,
                      "href": f"/entities/{ent.id}" if ent else None,
                      "title": f"{m.label}: {ent.name}" if ent else m.label})
    for t in ann.timexes:
        spans.append({"start": t.start, "end": t.end, "kind": "date", "label": t.type, "href": None,
                      "title": f"{t.type}: {t.value}" if t.value else f"{t.type} (unresolved)"})
    for q in ann.quantities:
        unit = f" {q.unit}" if q.unit else ""
        value = "" if q.value is None else f"{q.value:g}{unit}"
        spans.append({"start": q.start, "end": q.end, "kind": "qty", "label": q.kind, "href": None,
                      "title": f"{q.kind}: {value}".rstrip(": ")})
    highlight = _parse_hl(hl)
    story = cat.summary(stored.story_id) if stored.story_id else None
    entities: dict[str, EntityInfo] = {}
    for m in ann.mentions:
        if m.entity_key and m.entity_key in known:
            entities[m.entity_key] = known[m.entity_key]
    duplicate = cat.article_info(stored.duplicate_of) if stored.duplicate_of else None
    return render(
        request, "article.html", a=stored, art=stored.article, segments=segments(stored.article.text, spans,
                                                                               highlight),
        hl=highlight, story=story, entities=sorted(entities.values(), key=lambda e: e.name.casefold()),
        duplicate=duplicate,
        counts={"ent": len(ann.mentions), "date": len(ann.timexes), "qty": len(ann.quantities)},
    )


@router.get("/entities/{entity_ref}", response_class=HTMLResponse)
def entity_page(request: Request, entity_ref: str) -> Response:
    cat = _catalog(request)
    view = cat.view(entities=True)
    found = view.find_entity(entity_ref)
    if found is None:
        return render_error(request, 404, f"no entity with id {entity_ref!r}")
    stories: list[StorySummary] = sorted((view.stories[s] for s in found.per_story),
                                         key=lambda s: (s.first_date or "9999", s.id))
    # Near-copies count once (`storyline.counts`): reports mentioning it, per story and in all.
    per_story = found.per_story
    reports = found.reports
    dated = [s for s in stories if s.first_date]
    return render(request, "entity.html", e=found, stories=stories, per_story=per_story, reports=reports,
                  drawing=timeline_drawing([{"date": s.first_date, "text": s.title} for s in dated],
                                           config=cat.config.serve),
                  dated=dated, others=[a for a in found.aliases if a != found.name])


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    q: Annotated[str | None, Query(max_length=1000)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    cat = _catalog(request)
    serve = cat.config.serve
    size = serve.page_size
    hits: list[Any] = []
    stories: list[dict[str, Any]] = []
    error = None
    if q and q.strip():
        try:
            hits = cat.search(q, limit=size + 1, offset=(page - 1) * size)
        except QuerySyntaxError as exc:
            error = f"Search query not understood: {exc.message}"
        view = cat.view()
        seen: dict[str, dict[str, Any]] = {}
        for h in hits[:size]:
            summary = view.story_of(h.story_id)
            if summary is not None:
                seen.setdefault(summary.id, {"s": summary, "hits": 0})["hits"] += 1
        stories = list(seen.values())
    more = len(hits) > size
    return render(request, "search.html", status=400 if error else 200, q=q or "", error=error,
                  hits=[{"h": h, "snippet": _snippet(h.snippet, q or "", serve.snippet_stem_letters)}
                        for h in hits[:size]], stories=stories,
                  page=page,
                  more=more, limit=serve.max_page, next_url="/search?" + _query(q=q, page=page + 1),
                  prev_url="/search?" + _query(q=q, page=page - 1 if page > 2 else None))


def _snippet(snippet: str, query: str, stem: int = SERVE.snippet_stem_letters) -> list[tuple[str, bool]]:
    """The store marks matched terms with [ ]: split into (text, matched) parts for <mark>."""
    return snippet_parts(snippet, query, stem)
