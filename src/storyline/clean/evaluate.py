"""Scoring of the clean stage on a hand-labelled set (format: benchmarks/data/cleaning/README.md)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from storyline.clean.normalize import normalize_text
from storyline.clean.pipeline import clean_article
from storyline.model import Article

BOILERPLATE, METADATA, CONTENT = "B", "M", "C"


@dataclass(frozen=True)
class LabelledArticle:
    id: str
    lines: tuple[tuple[str, str], ...]  # (label, line); ("", "") is a paragraph break
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        paragraphs: list[list[str]] = [[]]
        for _label, line in self.lines:
            if line:
                paragraphs[-1].append(line)
            elif paragraphs[-1]:
                paragraphs.append([])
        return "\n\n".join("\n".join(p) for p in paragraphs if p)

    @property
    def split(self) -> str:
        return self.headers.get("split", "")


def parse_labelled(text: str, split: str = "") -> list[LabelledArticle]:
    """The articles of one labelled file; `split` is the default for a missing `### split:`."""
    articles: list[LabelledArticle] = []
    headers: dict[str, str] = {}
    lines: list[tuple[str, str]] = []

    def flush() -> None:
        if "id" in headers:
            headers.setdefault("split", split)
            articles.append(LabelledArticle(headers["id"], tuple(lines), dict(headers)))

    for raw in text.splitlines():
        if raw.startswith("### "):
            key, _, value = raw[4:].partition(":")
            if key.strip() == "id":
                flush()
                headers, lines = {}, []
            headers[key.strip()] = value.strip()
        elif raw.startswith(("B| ", "M| ")):
            lines.append((raw[0], raw[3:]))
        elif raw.strip():
            lines.append((CONTENT, raw))
        else:
            lines.append(("", ""))
    flush()
    return articles


def load_labelled(directory: Path) -> list[LabelledArticle]:
    """Every labelled article under `directory`: tune.txt, heldout.txt, samples.txt and html/*.txt."""
    articles: list[LabelledArticle] = []
    for name in ("tune", "heldout", "samples"):
        path = directory / f"{name}.txt"
        if path.exists():
            articles.extend(parse_labelled(path.read_text(encoding="utf-8"), name))
    for path in sorted((directory / "html").glob("*.txt")):
        articles.extend(parse_labelled(path.read_text(encoding="utf-8")))
    return articles


@dataclass
class Scores:
    articles: int = 0
    lines: int = 0
    true_positives: int = 0  # boilerplate lines removed
    false_positives: int = 0  # article lines removed
    false_negatives: int = 0  # boilerplate lines kept
    metadata_lines: int = 0
    metadata_removed: int = 0
    fields_checked: int = 0
    fields_right: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0


def _expected_fields(article: LabelledArticle) -> dict[str, object]:
    h = article.headers
    out: dict[str, object] = {}
    for key, attr in (("lang", "language"), ("published", "published"), ("time", "published_time")):
        if key in h:
            out[attr] = h[key] or None
    if "agency" in h:
        out["agency"] = h["agency"] or None
    if "authors" in h:
        out["authors"] = tuple(a.strip() for a in h["authors"].split(";") if a.strip())
    return out


def score(articles: Iterable[LabelledArticle], languages: Sequence[str] | None = None) -> Scores:
    """Boilerplate line precision/recall, metadata-line recall and metadata field accuracy."""
    result = Scores()
    for article in articles:
        result.articles += 1
        cleaned = (
            clean_article(Article(text=article.text))
            if languages is None
            else clean_article(Article(text=article.text), languages=languages)
        )
        kept = Counter(line for line in cleaned.text.split("\n") if line)
        for label, line in article.lines:
            if not line:
                continue
            result.lines += 1
            key = normalize_text(line)
            was_kept = kept[key] > 0
            if was_kept:
                kept[key] -= 1
            if label == BOILERPLATE:
                if was_kept:
                    result.false_negatives += 1
                    result.errors.append(f"{article.id}: kept boilerplate: {line}")
                else:
                    result.true_positives += 1
            elif label == METADATA:
                result.metadata_lines += 1
                result.metadata_removed += not was_kept
                if was_kept:
                    result.errors.append(f"{article.id}: kept metadata: {line}")
            elif not was_kept:
                result.false_positives += 1
                result.errors.append(f"{article.id}: removed text: {line}")
        for attr, expected in _expected_fields(article).items():
            got = getattr(cleaned, attr)
            result.fields_checked += 1
            if got == expected:
                result.fields_right += 1
            else:
                result.errors.append(f"{article.id}: {attr} {got!r} != {expected!r}")
    return result
