"""The `storyline` command: a thin layer over the plain functions of each stage."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from storyline.errors import NoSuchDatabase
from storyline.serialize import dumps, to_jsonable
from storyline.store import StoreError, default_db_url, open_store

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
eval_app = typer.Typer(no_args_is_help=True, help="Evaluations on the labelled corpora in ../shared/data.")
app.add_typer(eval_app, name="eval")
train_app = typer.Typer(no_args_is_help=True, help="Train the learned parts shipped in storyline/data.")
app.add_typer(train_app, name="train")

out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[str | None, typer.Option("--db", help="database path or URL (default: ./storyline.db or $STORYLINE_DB)")]
ConfigOption = Annotated[str | None, typer.Option(
    "--config", help="configuration file (TOML or JSON, any subset of `storyline config`'s fields)")]
JsonOption = Annotated[bool, typer.Option("--json", help="machine-readable JSON output")]


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


def _print_json(obj: Any) -> None:
    sys.stdout.write(dumps(obj) + "\n")


def _load_config(path: str | None, **switches: Any) -> Any:
    """The configuration in `path` (or the defaults) with the command's switches that were given; a
    bad file is a one-line error (exit 2)."""
    import dataclasses

    from storyline.config import load_config
    from storyline.errors import ConfigError

    try:
        config = load_config(path)
    except ConfigError as exc:
        _fail(str(exc), 2)
        raise  # unreachable: _fail exits
    given = {k: v for k, v in switches.items() if v is not None}
    return dataclasses.replace(config, **given) if given else config


@app.command("config")
def config_cmd(config_file: ConfigOption = None) -> None:
    """Print the effective configuration as JSON (the defaults, or those of --config FILE)."""
    from storyline.config import config_to_json

    sys.stdout.write(config_to_json(_load_config(config_file)) + "\n")


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="files, folders (recursive), globs, or - for stdin")],
    db: DbOption = None,
    json_out: JsonOption = False,
    max_mb: Annotated[float | None, typer.Option(
        "--max-mb", help="reject inputs larger than this (default: read.max_bytes, 20 MB)")] = None,
    no_enrich: Annotated[bool, typer.Option("--no-enrich", help="skip entities, dates and quantities")] = False,
    no_embed: Annotated[bool, typer.Option("--no-embed", help="skip the multilingual article vectors")] = False,
    no_cluster: Annotated[bool, typer.Option("--no-cluster", help="store only; cluster later")] = False,
    engine: Annotated[str, typer.Option(
        "--engine", help="local (one process) or dask (read, clean, enrich on Dask workers)")] = "local",
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a local cluster)")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="worker processes of the local Dask cluster")] = 2,
    partition_size: Annotated[int | None, typer.Option(
        "--partition-size", min=1, help="articles per Dask task (default: scale.partition_size, 100)")] = None,
    config_file: ConfigOption = None,
) -> None:
    """Read, clean, enrich and store articles, then cluster them into stories."""
    import dataclasses

    from storyline.scale import ENGINES, run_ingest

    if engine not in ENGINES:
        _fail(f"--engine must be one of {', '.join(ENGINES)}, not {engine!r}", 2)
    # The switches turn steps off; a file may too.
    config = _load_config(config_file, enrich=False if no_enrich else None, embed=False if no_embed else None,
                          cluster=False if no_cluster else None)
    if max_mb is not None:
        config = dataclasses.replace(config, read=dataclasses.replace(config.read, max_bytes=int(max_mb * 1024 * 1024)))
    try:
        store = open_store(db or default_db_url())
    except StoreError as exc:
        _fail(str(exc), 2)
        return
    with store, _progress(disable=json_out) as progress:
        task = progress.add_task("ingesting", total=None)

        def on_progress(stage: str, n: int) -> None:
            progress.update(task, advance=n, description=stage)

        report = run_ingest(
            engine, store, paths, config, scheduler=scheduler, workers=workers, partition_size=partition_size,
            stdin=sys.stdin.buffer,
            on_error=lambda e: err.print(f"rejected {e}", highlight=False, markup=False),
            on_progress=on_progress,
        )
    if json_out:
        _print_json({
            "new": report.new, "updated": report.updated, "unchanged": report.unchanged,
            "rejected": [{"path": e.path, "line": e.line, "reason": e.reason} for e in report.rejected],
            "clustered": report.clustered, "ids": report.ids,
        })
    else:
        err.print(report.summary(), highlight=False)
    if report.stored == 0:
        raise typer.Exit(1)


def _progress(disable: bool) -> Progress:
    return Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, disable=disable or not err.is_terminal, transient=True,
    )


_WIDTHS = {"title": 60, "outlets": 40, "source": 40}


def _print_table(columns: list[str], rows: list[tuple[str, ...]], noun: str, nouns: str | None = None) -> None:
    """A plain table on one line per row (long cells end in an ellipsis), then a count."""
    table = Table(box=None)
    for name in columns:
        table.add_column(name, no_wrap=True, overflow="ellipsis", max_width=_WIDTHS.get(name),
                         justify="right" if name == "size" else "left")
    for row in rows:
        table.add_row(*(Text(_one_line(cell)) for cell in row))
    out.print(table)
    out.print(_plural(len(rows), noun, nouns), highlight=False)


@app.command()
def articles(
    db: DbOption = None,
    json_out: JsonOption = False,
    limit: Annotated[int | None, typer.Option(help="at most this many")] = None,
) -> None:
    """List stored articles: id, source, published, language, title, size."""
    with _open(db) as store:
        rows = store.list_articles(limit=limit)
    if json_out:
        _print_json([
            {"id": r.id, "source": r.article.source, "published": r.article.published,
             "language": r.article.language, "title": r.article.title, "size": r.size,
             "story_id": r.story_id, "duplicate_of": r.duplicate_of, "version": r.version}
            for r in rows
        ])
        return
    _print_table(
        ["id", "source", "published", "lang", "title", "size"],
        [(r.id, r.article.source or "", r.article.published or "", r.article.language or "",
          r.article.title or "", str(r.size)) for r in rows],
        "article",
    )


@app.command()
def show(
    article_id: Annotated[str, typer.Argument(help="article id or a unique prefix")],
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """One article: metadata, cleaned text and annotations."""
    with _open(db) as store:
        try:
            stored = store.get_article(article_id)
            annotations = store.get_annotations(stored.id)
            versions = store.article_versions(stored.id)
        except StoreError as exc:
            _fail(str(exc))
            return
    data = article_json(stored)
    data["annotations"] = to_jsonable(annotations)
    data["versions"] = versions
    if json_out:
        _print_json(data)
        return
    a = stored.article
    out.print(Text(_one_line(a.title) or "(untitled)", style="bold"), highlight=False)
    for key in ("id", "source", "published", "published_time", "language", "url", "path", "agency",
                "story_id", "duplicate_of", "version"):
        if data.get(key) not in (None, ""):
            out.print(f"{key}: {data[key]}", highlight=False, markup=False)
    if a.authors:
        out.print("authors: " + ", ".join(a.authors), highlight=False, markup=False)
    out.print()
    out.print(a.text, highlight=False, markup=False)
    out.print()
    out.print(f"{len(annotations.timexes)} time expressions, {len(annotations.quantities)} quantities, "
              f"{len(annotations.mentions)} entity mentions", highlight=False)


def article_json(stored: Any) -> dict[str, Any]:
    a = stored.article
    return {
        "id": stored.id, "title": a.title, "source": a.source, "published": a.published,
        "published_time": a.published_time, "language": a.language, "authors": list(a.authors),
        "agency": a.agency, "url": a.url, "path": a.path, "format": a.format, "fetched": a.fetched,
        "story_id": stored.story_id, "duplicate_of": stored.duplicate_of, "version": stored.version,
        "ingested_at": stored.ingested_at, "updated_at": stored.updated_at, "text": a.text,
    }


@app.command()
def search(
    query: Annotated[str, typer.Argument(help='words, "quoted phrases", prefix*')],
    db: DbOption = None,
    json_out: JsonOption = False,
    limit: Annotated[int, typer.Option(help="at most this many hits")] = 20,
) -> None:
    """Full-text search over stored articles, best first, with highlighted snippets."""
    with _open(db) as store:
        try:
            hits = store.search(query, limit=limit)
        except StoreError as exc:
            _fail(str(exc), 2)
            return
    if json_out:
        _print_json(hits)
        return
    for hit in hits:
        head = Text(hit.article_id, style="bold")
        head.append(f"  {hit.published or '':10}  {_one_line(hit.source)}  {_one_line(hit.title)}")
        out.print(head, highlight=False)
        out.print(Text("    ").append_text(highlighted_snippet(hit.snippet, query)), highlight=False)
    out.print(_plural(len(hits), "hit"), highlight=False)


def highlighted_snippet(snippet: str, query: str) -> Text:
    """The store's snippet as rich Text, matched terms in bold yellow; never parsed as markup, and the
    article's own brackets printed as they are."""
    from storyline.snippets import snippet_parts

    text = Text()
    for part, matched in snippet_parts(_one_line(snippet), query):
        text.append(part, style="bold yellow" if matched else None)
    return text


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def _one_line(value: str | None) -> str:
    """A cell on one line: newlines, tabs and other control characters become one space."""
    return " ".join(_CONTROL.sub(" ", value or "").split())


