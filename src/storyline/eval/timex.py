"""Evaluation of the temporal tagger on TimeML corpora, TempEval-3 style.

A TimeML document gives its creation time in `<DCT><TIMEX3 ... value=...>` and its gold
TIMEX3 inside `<TEXT>`; offsets are character offsets into the tag-stripped, entity-decoded
TEXT. `tag` runs on that plain text with the DCT and each system expression is matched to at
most one gold expression:

- strict extent: same start and end;
- relaxed extent: the spans overlap;
- type accuracy: among relaxed matches, the share with the gold type;
- value F1: relaxed matches whose value equals the gold value, as precision over system
  expressions and recall over gold expressions.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from storyline.enrich.timex import tag
from storyline.model import TimeExpression


@dataclass(frozen=True)
class GoldTimex:
    start: int
    end: int
    text: str
    type: str
    value: str


@dataclass(frozen=True)
class TimemlDocument:
    name: str
    text: str
    dct: str | None
    timexes: tuple[GoldTimex, ...]


@dataclass
class TimexScores:
    """Counts over a corpus; the rates are derived."""

    documents: int = 0
    gold: int = 0
    system: int = 0
    strict: int = 0  # system expressions with an exact-extent gold match
    relaxed: int = 0  # system expressions with an overlapping gold match (one-to-one)
    type_correct: int = 0  # relaxed matches with the gold type
    value_correct: int = 0  # relaxed matches with the gold value
    errors: list[tuple[str, str, str, str]] = field(default_factory=list, repr=False)

    def _prf(self, hits: int) -> tuple[float, float, float]:
        p = hits / self.system if self.system else 0.0
        r = hits / self.gold if self.gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f

    @property
    def strict_prf(self) -> tuple[float, float, float]:
        return self._prf(self.strict)

    @property
    def relaxed_prf(self) -> tuple[float, float, float]:
        return self._prf(self.relaxed)

    @property
    def value_prf(self) -> tuple[float, float, float]:
        return self._prf(self.value_correct)

    @property
    def type_accuracy(self) -> float:
        return self.type_correct / self.relaxed if self.relaxed else 0.0

    @property
    def value_f1(self) -> float:
        return self.value_prf[2]

    def add(self, other: TimexScores) -> None:
        self.documents += other.documents
        self.gold += other.gold
        self.system += other.system
        self.strict += other.strict
        self.relaxed += other.relaxed
        self.type_correct += other.type_correct
        self.value_correct += other.value_correct
        self.errors.extend(other.errors)


_TEXT = re.compile(r"<TEXT>(.*?)</TEXT>", re.S)
_DCT = re.compile(r"<DCT>\s*<TIMEX3\b([^>]*)>", re.S)
_TAG = re.compile(r"<(/?)([A-Za-z0-9_]+)([^>]*)>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')


def _attrs(raw: str) -> dict[str, str]:
    return {k: html.unescape(v) for k, v in _ATTR.findall(raw)}


def parse_timeml(source: str, name: str = "") -> TimemlDocument:
    """The plain TEXT of a TimeML document, its DCT ("YYYY-MM-DD") and gold TIMEX3 spans."""
    dct: str | None = None
    dct_match = _DCT.search(source)
    if dct_match:
        value = _attrs(dct_match.group(1)).get("value", "")
        dct = value[:10] if re.match(r"\d{4}-\d\d-\d\d", value) else None
    body_match = _TEXT.search(source)
    body = body_match.group(1) if body_match else ""
    parts: list[str] = []
    length = 0
    open_timex: tuple[int, dict[str, str]] | None = None
    gold: list[GoldTimex] = []
    pos = 0
    for m in _TAG.finditer(body):
        chunk = html.unescape(body[pos : m.start()])
        parts.append(chunk)
        length += len(chunk)
        pos = m.end()
        closing, tag_name = m.group(1) == "/", m.group(2)
        if tag_name != "TIMEX3":
            continue
        if not closing:
            open_timex = (length, _attrs(m.group(3)))
        elif open_timex is not None:
            start, attrs = open_timex
            open_timex = None
            gold.append(GoldTimex(start, length, "", attrs.get("type", ""), attrs.get("value", "")))
    parts.append(html.unescape(body[pos:]))
    text = "".join(parts)
    timexes = tuple(GoldTimex(g.start, g.end, text[g.start : g.end], g.type, g.value) for g in gold)
    return TimemlDocument(name=name, text=text, dct=dct, timexes=timexes)


def score_document(doc: TimemlDocument, system: Sequence[TimeExpression]) -> TimexScores:
    """Counts for one document: greedy one-to-one matching, exact extents first."""
    scores = TimexScores(documents=1, gold=len(doc.timexes), system=len(system))
    free = list(range(len(doc.timexes)))
    pairs: list[tuple[TimeExpression, GoldTimex]] = []
    unmatched: list[TimeExpression] = []
    for sys_t in system:
        exact = [i for i in free if doc.timexes[i].start == sys_t.start and doc.timexes[i].end == sys_t.end]
        if exact:
            free.remove(exact[0])
            scores.strict += 1
            pairs.append((sys_t, doc.timexes[exact[0]]))
        else:
            unmatched.append(sys_t)
    for sys_t in unmatched:
        overlap = [i for i in free if doc.timexes[i].start < sys_t.end and sys_t.start < doc.timexes[i].end]
        if overlap:
            free.remove(overlap[0])
            pairs.append((sys_t, doc.timexes[overlap[0]]))
        else:
            scores.errors.append((doc.name, "spurious", sys_t.text, f"{sys_t.type} {sys_t.value}"))
    scores.relaxed = len(pairs)
    for sys_t, g in pairs:
        scores.type_correct += sys_t.type == g.type
        if sys_t.value == g.value:
            scores.value_correct += 1
        else:
            scores.errors.append(
                (
                    doc.name,
                    "value",
                    f"{sys_t.text!r}/{g.text!r}",
                    f"{sys_t.type} {sys_t.value} gold {g.type} {g.value}",
                )
            )
    for i in free:
        g = doc.timexes[i]
        scores.errors.append((doc.name, "missed", g.text, f"{g.type} {g.value}"))
    return scores


def evaluate_document(path: Path) -> TimexScores:
    doc = parse_timeml(path.read_text(encoding="utf-8"), path.name)
    return score_document(doc, tag(doc.text, doc.dct))


def evaluate_corpus(folder: Path, files: Sequence[str] | None = None) -> TimexScores:
    """Scores over the .tml files of `folder` (or the named ones among them)."""
    names = sorted(files) if files is not None else sorted(p.name for p in folder.glob("*.tml"))
    total = TimexScores()
    for name in names:
        total.add(evaluate_document(folder / name))
    return total


def held_out(names: Sequence[str], every: int = 5) -> list[str]:
    """The fixed held-out subset: every `every`-th file, sorted by name (from the first)."""
    return sorted(names)[::every]


def evaluate(path: Path, files: Sequence[str] | None = None) -> dict[str, TimexScores]:
    """Scores per corpus: each subfolder of `path` holding .tml files (or `path` itself)."""
    folders = sorted(p for p in path.iterdir() if p.is_dir() and any(p.glob("*.tml")))
    if not folders:
        folders = [path]
    result: dict[str, TimexScores] = {}
    for folder in folders:
        present = {p.name for p in folder.glob("*.tml")}
        chosen = None if files is None else [f for f in files if f in present]
        result[folder.name] = evaluate_corpus(folder, chosen)
    return result


def format_report(scores: dict[str, TimexScores]) -> str:
    """A plain table: one row per corpus."""
    head = f"{'corpus':<12} {'docs':>5} {'gold':>5} {'sys':>5}  {'strict P/R/F1':>17}  {'relaxed P/R/F1':>17}"
    head += f"  {'type acc':>8}  {'value P/R/F1':>17}"
    lines = [head]
    for name, s in scores.items():
        row = f"{name:<12} {s.documents:>5} {s.gold:>5} {s.system:>5}"
        for p, r, f in (s.strict_prf, s.relaxed_prf):
            row += f"  {p:5.3f}/{r:5.3f}/{f:5.3f}"
        row += f"  {s.type_accuracy:8.3f}"
        p, r, f = s.value_prf
        row += f"  {p:5.3f}/{r:5.3f}/{f:5.3f}"
        lines.append(row)
    return "\n".join(lines)
