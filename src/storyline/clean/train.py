"""Training of the learned line classifier on real pages, and its site-grouped cross-validation.

    storyline train cleaner ../shared/data/extraction      (or: python -m storyline.clean.train PATH)

Lines come from the plain-text dumps derived from the pages (`storyline.eval.extraction`), read and
cleaned by the rules exactly as ingest does, then labelled from the gold: a line is text when its words
are in the gold body (zyte_aeb, dragnet); on trafilatura_eval a line holding a must-include snippet is
text and one holding a must-exclude snippet is boilerplate, the rest is left out. Training is
deterministic (fixed seed, sorted input); the model is written as JSON to `storyline/data`. The shipped
model never sees the sites of fold GATE_FOLD, so the test suite can gate it on held-out pages.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storyline.clean.boilerplate import remove_boilerplate
from storyline.clean.lines import FEATURES, MODEL_FILE, LineModel, Stage, context_features, line_features
from storyline.clean.metadata import extract_metadata
from storyline.clean.normalize import normalize_text
from storyline.eval.extraction import (
    FOLDS,
    PRF,
    GoldIndex,
    Page,
    Prepared,
    load_pages,
    prepared_pages,
    read_dump,
    site_folds,
    tokens,
)

SEED = 20260
TRAIN_SETS = ("zyte_aeb", "dragnet", "trafilatura_eval")
RECALL_TARGET = 0.975  # least share of text tokens kept on the training lines by the chosen threshold
C = 0.5
MIN_DUMP_RECALL = 0.5
GATE_FOLD = 0  # sites of this fold are left out of the shipped model: `make test` gates on them


@dataclass
class Doc:
    set: str
    id: str
    site: str
    lines: list[str]  # what the line model sees: the dump after the reader, metadata and rules
    labels: list[int | None]  # 1 text, 0 boilerplate, None unknown
    gold: str | None  # the gold body, when the set has one
    dump: str  # the dump as the reader got it (keep-all)

    def features(self) -> list[list[float]]:
        cached = _FEATURES.get(id(self))
        if cached is None or cached[0] is not self:
            cached = _FEATURES[id(self)] = (self, line_features(self.lines))
        return cached[1]


_FEATURES: dict[int, tuple[Doc, list[list[float]]]] = {}


def model_lines(dump: str, name: str) -> list[str] | None:
    """The lines of a dump as the line model sees them in `clean_article`."""
    article = read_dump(dump, name)
    if article is None:
        return None
    text, _ = extract_metadata(normalize_text(article.text))
    text, _ = remove_boilerplate(text)
    return [line for line in text.split("\n") if line.strip()]


def _snippet_labels(lines: Sequence[str], page: Page) -> list[int | None]:
    keys_with = [" ".join(tokens(s)) for s in page.gold_with if tokens(s)]
    keys_without = [" ".join(tokens(s)) for s in page.gold_without if tokens(s)]
    out: list[int | None] = []
    for line in lines:
        key = " ".join(tokens(line))
        if any(k in key for k in keys_with):
            out.append(1)
        elif any(k in key for k in keys_without):
            out.append(0)
        else:
            out.append(None)
    return out


def build_doc(page: Page, prepared: Prepared) -> Doc | None:
    if prepared.dump is None:
        return None
    lines = model_lines(prepared.dump, page.id)
    if not lines:
        return None
    if page.gold_text:
        index = GoldIndex(page.gold_text)
        labels: list[int | None] = [int(index.covers(line)) for line in lines]
        found = PRF()
        found.add(prepared.dump, page.gold_text)
        if found.recall < MIN_DUMP_RECALL:  # the derived dump missed the body: no labels to learn from
            return None
    elif page.gold_with or page.gold_without:
        labels = _snippet_labels(lines, page)
    else:
        return None
    return Doc(page.set, page.id, page.site, lines, labels, page.gold_text, prepared.dump)


def load_docs(
    root: Path, sets: Sequence[str] = TRAIN_SETS, limit: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Doc]:  # fmt: skip
    pages = load_pages(root, sets, limit)
    docs = []
    for page, prepared in zip(pages, prepared_pages(pages, progress), strict=True):
        doc = build_doc(page, prepared)
        if doc is not None:
            docs.append(doc)
    return docs


def _weight(line: str) -> float:
    return 1.0 + len(tokens(line)) ** 0.5


def _stage(x: Any, y: Any, w: Any, c: float) -> tuple[Stage, Any]:
    """A logistic regression on standardized rows, and its probabilities on them."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=3000, random_state=SEED)
    model.fit((x - mean) / scale, y, sample_weight=w)
    stage = Stage(
        tuple(float(v) for v in mean),
        tuple(float(v) for v in scale),
        tuple(float(v) for v in model.coef_[0]),
        float(model.intercept_[0]),
    )
    return stage, np.asarray(model.predict_proba((x - mean) / scale)[:, 1])