def _plural(n: int, singular: str, plural: str | None = None) -> str:
    from storyline.counts import plural as pluralize

    return pluralize(n, singular, plural)


@app.command()
def timex(
    file: Annotated[str, typer.Argument(help="a text file, or - for stdin")] = "-",
    dct: Annotated[str | None, typer.Option("--dct", help="document creation time YYYY-MM-DD")] = None,
    json_out: JsonOption = False,
) -> None:
    """Tag the time expressions of raw text: one JSON object per expression (offsets into the input)."""
    from storyline.enrich.timex import tag

    if dct is not None and not _is_date(dct):
        _fail(f"--dct {dct!r} is not a date YYYY-MM-DD", 2)
    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        _fail(f"{file}: {exc.strerror}", 2)
        return
    text = data.decode("utf-8", errors="replace")
    for t in tag(text, dct):
        record = {"start": t.start, "end": t.end, "text": t.text, "type": t.type, "value": t.value}
        if json_out:
            sys.stdout.write(dumps(record, indent=None) + "\n")
        else:
            out.print(f"{t.start:>6} {t.end:>6}  {t.type:<8} {t.value or '(unresolved)':<14} {t.text}",
                      highlight=False, markup=False)


def _is_date(value: str) -> bool:
    from datetime import date

    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


