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
from storyline.clean.lines import (
    FEATURES,
    MODEL_FILE,
    LineModel,
    Stage,
    Trees,
    context_features,
    line_features,
)
from storyline.clean.metadata import choose_headline, extract_metadata, headline_features
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
    same_title,
    site_folds,
    tokens,
)

SEED = 20260
TRAIN_SETS = ("zyte_aeb", "dragnet", "trafilatura_eval")
RECALL_TARGET = 0.92  # least share of labelled text tokens kept, scored out of their site, by the threshold
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
    title: str | None = None  # the title the plain-text reader took (its first line)
    gold_title: str | None = None

    def features(self) -> list[list[float]]:
        cached = _FEATURES.get(id(self))
        if cached is None or cached[0] is not self:
            cached = _FEATURES[id(self)] = (self, line_features(self.lines))
        return cached[1]


_FEATURES: dict[int, tuple[Doc, list[list[float]]]] = {}


def model_lines(dump: str, name: str) -> tuple[list[str], str | None] | None:
    """The lines of a dump as the line model sees them in `clean_article`, and the reader's title."""
    article = read_dump(dump, name)
    if article is None:
        return None
    text, _ = extract_metadata(normalize_text(article.text))
    text, _ = remove_boilerplate(text)
    title = normalize_text(article.title) if article.title else None
    return [line for line in text.split("\n") if line.strip()], title


def _isolated_short_unknown(lines: Sequence[str], labels: list[int | None]) -> list[int | None]:
    """A short line (under four words) is labelled text only by its words being somewhere in the gold
    body: far from any longer text line ("Reply", a name under a comment) that says nothing, so it is
    left out of training."""
    out = list(labels)
    long_text = [label == 1 and len(tokens(line)) >= 4 for line, label in zip(lines, labels, strict=True)]
    for i, (line, label) in enumerate(zip(lines, labels, strict=True)):
        if label == 1 and len(tokens(line)) < 4 and not any(long_text[max(0, i - 2) : i + 3]):
            out[i] = None
    return out


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
    found_lines = model_lines(prepared.dump, page.id)
    if not found_lines or not found_lines[0]:
        return None
    lines, title = found_lines
    if page.gold_text:
        index = GoldIndex(page.gold_text)
        labels: list[int | None] = _isolated_short_unknown(lines, [int(index.covers(line)) for line in lines])
        found = PRF()
        found.add(prepared.dump, page.gold_text)
        if found.recall < MIN_DUMP_RECALL:  # the derived dump missed the body: no labels to learn from
            return None
    elif page.gold_with or page.gold_without:
        labels = _snippet_labels(lines, page)
    else:
        return None
    return Doc(
        page.set, page.id, page.site, lines, labels, page.gold_text, prepared.dump, title, page.gold_title
    )


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


def _logistic(x: Any, y: Any, w: Any, c: float) -> tuple[Stage, Callable[[Any], Any]]:
    """A logistic regression on standardized rows, and its probabilities of text for new rows."""
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
    return stage, lambda rows: np.asarray(model.predict_proba((rows - mean) / scale)[:, 1])


TREES = {"max_iter": 120, "learning_rate": 0.1, "max_leaf_nodes": 15, "min_samples_leaf": 40,
         "l2_regularization": 1.0}  # fmt: skip


def _trees(x: Any, y: Any, w: Any) -> tuple[Trees, Callable[[Any], Any]]:
    """Gradient-boosted trees (fixed size and seed, no early stopping), exported, and their probabilities."""
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(**TREES, early_stopping=False, random_state=SEED)
    model.fit(x, y, sample_weight=w)
    exported = []
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        exported.append(
            (tuple(-1 if n["is_leaf"] else int(n["feature_idx"]) for n in nodes),
             tuple(float(n["num_threshold"]) for n in nodes),
             tuple(int(n["left"]) for n in nodes),
             tuple(int(n["right"]) for n in nodes),
             tuple(float(n["value"]) if n["is_leaf"] else 0.0 for n in nodes))
        )  # fmt: skip
    trees = Trees(float(model._baseline_prediction.ravel()[0]), tuple(exported))
    return trees, lambda rows: np.asarray(model.predict_proba(rows)[:, 1])


def _stage(x: Any, y: Any, w: Any, kind: str, c: float = C) -> tuple[Stage | Trees, Callable[[Any], Any]]:
    return _trees(x, y, w) if kind == "trees" else _logistic(x, y, w, c)


def _rows(doc: Doc) -> Any:
    import numpy as np

    return np.array(doc.features(), dtype=float)


def _labelled(docs: Sequence[Doc], rows: Callable[[Doc], Any] = _rows) -> tuple[Any, Any, Any, Any, Any]:
    import numpy as np

    xs, labels, weights, sizes, ids = [], [], [], [], []
    for number, doc in enumerate(docs):
        known = np.array([label is not None for label in doc.labels])
        if not known.any():
            continue
        xs.append(rows(doc)[known])
        for label, line in zip(doc.labels, doc.lines, strict=True):
            if label is not None:
                labels.append(label)
                weights.append(_weight(line))
                sizes.append(len(tokens(line)))
                ids.append(number)
    width = len(FEATURES)
    x = np.vstack(xs) if xs else np.zeros((0, width))
    return (x, np.array(labels), np.array(weights), np.array(sizes, dtype=float), np.array(ids, dtype=int))