def _labelled(docs: Sequence[Doc]) -> tuple[Any, Any, Any, Any, Any]:
    import numpy as np

    rows, labels, weights, sizes, ids = [], [], [], [], []
    for number, doc in enumerate(docs):
        for row, label, line in zip(doc.features(), doc.labels, doc.lines, strict=True):
            if label is not None:
                rows.append(row)
                labels.append(label)
                weights.append(_weight(line))
                sizes.append(len(tokens(line)))
                ids.append(number)
    return (np.array(rows, dtype=float), np.array(labels), np.array(weights), np.array(sizes, dtype=float),
            np.array(ids, dtype=int))  # fmt: skip


INNER_FOLDS = 3


def fit(docs: Sequence[Doc], *, version: str = "2", c: float = C) -> LineModel:
    """Two stacked logistic regressions on the labelled lines of `docs` (deterministic). The second stage
    learns from first-stage scores made by models that did not see the line's site (inner site folds)."""
    import numpy as np

    docs = sorted(docs, key=lambda d: (d.set, d.id))
    x, y, w, sizes, ids = _labelled(docs)
    first, _ = _stage(x, y, w, c)
    inner = site_folds((d.site for d in docs), INNER_FOLDS)
    fold_models = {}
    for fold in range(INNER_FOLDS):
        part = [d for d in docs if inner[d.site] != fold]
        if part:
            fold_models[fold] = _stage(*_labelled(part)[:3], c)[0]
    stacked: list[list[float]] = []
    for doc in docs:
        model = fold_models.get(inner[doc.site], first)
        feats = doc.features()
        ctx = context_features([model.prob(r) for r in feats])
        stacked.extend(
            [*r, *cx] for r, cx, label in zip(feats, ctx, doc.labels, strict=True) if label is not None
        )
    second, probs = _stage(np.array(stacked, dtype=float), y, w, c)
    threshold = _threshold(probs, y, sizes, ids)
    return LineModel(
        version=version,
        features=tuple(FEATURES),
        first=first,
        second=second,
        threshold=threshold,
        trained_on={
            "sets": sorted({d.set for d in docs}),
            "documents": len(docs),
            "sites": len({d.site for d in docs}),
            "lines": len(y),
            "seed": SEED,
            "C": c,
            "recall_target": RECALL_TARGET,
        },
    )


def _threshold(probs: Any, y: Any, sizes: Any, docs: Any) -> float:
    """The threshold with the best mean per-document token F1 on the training lines among those keeping
    at least RECALL_TARGET of their text tokens."""
    import numpy as np

    best, best_f1 = 0.5, -1.0
    gold_tokens = sizes * y
    total = gold_tokens.sum() or 1.0
    n_docs = int(docs.max()) + 1 if len(docs) else 0
    gold_per_doc = np.bincount(docs, weights=gold_tokens, minlength=n_docs)
    for t in np.arange(0.05, 0.8, 0.01):
        keep = probs >= t
        tp = np.bincount(docs, weights=gold_tokens * keep, minlength=n_docs)
        pred = np.bincount(docs, weights=sizes * keep, minlength=n_docs)
        if tp.sum() / total < RECALL_TARGET:
            break
        with np.errstate(invalid="ignore", divide="ignore"):
            f1 = np.nan_to_num(2 * tp / (pred + gold_per_doc))
        if f1.mean() > best_f1:
            best, best_f1 = float(t), float(f1.mean())
    return round(best, 2)


@dataclass
class CVReport:
    ours: dict[str, PRF]
    rules: dict[str, PRF]
    keep_all: dict[str, PRF]
    line_tp: int = 0
    line_fp: int = 0
    line_fn: int = 0


