"""Held-out evaluation of claim extraction and of the cross-check on real multi-outlet reports.

`tests/data/claims/claims.jsonl` holds one labelled claim a line, by reference only (no article text):
the story, its split (`tune` or `test`, decided by story before any rule was written), the document
(`file` relative to the shared data folder and `id`: a SemEval-2022 Task 8 article id, the half of a
pair id, or a Timeline17 article id), the character offsets of the value in the document's raw text,
the value's text (a check), the acceptable names of the subject (`"story"`: the story's event itself,
a death toll or a count of cases), the attribute from `ATTRIBUTES`, the value (a number, a [low, high]
range, or an ISO date / "THH:MM" time), the unit or currency, and the qualifier.
`tests/data/claims/pairs.jsonl` holds cross-outlet pairs of those claims: `agree`, `conflict` or
`versions` (the same attribute of the same subject under different qualifiers).

How the labels were made: by reading the texts. SemEval dev pairs rated the same story (Overall <= 1.5,
English and French), and Timeline17 bpoil and H1N1 reports from several outlets (H1N1: 27 April 2009;
bpoil: 10-18 June 2010). Gold rules of pairs: hedged figures agree when the hedge admits the other
("more than 100" / 103); a flow-rate estimate is one fact whatever its date; suspected and confirmed
tolls are versions; statements whose hedge makes the reading ambiguous ("over 80" / 103) are left out.

Each story is read as the engine reads it: the raw text through the cleaner (gold offsets follow it),
every annotator, entities folded across the story, claims extracted and cross-checked over the whole
story. A gold claim is found when a predicted claim's value span overlaps it.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storyline.consolidate.facts import (
    STORY_SUBJECT,
    Claim,
    Fact,
    canonical_attribute,
    cross_check,
    extract_claims,
)
from storyline.eval._cleaned import CleanedText, clean_for_eval
from storyline.model import AnnotatedArticle, Article

LABELS_DIR = Path(__file__).resolve().parents[3] / "tests" / "data" / "claims"
SPLITS = ("test", "tune")
PAIR_LABELS = ("agree", "conflict", "versions")
# the canonical attributes a label may use (canonical_attribute maps the extractor's names onto them)
ATTRIBUTES = (
    "death toll", "injured", "cases", "count", "age", "price", "cost", "amount", "rate", "date", "place",
    "duration", "distance", "area", "flow rate", "volume", "weight", "power", "engine size", "speed", "score",
)  # fmt: skip


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


class _Documents:
    """Raw texts of the referenced documents (SemEval CSV fields, Timeline17 articles), read once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.semeval: dict[str, tuple[str, str]] | None = None
        self.timeline: dict[str, dict[str, dict[str, Any]]] = {}

    def get(self, ref: dict[str, Any]) -> tuple[str, str | None, str]:
        """(raw text, publication day, outlet) of a reference."""
        file, key = str(ref["file"]), str(ref["id"])
        if file.startswith("semeval"):
            if self.semeval is None:
                self.semeval = _read_semeval(self.root / file)
            return self.semeval[key][0], None, f"semeval:{key}"
        if file not in self.timeline:
            self.timeline[file] = {str(row["id"]): row for row in read_jsonl(self.root / file)}
        row = self.timeline[file][key]
        return str(row["text"]), str(row.get("time") or "")[:10] or None, file.split("/")[-2]


