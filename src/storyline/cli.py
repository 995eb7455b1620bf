"""The `storyline` command: a thin layer over the plain functions of each stage."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from storyline.serialize import dumps, to_jsonable
from storyline.store import StoreError, default_db_url, open_store

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
eval_app = typer.Typer(no_args_is_help=True, help="Evaluations on the labelled corpora in ../shared/data.")
app.add_typer(eval_app, name="eval")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[str | None, typer.Option("--db", help="database path or URL (default: ./storyline.db or $STORYLINE_DB)")]
JsonOption = Annotated[bool, typer.Option("--json", help="machine-readable JSON output")]


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


def _print_json(obj: Any) -> None:
    sys.stdout.write(dumps(obj) + "\n")


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="files, folders (recursive), globs, or - for stdin")],
    db: DbOption = None,
    json_out: JsonOption = False,
    max_mb: Annotated[float, typer.Option("--max-mb", help="reject inputs larger than this")] = 20.0,
    no_enrich: Annotated[bool, typer.Option("--no-enrich", help="skip entities, dates and quantities")] = False,
    no_cluster: Annotated[bool, typer.Option("--no-cluster", help="store only; cluster later")] = False,
) -> None:
    """Read, clean, enrich and store articles, then cluster them into stories."""
    from storyline.pipeline import Config, ingest_paths

    config = Config(max_bytes=int(max_mb * 1024 * 1024), enrich=not no_enrich, cluster=not no_cluster)
    try:
        store = open_store(db or default_db_url())
    except StoreError as exc:
        _fail(str(exc), 2)
        return
    with store, _progress(disable=json_out) as progress:
        task = progress.add_task("ingesting", total=None)

        def on_progress(stage: str, n: int) -> None:
            progress.update(task, advance=n, description=stage)

        report = ingest_paths(
            store, paths, config, stdin=sys.stdin.buffer,
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
    table = Table("id", "source", "published", "lang", "title", "size", box=None)
    for r in rows:
        table.add_row(r.id, r.article.source or "", r.article.published or "", r.article.language or "",
                      (r.article.title or "")[:70], str(r.size))
    out.print(table)
    out.print(f"{len(rows)} articles", highlight=False)


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
    out.print(f"[bold]{a.title or '(untitled)'}[/bold]")
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
        out.print(f"[bold]{hit.article_id}[/bold]  {hit.published or '':10}  {hit.source or ''}  "
                  f"{_escape(hit.title or '')}", highlight=False)
        snippet = _escape(hit.snippet).replace("\\[", "[yellow]").replace("]", "[/yellow]")
        out.print("    " + snippet, highlight=False)
    out.print(f"{len(hits)} hits", highlight=False)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


class _open:
    """Open the store for a read command; a bad database is a one-line error."""

    def __init__(self, db: str | None) -> None:
        self.db = db or default_db_url()

    def __enter__(self) -> Any:
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
