"""Evaluation of `extract_quantities` against hand-labelled mentions in Timeline17 articles.

The labelled file (benchmarks/data/quantities_labelled.jsonl) holds references and labels only,
never article text. Two kinds of line:

- {"file": "timeline17/bpoil_bbc/articles.jsonl", "article_id": "235", "labelled": "all"}: an article
  in which every quantity mention was labelled (so predictions elsewhere in it are scored);
- {"file": .., "article_id": .., "start": .., "end": .., "value": .., "unit": .., "kind": ..,
  "value_max"?: ..}: one gold mention, offsets into the article's raw "text". The extractor is run
  on that text normalized by the cleaner, as the engine stores it, and the gold spans are moved
  onto it (`storyline.eval._cleaned`).

What was labelled: money, physical amounts, percentages, fractions ("a third"), counts of things
(with their noun, or a bare count whose noun is plain from the sentence), vague multiples
("thousands of Americans" = 1000, approximate). Not labelled: dates, years, times, ages,
durations ("85 days"), ordinals, names and codes ("FTSE 100", "Macondo 252"), multipliers
("16 times as much"), hyphenated counts used as adjectives ("seven-member panel").

A predicted mention matches a gold one when the spans overlap and the value (relative tolerance
0.5%) and unit agree; matching is one-to-one. Span scores count overlap alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storyline.enrich.quantities import extract_quantities
from storyline.eval._cleaned import clean_for_eval
from storyline.model import Quantity

REL_TOL = 0.005


@dataclass(frozen=True)
class Mention:
    file: str
    article_id: str
    start: int
    end: int
    value: float | None
    unit: str | None
    text: str = ""


@dataclass(frozen=True)
class QuantityScores:
    articles: int
    gold: int
    predicted: int
    matched_gold: int  # gold mentions found with the right value and unit
    matched_predicted: int  # predictions that are right in value and unit
    span_gold: int  # gold mentions overlapped by some prediction
    span_predicted: int  # predictions overlapping some gold mention
    misses: tuple[Mention, ...] = ()
    false_positives: tuple[Mention, ...] = ()

    @property
    def precision(self) -> float:
        return self.matched_predicted / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched_gold / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)

    @property
    def span_precision(self) -> float:
        return self.span_predicted / self.predicted if self.predicted else 0.0

    @property
    def span_recall(self) -> float:
        return self.span_gold / self.gold if self.gold else 0.0

    @property
    def span_f1(self) -> float:
        return _f1(self.span_precision, self.span_recall)


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def values_agree(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= REL_TOL * max(abs(a), abs(b), 1e-9)


def _overlap(a: Mention, b: Mention) -> bool:
    return a.start < b.end and b.start < a.end


def match(gold: list[Mention], predicted: list[Mention]) -> tuple[set[int], set[int]]:
    """One-to-one matches (indices into gold, indices into predicted) of overlapping spans with the
    same value and unit."""
    used_g: set[int] = set()
    used_p: set[int] = set()
    for gi, g in enumerate(gold):
        for pi, p in enumerate(predicted):
            if pi in used_p or not _overlap(g, p):
                continue
            if g.unit == p.unit and values_agree(g.value, p.value):
                used_g.add(gi)
                used_p.add(pi)
                break
    return used_g, used_p


def load_labels(labelled: Path) -> tuple[list[tuple[str, str]], list[Mention]]:
    """Articles labelled in full, and the gold mentions."""
    articles: list[tuple[str, str]] = []
    gold: list[Mention] = []
    for line in labelled.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        rec: dict[str, Any] = json.loads(line)
        key = (rec["file"], str(rec["article_id"]))
        if "start" in rec:
            gold.append(
                Mention(key[0], key[1], int(rec["start"]), int(rec["end"]), rec.get("value"), rec.get("unit"))
            )
        elif key not in articles:
            articles.append(key)
    return articles, gold


def _read_articles(
    data_root: Path, wanted: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, Any]]:
    by_file: dict[str, set[str]] = {}
    for file, aid in wanted:
        by_file.setdefault(file, set()).add(aid)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for file, ids in by_file.items():
        with (data_root / file).open(encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                if str(rec.get("id")) in ids:
                    out[(file, str(rec["id"]))] = rec
    return out


def _as_mention(file: str, aid: str, q: Quantity) -> Mention:
    return Mention(file, aid, q.start, q.end, q.value, q.unit, q.text)


def evaluate(labelled: Path, data_root: Path) -> QuantityScores:
    """Scores of `extract_quantities` on the labelled articles read from `data_root`."""
    articles, gold = load_labels(labelled)
    texts = _read_articles(data_root, articles)
    missing = [a for a in articles if a not in texts]
    if missing:
        raise FileNotFoundError(f"labelled articles not found under {data_root}: {missing[:3]}")
    n_gold = n_pred = m_gold = m_pred = s_gold = s_pred = 0
    misses: list[Mention] = []
    fps: list[Mention] = []
    for key in articles:
        rec = texts[key]
        # the text the engine stores: normalized by the cleaner, gold spans moved onto it
        cleaned = clean_for_eval(rec["text"])
        text = cleaned.text
        g = []
        for m in gold:
            if (m.file, m.article_id) == key:
                start, end = cleaned.span(m.start, m.end)
                g.append(Mention(m.file, m.article_id, start, end, m.value, m.unit, text[start:end]))
        p = [_as_mention(*key, q) for q in extract_quantities(text, rec.get("time"))]
        mg, mp = match(g, p)
        n_gold += len(g)
        n_pred += len(p)
        m_gold += len(mg)
        m_pred += len(mp)
        s_gold += sum(1 for x in g if any(_overlap(x, y) for y in p))
        s_pred += sum(1 for y in p if any(_overlap(x, y) for x in g))
        misses.extend(x for i, x in enumerate(g) if i not in mg)
        fps.extend(y for i, y in enumerate(p) if i not in mp)
    return QuantityScores(
        len(articles), n_gold, n_pred, m_gold, m_pred, s_gold, s_pred, tuple(misses), tuple(fps)
    )


def format_report(scores: QuantityScores, examples: int = 0) -> str:
    lines = [
        f"quantities: {scores.articles} articles, {scores.gold} gold mentions, {scores.predicted} predicted",
        f"  value+unit  P {scores.precision:.3f}  R {scores.recall:.3f}  F1 {scores.f1:.3f}",
        f"  span only   P {scores.span_precision:.3f}  R {scores.span_recall:.3f}  F1 {scores.span_f1:.3f}",
    ]
    if examples:
        lines.append("  missed:")
        lines += [f"    {m.article_id:>5} {m.text!r} = {m.value} {m.unit}" for m in scores.misses[:examples]]
        lines.append("  false or wrong:")
        lines += [
            f"    {m.article_id:>5} {m.text!r} = {m.value} {m.unit}"
            for m in scores.false_positives[:examples]
        ]
    return "\n".join(lines)