@app.command()
def enrich(db: DbOption = None, json_out: JsonOption = False) -> None:
    """Re-run the annotators on every stored article (after an upgrade), and compute its multilingual
    vector when the encoder is installed. Lines its source's template learned since it was stored
    (navigation, widgets, sign-offs) are cut from its text first (a new version of the article)."""
    from storyline.pipeline import enrich_stored

    count = recleaned = 0
    with _open(db) as store, _progress(disable=json_out) as progress:
        task = progress.add_task("enriching", total=store.count_articles())
        for stored in list(store.iter_articles()):
            recleaned += enrich_stored(store, stored)
            count += 1
            progress.advance(task)
        _consolidate_all(store, progress, force=True)  # new annotations: every story consolidated again
    if json_out:
        _print_json({"enriched": count, "recleaned": recleaned})
    else:
        err.print(f"{count} articles enriched, {recleaned} cut by their source's template", highlight=False)


@app.command()
def stories(db: DbOption = None, json_out: JsonOption = False) -> None:
    """List stories: id, title, size, outlets, languages, first and last date."""
    from storyline.counts import Member, count

    with _open(db) as store:
        records = store.list_stories()
        known = {a.id: Member(a.id, a.duplicate_of, a.article.source) for a in store.iter_articles()}
    rows = []
    for r in records:
        c = count(known[a] for a in r.article_ids if a in known)
        rows.append({"id": r.id, "title": r.title, "size": c.reports, "articles": c.articles,
                     "outlets": list(c.outlets), "unnamed_outlets": c.unnamed, "languages": list(r.languages),
                     "first_date": r.first_date, "last_date": r.last_date, "merged_from": list(r.merged_from)})
    rows.sort(key=lambda r: (-r["size"], r["id"]))
    if json_out:
        _print_json(rows)
        return
    _print_table(
        ["id", "title", "size", "outlets", "lang", "first", "last"],
        [(r["id"], r["title"], str(r["size"]), _outlets_cell(r["outlets"], r["unnamed_outlets"]),
          ",".join(r["languages"]),
          r["first_date"] or "", r["last_date"] or "") for r in rows],
        "story",
    )


def _outlets_cell(outlets: list[str], unnamed: int) -> str:
    from storyline.counts import UNNAMED_OUTLET

    return ", ".join([*outlets, *([UNNAMED_OUTLET] if unnamed else [])])


@app.command()
def story(
    story_id: Annotated[str, typer.Argument(help="story id or a unique prefix")],
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """One story: its articles with their near-copies, brief, timeline and facts."""
    from storyline.dossier import story_json, story_markdown

    with _open(db) as store:
        try:
            data = story_json(store, story_id)
        except StoreError as exc:
            _fail(str(exc))
            return
    if json_out:
        _print_json(data)
    else:
        out.print(story_markdown(data), highlight=False, markup=False)


def _consolidate_all(store: Any, progress: Progress, *, force: bool) -> int:
    from storyline.consolidate.stored import consolidate_all

    task = progress.add_task("consolidating", total=len(store.list_stories()))
    return consolidate_all(store, force=force, on_progress=lambda _stage, n: progress.advance(task, n))


@app.command()
def consolidate(
    db: DbOption = None,
    force: Annotated[bool, typer.Option("--force", help="also the stories whose stored one is current")] = False,
    json_out: JsonOption = False,
) -> None:
    """(Re)build the stored consolidation of every story whose stored one is missing or stale."""
    from storyline.consolidate.stored import runs

    with _open(db) as store, _progress(disable=json_out) as progress:
        before = sum(runs.values())
        total = _consolidate_all(store, progress, force=force)
        built = sum(runs.values()) - before
    if json_out:
        _print_json({"stories": total, "consolidated": built})
    else:
        err.print(f"{built} of {total} stories consolidated", highlight=False)


@app.command()
def recluster(db: DbOption = None, json_out: JsonOption = False) -> None:
    """Rebuild every story from the stored articles, deterministically."""
    from storyline.pipeline import recluster as rebuild

    with _open(db) as store:
        n = rebuild(store)
        count = len(store.list_stories())
    if json_out:
        _print_json({"articles": n, "stories": count})
    else:
        err.print(f"{n} articles in {count} stories", highlight=False)


@app.command()
def export(
    db: DbOption = None,
    story_ids: Annotated[list[str] | None, typer.Option("--story", help="only this story (repeatable)")] = None,
    json_out: JsonOption = False,
    fmt: Annotated[str, typer.Option("--format", help="json, markdown or csv")] = "json",
    facts: Annotated[bool, typer.Option("--facts", help="csv: one row per fact value instead of per story")] = False,
    output: Annotated[str | None, typer.Option("--output", "-o", help="write here instead of stdout")] = None,
) -> None:
    """Export stories: JSON following the export contract, a Markdown dossier per story, or CSV (one row
    per story, or with --facts one row per fact value and citing article)."""
    from storyline.dossier import export_json, story_markdown
    from storyline.exports import export_csv

    if fmt not in ("json", "markdown", "csv"):
        _fail(f"--format must be json, markdown or csv, not {fmt!r}", 2)
    if facts and fmt != "csv":
        _fail("--facts goes with --format csv", 2)
    with _open(db) as store:
        try:
            if fmt == "csv" and not json_out:
                text = export_csv(store, story_ids, facts=facts)
            else:
                data = export_json(store, story_ids)
                text = dumps(data) + "\n" if json_out or fmt == "json" else "\n".join(
                    story_markdown(s) for s in data["stories"])
        except StoreError as exc:
            _fail(str(exc))
            return
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)


