"""The learned name matcher: the probability that two names denote one entity.

A small pair classifier over `names.pair_features` (spellings across scripts, inflections,
sound keys, token containment and initials, acronym fit, label agreement, shared context),
trained by `storyline train names` and shipped as a plain JSON file
(`storyline/data/name_matcher.json`): either logistic-regression coefficients or a
gradient-boosted tree ensemble written out node by node. Nothing is unpickled.

`candidate_pairs` is the blocking used both when training and when resolving: two names are
compared only when they share a cheap key (the first three letters of a stem, or acronym
letters), and keys shared by too many names are dropped, so the cost grows with the
collection, not with its square.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from storyline.enrich.names import FEATURES, NameView, pair_features

MODEL_FILE = "name_matcher.json"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class _Trees:
    feature: np.ndarray  # per tree, per node: feature index, -1 at a leaf
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray


class NameMatcher:
    """A trained pair classifier read from its JSON description."""

    def __init__(self, spec: dict[str, Any]) -> None:
        if spec.get("format") != FORMAT_VERSION:
            raise ValueError(f"name matcher: unknown format {spec.get('format')!r}")
        if list(spec["features"]) != list(FEATURES):
            raise ValueError("name matcher: trained on other features; retrain it")
        self.spec = spec
        self.kind: str = spec["kind"]
        self.threshold: float = float(spec["threshold"])
        self.veto: float = float(spec.get("veto", 0.1))
        self.version: str = str(spec.get("version", "0"))
        if self.kind == "logistic":
            self._mean = np.asarray(spec["mean"], dtype=float)
            self._scale = np.asarray(spec["scale"], dtype=float)
            self._coef = np.asarray(spec["coef"], dtype=float)
            self._intercept = float(spec["intercept"])
        elif self.kind == "gbdt":
            trees = spec["trees"]
            width = max(len(t["feature"]) for t in trees)

            def pad(key: str, fill: float, dtype: Any) -> np.ndarray:
                out = np.full((len(trees), width), fill, dtype=dtype)
                for i, t in enumerate(trees):
                    out[i, : len(t[key])] = t[key]
                return out

            self._trees = _Trees(
                pad("feature", -1, np.int64),
                pad("threshold", 0.0, float),
                pad("left", -1, np.int64),
                pad("right", -1, np.int64),
                pad("value", 0.0, float),
            )
            self._init = float(spec["init"])
            self._rate = float(spec["learning_rate"])
        else:
            raise ValueError(f"name matcher: unknown kind {self.kind!r}")

    @classmethod
    def from_file(cls, path: Path) -> NameMatcher:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def decision(self, x: np.ndarray) -> np.ndarray:
        """Log-odds of a match for each row of features."""
        if x.size == 0:
            return np.zeros(len(x))
        if self.kind == "logistic":
            return ((x - self._mean) / self._scale) @ self._coef + self._intercept
        t = self._trees
        n_trees = t.feature.shape[0]
        rows = np.arange(len(x))
        total = np.full(len(x), self._init)
        for k in range(n_trees):
            node = np.zeros(len(x), dtype=np.int64)
            while True:
                feat = t.feature[k, node]
                inner = feat >= 0
                if not inner.any():
                    break
                go_left = x[rows, np.where(inner, feat, 0)] <= t.threshold[k, node]
                nxt = np.where(go_left, t.left[k, node], t.right[k, node])
                node = np.where(inner, nxt, node)
            total += self._rate * t.value[k, node]
        return total

    def probability(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.decision(np.asarray(x, dtype=float))))

    def score_pairs(
        self,
        views: Sequence[NameView],
        pairs: Sequence[tuple[int, int]],
        context: Sequence[float] | None = None,
    ) -> np.ndarray:
        """Match probability of each pair of `views` (indices), with its context overlap."""
        if not pairs:
            return np.zeros(0)
        ctx = context if context is not None else [0.0] * len(pairs)
        x = np.array(
            [pair_features(views[i], views[j], c) for (i, j), c in zip(pairs, ctx, strict=True)], dtype=float
        )
        return self.probability(x)


@lru_cache(maxsize=1)
def default_matcher() -> NameMatcher:
    """The matcher shipped with the package."""
    text = resources.files("storyline").joinpath("data", MODEL_FILE).read_text(encoding="utf-8")
    return NameMatcher(json.loads(text))


def blocking_keys(view: NameView) -> set[str]:
    """Cheap keys: a name is compared only with names sharing one."""
    keys = {"s:" + s[:3] for s in view.stems if len(s) >= 3}
    if view.acronym:
        keys.add("a:" + view.form.replace(" ", ""))
    elif len(view.tokens) >= 2 and view.initials:
        keys.add("a:" + view.initials)
    return keys


def candidate_pairs(views: Sequence[NameView], max_block: int = 400) -> list[tuple[int, int]]:
    """Pairs (i < j) of views that share a blocking key, keys shared by more than `max_block`
    views left out. Sorted, without repeats."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, v in enumerate(views):
        for key in blocking_keys(v):
            blocks[key].append(i)
    out: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) < 2 or len(members) > max_block:
            continue
        for x, a in enumerate(members):
            for b in members[x + 1 :]:
                out.add((a, b) if a < b else (b, a))
    return sorted(out)


def context_overlap(a: set[str], b: set[str]) -> float:
    """Share of the smaller context found in the other."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))