def keep_lines(model: LineModel, doc: Doc) -> list[bool]:
    return [p >= model.threshold for p in model.scores_of(doc.features())]


def apply(model: LineModel, doc: Doc) -> str:
    keep = keep_lines(model, doc)
    if not any(keep):
        return "\n".join(doc.lines)
    return "\n".join(line for line, k in zip(doc.lines, keep, strict=True) if k)


def cross_validate(docs: Sequence[Doc], folds: int = FOLDS, only: Sequence[int] | None = None) -> CVReport:
    """Site-grouped cross-validation: each fold's sites are scored by a model trained without them."""
    fold_of = site_folds((d.site for d in docs), folds)
    report = CVReport(defaultdict(PRF), defaultdict(PRF), defaultdict(PRF))
    for fold in range(folds):
        if only is not None and fold not in only:
            continue
        train = [d for d in docs if fold_of[d.site] != fold]
        test = [d for d in docs if fold_of[d.site] == fold]
        model = fit(train)
        score_docs(model, test, report)
    return report


def score_docs(model: LineModel, docs: Sequence[Doc], report: CVReport) -> None:
    for doc in docs:
        keep = keep_lines(model, doc)
        for k, label in zip(keep, doc.labels, strict=True):
            if label is None:
                continue
            report.line_tp += bool(k and label)
            report.line_fp += bool(k and not label)
            report.line_fn += bool(not k and label)
        if doc.gold:
            report.ours[doc.set].add(apply(model, doc), doc.gold)
            report.rules[doc.set].add("\n".join(doc.lines), doc.gold)
            report.keep_all[doc.set].add(doc.dump, doc.gold)


def format_cv(report: CVReport, title: str) -> str:
    out = [title, f"{'set':<12}{'learned P R F1':<22}{'rules only':<22}{'keep-all':<22}"]
    for name in sorted(report.ours):
        out.append(f"{name:<12}{report.ours[name].cell():<22}{report.rules[name].cell():<22}"
                   f"{report.keep_all[name].cell():<22}")  # fmt: skip
    tp, fp, fn = report.line_tp, report.line_fp, report.line_fn
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    out.append(f"text lines (labelled, all sets): P {p:.3f} R {r:.3f}")
    return "\n".join(out)


def default_model_path() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / MODEL_FILE


def train(root: Path, output: Path, *, limit: int | None = None, cv: bool = True, out: Callable[[str], None] = print
          ) -> LineModel:  # fmt: skip
    docs = load_docs(root, limit=limit, progress=lambda name: out(f"preparing {name}"))
    out(f"{len(docs)} documents, {len({d.site for d in docs})} sites, "
        f"{sum(len(d.lines) for d in docs)} lines")  # fmt: skip
    if cv:
        out(format_cv(cross_validate(docs), f"held-out ({FOLDS}-fold, grouped by site): token P R F1"))
    fold_of = site_folds(d.site for d in docs)
    shipped_on = [d for d in docs if fold_of[d.site] != GATE_FOLD]
    model = fit(shipped_on)
    gate = CVReport(defaultdict(PRF), defaultdict(PRF), defaultdict(PRF))
    score_docs(model, [d for d in docs if fold_of[d.site] == GATE_FOLD], gate)
    out(
        format_cv(
            gate, f"held-out gate fold {GATE_FOLD} (its sites are never trained on by the shipped model)"
        )
    )
    dev = CVReport(defaultdict(PRF), defaultdict(PRF), defaultdict(PRF))
    score_docs(model, shipped_on, dev)
    out(format_cv(dev, "tuned-on (the shipped model on its own training pages)"))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
    out(f"wrote {output}")
    return model


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m storyline.clean.train", description=__doc__.split("\n")[0]
    )
    parser.add_argument("path", nargs="?", default="../shared/data/extraction")
    parser.add_argument("--output", default=str(default_model_path()))
    parser.add_argument("--limit", type=int, default=None, help="pages per set (for a quick run)")
    parser.add_argument("--no-cv", action="store_true")
    args = parser.parse_args(argv)
    train(Path(args.path), Path(args.output), limit=args.limit, cv=not args.no_cv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
