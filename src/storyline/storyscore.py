"""Learned article-to-story scoring and the learned new-story decision.

An article meets a candidate story through a handful of features (`FEATURES`): the TF-IDF cosines of
its title, body and entity sub-vectors with the story's centroids (the representation of
`storyline.cluster`), the cosine of its multilingual vector (`storyline.embed`) with the story's
vector centroid and with its closest member, how many of its entities and numbers the story already
holds, whether the story's years are other than the article's, and whether the story already has a
report in the article's language (with
the vector cosines crossed with that flag, so cross-lingual matches lean on the vectors). A logistic
regression over these (weights, feature scaling and the join threshold all learned by
`storyline.train_clustering`) gives the probability that the article reports the story's event; the
article joins its best candidate when that probability reaches the learned threshold, else it opens
a new story (Miranda et al., EMNLP 2018: a learned decision beat a tuned threshold).

Measured and dropped: the story's size. Without it, held-out (dev) ECB+ subtopic B-cubed 0.847 (0.843)
-> 0.860 (0.869) and WikiRef 0.40 (0.89) -> 0.64 (0.89), at a cost on SemEval monolingual pairs
(Pearson 0.707 -> 0.672, same-story F1 0.860 -> 0.834): in the teacher-forced training streams stories
are pure, so size learns "big stories attract" which compounds errors online. Dropping the entity
Jaccard as well changed nothing beyond noise.

The corpora the model is trained on carry no publication dates, so time is not a feature: the
clusterer's activity window (`ClusterConfig.expire_days`) keeps stories of other times apart.

The model ships as a small versioned JSON file (`data/story_scorer.json`); nothing is pickled.
`LearnedClusterer` is the online clusterer that uses it: candidates from a vector index over the
active stories (exact cosine over a matrix of story vectors) and from shared rare terms.
"""

from __future__ import annotations

import functools
import heapq
import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from storyline.cluster import ClusterInput, absorb_into_centroids, entity_proxy, number_features, tokenize
from storyline.config import SCORER, StoryScoreConfig

__all__ = [
    "FEATURES",
    "MODEL_VERSION",
    "ArticleRep",
    "DocFreq",
    "LearnedClusterer",
    "StoryRep",
    "StoryScorer",
    "features",
    "load_scorer",
]

MODEL_VERSION = 1
FEATURES = (
    "title_cos", "body_cos", "entity_cos",
    "vec_centroid", "vec_closest",
    "entity_share", "entity_jaccard", "numbers_shared", "same_language",
    "cross_vec_centroid", "cross_vec_closest",
    "vec_centroid_sq", "years_disjoint",
)
# The feature sizes are `storyline.config.StoryScoreConfig` (the model was trained with its defaults).

Vec = dict[str, float]
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])")


def numbers_of(text: str) -> frozenset[str]:
    """Numbers of two or more digits (years, counts, amounts), separators dropped."""
    out = set()
    for n in _NUMBER.findall(text):
        digits = n.replace(",", "").replace(".", "")
        if len(digits) >= 2:
            out.add(digits.lstrip("0") or "0")
    return frozenset(out)


def _dot(a: Vec, b: Vec) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


class DocFreq:
    """Document frequencies of the three vocabularies (title, body, entities), updated as articles arrive."""

    def __init__(self, config: StoryScoreConfig = SCORER) -> None:
        self.config = config
        self.n_docs = 0
        self.df: list[dict[str, int]] = [{}, {}, {}]

    def add(self, counts: Sequence[Counter[str]]) -> None:
        self.n_docs += 1
        for field_counts, df in zip(counts, self.df, strict=True):
            for t in field_counts:
                df[t] = df.get(t, 0) + 1

    def weigh(self, counts: Sequence[Counter[str]]) -> list[Vec]:
        """Unit TF-IDF sub-vectors (sublinear tf, smoothed idf), each cut to its strongest terms."""
        out: list[Vec] = []
        for field_counts, df in zip(counts, self.df, strict=True):
            vec = {t: (1.0 + math.log(c)) * (math.log((self.n_docs + 1) / (df.get(t, 0) + 1)) + 1.0)
                   for t, c in field_counts.items()}
            if len(vec) > self.config.doc_terms:
                vec = dict(heapq.nlargest(self.config.doc_terms, vec.items(), key=lambda x: (x[1], x[0])))
            norm = math.sqrt(sum(w * w for w in vec.values()))
            out.append({t: w / norm for t, w in vec.items()} if norm else {})
        return out


