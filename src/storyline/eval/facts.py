"""Evaluation of the cross-check on labelled pairs of claims from different outlets.

`benchmarks/data/fact_pairs.jsonl` holds references only, in three sets:

- `timeline17` (Deepwater Horizon, bpoil outlets) and `H1N1` (BBC, Guardian, Reuters): the file
  (relative to the shared data folder), the article id and the character offsets of each claim's value
  in the article's raw "text". These articles are normalized by the cleaner (as the engine stores
  them; the offsets are moved onto that text) and annotated with the quantity extractor only.
- `samples`: the bundled sample corpus, labelled from tests/data/samples_manifest.json. A reference is
  the sample file (relative to the repository), the item title for multi-item files (jsonl, feeds,
  WARC), and the value's text as the manifest writes it, located (whitespace collapsed) in the text
  the engine stores: read with `storyline.read.read_paths`, cleaned with `clean_article`, annotated with
  every registered annotator (time expressions, quantities, entity mentions).

Gold rules. A pair is two outlets' statements of the same figure: same subject, same attribute and
qualifier, same time frame. `agreed` when the figures are the same within the statements' own hedging
("81" / "at least 81", "774" / "close to 800"), `conflicting` otherwise.
- bpoil: an estimate of the well's flow rate is one fact whatever the date (the early 1,000 and 5,000
  barrel estimates conflict with the later 60,000); the rig's death toll, the $20bn fund are fixed.
- H1N1: a running count (Mexico's suspected death toll, laboratory-confirmed deaths, US deaths, US
  confirmed cases) is paired only between articles published the same day; a later update of a count
  is not a pair. Suspected and confirmed tolls are different facts and never paired with each other.
  Fixed past figures (past pandemics, SARS 2003, H5N1 since 2003) pair at any date. Statements whose
  hedging makes the reading ambiguous ("over 80" against 103, "800" against 774) are left out.
- samples: the manifest's facts; values of an agreed fact agree (chained, one pair per next value);
  in a conflicting fact, values equal in value and unit, or equal after conversion by the manifest's
  own note (INR 8.4 crore = about $1m, EUR 6.2bn = about $6.6bn), agree and the others conflict (the
  manifest counts a toll that rose from seven to nine as conflicting, the update reported as such).

Each pair is checked as a two-article story: claims are extracted (with the pair's entities resolved
when the articles carry mentions) and cross-checked, and the pair is predicted `agreed` when both values
land in the same fact and the same agreeing cluster, `conflicting` when they land in the same fact but
different clusters, and `none` otherwise (a miss for either label).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storyline.consolidate.facts import Claim, cross_check, extract_claims
from storyline.eval._cleaned import CleanedText, clean_for_eval
from storyline.model import AnnotatedArticle, Article, Entity, Quantity

Extractor = Callable[[str, str | None], Sequence[Quantity]]
LABELS = ("agreed", "conflicting")
SETS = ("timeline17", "H1N1", "samples")
REPO_ROOT = Path(__file__).resolve().parents[3]


@dataclass
class PairResult:
    label: str
    predicted: str  # "agreed", "conflicting" or "none"
    topic: str
    set: str = ""


@dataclass
class FactReport:
    results: list[PairResult] = field(default_factory=list)

    def precision(self, label: str) -> float:
        predicted = [r for r in self.results if r.predicted == label]
        return sum(r.label == label for r in predicted) / len(predicted) if predicted else 0.0

    def recall(self, label: str) -> float:
        gold = [r for r in self.results if r.label == label]
        return sum(r.predicted == label for r in gold) / len(gold) if gold else 0.0

    def summary(self) -> dict[str, float]:
        out: dict[str, float] = {"pairs": float(len(self.results))}
        for label in LABELS:
            out[f"{label}_precision"] = self.precision(label)
            out[f"{label}_recall"] = self.recall(label)
        return out

    def sets(self) -> list[str]:
        """The sets present, in the order of SETS, then any other."""
        present = dict.fromkeys(r.set for r in self.results)
        return [s for s in SETS if s in present] + [s for s in present if s not in SETS]

    def subset(self, name: str) -> FactReport:
        return FactReport([r for r in self.results if r.set == name])

    def by_set(self) -> dict[str, dict[str, float]]:
        """summary() of each set, then of all the pairs under "overall"."""
        out = {name: self.subset(name).summary() for name in self.sets()}
        out["overall"] = self.summary()
        return out


def read_pairs(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _default_extractor() -> Extractor:
    from storyline.enrich.quantities import extract_quantities

    return extract_quantities


class _Articles:
    """Articles of the referenced files, read once each."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[str, dict[str, dict[str, Any]]] = {}

    def get(self, file: str, article: str) -> dict[str, Any]:
        if file not in self.files:
            with (self.root / file).open(encoding="utf-8") as handle:
                rows = (json.loads(line) for line in handle if line.strip())
                self.files[file] = {str(row["id"]): row for row in rows}
        return self.files[file][article]