@app.command()
def timeline(
    query: Annotated[str, typer.Option("--query", "-q", help="articles matching this search")],
    db: DbOption = None,
    max_dates: Annotated[int, typer.Option("--max-dates", help="T: number of dates")] = 10,
    per_date: Annotated[int, typer.Option("--sentences-per-date", help="L: sentences per date")] = 1,
    json_out: JsonOption = False,
) -> None:
    """A dated timeline across stories, from every stored article that matches the query."""
    from storyline.consolidate.topic_timeline import build_topic_timeline
    from storyline.dossier import annotated

    with _open(db) as store:
        try:
            hits = store.search(query, limit=100000)
        except StoreError as exc:
            _fail(str(exc), 2)
            return
        items = [annotated(store, store.get_article(h.article_id)) for h in hits]
    result = build_topic_timeline(items, max_dates, per_date)
    rows: list[dict[str, Any]] = [
        {"date": d, "sentences": [{"text": s.text, "article": s.article_id, "start": s.start, "end": s.end}
                                  for s in sents]}
        for d, sents in result
    ]
    if json_out:
        _print_json({"query": query, "articles": len(items), "timeline": rows})
        return
    if not items:
        err.print(f"no matching articles for {query!r}", highlight=False, markup=False)
        return
    if not rows:
        err.print(f"{_plural(len(items), 'matching article')}, none with a dated sentence",
                  highlight=False, markup=False)
        return
    for row in rows:
        out.print(f"[bold]{row['date']}[/bold]", highlight=False)
        for sent in row["sentences"]:
            line = Text(f"  {_one_line(sent['text'])}  ")
            line.append(f"({sent['article']})", style="dim")
            out.print(line, highlight=False)


def _data_path(path: str | None, default: str) -> Path:
    chosen = Path(path) if path else Path("..") / "shared" / "data" / default
    if not chosen.exists():
        _fail(f"{chosen}: no such evaluation data", 2)
    return chosen


PathArg = Annotated[str | None, typer.Argument(help="the corpus folder (default: under ../shared/data)")]


@eval_app.command("timex")
def eval_timex(path: PathArg = None) -> None:
    """Temporal tagging on TimeML (TBAQ): extent, type and value F1 per corpus."""
    from storyline.eval.timex import evaluate, format_report

    out.print(format_report(evaluate(_data_path(path, "timeml/tbaq"))), highlight=False, markup=False)


@eval_app.command("entities")
def eval_entities(
    path: PathArg = None,
    ecbplus: Annotated[str | None, typer.Option(help="ECB+ folder (default: ../shared/data/ecbplus)")] = None,
    names: Annotated[str | None, typer.Option(help="names folder (default: ../shared/data/names)")] = None,
) -> None:
    """Entity mentions and cross-document chains: MEANTIME names, ECB+ named entities, SlavicNER
    (leave-one-topic-out resolution across documents and languages, mention recall per language)."""
    from storyline.enrich.name_training import collect
    from storyline.eval.entities import (
        evaluate_ecbplus,
        evaluate_meantime_folds,
        evaluate_slavic_recall,
        evaluate_slavicner_folds,
        format_recall,
        format_report,
        format_resolution,
        read_slavicner,
    )

    meantime_root = _data_path(path, "meantime")
    names_root = _data_path(names, "names")
    shared = meantime_root.parent
    pairs = collect(names_root, shared)  # the matcher's training pairs, once for every fold
    held, rules, shipped = evaluate_meantime_folds(meantime_root, names_root, shared, pairs=pairs)
    out.print(format_report(held, "MEANTIME names, matcher trained without the scored topic (held-out)"),
              highlight=False, markup=False)
    out.print(format_report(rules, "MEANTIME names, rules only (before the matcher)"), highlight=False, markup=False)
    out.print(format_report(shipped, "MEANTIME names, shipped matcher (tuned on)"), highlight=False, markup=False)
    ecb = evaluate_ecbplus(_data_path(ecbplus, "ecbplus"))
    out.print(format_report(ecb, "ECB+ named entities"), highlight=False, markup=False)
    s_held, s_rules, s_shipped = evaluate_slavicner_folds(names_root, shared, pairs=pairs)
    out.print(format_resolution(s_held, "SlavicNER gold mentions, leave-one-topic-out matcher (held-out)"),
              highlight=False, markup=False)
    out.print(format_resolution(s_rules, "SlavicNER gold mentions, rules only"), highlight=False, markup=False)
    out.print(format_resolution(s_shipped, "SlavicNER gold mentions, shipped matcher (tuned on)"),
              highlight=False, markup=False)
    recall = evaluate_slavic_recall(read_slavicner(names_root / "slavicner"), per_language=40)
    out.print(format_recall(recall, "SlavicNER (no model was trained on it)"), highlight=False, markup=False)


@train_app.command("names")
def train_names(
    path: Annotated[str | None, typer.Argument(help="names folder (default: ../shared/data/names)")] = None,
    kind: Annotated[str, typer.Option(help="gbdt or logistic")] = "gbdt",
) -> None:
    """Train the learned name matcher on SlavicNER, MEANTIME and ECB+ into storyline/data."""
    from storyline.enrich.name_training import main as train_main

    raise typer.Exit(train_main([str(_data_path(path, "names")), "--kind", kind]))


@eval_app.command("clustering")
def eval_clustering(
    path: PathArg = None,
    wikiref: Annotated[str | None, typer.Option(help="WikiRef folder (default: ../shared/data/wikiref)")] = None,
    seeds: Annotated[int, typer.Option(help="number of shuffled orders")] = 5,
) -> None:
    """Online story clustering on ECB+ (subtopic and topic) and WikiRef (topic): B-cubed and pairwise F1."""
    from storyline.eval.clustering import evaluate_ecbplus, evaluate_wikiref, format_report

    order = tuple(range(seeds))
    out.print(format_report(evaluate_ecbplus(_data_path(path, "ecbplus"), seeds=order)),
              highlight=False, markup=False)
    out.print(format_report(evaluate_wikiref(_data_path(wikiref, "wikiref"), seeds=order)),
              highlight=False, markup=False)
    from storyline.eval.clustering import evaluate_learned, format_learned

    out.print(format_learned(evaluate_learned(_data_path(path, "ecbplus").parent)), highlight=False, markup=False)