def counts_of(doc: ClusterInput) -> tuple[list[Counter[str]], frozenset[str]]:
    """Title, body and entity term counts of an article, and its entity set."""
    full = doc.title + "\n" + doc.text
    entities = [e.casefold() for e in doc.entities if e] if doc.entities else entity_proxy(full, doc.language)
    years = number_features(full)  # four-digit numbers ("#2008") join the entity vocabulary
    return ([Counter(tokenize(doc.title, doc.language)), Counter(tokenize(doc.text, doc.language)),
             Counter(entities + years)],
            frozenset(entities))


@dataclass
class ArticleRep:
    article_id: str
    language: str
    vecs: list[Vec]
    vector: np.ndarray  # unit multilingual vector (zero when the article has no text)
    entities: frozenset[str]
    numbers: frozenset[str]


@dataclass
class StoryRep:
    num: int
    centroids: list[Vec] = field(default_factory=lambda: [{}, {}, {}])
    norms2: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])
    vector_sum: np.ndarray = field(default_factory=lambda: np.zeros(512, dtype=np.float32))
    members: list[np.ndarray] = field(default_factory=list)
    entities: Counter[str] = field(default_factory=Counter)
    numbers: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)
    size: int = 0
    config: StoryScoreConfig = SCORER

    def centroid_vector(self) -> np.ndarray:
        norm = float(np.linalg.norm(self.vector_sum))
        return self.vector_sum / norm if norm > 0 else self.vector_sum

    def absorb(self, art: ArticleRep) -> None:
        absorb_into_centroids(self.centroids, self.norms2, art.vecs, self.config.centroid_terms)
        self.vector_sum = self.vector_sum + art.vector
        self.members.append(art.vector)
        if len(self.members) > self.config.max_members:
            self.members.pop(0)
        self.entities.update(art.entities)
        self.numbers.update(art.numbers)
        self.languages[art.language] += 1
        self.size += 1


def features(art: ArticleRep, story: StoryRep, centroid: np.ndarray | None = None) -> list[float]:
    """The feature row of (article, candidate story), in `FEATURES` order."""
    cos = []
    for v, c, n2 in zip(art.vecs, story.centroids, story.norms2, strict=True):
        cos.append(_dot(v, c) / math.sqrt(n2) if v and n2 > 0 else 0.0)
    cen = story.centroid_vector() if centroid is None else centroid
    vec_centroid = float(art.vector @ cen)
    vec_closest = float(np.max(np.stack(story.members) @ art.vector)) if story.members else 0.0
    shared = sum(1 for e in art.entities if e in story.entities)
    share = shared / len(art.entities) if art.entities else 0.0
    union = len(art.entities) + len(story.entities) - shared
    jaccard = shared / union if union else 0.0
    numbers = sum(1 for n in art.numbers if n in story.numbers)
    years = [n for n in art.numbers if len(n) == 4 and n[:2] in ("19", "20")]
    disjoint = 1.0 if years and not any(n in story.numbers for n in years) and any(
        len(n) == 4 and n[:2] in ("19", "20") for n in story.numbers) else 0.0
    same = 1.0 if story.languages.get(art.language) else 0.0
    cross = 1.0 - same
    return [
        cos[0], cos[1], cos[2],
        vec_centroid, vec_closest,
        share, jaccard, math.log1p(numbers), same,
        cross * vec_centroid, cross * vec_closest,
        vec_centroid * vec_centroid, disjoint,
    ]