def predict_pair(
    a: AnnotatedArticle, span_a: tuple[int, int], b: AnnotatedArticle, span_b: tuple[int, int]
) -> str:
    """'agreed', 'conflicting' or 'none' for the two values at the given spans."""
    entities: list[Entity] = []
    if a.mentions or b.mentions:
        from storyline.dossier import resolve_story_entities

        (a, b), entities = resolve_story_entities([a, b])
    claims = extract_claims([a, b], entities)

    def find(article: AnnotatedArticle, span: tuple[int, int]) -> Claim | None:
        for claim in claims:
            if claim.article_id == article.id and claim.span.start < span[1] and span[0] < claim.span.end:
                return claim
        return None

    ca, cb = find(a, span_a), find(b, span_b)
    if ca is None or cb is None:
        return "none"
    for fact in cross_check(claims):
        cluster_a = cluster_b = None
        for value in fact.values:
            for s in value.spans:
                if s == ca.span:
                    cluster_a = value.cluster
                if s == cb.span:
                    cluster_b = value.cluster
        if cluster_a is not None and cluster_b is not None:
            return "agreed" if cluster_a == cluster_b else "conflicting"
        if cluster_a is not None or cluster_b is not None:
            return "none"
    return "none"


class _Samples:
    """Sample-corpus articles as the engine stores them: read, cleaned, annotated; read once each."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.items: dict[tuple[str, str | None], AnnotatedArticle] = {}

    def get(self, ref: dict[str, Any]) -> AnnotatedArticle:
        key = (str(ref["file"]), ref.get("title"))
        if key not in self.items:
            from storyline.clean import clean_article
            from storyline.enrich import annotate
            from storyline.read import read_paths

            found = [
                item
                for item in read_paths([str(self.root / ref["file"])])
                if isinstance(item, Article) and (key[1] is None or item.title == key[1])
            ]
            if len(found) != 1:
                raise ValueError(f"{key}: {len(found)} articles match the reference")
            article = clean_article(found[0])
            notes = annotate(article)
            self.items[key] = AnnotatedArticle(
                id=f"{key[0]}#{key[1] or ''}",
                article=article,
                timexes=notes.timexes,
                quantities=notes.quantities,
                mentions=notes.mentions,
            )
        return self.items[key]

    def span(self, ref: dict[str, Any]) -> tuple[int, int]:
        """Offsets of the reference's value text in the stored text (whitespace collapsed; the cleaner
        may drop a space, "40 %" -> "40%")."""
        text = self.get(ref).article.text
        pattern = r"\s*".join(re.escape(word) for word in str(ref["text"]).split())
        match = re.search(pattern, text)
        if match is None:
            raise ValueError(f"{ref['file']}: {ref['text']!r} not found in the cleaned text")
        return match.start(), match.end()


def evaluate_fact_pairs(
    pairs_path: Path,
    data_root: Path,
    extractor: Extractor | None = None,
    sets: Sequence[str] | None = None,
    samples_root: Path = REPO_ROOT,
) -> FactReport:
    """Precision and recall of `agreed` and `conflicting` over the labelled pairs (see by_set())."""
    extract = extractor or _default_extractor()
    articles = _Articles(data_root)
    samples = _Samples(samples_root)
    annotated: dict[tuple[str, str], AnnotatedArticle] = {}
    cleaned: dict[tuple[str, str], CleanedText] = {}

    def load(ref: dict[str, Any]) -> AnnotatedArticle:
        if "text" in ref:
            return samples.get(ref)
        key = (ref["file"], str(ref["id"]))
        if key not in annotated:
            row = articles.get(ref["file"], str(ref["id"]))
            day = str(row.get("time") or row.get("published") or "")[:10] or None
            # the text the engine stores: normalized by the cleaner, gold spans moved onto it
            cleaned[key] = clean_for_eval(str(row["text"]))
            text = cleaned[key].text
            annotated[key] = AnnotatedArticle(
                id=f"{ref['file']}#{ref['id']}",
                article=Article(text=text, published=day, source=ref["file"].split("/")[-2]),
                quantities=tuple(extract(text, day)),
            )
        return annotated[key]

    def span(ref: dict[str, Any]) -> tuple[int, int]:
        if "text" in ref:
            return samples.span(ref)
        return cleaned[(ref["file"], str(ref["id"]))].span(int(ref["start"]), int(ref["end"]))

    report = FactReport()
    for pair in read_pairs(pairs_path):
        if sets is not None and pair.get("set") not in sets:
            continue
        a, b = load(pair["a"]), load(pair["b"])
        predicted = predict_pair(a, span(pair["a"]), b, span(pair["b"]))
        report.results.append(
            PairResult(pair["label"], predicted, str(pair.get("topic", "")), str(pair.get("set", "")))
        )
    return report
