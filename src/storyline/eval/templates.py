"""Source templates on real pages and articles, held out.

Extraction corpora (`../shared/data/extraction`): the plain-text dump of each page of a site with several
pages is cleaned, then the template learned from the *other* pages of its site (never the page itself)
removes its lines; dump token P/R/F1 against the gold body (and snippet pass rates) with and without.
Two ways of learning: from every other page of the site (what `storyline enrich` applies), and from the
pages before it only (what the ingest applies as pages arrive).

The template's two thresholds are chosen by site-grouped cross-validation: the figures of a site's fold
come from the thresholds that did best on the other folds (`choose_params`).

Timeline17 (`../shared/data/timeline17`, many articles per outlet): how many lines the templates
learned from the other articles of the outlet remove, and samples of them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storyline.clean.templates import (
    SourceTemplate,
    TemplateParams,
    fingerprints,
    remove_template,
    text_lines,
)
from storyline.eval.extraction import FOLDS, PRF, Page, Snippets, read_dump, site_folds

GRID = tuple(
    TemplateParams(k, share) for k in (2, 3, 4, 5) for share in (0.2, 0.3, 0.4, 0.5, 0.6, 0.8)
)
MODES = ("others", "earlier")  # learned from every other page of the site; from the pages before it


@dataclass
class CleanedPage:
    page: Page
    text: str  # the cleaned dump
    fingerprints: tuple[str, ...]
    # the templates learned without the page, per mode (filled by `cleaned_sites`)
    templates: dict[str, SourceTemplate] = field(default_factory=dict)


def _template(prints: Iterable[tuple[str, ...]]) -> SourceTemplate:
    counts: dict[str, int] = defaultdict(int)
    n = 0
    seen: set[tuple[str, ...]] = set()
    for fps in prints:
        if fps in seen:  # an exact re-send counts once (as in the store)
            continue
        seen.add(fps)
        n += 1
        for fp in fps:
            counts[fp] += 1
    return SourceTemplate(n, dict(counts))


def cleaned_sites(
    pages_and_dumps: Iterable[tuple[Page, str | None]], clean: Callable[[Page, Any], Any]
) -> dict[str, list[CleanedPage]]:
    """The cleaned dumps of the pages of every site with two pages or more, in corpus order.
    `clean(page, article)` cleans one dump's Article (so a held-out cleaner can depend on the page)."""
    by_site: dict[str, list[tuple[Page, str]]] = defaultdict(list)
    for page, dump in pages_and_dumps:
        if dump is not None:
            by_site[f"{page.set}/{page.site}"].append((page, dump))
    out: dict[str, list[CleanedPage]] = {}
    for site, items in by_site.items():
        if len(items) < 2:
            continue
        cleaned = []
        for page, dump in items:
            article = read_dump(dump, page.id)
            text = clean(page, article).text if article is not None else ""
            cleaned.append(CleanedPage(page, text, fingerprints(text_lines(text))))
        for i, cp in enumerate(cleaned):
            cp.templates = {
                "earlier": _template(p.fingerprints for p in cleaned[:i]),
                "others": _template(p.fingerprints for p in [*cleaned[:i], *cleaned[i + 1 :]]),
            }
        out[site] = cleaned
    return out


def with_template(site: Sequence[CleanedPage], index: int, mode: str, params: TemplateParams) -> str:
    """The page's cleaned text without the template learned from the other pages of its site."""
    return remove_template(site[index].text, site[index].templates[mode], params)[0]


@dataclass
class SetScores:
    pages: int = 0
    without: PRF = field(default_factory=PRF)
    with_: dict[str, PRF] = field(default_factory=lambda: {m: PRF() for m in MODES})
    snip_without: Snippets = field(default_factory=Snippets)
    snip_with: dict[str, Snippets] = field(default_factory=lambda: {m: Snippets() for m in MODES})
    lines: int = 0
    removed: dict[str, int] = field(default_factory=lambda: {m: 0 for m in MODES})