@dataclass(frozen=True)
class StoryScorer:
    """Logistic regression over standardised features, and the join threshold on its probability."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float
    features: tuple[str, ...] = FEATURES
    info: dict[str, Any] = field(default_factory=dict, compare=False)

    def logits(self, rows: np.ndarray) -> np.ndarray:
        x = (np.asarray(rows, dtype=np.float64) - np.asarray(self.mean)) / np.asarray(self.scale)
        return np.asarray(x @ np.asarray(self.coef) + self.intercept)

    def probability(self, rows: np.ndarray) -> np.ndarray:
        return np.asarray(1.0 / (1.0 + np.exp(-self.logits(rows))))

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "storyline.story_scorer", "version": MODEL_VERSION, "features": list(self.features),
            "mean": list(self.mean), "scale": list(self.scale), "coef": list(self.coef),
            "intercept": self.intercept, "threshold": self.threshold, "info": self.info,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoryScorer:
        if data.get("kind") != "storyline.story_scorer" or data.get("version") != MODEL_VERSION:
            raise ValueError(f"not a story scorer of version {MODEL_VERSION}")
        if tuple(data["features"]) != FEATURES:
            raise ValueError("story scorer features differ from this version's: retrain it")
        return cls(tuple(data["mean"]), tuple(data["scale"]), tuple(data["coef"]), float(data["intercept"]),
                   float(data["threshold"]), tuple(data["features"]), dict(data.get("info", {})))

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")


MODEL_FILE = "story_scorer.json"


@functools.lru_cache(maxsize=1)
def load_scorer() -> StoryScorer:
    """The shipped model (`storyline/data/story_scorer.json`)."""
    text = resources.files("storyline").joinpath("data", MODEL_FILE).read_text(encoding="utf-8")
    return StoryScorer.from_json(json.loads(text))


class LearnedClusterer:
    """Online clustering with the learned scorer: each article joins its most probable candidate
    story when the probability reaches the learned threshold, or opens a new story.

    Candidates: the `k_vector` active stories whose vector centroid is closest to the article's
    (exact cosine over a matrix of story vectors, any language) and the `k_terms` stories sharing
    most of the article's strongest entity and body terms (an inverted index)."""

    def __init__(self, scorer: StoryScorer | None = None, k_vector: int = 10, k_terms: int = 10, *,
                 config: StoryScoreConfig = SCORER) -> None:
        self._scorer = scorer
        self.k_vector = k_vector
        self.k_terms = k_terms
        self.config = config
        self.df = DocFreq(config)
        self.stories: list[StoryRep] = []
        self._matrix = np.zeros((16, 512), dtype=np.float32)
        self._index: dict[str, set[int]] = {}

    @property
    def scorer(self) -> StoryScorer:
        if self._scorer is None:
            self._scorer = load_scorer()
        return self._scorer

    def represent(self, doc: ClusterInput, vector: np.ndarray) -> ArticleRep:
        """Count the article into the document frequencies and build its representation."""
        counts, entities = counts_of(doc)
        self.df.add(counts)
        return ArticleRep(doc.article_id, doc.language or "und", self.df.weigh(counts),
                          np.asarray(vector, dtype=np.float32), entities,
                          numbers_of(doc.title + "\n" + doc.text))

    def _keys(self, art: ArticleRep) -> list[str]:
        body = heapq.nlargest(8, art.vecs[1].items(), key=lambda x: (x[1], x[0]))
        ents = heapq.nlargest(8, art.vecs[2].items(), key=lambda x: (x[1], x[0]))
        return ["b:" + t for t, _ in body] + ["e:" + t for t, _ in ents]

    def candidates(self, art: ArticleRep) -> list[int]:
        n = len(self.stories)
        if not n:
            return []
        out: list[int] = []
        if self.k_vector:
            sims = self._matrix[:n] @ art.vector
            k = min(self.k_vector, n)
            top = np.argpartition(-sims, k - 1)[:k] if k < n else np.arange(n)
            out.extend(int(i) for i in sorted(top, key=lambda i: (-sims[i], i)))
        if self.k_terms:
            hits: Counter[int] = Counter()
            for key in self._keys(art):
                posting = self._index.get(key)
                if posting and len(posting) <= 2000:
                    hits.update(posting)
            for num, _ in sorted(hits.items(), key=lambda x: (-x[1], x[0]))[: self.k_terms]:
                if num not in out:
                    out.append(num)
        return out

    def join(self, art: ArticleRep, num: int | None) -> int:
        """Put the article in story `num`, or in a new story (None); the story's number."""
        if num is None:
            num = len(self.stories)
            self.stories.append(StoryRep(num, config=self.config))
            if num >= len(self._matrix):
                self._matrix = np.concatenate([self._matrix, np.zeros_like(self._matrix)])
        story = self.stories[num]
        story.absorb(art)
        self._matrix[num] = story.centroid_vector()
        for key in self._keys(art):
            self._index.setdefault(key, set()).add(num)
        return num

    def score(self, art: ArticleRep, nums: Sequence[int]) -> np.ndarray:
        if not nums:
            return np.zeros(0)
        rows = np.array([features(art, self.stories[i], self._matrix[i]) for i in nums])
        return self.scorer.probability(rows)

    def add(self, doc: ClusterInput, vector: np.ndarray) -> int:
        """Cluster one article; the number of its story."""
        art = self.represent(doc, vector)
        nums = self.candidates(art)
        probs = self.score(art, nums)
        best = int(np.argmax(probs)) if len(nums) else -1
        target = nums[best] if best >= 0 and probs[best] >= self.scorer.threshold else None
        return self.join(art, target)