@eval_app.command("quantities")
def eval_quantities(path: PathArg = None) -> None:
    """Quantities and money against the hand-labelled Timeline17 mentions: value+unit P/R/F1."""
    from storyline.eval.quantities import evaluate, format_report

    labelled = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "quantities_labelled.jsonl"
    root = _data_path(path, "")
    out.print(format_report(evaluate(labelled, root)), highlight=False, markup=False)


@eval_app.command("timeline")
def eval_timeline(
    path: PathArg = None,
    held_out: Annotated[bool, typer.Option(help="also the leave-one-topic-out grid (a few minutes)")] = True,
) -> None:
    """Topic timelines on Timeline17: tilse scores under the shipped settings (dev), then the
    leave-one-topic-out figures (settings chosen on the other topics) beside news-tls's published ones."""
    from storyline.eval.timeline import format_loto, leave_one_topic_out, load_cases, report_of, score_case

    cases = load_cases(_data_path(path, "timeline17"))
    report = report_of(cases, [score_case(case) for case in cases])
    keys = list(report.mean)
    out.print("shipped settings, scored on the timelines they were tuned on (dev):", highlight=False, markup=False)
    out.print(f"{'timeline':<24} {'T':>3} {'L':>2} {'docs':>5}  " + "  ".join(f"{k:>18}" for k in keys),
              highlight=False, markup=False)
    for t in report.timelines:
        out.print(f"{t.name:<24} {t.dates:>3} {t.sentences_per_date:>2} {t.articles:>5}  "
                  + "  ".join(f"{t.scores[k]:>18.3f}" for k in keys), highlight=False, markup=False)
    out.print(f"{'mean':<24} {'':>3} {'':>2} {'':>5}  " + "  ".join(f"{report.mean[k]:>18.3f}" for k in keys),
              highlight=False, markup=False)
    if held_out:
        for line in format_loto(leave_one_topic_out(cases)):
            out.print(line, highlight=False, markup=False)


@eval_app.command("facts")
def eval_facts(path: PathArg = None) -> None:
    """Cross-checked facts against the labelled cross-outlet pairs: P/R of agreed and conflicting."""
    from storyline.eval.facts import evaluate_fact_pairs

    labelled = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "fact_pairs.jsonl"
    for name, summary in evaluate_fact_pairs(labelled, _data_path(path, "")).by_set().items():
        out.print(f"fact pairs ({name}): {int(summary.pop('pairs'))}", highlight=False, markup=False)
        for key, value in summary.items():
            out.print(f"  {key:<22} {value:.3f}", highlight=False, markup=False)


@eval_app.command("claims")
def eval_claims(
    path: PathArg = None,
    errors: Annotated[bool, typer.Option("--errors", help="list the tune split's wrong claims")] = False,
    tune_only: Annotated[bool, typer.Option("--tune-only", help="score the tune split only (while changing rules)")] = False,
) -> None:
    """Claims (subject, attribute, value) and cross-outlet pairs on labelled real stories: test split, tune beside."""
    from storyline.eval.claims import evaluate_claims, format_report

    report = evaluate_claims(_data_path(path, ""), splits=("tune",) if tune_only else ("test", "tune"))
    for line in format_report(report):
        out.print(line, highlight=False, markup=False)
    if errors:  # the tune split only: test errors are never read while rules change
        for c in report.claims:
            if c.split == "tune" and not (c.subject and c.attribute and c.value):
                flags = "".join(k[0] if ok else "-" for k, ok in (("s", c.subject), ("a", c.attribute), ("v", c.value)))
                out.print(f"  {c.id:<10} {flags} {c.predicted or 'not found'}", highlight=False, markup=False)
        for p in report.pairs:
            if p.split == "tune" and p.label != p.predicted:
                out.print(f"  pair {p.story}: {p.label} predicted {p.predicted}", highlight=False, markup=False)


@eval_app.command("extraction")
def eval_extraction(
    path: PathArg = None,
    limit: Annotated[int | None, typer.Option("--limit", help="pages per set")] = None,
    held_out: Annotated[bool, typer.Option(help="also retrain the line model per site fold")] = True,
) -> None:
    """Extraction and cleaning of real pages, as HTML and as plain-text dumps, beside trafilatura/htmldate."""
    from storyline.eval.extraction import run

    report = run(_data_path(path, "extraction"), limit=limit, held_out=held_out)
    out.print(report, highlight=False, markup=False)


@train_app.command("clustering")
def train_clustering_cmd(
    path: Annotated[str, typer.Argument(help="the shared data folder (ECB+, WikiRef, SemEval pairs)")] = "../shared/data",
) -> None:
    """Train the learned article-to-story scorer (src/storyline/data/story_scorer.json)."""
    from storyline.train_clustering import main as train_main

    raise typer.Exit(train_main([path]))


@train_app.command("cleaner")
def train_cleaner(
    path: PathArg = None,
    output: Annotated[str | None, typer.Option("--output", help="model file (default: the shipped one)")] = None,
) -> None:
    """The plain-text line classifier, on ../shared/data/extraction: site-grouped CV figures, then the model."""
    from storyline.clean.train import default_model_path, train

    target = Path(output) if output else default_model_path()
    train(_data_path(path, "extraction"), target, out=lambda line: out.print(line, highlight=False, markup=False))