def _f1_of(sites: dict[str, list[CleanedPage]], names: Iterable[str], params: TemplateParams) -> float:
    scores = PRF()
    snips = Snippets()
    snippet_pages = 0
    for name in names:
        site = sites[name]
        for i, cp in enumerate(site):
            text = with_template(site, i, "others", params)
            if cp.page.gold_text:
                scores.add(text, cp.page.gold_text)
            elif cp.page.gold_with:
                snips.add(text, cp.page)
                snippet_pages += 1
    both = snips.with_found + snips.without_absent
    total = snips.with_total + snips.without_total
    # token F1 where there is a gold body, the snippet pass rate where there are snippets
    parts = [(scores.f1, scores.pages)] + ([(both / total, snippet_pages)] if total else [])
    weight = sum(w for _, w in parts)
    return sum(v * w for v, w in parts) / weight if weight else 0.0


def choose_params(sites: dict[str, list[CleanedPage]], names: Iterable[str]) -> TemplateParams:
    """The grid's thresholds with the best score on these sites (ties: the more cautious)."""
    names = list(names)
    best = max(GRID, key=lambda p: (round(_f1_of(sites, names, p), 4), p.min_articles, p.min_share))
    return best


def evaluate_sites(
    sites: dict[str, list[CleanedPage]], params_of: Callable[[str], TemplateParams]
) -> dict[str, SetScores]:
    """Per set: the pages of multi-page sites scored without and with templates (`params_of(site)`)."""
    out: dict[str, SetScores] = defaultdict(SetScores)
    for name, site in sites.items():
        params = params_of(name)
        for i, cp in enumerate(site):
            scores = out[cp.page.set]
            scores.pages += 1
            scores.lines += len(text_lines(cp.text))
            texts = {m: with_template(site, i, m, params) for m in MODES}
            for m, text in texts.items():
                scores.removed[m] += len(text_lines(cp.text)) - len(text_lines(text))
            if cp.page.gold_text:
                scores.without.add(cp.text, cp.page.gold_text)
                for m in MODES:
                    scores.with_[m].add(texts[m], cp.page.gold_text)
            if cp.page.gold_with or cp.page.gold_without:
                scores.snip_without.add(cp.text, cp.page)
                for m in MODES:
                    scores.snip_with[m].add(texts[m], cp.page)
    return dict(out)


def held_out_params(sites: dict[str, list[CleanedPage]]) -> tuple[Callable[[str], TemplateParams], dict[int, TemplateParams]]:
    """Per site, the thresholds chosen on the sites of the other folds."""
    folds = site_folds(name.split("/", 1)[1] for name in sites)
    fold_of = {name: folds[name.split("/", 1)[1]] for name in sites}
    chosen = {
        f: choose_params(sites, [n for n in sites if fold_of[n] != f]) for f in range(FOLDS)
    }
    return (lambda name: chosen[fold_of[name]]), chosen


def format_scores(scores: dict[str, SetScores], title: str) -> str:
    out = [title]
    out.append(
        f"{'set':<18}{'pages':>6}  {'dump ours':<19}{'+ templates':<19}{'+ tpl (earlier)':<19}"
        f"{'lines removed':<15}"
    )
    for name, s in sorted(scores.items()):
        if s.without.pages:
            cells = [s.without.cell(), s.with_["others"].cell(), s.with_["earlier"].cell()]
        else:
            cells = [s.snip_without.cell(), s.snip_with["others"].cell(), s.snip_with["earlier"].cell()]
        removed = f"{s.removed['others']}/{s.lines}"
        out.append(f"{name:<18}{s.pages:>6}  {cells[0]:<19}{cells[1]:<19}{cells[2]:<19}{removed:<15}")
    out.append("(P R F1 against the gold body; snippet sets: must-include, must-exclude, both)")
    return "\n".join(out)


# --- Timeline17 -------------------------------------------------------------------------------------


@dataclass
class OutletLines:
    outlet: str
    articles: int
    lines: int
    removed: int
    samples: list[str]