def _read_semeval(path: Path) -> dict[str, tuple[str, str]]:
    csv.field_size_limit(1 << 30)
    texts: dict[str, tuple[str, str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            first, second = row["pair_id"].split("_")
            texts.setdefault(first, (row["text1"], row["lang1"]))
            texts.setdefault(second, (row["text2"], row["lang2"]))
    return texts


@dataclass
class ClaimResult:
    id: str
    story: str
    split: str
    found: bool
    subject: bool
    attribute: bool
    value: bool
    predicted: str = ""  # "subject | attribute | value" of the predicted claim, for error reading


@dataclass
class PairResult:
    story: str
    split: str
    label: str
    predicted: str  # a PAIR_LABELS label or "none"


@dataclass
class ClaimsReport:
    claims: list[ClaimResult] = field(default_factory=list)
    pairs: list[PairResult] = field(default_factory=list)

    def summary(self, split: str) -> dict[str, float]:
        claims = [c for c in self.claims if c.split == split]
        pairs = [p for p in self.pairs if p.split == split]
        found = [c for c in claims if c.found]
        out: dict[str, float] = {
            "stories": float(len({c.story for c in claims})),
            "claims": float(len(claims)),
            "pairs": float(len(pairs)),
            "claims found": _ratio(len(found), len(claims)),
        }
        for name in ("subject", "attribute", "value"):
            out[f"{name} accuracy"] = _ratio(sum(getattr(c, name) for c in claims), len(claims))
        for name in ("subject", "attribute", "value"):
            out[f"{name} accuracy (found)"] = _ratio(sum(getattr(c, name) for c in found), len(found))
        for label in PAIR_LABELS:
            predicted = [p for p in pairs if p.predicted == label]
            gold = [p for p in pairs if p.label == label]
            out[f"{label} P"] = _ratio(sum(p.label == label for p in predicted), len(predicted))
            out[f"{label} R"] = _ratio(sum(p.predicted == label for p in gold), len(gold))
            out[f"{label} gold"] = float(len(gold))
        return out


def _ratio(part: float, whole: int) -> float:
    return part / whole if whole else 0.0


def evaluate_claims(
    data_root: Path,
    labels_dir: Path = LABELS_DIR,
    splits: Sequence[str] = SPLITS,
    stories: Sequence[str] | None = None,
) -> ClaimsReport:
    """Claims and pairs of every labelled story of the given splits (or of the stories named), scored
    as the module says."""
    gold = [
        c
        for c in read_jsonl(labels_dir / "claims.jsonl")
        if c["split"] in splits and (stories is None or c["story"] in stories)
    ]
    pairs = [p for p in read_jsonl(labels_dir / "pairs.jsonl") if p["split"] in splits]
    documents = _Documents(data_root)
    by_story: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for claim in gold:
        by_story[claim["story"]].append(claim)
    report = ClaimsReport()
    for story, labelled in by_story.items():
        predicted = _story_claims(labelled, documents)
        found: dict[str, Claim | None] = {c["id"]: predicted.match(c) for c in labelled}
        for c in labelled:
            report.claims.append(_score_claim(c, found[c["id"]]))
        for pair in pairs:
            if pair["story"] == story:
                label = predicted.pair_label(found.get(pair["a"]), found.get(pair["b"]))
                report.pairs.append(PairResult(story, pair["split"], pair["label"], label))
    return report


@dataclass
class _Story:
    articles: dict[str, AnnotatedArticle]  # doc key -> article
    cleaned: dict[str, CleanedText]
    claims: list[Claim]
    facts: list[Fact]

    def match(self, gold: dict[str, Any]) -> Claim | None:
        key = _doc_key(gold["doc"])
        start, end = self.cleaned[key].span(int(gold["start"]), int(gold["end"]))
        article_id = self.articles[key].id
        best: tuple[int, Claim] | None = None
        for claim in self.claims:
            if claim.article_id != article_id:
                continue
            overlap = min(end, claim.span.end) - max(start, claim.span.start)
            if overlap > 0 and (best is None or overlap > best[0]):
                best = (overlap, claim)
        return best[1] if best else None

    def pair_label(self, a: Claim | None, b: Claim | None) -> str:
        """`agree`/`conflict` when both claims are values of one fact (one agreeing cluster or not),
        `versions` when they are in facts of one subject and attribute under different qualifiers."""
        if a is None or b is None:
            return "none"
        place_a = self._place(a)
        place_b = self._place(b)
        if place_a is None or place_b is None:
            return "none"
        (fact_a, cluster_a), (fact_b, cluster_b) = place_a, place_b
        if fact_a is fact_b:
            return "agree" if cluster_a == cluster_b else "conflict"
        if (fact_a.subject, fact_a.attribute) == (fact_b.subject, fact_b.attribute) and (
            fact_a.qualifier != fact_b.qualifier
        ):
            return "versions"
        return "none"

    def _place(self, claim: Claim) -> tuple[Fact, int] | None:
        for fact in self.facts:
            for value in fact.values:
                if claim.span in value.spans:
                    return fact, value.cluster
        return None


def _doc_key(ref: dict[str, Any]) -> str:
    return f"{ref['file']}#{ref['id']}"


def _story_claims(labelled: list[dict[str, Any]], documents: _Documents) -> _Story:
    from storyline.dossier import resolve_story_entities
    from storyline.enrich import annotate

    refs = {_doc_key(c["doc"]): c["doc"] for c in labelled}
    articles: dict[str, AnnotatedArticle] = {}
    cleaned: dict[str, CleanedText] = {}
    for key, ref in refs.items():
        raw, day, outlet = documents.get(ref)
        cleaned[key] = clean_for_eval(raw)
        article = Article(
            text=cleaned[key].text, published=day, source=outlet, language=ref.get("lang") or None
        )
        notes = annotate(article)
        articles[key] = AnnotatedArticle(
            id=key, article=article, timexes=notes.timexes, quantities=notes.quantities, mentions=notes.mentions
        )
    items, entities = resolve_story_entities(list(articles.values()))
    articles = {item.id: item for item in items}
    claims = extract_claims(items, entities)
    return _Story(articles, cleaned, claims, cross_check(claims))


def _score_claim(gold: dict[str, Any], claim: Claim | None) -> ClaimResult:
    if claim is None:
        return ClaimResult(gold["id"], gold["story"], gold["split"], False, False, False, False)
    subject = _subject_matches(gold["subject"], claim)
    attribute = canonical_attribute(claim.attribute, claim.quantity.unit if claim.quantity else None) == gold["attribute"]
    value = _value_matches(gold["value"], claim)
    shown = claim.date if claim.kind == "date" else claim.entity_name or _quantity_text(claim)
    predicted = f"{claim.subject_name} | {claim.attribute} | {shown}"
    return ClaimResult(gold["id"], gold["story"], gold["split"], True, subject, attribute, value, predicted)


def _quantity_text(claim: Claim) -> str:
    q = claim.quantity
    if q is None:
        return ""
    return f"{q.value}{'-' + str(q.value_max) if q.value_max else ''} {q.unit or ''}".strip()


def _words(name: str) -> set[str]:
    return {w for w in re.findall(r"\w+", name.casefold()) if len(w) > 1}


def _subject_matches(names: Sequence[str], claim: Claim) -> bool:
    """The predicted subject is the story's event for "story", else shares the words of one name
    ("Noxon" for "Charlie Noxon", "Deepwater Horizon rig" for "Deepwater Horizon")."""
    if claim.subject == STORY_SUBJECT:
        return "story" in names
    predicted = _words(claim.subject_name)
    for name in names:
        words = _words(name)
        if name != "story" and words and predicted and (words <= predicted or predicted <= words):
            return True
    return False


def _value_matches(gold: Any, claim: Claim) -> bool:
    if isinstance(gold, str):
        predicted = claim.date or ""
        return predicted.startswith(gold) or (gold.startswith("T") and gold in predicted)
    q = claim.quantity
    if q is None or q.value is None:
        return False
    if isinstance(gold, list):
        low, high = float(gold[0]), float(gold[1])
        return _close(q.value, low) and (q.value_max is None or _close(q.value_max, high))
    return _close(q.value, float(gold)) or _close(q.value * 100, float(gold))  # a ratio 0.65 for "65%"


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 0.01 * max(abs(b), 1e-9)


def format_report(report: ClaimsReport) -> list[str]:
    """The table `storyline eval claims` prints: the test split, the tune split beside it."""
    test, tune = report.summary("test"), report.summary("tune")
    lines = [f"{'claims (held out by story)':<28} {'test':>8} {'tune':>8}"]
    for key in test:
        integer = key in ("stories", "claims", "pairs") or key.endswith("gold")
        a, b = test[key], tune[key]
        lines.append(f"  {key:<26} {a:>8.0f} {b:>8.0f}" if integer else f"  {key:<26} {a:>8.3f} {b:>8.3f}")
    return lines
