"""Extraction, cleaning and metadata on real pages (`../shared/data/extraction`), grouped by site.

Every page goes through the real ingest path (reader + cleaner) twice: as HTML, and as a plain-text dump
of its article region derived from the page (visible text, one block a line, from a few blocks before
the gold body to a dozen after it). Text is scored by bag-of-words token P/R/F1 against the gold body,
beside `trafilatura.extract` (defaults) and keeping every line; trafilatura_eval by its must-include /
must-exclude snippets; titles and dates beside trafilatura and htmldate.

Derived dumps and the reader's output are cached in a temporary folder only (never in the project).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import lxml.etree
import lxml.html

SETS = ("zyte_aeb", "dragnet", "trafilatura_eval", "htmldate_eval")
BEFORE_BLOCKS = 5  # blocks of the page kept before the gold body in a derived dump
AFTER_BLOCKS = 12  # and after it
FOLDS = 5
DUMP_VERSION = 1  # raise when the derivation of dumps or the cached fields change

_WORD = re.compile(r"\w+")
_WS = re.compile(r"\s+")
_SKIP = frozenset(
    ["script", "style", "noscript", "template", "head", "title", "iframe", "object", "svg", "math", "select",
     "option", "button", "input", "textarea", "canvas", "video", "audio", "map"]
)  # fmt: skip
_BLOCK = frozenset(
    ["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre",
     "tr", "td", "th", "table", "thead", "tbody", "tfoot", "section", "article", "header", "footer", "aside",
     "main", "figure", "figcaption", "hr", "br", "address", "nav", "form", "fieldset", "details", "summary",
     "center", "caption", "label", "legend", "time"]
)  # fmt: skip


# --- pages ---------------------------------------------------------------------------------------


@dataclass
class Page:
    set: str
    id: str
    site: str
    path: Path
    url: str | None
    lang: str | None
    gold_text: str | None = None  # the article body (zyte_aeb, dragnet)
    gold_with: tuple[str, ...] = ()  # snippets that must be in the text (trafilatura_eval)
    gold_without: tuple[str, ...] = ()  # and must not
    gold_title: str | None = None
    gold_date: str | None = None

    def html(self) -> str:
        data = gzip.decompress(self.path.read_bytes())
        return data.decode("utf-8", errors="replace")

    def raw(self) -> bytes:
        return gzip.decompress(self.path.read_bytes())


_TWO_LEVEL = frozenset(["co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "go"])


def registrable(host: str) -> str:
    """The site of a host name: its last two labels (three under co.uk-like second levels)."""
    parts = host.lower().strip(".").removeprefix("www.").split(".")
    if len(parts) >= 3 and parts[-2] in _TWO_LEVEL and len(parts[-1]) == 2:
        return ".".join(parts[-3:])
    return ".".join(parts[-2:])


_PAGE_URL = re.compile(
    r"""<(?:link[^>]*rel=["']canonical["'][^>]*href|meta[^>]*property=["']og:url["'][^>]*content)"""
    r"""=["'](https?://[^"'/]+)""",
    re.IGNORECASE,
)


def _site(row: dict[str, Any], path: Path) -> str:
    if row.get("domain"):
        return registrable(str(row["domain"]))
    for text in (row.get("url") or "",):
        m = re.match(r"https?://([^/:]+)", text)
        if m:
            return registrable(m.group(1))
    head = gzip.decompress(path.read_bytes())[:200_000].decode("utf-8", errors="replace")
    m = _PAGE_URL.search(head)
    if m:
        return registrable(m.group(1).split("//", 1)[1])
    return f"unknown-{row['id']}"  # a page of its own


def load_pages(root: Path, sets: Sequence[str] = SETS, limit: int | None = None) -> list[Page]:
    """The pages of each set under `root` (the extraction folder), at most `limit` per set."""
    pages: list[Page] = []
    for name in sets:
        folder = root / name
        if not (folder / "gold.jsonl").exists():
            continue
        text = (folder / "gold.jsonl").read_text(encoding="utf-8")
        rows = [json.loads(line) for line in text.split("\n") if line.strip()]
        for row in rows[:limit]:
            path = folder / row["html_path"]
            gold = row.get("gold") or {}
            pages.append(
                Page(
                    set=name,
                    id=str(row["id"]),
                    site=_site(row, path),
                    path=path,
                    url=row.get("url"),
                    lang=row.get("lang"),
                    gold_text=row.get("text") or None,
                    gold_with=tuple(gold.get("with") or ()),
                    gold_without=tuple(gold.get("without") or ()),
                    gold_title=row.get("title") or gold.get("title") or None,
                    gold_date=row.get("date") or gold.get("date") or None,
                )
            )
    return pages


# --- derived plain-text dumps --------------------------------------------------------------------


def visible_blocks(html: str) -> list[str]:
    """The page's visible text, one block element a line (scripts, styles and forms' controls out)."""
    try:
        root = lxml.html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", html, count=1))
    except (lxml.etree.ParserError, ValueError):
        return []
    blocks: list[str] = []
    current: list[str] = []

    def cut() -> None:
        line = _WS.sub(" ", "".join(current)).strip()
        current.clear()
        if line:
            blocks.append(line)

    def walk(element: lxml.etree._Element) -> None:
        tag = element.tag if isinstance(element.tag, str) else None
        name = tag.lower().rsplit("}", 1)[-1] if tag else None
        hidden = name is not None and (
            element.get("hidden") is not None
            or "display:none" in (element.get("style") or "").replace(" ", "").lower()
        )
        if name is None or name in _SKIP or hidden:
            if element.tail:
                current.append(element.tail)
            return
        block = name in _BLOCK
        if block:
            cut()
        if element.text:
            current.append(element.text)
        for child in element:
            walk(child)
        if block:
            cut()
        elif name in ("span", "a", "em", "strong", "b", "i") and current and not current[-1].endswith(" "):
            pass
        if element.tail:
            current.append(element.tail)

    body = root.find("body")
    walk(body if body is not None else root)
    cut()
    return blocks


def tokens(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).lower())


