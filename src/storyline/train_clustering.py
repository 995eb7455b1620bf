"""Train the article-to-story scorer (`storyline.storyscore`) in one command:

    python -m storyline.train_clustering ../shared/data [--out src/storyline/data/story_scorer.json]

Training data, all development parts of `../shared/data`:
- ECB+ topics 1-35, one stream in a seeded order: each article meets its candidate stories (the
  clusterer's own candidate look-up over the gold stories opened so far, plus its gold story when that
  exists); a row is positive when the candidate is the article's gold story (the subtopic: its seminal
  event).
- WikiRef220, the same way (gold: the file name's topic).
- SemEval-2022 Task 8 training pairs: each rated pair, both ways, as an article against a one-article
  story: Overall <= 1.5 is the same story, >= 3.5 a different one (ratings between are left out).
Each corpus weighs the same in the fit. The model is a logistic regression over standardised features,
fitted on each decision's gold row and its 3 closest candidates by vector (hard negatives: held-out
ECB+ subtopic B-cubed 0.80 -> 0.85 over all candidates; two events of one kind are the confusion);
the join threshold is the probability that gets the most join-or-open decisions right on the training
streams. (Choosing it instead by the online clusterer's own scores on the training streams -- B-cubed of
the ECB+ and WikiRef streams, F1 of the SemEval pairs -- picked the same 0.20 at 4x the training time.)
Nothing here is hand-set beyond the regularisation default.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from storyline.cluster import ClusterInput
from storyline.embed import cached_embed, lead
from storyline.eval.clustering import SemevalPair, load_ecbplus, load_semeval, load_wikiref, pair_components
from storyline.storyscore import (
    FEATURES,
    MODEL_FILE,
    MODEL_VERSION,
    LearnedClusterer,
    StoryRep,
    StoryScorer,
    features,
)

__all__ = [
    "DIFF_MIN",
    "SAME_MAX",
    "Corpus",
    "Decision",
    "TrainingData",
    "all_decisions",
    "corpus_decisions",
    "fit",
    "hardest",
    "load_training_data",
    "main",
    "semeval_decisions",
    "semeval_pair_rows",
    "train",
]

SAME_MAX = 1.5  # SemEval Overall at or below: same story
DIFF_MIN = 3.5  # at or above: different stories


@dataclass
class Corpus:
    """One labelled stream: articles, gold story and fold group (topic) of each."""

    name: str
    docs: list[ClusterInput]
    story: dict[str, str]
    group: dict[str, str]


@dataclass
class TrainingData:
    ecb: Corpus
    wiki: Corpus
    sem_docs: dict[str, ClusterInput]
    sem_pairs: list[SemevalPair]
    sem_group: dict[str, str]
    vectors: dict[str, np.ndarray] = field(default_factory=dict)


DEFAULT_CACHE = Path.home() / ".cache" / "storyline" / "vectors-use-m3.npz"


def load_training_data(
    root: Path,
    ecb_topics: Iterable[int] = range(1, 36),
    cache: Path | None = DEFAULT_CACHE,
    wikiref: bool = True,
    semeval: bool = True,
) -> TrainingData:
    """ECB+, WikiRef220 and the SemEval pairs from `root` (../shared/data), with their vectors
    (kept in a local cache file between runs; None: no cache)."""
    ecb_docs = load_ecbplus(root / "ecbplus", [t for t in ecb_topics if 1 <= t <= 35])
    ecb = Corpus("ECB+", [d.doc for d in ecb_docs], {d.doc.article_id: d.labels["subtopic"] for d in ecb_docs},
                 {d.doc.article_id: "ecb" + d.labels["topic"] for d in ecb_docs})
    wiki_docs = load_wikiref(root / "wikiref") if wikiref else []
    wiki = Corpus("WikiRef220",
                  [ClusterInput("wiki:" + d.doc.article_id, d.doc.title, d.doc.text, language="en") for d in wiki_docs],
                  {"wiki:" + d.doc.article_id: d.labels["topic"] for d in wiki_docs},
                  {"wiki:" + d.doc.article_id: "wiki" + d.labels["topic"] for d in wiki_docs})
    sem_docs: dict[str, ClusterInput] = {}
    sem_pairs: list[SemevalPair] = []
    if semeval:
        sem_docs, sem_pairs = load_semeval(root / "semeval2022-task8" / "training_set.csv")
    components = pair_components(sem_pairs)
    data = TrainingData(ecb, wiki, sem_docs, sem_pairs, {a: f"sem{c}" for a, c in components.items()})
    every = [*ecb.docs, *wiki.docs, *sem_docs.values()]
    vectors = cached_embed([lead(d.title, d.text) for d in every], cache)
    data.vectors = {d.article_id: v for d, v in zip(every, vectors, strict=True)}
    return data


@dataclass
class Decision:
    """One article's join-or-open decision: its feature rows against its candidates."""

    corpus: str
    group: str  # the article's fold group
    rows: np.ndarray
    labels: np.ndarray  # 1 for the article's gold story
    story_groups: list[str]  # fold group of each candidate

    def without(self, held_out: set[str]) -> Decision | None:
        """This decision with held-out groups' stories removed (None: the article itself is held out)."""
        if self.group in held_out:
            return None
        keep = [i for i, g in enumerate(self.story_groups) if g not in held_out]
        if len(keep) == len(self.story_groups):
            return self
        return Decision(self.corpus, self.group, self.rows[keep], self.labels[keep],
                        [self.story_groups[i] for i in keep])


