"""Training the learned name matcher (`matcher.NameMatcher`).

One command: `storyline train names [../shared/data/names]` (the same as
`python -m storyline.enrich.name_training ../shared/data/names`) writes
`storyline/data/name_matcher.json`. The held-out gate's model of `make test` is the same training
without one topic:
`python -m storyline.enrich.name_training ../shared/data/names --exclude russia_-_ukraine_war
--out src/storyline/data/name_matcher_heldout_russia_-_ukraine_war.json`.

Training pairs are made the way resolution meets them: per topic, the gold mentions become the
resolver's nodes (one per normalized name and label family), every pair of nodes sharing a
blocking key is a pair, labelled same when the two nodes' majority gold entities agree. Sources:
SlavicNER (six languages, two scripts, inflected), its `name_pairs.jsonl` (same-entity and
look-alike pairs, many across languages), and the gold names of MEANTIME and ECB+ (English).
The model is a small gradient-boosted tree ensemble (or logistic regression), written as JSON.
Folds for evaluation leave whole topics out (`train(..., exclude_topics=...)`).
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from storyline.enrich.matcher import FORMAT_VERSION, MODEL_FILE, NameMatcher, candidate_pairs, context_overlap
from storyline.enrich.names import FEATURES, name_view, normalize_name, pair_features
from storyline.enrich.resolve import _build, family, node_contexts, node_views
from storyline.model import EntityMention

Doc = tuple[str, str, Sequence[EntityMention]]


@dataclass
class PairSet:
    x: list[list[float]]
    y: list[int]
    source: list[str]
    topics: list[frozenset[str]]  # the topics a pair comes from (a fold leaves them out)

    @classmethod
    def empty(cls) -> PairSet:
        return cls([], [], [], [])

    def add(self, features: list[float], label: int, source: str, topics: frozenset[str]) -> None:
        self.x.append(features)
        self.y.append(label)
        self.source.append(source)
        self.topics.append(topics)

    def extend(self, other: PairSet) -> None:
        self.x.extend(other.x)
        self.y.extend(other.y)
        self.source.extend(other.source)
        self.topics.extend(other.topics)

    def without(self, excluded: Iterable[str]) -> PairSet:
        """The pairs of no excluded topic."""
        drop = set(excluded)
        keep = [i for i, t in enumerate(self.topics) if not t & drop]
        return PairSet(
            [self.x[i] for i in keep],
            [self.y[i] for i in keep],
            [self.source[i] for i in keep],
            [self.topics[i] for i in keep],
        )


@dataclass
class TopicNodes:
    """One topic's nodes, their views and contexts, and each node's gold entity."""

    views: list[Any]
    contexts: list[set[str]]
    entity: list[str]
    index: dict[tuple[str, str], int]  # (compact form, family) -> node


def topic_nodes(
    docs: Sequence[Doc], languages: Sequence[str | None], gold: dict[tuple[str, int, int], str]
) -> TopicNodes:
    mentions, nodes = _build(docs, languages)
    views = node_views(mentions, nodes)
    contexts = node_contexts(mentions, views)
    entity = []
    for node in nodes:
        votes = Counter(
            gold.get((mentions[i].doc_id, mentions[i].start, mentions[i].end), "") for i in node.mentions
        )
        entity.append(min(votes, key=lambda e: (-votes[e], e)))
    index = {(n.form.replace(" ", ""), n.family): i for i, n in enumerate(nodes)}
    return TopicNodes(views, contexts, entity, index)


def pairs_of_topic(data: TopicNodes, source: str, topic: str) -> PairSet:
    out = PairSet.empty()
    tag = frozenset([topic])
    for a, b in candidate_pairs(data.views):
        if not data.entity[a] or not data.entity[b]:
            continue
        ov = context_overlap(data.contexts[a], data.contexts[b])
        out.add(
            pair_features(data.views[a], data.views[b], ov),
            int(data.entity[a] == data.entity[b]),
            source,
            tag,
        )
    return out


def slavic_name_pairs(
    path: Path, topics_of: dict[str, list[str]], nodes: dict[str, TopicNodes], allowed: set[str]
) -> PairSet:
    """The curated pairs of `name_pairs.jsonl` whose entities belong to allowed topics only."""
    out = PairSet.empty()
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            topics = set(topics_of.get(row["entity_a"], [])) | set(topics_of.get(row["entity_b"], []))
            if not topics or not topics <= allowed:
                continue
            fam_a, fam_b = (family(_slavic_label(t)) for t in _types(row["type"]))
            va = name_view(row["a"], row["lang_a"], fam_a)
            vb = name_view(row["b"], row["lang_b"], fam_b)
            ov = 0.0
            for topic in sorted(topics):
                data = nodes.get(topic)
                if data is None:
                    continue
                ia = data.index.get((normalize_name(row["a"]).replace(" ", ""), fam_a))
                ib = data.index.get((normalize_name(row["b"]).replace(" ", ""), fam_b))
                if ia is not None and ib is not None:
                    ov = context_overlap(data.contexts[ia], data.contexts[ib])
                    break
            out.add(
                pair_features(va, vb, ov), int(row["label"] == "same"), "slavicner-pairs", frozenset(topics)
            )
    return out


def _types(kind: str) -> tuple[str, str]:
    a, _, b = kind.partition("|")
    return a, b or a


def _slavic_label(kind: str) -> str:
    from storyline.eval.entities import SLAVIC_LABELS

    return SLAVIC_LABELS.get(kind, "ORG")


def english_topics(
    shared: Path,
) -> dict[str, tuple[list[Doc], list[str | None], dict[tuple[str, int, int], str]]]:
    """MEANTIME and ECB+ gold names as resolver input, per topic."""
    from storyline.eval.entities import _render, read_ecbplus, read_meantime

    out: dict[str, tuple[list[Doc], list[str | None], dict[tuple[str, int, int], str]]] = {}
    sets: list[tuple[str, dict[str, Any]]] = []
    if (shared / "meantime").is_dir():
        sets.append(("meantime", read_meantime(shared / "meantime")))
    if (shared / "ecbplus").is_dir():
        sets.append(("ecbplus", read_ecbplus(shared / "ecbplus")))
    for name, topics in sets:
        for topic, docs in topics.items():
            as_docs: list[Doc] = []
            gold: dict[tuple[str, int, int], str] = {}
            for d in docs:
                text, offsets = _render(d)
                ms = []
                for g in d.mentions:
                    s, e = offsets[g.tokens[0]][0], offsets[g.tokens[-1]][1]
                    if (d.doc_id, s, e) in gold:
                        continue
                    gold[(d.doc_id, s, e)] = g.chain
                    ms.append(EntityMention(s, e, text[s:e], g.label or "ORG"))
                as_docs.append((d.doc_id, text, ms))
            out[f"{name}/{topic}"] = (as_docs, ["en"] * len(as_docs), gold)
    return out


def collect(
    names_root: Path, shared: Path | None, exclude_topics: Iterable[str] = (), log: Any = None
) -> PairSet:
    """Every training pair, each tagged with its topics; whole topics in `exclude_topics` are
    not read at all."""
    from storyline.eval.entities import gold_mention_docs, read_slavicner

    excluded = set(exclude_topics)
    pairs = PairSet.empty()
    slavic = names_root / "slavicner"
    nodes: dict[str, TopicNodes] = {}
    if slavic.is_dir():
        for topic, docs in sorted(read_slavicner(slavic).items()):
            if topic in excluded:
                continue
            as_docs, languages, gold = gold_mention_docs(docs)
            nodes[topic] = topic_nodes(as_docs, languages, gold)
            got = pairs_of_topic(nodes[topic], "slavicner", topic)
            pairs.extend(got)
            if log:
                log(f"slavicner {topic}: {len(got.y)} pairs, {sum(got.y)} same")
        topics_of: dict[str, list[str]] = {}
        with (slavic / "entities.jsonl").open(encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                topics_of[row["entity_id"]] = row.get("topics", [])
        got = slavic_name_pairs(slavic / "name_pairs.jsonl", topics_of, nodes, set(nodes))
        pairs.extend(got)
        if log:
            log(f"slavicner name pairs: {len(got.y)} pairs, {sum(got.y)} same")
    if shared is not None:
        before = len(pairs.y)
        for topic, (en_docs, en_languages, en_gold) in sorted(english_topics(shared).items()):
            if topic in excluded:
                continue
            pairs.extend(pairs_of_topic(topic_nodes(en_docs, en_languages, en_gold), topic.split("/")[0], topic))
        if log:
            log(f"MEANTIME and ECB+ gold names: {len(pairs.y) - before} pairs")
    return pairs


def fit(pairs: PairSet, kind: str = "gbdt", seed: int = 0) -> dict[str, Any]:
    """A model description (JSON-ready) fitted on `pairs`."""
    x = np.asarray(pairs.x, dtype=float)
    y = np.asarray(pairs.y, dtype=int)
    spec: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "kind": kind,
        "features": list(FEATURES),
        "threshold": 0.7,
        "veto": 0.35,
        "trained_on": {
            "pairs": len(y),
            "same": int(y.sum()),
            "sources": dict(Counter(pairs.source)),
        },
    }
    if kind == "logistic":
        from sklearn.linear_model import LogisticRegression

        mean = x.mean(axis=0)
        scale = x.std(axis=0)
        scale[scale == 0] = 1.0
        model = LogisticRegression(C=1.0, max_iter=2000)
        model.fit((x - mean) / scale, y)
        spec.update(
            mean=_round(mean),
            scale=_round(scale),
            coef=_round(model.coef_[0]),
            intercept=float(model.intercept_[0]),
        )
        return spec
    from sklearn.ensemble import HistGradientBoostingClassifier

    gb = HistGradientBoostingClassifier(
        max_iter=150, max_depth=4, learning_rate=0.1, early_stopping=False, random_state=seed
    )
    gb.fit(x, y)
    trees = []
    for (predictor,) in gb._predictors:
        nodes = predictor.nodes
        leaf = nodes["is_leaf"].astype(bool)
        trees.append(
            {
                "feature": [-1 if lf else int(f) for f, lf in zip(nodes["feature_idx"], leaf, strict=True)],
                "threshold": [float(v) for v in nodes["num_threshold"]],
                "left": [-1 if lf else int(v) for v, lf in zip(nodes["left"], leaf, strict=True)],
                "right": [-1 if lf else int(v) for v, lf in zip(nodes["right"], leaf, strict=True)],
                "value": _round(nodes["value"], 9),
            }
        )
    spec.update(trees=trees, learning_rate=1.0, init=float(np.ravel(gb._baseline_prediction)[0]))
    check = NameMatcher(spec).decision(x[:500])
    if not np.allclose(check, gb.decision_function(x[:500]), atol=1e-4):
        raise RuntimeError("name matcher: exported trees disagree with the fitted model")
    return spec


def _round(values: Any, digits: int = 6) -> list[float]:
    return [round(float(v), digits) for v in values]


def train(
    names_root: Path,
    shared: Path | None = None,
    exclude_topics: Iterable[str] = (),
    kind: str = "gbdt",
    log: Any = None,
) -> dict[str, Any]:
    pairs = collect(names_root, shared, exclude_topics, log)
    spec = fit(pairs, kind)
    spec["excluded_topics"] = sorted(set(exclude_topics))
    return spec


def main(argv: Sequence[str] | None = None) -> int:
    """`names [NAMES_ROOT] [--out FILE] [--kind gbdt|logistic] [--exclude TOPIC ...]`."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="storyline.train names", description="Train the learned name matcher."
    )
    parser.add_argument("names_root", nargs="?", default="../shared/data/names")
    parser.add_argument(
        "--shared", default=None, help="folder with meantime/ and ecbplus/ (default: beside names)"
    )
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "data" / MODEL_FILE))
    parser.add_argument("--kind", choices=["gbdt", "logistic"], default="gbdt")
    parser.add_argument("--exclude", nargs="*", default=[], help="topics left out")
    args = parser.parse_args(argv)
    root = Path(args.names_root)
    if not (root / "slavicner").is_dir():
        print(f"{root}: no slavicner folder", file=sys.stderr)
        return 2
    shared = Path(args.shared) if args.shared else root.parent
    started = time.perf_counter()
    spec = train(root, shared, args.exclude, args.kind, log=lambda s: print(s, file=sys.stderr))
    spec["version"] = time.strftime("%Y%m%d")
    Path(args.out).write_text(json.dumps(spec, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {spec['trained_on']['pairs']} pairs in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