@eval_app.command("dates")
def eval_dates(
    path: Annotated[str, typer.Argument(help="the shared data folder (Timeline17 in it)")] = "../shared/data",
    per_collection: Annotated[int | None, typer.Option(help="articles per Timeline17 collection")] = None,
) -> None:
    """Inferred publication dates: dated articles' dates hidden one at a time, inferred from their text
    and their simulated story; leave-one-topic-out, per topic: exact day, within 1 and 7 days, coverage."""
    from storyline.eval.dates import run

    out.print(run(_data_path(path, ""), per_collection=per_collection), highlight=False, markup=False)


@train_app.command("dates")
def train_dates(
    path: Annotated[str, typer.Argument(help="the shared data folder (Timeline17 in it)")] = "../shared/data",
    output: Annotated[str | None, typer.Option("--output", help="model file (default: the shipped one)")] = None,
) -> None:
    """The offset tables of the date inference (src/storyline/data/date_inference.json), on Timeline17."""
    from storyline.consolidate.inferred_dates import default_model_path
    from storyline.eval.dates import train_shipped

    target = Path(output) if output else default_model_path()
    model = train_shipped(_data_path(path, ""), target)
    out.print(f"{target}: text weight {model.text_weight}, {model.trained_on}", highlight=False, markup=False)


@eval_app.command("all")
def eval_all(path: Annotated[str, typer.Argument(help="../shared/data")] = "../shared/data") -> None:
    """Every evaluation, in full."""
    root = Path(path)
    eval_timex(str(root / "timeml" / "tbaq"))
    eval_quantities(str(root))
    eval_entities(str(root / "meantime"), str(root / "ecbplus"), str(root / "names"))
    eval_clustering(str(root / "ecbplus"), str(root / "wikiref"))
    eval_facts(str(root))
    eval_claims(str(root))
    eval_timeline(str(root / "timeline17"))
    eval_extraction(str(root / "extraction"))
    eval_dates(str(root))


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="port to listen on")] = 8000,
    watch: Annotated[bool, typer.Option("--watch", help="also poll the followed feeds (storyline watch)")] = False,
    config_file: ConfigOption = None,
) -> None:
    """Serve the web UI and the HTTP API (writes beyond localhost need STORYLINE_TOKEN)."""
    from storyline.serve import serve as run

    config = _load_config(config_file)
    err.print(f"storyline is serving {db or default_db_url()} at http://{host}:{port}/", highlight=False)
    run(db or default_db_url(), host, port, watch=watch, config=config)


@app.command("migrate")
def migrate_cmd(
    from_url: Annotated[str, typer.Option("--from", help="source database (path or URL)")],
    to_url: Annotated[str, typer.Option("--to", help="empty destination database (path or URL)")],
    json_out: JsonOption = False,
) -> None:
    """Copy a whole database to another backend (e.g. SQLite -> PostgreSQL), verified by checksums."""
    from storyline.store.migrate import migrate

    try:
        with open_store(from_url) as src, open_store(to_url) as dst:
            report = migrate(src, dst)
    except StoreError as exc:
        _fail(str(exc), 2)
        return
    if json_out:
        _print_json(report.as_dict())
    else:
        err.print(report.summary(), highlight=False, markup=False)
    if not report.ok:
        raise typer.Exit(1)


feeds_app = typer.Typer(no_args_is_help=True, help="Feeds followed live: add, list, remove, import OPML.")
app.add_typer(feeds_app, name="feeds")


def _feed_row(feed: Any) -> tuple[str, ...]:
    every = f"{feed.every_seconds // 60}m" if feed.every_seconds % 3600 else f"{feed.every_seconds // 3600}h"
    status = feed.status + (f": {feed.error}" if feed.error else "")
    return (feed.id[:10], feed.url, every, feed.last_poll or "never", status, str(feed.articles))