def timeline17_templates(
    root: Path, params: TemplateParams, *, mode: str = "others", samples: int = 5, limit: int | None = None
) -> list[OutletLines]:
    """Per outlet of Timeline17 (all topics together), the lines removed from each article by the
    template learned from the outlet's other articles (`mode` "others"), or from those published before
    it ("earlier": the ingest in publication order)."""
    by_outlet: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for path in sorted(root.glob("*/articles.jsonl")):
        outlet = path.parent.name.split("_", 1)[1]
        for line in path.read_text(encoding="utf-8").splitlines()[:limit]:
            if line.strip():
                row = json.loads(line)
                by_outlet[outlet].append((str(row.get("time") or ""), str(row["text"])))
    out = []
    for outlet, dated in sorted(by_outlet.items()):
        texts = [t for _, t in sorted(dated, key=lambda d: d[0])]
        prints = [fingerprints(text_lines(t)) for t in texts]
        removed_lines: list[str] = []
        total = 0
        counts: dict[str, int] = defaultdict(int)  # learned as the articles arrive (mode "earlier")
        seen: set[tuple[str, ...]] = set()
        for i, text in enumerate(texts):
            if mode == "earlier":
                template = SourceTemplate(len(seen), counts)  # used before the counts grow below
                if prints[i] not in seen:  # an exact re-send counted once
                    seen.add(prints[i])
                    for fp in prints[i]:
                        counts[fp] += 1
            else:
                template = _template([*prints[:i], *prints[i + 1 :]])
            total += len(text_lines(text))
            removed_lines.extend(remove_template(text, template, params)[1])
        distinct = sorted(set(removed_lines), key=lambda s: (-removed_lines.count(s), s))
        out.append(OutletLines(outlet, len(texts), total, len(removed_lines), distinct[:samples]))
    return out


def format_timeline17(rows: Sequence[OutletLines]) -> str:
    out = ["Timeline17: lines removed by each outlet's template (learned from its other articles)"]
    for r in rows:
        out.append(f"  {r.outlet:<16}{r.articles:>5} articles {r.removed:>6}/{r.lines} lines removed")
        for s in r.samples:
            out.append(f"      e.g. {s[:100]!r}")
    return "\n".join(out)


# --- the section of `storyline eval extraction` ------------------------------------------------------

TEXT_SETS = ("zyte_aeb", "dragnet", "trafilatura_eval")  # the sets with a gold body or snippets


def report(
    root: Path,
    *,
    sets: Sequence[str] = TEXT_SETS,
    limit: int | None = None,
    clean_for_fold: Callable[[int], Callable[[Any], Any]] | None = None,
    title: str = "",
    progress: Callable[[str], None] | None = None,
) -> str:
    """Dump figures with and without templates on the pages of multi-page sites (the cleaner of each page's
    fold when `clean_for_fold`, else the shipped one), thresholds chosen on the other folds' sites; then
    Timeline17 when it sits beside the extraction corpora."""
    from storyline.clean import clean_article
    from storyline.eval.extraction import load_pages, prepared_pages

    pages = load_pages(root, [s for s in sets if s in TEXT_SETS], limit)
    folds = site_folds(p.site for p in pages)

    def clean(page: Page, article: Any) -> Any:
        return clean_for_fold(folds[page.site])(article) if clean_for_fold else clean_article(article)

    dumps = ((page, prepared.dump) for page, prepared in zip(pages, prepared_pages(pages, progress), strict=True))
    sites = cleaned_sites(dumps, clean)
    params_of, chosen = held_out_params(sites)
    every = choose_params(sites, sites)
    lines = [
        format_scores(evaluate_sites(sites, params_of), title or "source templates"),
        "thresholds (min articles, min share) chosen per fold on the other folds' sites: "
        + ", ".join(f"{f}: ({p.min_articles}, {p.min_share})" for f, p in sorted(chosen.items())),
        format_scores(
            evaluate_sites(sites, lambda _: every),
            f"DEV: thresholds ({every.min_articles}, {every.min_share}) chosen on every site here",
        ),
    ]
    timeline17 = root.parent / "timeline17"
    if timeline17.is_dir():
        for mode in MODES:
            rows = timeline17_templates(timeline17, every, mode=mode, limit=limit)
            lines.append(format_timeline17(rows).replace("its other articles", f"its {mode} articles"))
    return "\n".join(lines)