def corpus_decisions(corpus: Corpus, vectors: dict[str, np.ndarray], seed: int = 0) -> list[Decision]:
    """Teacher-forced stream: every article meets its candidates, then joins its gold story."""
    order = list(corpus.docs)
    random.Random(seed).shuffle(order)
    clusterer = LearnedClusterer(scorer=None)
    story_num: dict[str, int] = {}
    num_group: dict[int, str] = {}
    out: list[Decision] = []
    for doc in order:
        art = clusterer.represent(doc, vectors[doc.article_id])
        gold = corpus.story[doc.article_id]
        nums = clusterer.candidates(art)
        if gold in story_num and story_num[gold] not in nums:
            nums.append(story_num[gold])
        if nums:
            rows = np.array([features(art, clusterer.stories[i]) for i in nums])
            labels = np.array([1 if story_num.get(gold) == i else 0 for i in nums])
            out.append(Decision(corpus.name, corpus.group[doc.article_id], rows, labels,
                                [num_group[i] for i in nums]))
        num = clusterer.join(art, story_num.get(gold))
        story_num[gold] = num
        num_group[num] = corpus.group[doc.article_id]
    return out


def semeval_pair_rows(data: TrainingData, pairs: Sequence[SemevalPair]) -> np.ndarray:
    """Feature rows of each pair both ways (a against b's story, then b against a's): shape (2n, F).
    Document frequencies come from one pass over all SemEval articles."""
    clusterer = LearnedClusterer(scorer=None)
    reps = {aid: clusterer.represent(doc, data.vectors[aid]) for aid, doc in data.sem_docs.items()}
    rows = []
    for pair in pairs:
        for x, y in ((pair.a, pair.b), (pair.b, pair.a)):
            story = StoryRep(0)
            story.absorb(reps[y])
            rows.append(features(reps[x], story))
    return np.array(rows).reshape(-1, len(FEATURES))


def semeval_decisions(data: TrainingData) -> list[Decision]:
    """The labelled SemEval pairs (Overall <= SAME_MAX or >= DIFF_MIN), both ways."""
    pairs = [p for p in data.sem_pairs if p.overall <= SAME_MAX or p.overall >= DIFF_MIN]
    rows = semeval_pair_rows(data, pairs)
    out = []
    for i, pair in enumerate(pairs):
        label = np.array([1 if pair.overall <= SAME_MAX else 0])
        group = data.sem_group[pair.a]
        for j in (2 * i, 2 * i + 1):
            out.append(Decision("SemEval", group, rows[j:j + 1], label, [group]))
    return out