@feeds_app.command("add")
def feeds_add(
    url: Annotated[str, typer.Argument(help="RSS, Atom, JSON Feed or news sitemap URL")],
    every: Annotated[str, typer.Option("--every", help="polling interval: 90s, 15m, 2h, 1d")] = "15m",
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Follow a feed (polled by `storyline watch`)."""
    from storyline.feeds.state import parse_every

    if not url.startswith(("http://", "https://")):
        _fail(f"{url}: a feed URL starts with http:// or https://", 2)
    try:
        seconds = parse_every(every)
    except ValueError as exc:
        _fail(str(exc), 2)
        return
    with _open(db, create=True) as store:
        feed = store.add_feed(url, seconds)
    if json_out:
        _print_json(to_jsonable(feed))
    else:
        out.print(f"following {feed.url} every {every} (feed {feed.id[:10]})", highlight=False, markup=False)


@feeds_app.command("list")
def feeds_list(db: DbOption = None, json_out: JsonOption = False) -> None:
    """The feeds followed: last poll, status, error, articles brought in."""
    with _open(db) as store:
        feeds = store.list_feeds()
    if json_out:
        _print_json([to_jsonable(f) for f in feeds])
    else:
        _print_table(["id", "url", "every", "last poll", "status", "articles"], [_feed_row(f) for f in feeds],
                     "feed")


@feeds_app.command("remove")
def feeds_remove(ident: Annotated[str, typer.Argument(help="feed id, id prefix or URL")], db: DbOption = None) -> None:
    """Stop following a feed (the articles it brought stay)."""
    with _open(db) as store:
        try:
            feed = store.remove_feed(ident)
        except StoreError as exc:
            _fail(str(exc), 1)
            return
    out.print(f"no longer following {feed.url}", highlight=False, markup=False)


@feeds_app.command("import")
def feeds_import(
    opml: Annotated[Path, typer.Argument(help="an OPML file of feeds")],
    every: Annotated[str, typer.Option("--every", help="polling interval for each feed")] = "15m",
    db: DbOption = None,
) -> None:
    """Follow every feed listed in an OPML file."""
    from storyline.feeds.documents import parse_opml
    from storyline.feeds.state import parse_every

    try:
        seconds = parse_every(every)
        found = parse_opml(opml.read_bytes())
    except (OSError, ValueError) as exc:
        _fail(f"{opml}: {exc}", 2)
        return
    with _open(db, create=True) as store:
        for url, title in found:
            store.add_feed(url, seconds, title)
    out.print(f"following {_plural(len(found), 'feed')} from {opml}", highlight=False, markup=False)


@app.command()
def watch(
    db: DbOption = None,
    once: Annotated[bool, typer.Option("--once", help="poll every feed once, print a summary and exit")] = False,
    no_enrich: Annotated[bool, typer.Option("--no-enrich", help="skip entities, dates and quantities")] = False,
    json_out: JsonOption = False,
) -> None:
    """Poll the followed feeds, each on its own schedule, and ingest their new articles (Ctrl-C stops;
    a killed watch resumes where it was)."""
    import time as clock

    from storyline.feeds.fetch import Fetcher
    from storyline.feeds.poll import poll_due
    from storyline.pipeline import Config

    config = Config(enrich=not no_enrich)

    def show(report: Any) -> None:
        if not json_out:
            err.print(report.line(), highlight=False, markup=False)
        for rejected in report.rejected:
            err.print(f"rejected {rejected}", highlight=False, markup=False)

    with _open(db) as store, Fetcher() as fetcher:
        if once:
            reports = poll_due(store, fetcher, config=config, every_feed=True, on_report=show)
            if json_out:
                _print_json([to_jsonable(r) for r in reports])
            else:
                stored = sum(r.stored for r in reports)
                failed = sum(r.status == "error" for r in reports)
                out.print(f"{_plural(len(reports), 'feed')} polled, {_plural(stored, 'article')} stored, "
                          f"{failed} failed", highlight=False)
            if reports and all(r.status == "error" for r in reports):
                raise typer.Exit(1)
            return
        try:
            while True:
                poll_due(store, fetcher, config=config, on_report=show)
                clock.sleep(5)
        except KeyboardInterrupt:
            err.print("stopped", highlight=False)


watches_app = typer.Typer(no_args_is_help=True, help="Watches on an entity, a query or an outlet, and their alerts.")
app.add_typer(watches_app, name="watches")


@watches_app.command("add")
def watches_add(
    entity: Annotated[str | None, typer.Option("--entity", help="alert on stories about this entity")] = None,
    query: Annotated[str | None, typer.Option("--query", help="alert on stories matching all these words")] = None,
    outlet: Annotated[str | None, typer.Option("--outlet", help="alert on stories this outlet reports")] = None,
    webhook: Annotated[str | None, typer.Option("--webhook", help="POST each alert here as signed JSON")] = None,
    secret: Annotated[str | None, typer.Option(
        "--secret", help="HMAC-SHA256 key of the webhook signature (default: a new random one, printed once)")] = None,
    grow: Annotated[int, typer.Option("--grow", min=1, help="alert again each time a story gains N reports")] = 5,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Watch for new stories, growth and new conflicting facts about an entity, a query or an outlet."""
    import secrets
    from datetime import UTC, datetime

    from storyline.watches.model import Watch, watch_id

    chosen = [(k, v) for k, v in (("entity", entity), ("query", query), ("outlet", outlet)) if v and v.strip()]
    if len(chosen) != 1:
        _fail("give exactly one of --entity, --query or --outlet", 2)
    kind, value = chosen[0]
    if webhook is not None and not webhook.startswith(("http://", "https://")):
        _fail(f"{webhook}: a webhook URL starts with http:// or https://", 2)
    key = (secret or secrets.token_hex(16)) if webhook else None
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with _open(db, create=True) as store:
        watch = store.add_watch(Watch(watch_id(kind, value, webhook), kind, value.strip(), created, webhook, key, grow))  # type: ignore[arg-type]
    if json_out:
        _print_json({"id": watch.id, "kind": watch.kind, "value": watch.value, "webhook": watch.webhook,
                     "secret": key if webhook and not secret else None})
        return
    out.print(f"watching {watch.kind} {watch.value!r} (watch {watch.id[:10]})", highlight=False, markup=False)
    if webhook and not secret:
        out.print(f"webhook secret (shown once): {key}", highlight=False, markup=False)


@watches_app.command("list")
def watches_list(db: DbOption = None, json_out: JsonOption = False) -> None:
    """The watches, with how many alerts each has raised."""
    with _open(db) as store:
        watches = store.list_watches()
        counts = {w.id: len(store.list_alerts(watch_id=w.id, limit=100_000)) for w in watches}
    if json_out:
        _print_json([{"id": w.id, "kind": w.kind, "value": w.value, "webhook": w.webhook, "grow": w.growth,
                      "alerts": counts[w.id], "created_at": w.created_at} for w in watches])
        return
    rows: list[tuple[str, ...]] = [(w.id[:10], w.kind, w.value, w.webhook or "", str(counts[w.id])) for w in watches]
    _print_table(["id", "kind", "value", "webhook", "alerts"], rows, "watch", "watches")


@watches_app.command("remove")
def watches_remove(ident: Annotated[str, typer.Argument(help="watch id or id prefix")], db: DbOption = None) -> None:
    """Remove a watch and its alerts."""
    with _open(db) as store:
        try:
            watch = store.remove_watch(ident)
        except StoreError as exc:
            _fail(str(exc), 1)
            return
    out.print(f"removed watch on {watch.kind} {watch.value!r}", highlight=False, markup=False)


@app.command()
def alerts(
    watch: Annotated[str | None, typer.Option("--watch", help="only this watch's alerts")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 50,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """The newest alerts of every watch (or one)."""
    with _open(db) as store:
        try:
            watch_id = store.get_watch(watch).id if watch else None
        except StoreError as exc:
            _fail(str(exc), 1)
            return
        found = store.list_alerts(watch_id=watch_id, limit=limit)
    if json_out:
        _print_json([to_jsonable(a) for a in found])
        return
    rows: list[tuple[str, ...]] = [(a.created_at, a.event, a.story_id[:10], a.title, a.detail) for a in found]
    _print_table(["when", "event", "story", "title", "detail"], rows, "alert")


def _missing_sqlite_file(url: str) -> str | None:
    """The path of a SQLite database file that does not exist (read commands never create one)."""
    if "://" in url and not url.startswith("sqlite:///"):
        return None  # a server URL (PostgreSQL): its own errors say what is wrong
    path = url[len("sqlite:///"):] if url.startswith("sqlite:///") else url
    if path == ":memory:" or path.startswith("file:"):
        return None
    return None if Path(path).expanduser().exists() else path


def _curate(db: str | None, json_out: bool, operation: Any, *args: Any) -> None:
    """Run one curation operation and say what was decided (one-line error on a bad id or request)."""
    with _open(db) as store:
        try:
            decision = operation(store, *args, who="cli")
        except (StoreError, ValueError) as exc:
            _fail(str(exc), 1)
            return
    if json_out:
        _print_json(to_jsonable(decision))
    else:
        out.print(f"decision {decision.id}: {decision.describe()}", highlight=False, markup=False)


@app.command("merge")
def merge_cmd(
    story_id: Annotated[str, typer.Argument(help="the story to keep")],
    other: Annotated[str, typer.Argument(help="the story merged into it")],
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Merge two stories by hand (a decision: kept through reclustering, undoable)."""
    from storyline.curate import merge

    _curate(db, json_out, merge, story_id, other)


@app.command("move")
def move_cmd(
    article_id: Annotated[str, typer.Argument(help="the article to move")],
    story_id: Annotated[str, typer.Argument(help="the story it belongs to, or 'new' for a story of its own")],
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Move an article to another story, or to a new one (a decision)."""
    from storyline.curate import move

    _curate(db, json_out, move, article_id, story_id)


@app.command("split")
def split_cmd(
    story_id: Annotated[str, typer.Argument(help="the story to split")],
    article_ids: Annotated[list[str], typer.Argument(help="the articles that leave for a new story")],
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Split a story: the listed articles leave for a new story (a decision)."""
    from storyline.curate import split

    _curate(db, json_out, split, story_id, article_ids)


@app.command("retitle")
def retitle_cmd(
    story_id: Annotated[str, typer.Argument(help="the story")],
    title: Annotated[str, typer.Argument(help="its new title")],
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Give a story a title by hand (a decision)."""
    from storyline.curate import retitle

    _curate(db, json_out, retitle, story_id, title)


@app.command("decisions")
def decisions_cmd(db: DbOption = None, json_out: JsonOption = False) -> None:
    """The audit trail of hand-curation decisions: who, when, what, undone or not."""
    with _open(db) as store:
        found = store.list_curations()
    if json_out:
        _print_json([to_jsonable(d) for d in found])
        return
    rows: list[tuple[str, ...]] = [
        (d.id, d.at[:19], d.who, d.describe(), f"undone {d.undone_at[:19]} by {d.undone_by}" if d.undone_at else "")
        for d in found
    ]
    _print_table(["id", "when", "who", "decision", "undone"], rows, "decisions" if len(rows) != 1 else "decision")


@app.command("undo")
def undo_cmd(
    decision_id: Annotated[str, typer.Argument(help="decision id or id prefix (see storyline decisions)")],
    db: DbOption = None,
) -> None:
    """Undo a hand-curation decision; the stories are rebuilt without it."""
    from storyline.curate import undo

    with _open(db) as store:
        try:
            decision = undo(store, decision_id, who="cli")
        except StoreError as exc:
            _fail(str(exc), 1)
            return
    out.print(f"undone: {decision.describe()}", highlight=False, markup=False)


class _open:
    """Open the store for a read command; a bad database is a one-line error."""

    def __init__(self, db: str | None, *, create: bool = False) -> None:
        self.db = db or default_db_url()
        self.create = create

    def __enter__(self) -> Any:
        missing = None if self.create else _missing_sqlite_file(self.db)
        if missing is not None:
            _fail(str(NoSuchDatabase(missing)), 2)
        try:
            self.store = open_store(self.db)
        except StoreError as exc:
            _fail(str(exc), 2)
        return self.store

    def __exit__(self, *exc: object) -> None:
        self.store.close()


def main() -> None:
    try:
        app()
    except BrokenPipeError:  # `storyline articles | head`
        sys.stderr.close()


if __name__ == "__main__":
    main()