def _ngrams(words: Sequence[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


class GoldIndex:
    """The gold body's tokens, for deciding which lines of a page are its text."""

    def __init__(self, gold: str) -> None:
        self.words = tokens(gold)
        self.trigrams = _ngrams(self.words, 3)
        self.joined = " " + " ".join(self.words) + " "

    def covers(self, line: str) -> bool:
        """The line's words are in the gold body: most of its trigrams, or the whole short line."""
        words = tokens(line)
        if not words:
            return False
        if len(words) < 4:
            return " " + " ".join(words) + " " in self.joined
        grams = [tuple(words[i : i + 3]) for i in range(len(words) - 2)]
        return sum(g in self.trigrams for g in grams) >= 0.5 * len(grams)


def gold_span(lines: Sequence[str], covers: Callable[[str], bool]) -> tuple[int, int] | None:
    """First and last line that belong to the gold body (lines of 4+ words, so a stray word cannot)."""
    hits = [i for i, line in enumerate(lines) if len(tokens(line)) >= 4 and covers(line)]
    if not hits:
        hits = [i for i, line in enumerate(lines) if covers(line)]
    return (hits[0], hits[-1]) if hits else None


def _snippet_cover(snippets: Sequence[str]) -> Callable[[str], bool]:
    keys = [" ".join(tokens(s)) for s in snippets if tokens(s)]
    return lambda line: any(k in " ".join(tokens(line)) for k in keys)


def derive_dump(blocks: Sequence[str], covers: Callable[[str], bool]) -> str | None:
    """The article region as plain text: from a few blocks before the body to a dozen after it."""
    span = gold_span(blocks, covers)
    if span is None:
        return None
    start, end = max(0, span[0] - BEFORE_BLOCKS), min(len(blocks), span[1] + 1 + AFTER_BLOCKS)
    return "\n".join(blocks[start:end]) + "\n"


# --- scores --------------------------------------------------------------------------------------


@dataclass
class PRF:
    overlap: int = 0
    predicted: int = 0
    gold: int = 0
    pages: int = 0
    f1_sum: float = 0.0  # mean of per-page F1 beside the micro figures

    def add(self, predicted: str, gold: str) -> None:
        p, g = Counter(tokens(predicted)), Counter(tokens(gold))
        overlap = sum((p & g).values())
        self.overlap += overlap
        self.predicted += sum(p.values())
        self.gold += sum(g.values())
        self.pages += 1
        pp = overlap / sum(p.values()) if p else 0.0
        rr = overlap / sum(g.values()) if g else 0.0
        self.f1_sum += 2 * pp * rr / (pp + rr) if pp + rr else 0.0

    @property
    def precision(self) -> float:
        return self.overlap / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.overlap / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        """Mean of the pages' F1 (each page counts once, long pages do not dominate)."""
        return self.f1_sum / self.pages if self.pages else 0.0

    def cell(self) -> str:
        return f"{self.precision:.3f} {self.recall:.3f} {self.f1:.3f}" if self.pages else "      -       "


def _snippet_key(text: str) -> str:
    return " ".join(tokens(text))


@dataclass
class Snippets:
    with_found: int = 0
    with_total: int = 0
    without_absent: int = 0
    without_total: int = 0

    def add(self, text: str, page: Page) -> None:
        key = " " + _snippet_key(text) + " "
        for s in page.gold_with:
            self.with_total += 1
            self.with_found += " " + _snippet_key(s) + " " in key
        for s in page.gold_without:
            self.without_total += 1
            self.without_absent += " " + _snippet_key(s) + " " not in key

    def cell(self) -> str:
        if not self.with_total:
            return "      -      "
        w = self.with_found / self.with_total
        wo = self.without_absent / self.without_total if self.without_total else 1.0
        return f"{w:.3f} {wo:.3f} {(self.with_found + self.without_absent) / (self.with_total + self.without_total):.3f}"


@dataclass
class Accuracy:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.total += 1
        self.right += ok

    def cell(self) -> str:
        return f"{self.right / self.total:.3f} ({self.total})" if self.total else "-"


def same_title(a: str | None, b: str | None) -> bool:
    return bool(a and b) and tokens(a or "") == tokens(b or "")


# --- cached per-page inputs ----------------------------------------------------------------------


@dataclass
class Prepared:
    """What the ingest and the baselines made of one page, before our cleaner."""

    set: str
    id: str
    site: str
    dump: str | None  # the derived plain-text dump
    keep_all_html: str  # every visible block of the page
    trafilatura_text: str
    trafilatura_title: str | None
    trafilatura_date: str | None
    htmldate_date: str | None
    html_article: dict[str, Any] | None  # the HTML reader's Article fields (text, title, published, ...)


def _cache_key() -> str:
    import htmldate
    import trafilatura

    import storyline.read as read_package

    digest = hashlib.sha256(
        f"{DUMP_VERSION} {trafilatura.__version__} {htmldate.__version__} {BEFORE_BLOCKS} {AFTER_BLOCKS}".encode()
    )
    for path in sorted(Path(read_package.__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    path = Path(tempfile.gettempdir()) / "storyline-extraction" / _cache_key()
    path.mkdir(parents=True, exist_ok=True)
    return path


_ARTICLE_FIELDS = ("text", "title", "published", "published_time", "authors", "agency", "source", "language",
                   "format", "url")  # fmt: skip


def prepare(page: Page) -> Prepared:
    """Derive the dump and run the HTML reader and the baselines on one page."""
    import htmldate
    import trafilatura

    from storyline.model import Article
    from storyline.read import read_bytes

    html = page.html()
    blocks = visible_blocks(html)
    traf_text = trafilatura.extract(html, url=page.url) or ""
    if page.gold_text:
        covers: Callable[[str], bool] = GoldIndex(page.gold_text).covers
    elif page.gold_with:
        covers = _snippet_cover(page.gold_with)
    else:  # dates only: the region trafilatura finds stands in for the body
        covers = GoldIndex(traf_text).covers
    dump = derive_dump(blocks, covers)
    meta = trafilatura.extract_metadata(html, default_url=page.url)
    try:
        hd = htmldate.find_date(html, url=page.url)
    except Exception:  # htmldate is a baseline: its failure is a miss
        hd = None
    article = None
    for item in read_bytes(page.raw(), f"{page.id}.html"):
        if isinstance(item, Article):
            article = {k: getattr(item, k) for k in _ARTICLE_FIELDS}
            article["raw"] = None
            break
    return Prepared(
        set=page.set,
        id=page.id,
        site=page.site,
        dump=dump,
        keep_all_html="\n".join(blocks),
        trafilatura_text=traf_text,
        trafilatura_title=getattr(meta, "title", None) if meta else None,
        trafilatura_date=(getattr(meta, "date", None) or None) if meta else None,
        htmldate_date=hd,
        html_article=article,
    )


def prepared_pages(
    pages: Iterable[Page], progress: Callable[[str], None] | None = None
) -> Iterator[Prepared]:
    """`prepare` of each page, through the temporary cache."""
    folder = cache_dir()
    for page in pages:
        path = folder / f"{page.set}-{page.id}.json"
        if path.exists():
            try:
                yield Prepared(**json.loads(path.read_text(encoding="utf-8")))
                continue
            except (ValueError, TypeError):  # a cache file cut short: made again
                pass
        if progress:
            progress(f"{page.set}/{page.id}")
        prepared = prepare(page)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(asdict(prepared)), encoding="utf-8")
        partial.replace(path)
        yield prepared


# --- the ingest path ------------------------------------------------------------------------------


def read_dump(dump: str, name: str) -> Any:
    """The plain-text reader's Article for a dump (None when it rejects it)."""
    from storyline.model import Article
    from storyline.read import read_bytes

    for item in read_bytes(dump.encode("utf-8"), f"{name}.txt"):
        return item if isinstance(item, Article) else None
    return None


def html_article(prepared: Prepared) -> Any:
    from storyline.model import Article

    if prepared.html_article is None:
        return None
    fields = dict(prepared.html_article)
    fields["authors"] = tuple(fields.get("authors") or ())
    fields.pop("raw", None)
    return Article(**fields)


CleanFn = Callable[[Any], Any]


def _default_clean(article: Any) -> Any:
    from storyline.clean import clean_article

    return clean_article(article)


# --- the report -----------------------------------------------------------------------------------


@dataclass
class SetReport:
    name: str
    pages: int = 0
    dumps: int = 0
    html_ours: PRF = field(default_factory=PRF)
    html_trafilatura: PRF = field(default_factory=PRF)
    html_keep_all: PRF = field(default_factory=PRF)
    dump_ours: PRF = field(default_factory=PRF)
    dump_keep_all: PRF = field(default_factory=PRF)
    dump_rules_only: PRF = field(default_factory=PRF)
    snip_html_ours: Snippets = field(default_factory=Snippets)
    snip_trafilatura: Snippets = field(default_factory=Snippets)
    snip_dump_ours: Snippets = field(default_factory=Snippets)
    snip_dump_keep_all: Snippets = field(default_factory=Snippets)
    title_html_ours: Accuracy = field(default_factory=Accuracy)
    title_trafilatura: Accuracy = field(default_factory=Accuracy)
    title_dump_ours: Accuracy = field(default_factory=Accuracy)
    date_html_ours: Accuracy = field(default_factory=Accuracy)
    date_trafilatura: Accuracy = field(default_factory=Accuracy)
    date_htmldate: Accuracy = field(default_factory=Accuracy)
    date_dump_ours: Accuracy = field(default_factory=Accuracy)


def score_page(
    report: SetReport,
    page: Page,
    prepared: Prepared,
    clean: CleanFn,
    clean_rules_only: CleanFn | None = None,
) -> None:
    """Add one page's outcomes to its set's report."""
    report.pages += 1
    html = html_article(prepared)
    html_clean = clean(html) if html is not None else None
    html_text = html_clean.text if html_clean is not None else ""
    dump_clean = None
    if prepared.dump is not None:
        report.dumps += 1
        article = read_dump(prepared.dump, page.id)
        dump_clean = clean(article) if article is not None else None
    dump_text = dump_clean.text if dump_clean is not None else ""
    if page.gold_text:
        report.html_ours.add(html_text, page.gold_text)
        report.html_trafilatura.add(prepared.trafilatura_text, page.gold_text)
        report.html_keep_all.add(prepared.keep_all_html, page.gold_text)
        if prepared.dump is not None:
            report.dump_ours.add(dump_text, page.gold_text)
            report.dump_keep_all.add(prepared.dump, page.gold_text)
            if clean_rules_only is not None:
                article = read_dump(prepared.dump, page.id)
                rules = clean_rules_only(article) if article is not None else None
                report.dump_rules_only.add(rules.text if rules is not None else "", page.gold_text)
    if page.gold_with or page.gold_without:
        report.snip_html_ours.add(html_text, page)
        report.snip_trafilatura.add(prepared.trafilatura_text, page)
        if prepared.dump is not None:
            report.snip_dump_ours.add(dump_text, page)
            report.snip_dump_keep_all.add(prepared.dump, page)
    if page.gold_title:
        report.title_html_ours.add(same_title(html_clean.title if html_clean else None, page.gold_title))
        report.title_trafilatura.add(same_title(prepared.trafilatura_title, page.gold_title))
        if prepared.dump is not None:
            report.title_dump_ours.add(same_title(dump_clean.title if dump_clean else None, page.gold_title))
    if page.gold_date:
        gold = page.gold_date[:10]
        report.date_html_ours.add(bool(html_clean and html_clean.published == gold))
        report.date_trafilatura.add((prepared.trafilatura_date or "")[:10] == gold)
        report.date_htmldate.add((prepared.htmldate_date or "")[:10] == gold)
        if prepared.dump is not None:
            report.date_dump_ours.add(bool(dump_clean and dump_clean.published == gold))


def site_folds(sites: Iterable[str], folds: int = FOLDS) -> dict[str, int]:
    """A fixed fold per site (by a hash of its name): every split is grouped by site."""
    return {s: int(hashlib.sha256(s.encode()).hexdigest(), 16) % folds for s in sorted(set(sites))}


def evaluate(
    root: Path,
    *,
    sets: Sequence[str] = SETS,
    limit: int | None = None,
    clean: CleanFn | None = None,
    clean_for_fold: Callable[[int], CleanFn] | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, SetReport]:
    """Per-set reports. With `clean_for_fold`, each page is cleaned by the cleaner of its site's fold
    (a model trained without that fold's sites): held-out figures."""
    from storyline.clean import clean_article

    pages = load_pages(root, sets, limit)
    folds = site_folds(p.site for p in pages)
    reports = {name: SetReport(name) for name in sets}
    cleaners: dict[int, CleanFn] = {}
    rules_only = _rules_only_cleaner()
    for page, prepared in zip(pages, prepared_pages(pages, progress), strict=True):
        if clean_for_fold is not None:
            fold = folds[page.site]
            if fold not in cleaners:
                cleaners[fold] = clean_for_fold(fold)
            fn = cleaners[fold]
        else:
            fn = clean or clean_article
        score_page(reports[page.set], page, prepared, fn, rules_only)
    return reports


def _rules_only_cleaner() -> CleanFn:
    from storyline.clean import clean_article

    def fn(article: Any) -> Any:
        return clean_article(article, line_model=None)

    return fn


def format_report(reports: dict[str, SetReport], title: str = "") -> str:
    out: list[str] = []
    if title:
        out.append(title)
    out.append("token P R F1 (F1: mean per page) against the gold body")
    out.append(f"{'set':<18}{'pages':>6}  {'html ours':<19}{'trafilatura':<19}{'html keep-all':<19}"
               f"{'dump ours':<19}{'dump rules only':<19}{'dump keep-all':<19}")  # fmt: skip
    for r in reports.values():
        if r.html_ours.pages:
            out.append(
                f"{r.name:<18}{r.pages:>6}  {r.html_ours.cell():<19}{r.html_trafilatura.cell():<19}"
                f"{r.html_keep_all.cell():<19}{r.dump_ours.cell():<19}{r.dump_rules_only.cell():<19}"
                f"{r.dump_keep_all.cell():<19}"
            )
    snippets = [r for r in reports.values() if r.snip_html_ours.with_total]
    if snippets:
        out.append("snippets: must-include found, must-exclude absent, both")
        out.append(f"{'set':<18}{'pages':>6}  {'html ours':<19}{'trafilatura':<19}{'dump ours':<19}"
                   f"{'dump keep-all':<19}")  # fmt: skip
        for r in snippets:
            out.append(
                f"{r.name:<18}{r.pages:>6}  {r.snip_html_ours.cell():<19}{r.snip_trafilatura.cell():<19}"
                f"{r.snip_dump_ours.cell():<19}{r.snip_dump_keep_all.cell():<19}"
            )
    meta = [r for r in reports.values() if r.title_html_ours.total or r.date_html_ours.total]
    if meta:
        out.append("title and date accuracy (pages with gold)")
        out.append(f"{'set':<18}{'title html':<15}{'trafilatura':<15}{'title dump':<15}"
                   f"{'date html':<15}{'trafilatura':<15}{'htmldate':<15}{'date dump':<15}")  # fmt: skip
        for r in meta:
            out.append(
                f"{r.name:<18}{r.title_html_ours.cell():<15}{r.title_trafilatura.cell():<15}"
                f"{r.title_dump_ours.cell():<15}{r.date_html_ours.cell():<15}{r.date_trafilatura.cell():<15}"
                f"{r.date_htmldate.cell():<15}{r.date_dump_ours.cell():<15}"
            )
    return "\n".join(out)


def held_out_cleaners(root: Path, limit: int | None = None) -> Callable[[int], CleanFn]:
    """For each fold, the ingest cleaner with a line model trained without that fold's sites."""
    from storyline.clean import clean_article
    from storyline.clean.train import TRAIN_SETS, fit, load_docs

    docs = load_docs(root, TRAIN_SETS, limit)
    folds = site_folds(p.site for p in load_pages(root, SETS, limit))

    def for_fold(fold: int) -> CleanFn:
        model = fit([d for d in docs if folds.get(d.site) != fold])

        def fn(article: Any) -> Any:
            return clean_article(article, line_model=model)

        return fn

    return for_fold


def run(root: Path, *, limit: int | None = None, sets: Sequence[str] = SETS, held_out: bool = True,
        progress: Callable[[str], None] | None = None) -> str:  # fmt: skip
    """The printed report: held-out figures (a line model per site fold) and, beside them, the shipped
    model's (tuned on every page here)."""
    from storyline.eval import templates

    parts = []
    if held_out:
        trained = held_out_cleaners(root, limit)
        cleaners: dict[int, CleanFn] = {}

        def for_fold(fold: int) -> CleanFn:  # each fold's model trained once for both tables
            if fold not in cleaners:
                cleaners[fold] = trained(fold)
            return cleaners[fold]

        reports = evaluate(root, sets=sets, limit=limit, clean_for_fold=for_fold, progress=progress)
        parts.append(
            format_report(reports, f"HELD-OUT: line model trained without the page's site ({FOLDS} folds)")
        )
        parts.append(templates.report(
            root, sets=sets, limit=limit, clean_for_fold=for_fold, progress=progress,
            title="HELD-OUT source templates: learned from the page's other site pages, line model of its fold",
        ))  # fmt: skip
    reports = evaluate(root, sets=sets, limit=limit, progress=progress)
    parts.append(format_report(reports, "TUNED-ON: the shipped line model (trained on all these sites)"))
    if not held_out:
        parts.append(templates.report(
            root, sets=sets, limit=limit, progress=progress,
            title="source templates: learned from the page's other site pages, the shipped line model",
        ))  # fmt: skip
    return "\n\n".join(parts)