INNER_FOLDS = 3
FIRST_KIND = "logistic"
SECOND_KIND = "logistic"


def fit(docs: Sequence[Doc], *, version: str = "3", c: float = C) -> LineModel:
    """Two stacked stages on the labelled lines of `docs` (deterministic): a logistic regression (or boosted
    trees, FIRST_KIND) over each line's features, then a logistic regression over the same features and
    the first stage's scores around the line. The second stage learns from first-stage scores made by models that did not see the line's
    site, and the threshold from second-stage scores out of the site (inner site folds)."""
    import numpy as np

    docs = sorted(docs, key=lambda d: (d.set, d.id))
    x, y, w, sizes, ids = _labelled(docs)
    first, _ = _stage(x, y, w, FIRST_KIND, c)
    inner = site_folds((d.site for d in docs), INNER_FOLDS)
    folds = sorted({inner[d.site] for d in docs})
    held_out_first: dict[int, Callable[[Any], Any]] = {}
    for fold in folds:
        part = [d for d in docs if inner[d.site] != fold]
        held_out_first[fold] = (
            _stage(*_labelled(part)[:3], FIRST_KIND, c)[1] if part else _stage(x, y, w, FIRST_KIND, c)[1]
        )

    def stacked(doc: Doc) -> Any:
        rows = _rows(doc)
        scores = held_out_first[inner[doc.site]](rows)
        return np.hstack([rows, np.array(context_features(list(scores)), dtype=float).reshape(len(rows), -1)])

    x2, *_ = _labelled(docs, stacked)
    second, _ = _stage(x2, y, w, SECOND_KIND, c)
    line_fold = np.array([inner[docs[i].site] for i in ids])
    probs = np.zeros(len(y))
    for fold in folds:
        out = line_fold == fold
        if out.all() or not out.any():
            probs[out] = _stage(x2, y, w, SECOND_KIND, c)[1](x2[out])
        else:
            probs[out] = _stage(x2[~out], y[~out], w[~out], SECOND_KIND, c)[1](x2[out])
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
            "stages": [FIRST_KIND, SECOND_KIND],
            "trees": TREES,
            "recall_target": RECALL_TARGET,
        },
        title=fit_headlines(docs),
    )


def headline_label(line: str, gold_title: str) -> int:
    return int(same_title(line, gold_title))


def _headline_rows(doc: Doc) -> tuple[list[str], list[list[float]]]:
    candidates = ([doc.title] if doc.title else []) + doc.lines
    return candidates, headline_features(candidates, doc.title is not None)


def fit_headlines(docs: Sequence[Doc]) -> Stage | None:
    """A logistic regression scoring the first lines of a plain text as its headline, on the pages with a
    gold title whose headline is among those lines."""
    import numpy as np

    rows, labels = [], []
    for doc in docs:
        if not doc.gold_title:
            continue
        candidates, features = _headline_rows(doc)
        found = [headline_label(line, doc.gold_title) for line in candidates[: len(features)]]
        if not any(found):
            continue
        rows.extend(features)
        labels.extend(found)
    if len(set(labels)) < 2:
        return None
    stage, _ = _logistic(np.array(rows, dtype=float), np.array(labels), np.ones(len(labels)), C)
    return stage


def pick_headline(model: LineModel, doc: Doc) -> str | None:
    if model.title is None:
        return None
    candidates, _ = _headline_rows(doc)
    index = choose_headline(candidates, model.title, doc.title is not None)
    return candidates[index].strip() if index is not None else None


def _threshold(probs: Any, y: Any, sizes: Any, docs: Any) -> float:
    """The threshold with the best mean per-document token F1 on the training lines (scored by models
    that did not see their site) among those keeping at least RECALL_TARGET of their text tokens."""
    import numpy as np

    best, best_f1 = 0.02, -1.0  # no threshold keeps enough: the lowest tried
    gold_tokens = sizes * y
    total = gold_tokens.sum() or 1.0
    n_docs = int(docs.max()) + 1 if len(docs) else 0
    gold_per_doc = np.bincount(docs, weights=gold_tokens, minlength=n_docs)
    for t in np.arange(0.02, 0.8, 0.01):
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
    titles: int = 0  # pages with a gold title
    titles_ours: int = 0  # the learned headline is the gold title
    titles_reader: int = 0  # the plain-text reader's first line is


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
        if doc.gold_title:
            report.titles += 1
            report.titles_ours += same_title(pick_headline(model, doc), doc.gold_title)
            report.titles_reader += same_title(doc.title, doc.gold_title)
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
    if report.titles:
        out.append(f"titles of dumps ({report.titles} pages with a gold title): learned headline "
                   f"{report.titles_ours / report.titles:.3f}, reader's first line "
                   f"{report.titles_reader / report.titles:.3f}")  # fmt: skip
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
    output.write_text(json.dumps(model.to_json(), separators=(",", ":")) + "\n", encoding="utf-8")
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