def hardest(d: Decision, k: int) -> Decision:
    """The decision cut to its gold row and its `k` candidates closest by vector (the hard negatives)."""
    if len(d.labels) <= k:
        return d
    order = np.argsort(-d.rows[:, FEATURES.index("vec_centroid")], kind="stable")
    keep = sorted(set(order[:k].tolist()) | set(np.flatnonzero(d.labels).tolist()))
    return Decision(d.corpus, d.group, d.rows[keep], d.labels[keep], [d.story_groups[i] for i in keep])


def fit(decisions: Sequence[Decision], c: float = 1.0, hard: int | None = 3) -> StoryScorer:
    """Logistic regression on all rows (each corpus weighing the same), then the join threshold.
    `hard`: fit the weights on each decision's `hard` closest candidates only."""
    from sklearn.linear_model import LogisticRegression

    decisions = [d for d in decisions if len(d.labels)]
    if hard is not None:
        decisions = [hardest(d, hard) for d in decisions]
    per_corpus_rows = Counter[str]()
    per_corpus_decisions = Counter(d.corpus for d in decisions)
    for d in decisions:
        per_corpus_rows[d.corpus] += len(d.labels)
    x = np.concatenate([d.rows for d in decisions])
    y = np.concatenate([d.labels for d in decisions])
    w = np.concatenate([np.full(len(d.labels), 1.0 / per_corpus_rows[d.corpus]) for d in decisions])
    w *= len(w) / w.sum()
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit((x - mean) / scale, y, sample_weight=w)
    scorer = StoryScorer(tuple(map(float, mean)), tuple(map(float, scale)), tuple(map(float, model.coef_[0])),
                         float(model.intercept_[0]), 0.5)
    # The threshold: most decisions right (join the gold story when it is a candidate, else open one).
    best_p = np.array([float(scorer.probability(d.rows).max()) for d in decisions])
    best_ok = np.array([bool(d.labels[int(np.argmax(scorer.probability(d.rows)))]) for d in decisions])
    has_gold = np.array([bool(d.labels.any()) for d in decisions])
    dw = np.array([1.0 / per_corpus_decisions[d.corpus] for d in decisions])
    grid = np.linspace(0.02, 0.98, 49)
    right = [float(dw[(best_p >= t) & best_ok].sum() + dw[(best_p < t) & ~has_gold].sum()) for t in grid]
    threshold = float(grid[int(np.argmax(right))])
    info = {"rows": {k: int(v) for k, v in sorted(per_corpus_rows.items())},
            "decisions": {k: int(v) for k, v in sorted(per_corpus_decisions.items())},
            "decision_accuracy": round(max(right) / float(dw.sum()), 4), "C": c}
    return StoryScorer(scorer.mean, scorer.scale, scorer.coef, scorer.intercept, threshold, FEATURES, info)


def train(data: TrainingData, held_out: Iterable[str] = (), decisions: Sequence[Decision] | None = None) -> StoryScorer:
    """The scorer fitted on everything outside `held_out` groups."""
    held = set(held_out)
    pool = decisions if decisions is not None else all_decisions(data)
    return fit([x for x in (d.without(held) for d in pool) if x is not None])


def all_decisions(data: TrainingData, seed: int = 0) -> list[Decision]:
    return [*corpus_decisions(data.ecb, data.vectors, seed), *corpus_decisions(data.wiki, data.vectors, seed),
            *semeval_decisions(data)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m storyline.train_clustering", description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", default="../shared/data", help="the shared data folder")
    parser.add_argument("--out", default=str(Path(__file__).parent / "data" / MODEL_FILE))
    args = parser.parse_args(argv)
    data = load_training_data(Path(args.data))
    scorer = train(data)
    info = dict(scorer.info, trained_on="ECB+ topics 1-35, WikiRef220, SemEval-2022 Task 8 training pairs",
                model_version=MODEL_VERSION)
    StoryScorer(scorer.mean, scorer.scale, scorer.coef, scorer.intercept, scorer.threshold, FEATURES,
                info).save(Path(args.out))
    print(f"story scorer: threshold {scorer.threshold:.2f}, {info} -> {args.out}")
    for name, coef in zip(FEATURES, scorer.coef, strict=True):
        print(f"  {name:<20} {coef:+.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
