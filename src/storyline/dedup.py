"""Near-duplicate detection: MinHash LSH over word shingles, confirmed by exact Jaccard.

An article is a near-copy of an earlier one when the Jaccard similarity of their sets of word
k-shingles reaches `threshold`. Shingles are hashed to 32-bit ints (the sets stay small in memory);
MinHash signatures are computed with numpy (multiply-shift hashing, one row per permutation) and
indexed in a `datasketch.MinHashLSH` whose own threshold sits below the target so that LSH misses
almost nothing; every LSH candidate is then checked with the exact Jaccard of the hashed sets.

No I/O here. `state()`/`from_state()` give the index as plain values and numpy integer arrays (the
LSH buckets are rebuilt from the shingle sets on loading), so the engine can persist and resume it
without pickling anything.
"""

from __future__ import annotations

import functools
import re
import zlib
from typing import Any

import numpy as np
from datasketch import LeanMinHash, MinHashLSH

from storyline.config import DEDUP, DedupConfig

__all__ = ["DEFAULT_SHINGLE", "DEFAULT_THRESHOLD", "NearDuplicateIndex", "jaccard", "shingle_hashes"]

# The defaults (`storyline.config.DedupConfig`, where the measurement behind them is told), under the
# names callers know.
DEFAULT_THRESHOLD = DEDUP.threshold
DEFAULT_SHINGLE = DEDUP.shingle

_WORD = re.compile(r"\w+", re.UNICODE)
_MASK32 = np.uint64(0xFFFFFFFF)
_MIX = np.uint64(0x9E3779B97F4A7C15)


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


@functools.lru_cache(maxsize=1 << 18)
def _word_hash(word: str) -> int:
    return zlib.crc32(word.encode("utf-8"))


def shingle_hashes(text: str, shingle: int = DEDUP.shingle) -> np.ndarray:
    """Sorted unique 32-bit hashes (as uint64) of the word `shingle`-grams of `text`.

    Texts shorter than `shingle` words give a single shingle of all their words; empty text
    gives an empty array. Hashes are stable across processes (crc32 of each word, combined).
    """
    words = _tokens(text)
    if not words:
        return np.empty(0, dtype=np.uint64)
    word_hashes = np.fromiter(map(_word_hash, words), dtype=np.uint64, count=len(words))
    k = min(shingle, len(words))
    n = len(words) - k + 1
    acc = np.zeros(n, dtype=np.uint64)
    for j in range(k):
        # Polynomial combination with wrap-around in 64 bits, then folded to 32 bits.
        acc = acc * _MIX + word_hashes[j : j + n] + np.uint64(j + 1)
    folded = (acc ^ (acc >> np.uint64(32))) & _MASK32
    return np.unique(folded)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two sorted unique hash arrays."""
    if a.size == 0 and b.size == 0:
        return 0.0
    inter = np.intersect1d(a, b, assume_unique=True).size
    return inter / (a.size + b.size - inter)


class _Permutations:
    """`num_perm` multiply-shift hash functions over 32-bit inputs: h(x) = ((a*x + b) mod 2^64) >> 32."""

    def __init__(self, num_perm: int, seed: int = 1, block: int = DEDUP.signature_block) -> None:
        self.block = block  # shingles per block when computing a signature (bounds the temporary matrix)
        rng = np.random.RandomState(seed)
        self.a = (rng.randint(0, 2**62, size=num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)).reshape(1, -1)
        self.b = rng.randint(0, 2**62, size=num_perm, dtype=np.uint64).reshape(1, -1)
        self.num_perm = num_perm

    def signature(self, hashes: np.ndarray) -> np.ndarray:
        out = np.full(self.num_perm, 0xFFFFFFFF, dtype=np.uint64)
        for start in range(0, hashes.size, self.block):
            block = hashes[start : start + self.block].reshape(-1, 1)
            values = (block * self.a + self.b) >> np.uint64(32)
            np.minimum(out, values.min(axis=0), out=out)
        return out.astype(np.uint32)


class NearDuplicateIndex:
    """Incremental near-duplicate index.

    `add(article_id, text)` returns the id of the earliest article (the root of its duplicate
    group) whose shingle set has Jaccard >= `threshold` with this one, or None. Every article is
    indexed, duplicates too, so a chain of successive edits is still caught.

    `threshold`, `num_perm` and `shingle` given explicitly win over `config`'s (a saved state's).
    """

    def __init__(
        self,
        threshold: float | None = None,
        num_perm: int | None = None,
        shingle: int | None = None,
        *,
        config: DedupConfig = DEDUP,
    ) -> None:
        threshold = config.threshold if threshold is None else threshold
        if not 0.0 < threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        self.threshold = threshold
        self.num_perm = num_perm = config.num_perm if num_perm is None else num_perm
        self.shingle = config.shingle if shingle is None else shingle
        self._perms = _Permutations(num_perm, block=config.signature_block)
        # never below 0.05: a near-zero LSH threshold makes every article a candidate
        self._lsh = MinHashLSH(threshold=max(0.05, threshold - config.lsh_margin), num_perm=num_perm)
        self._ids: list[str] = []  # internal index -> article id
        self._slot: dict[str, int] = {}  # article id -> internal index
        self._sets: list[np.ndarray] = []  # internal index -> hashed shingle set (uint32)
        self._root: list[int] = []  # internal index -> index of the earliest article of its group

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._slot

    def signature(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The hashed shingle set and the MinHash signature of a text."""
        hashes = shingle_hashes(text, self.shingle)
        return hashes, self._perms.signature(hashes)

    def _confirmed(self, hashes: np.ndarray, minhash: LeanMinHash) -> list[tuple[int, float]]:
        """(internal index, exact Jaccard) of the indexed articles at or above the threshold."""
        found = []
        for cand in self._lsh.query(minhash):
            other = self._sets[cand]
            # Jaccard cannot reach the threshold when the sizes differ too much.
            small, large = sorted((hashes.size, other.size))
            if small < self.threshold * large:
                continue
            score = jaccard(hashes, other)
            if score >= self.threshold:
                found.append((cand, score))
        return found

    def query(self, text: str) -> list[tuple[str, float]]:
        """Every indexed article `text` nearly copies, with its Jaccard, most similar first."""
        hashes, sig = self.signature(text)
        if not hashes.size:
            return []
        minhash = LeanMinHash(seed=1, hashvalues=sig, scheme="affine32")
        found = self._confirmed(hashes.astype(np.uint32), minhash)
        return [(self._ids[i], score) for i, score in sorted(found, key=lambda x: (-x[1], x[0]))]

    def add(self, article_id: str, text: str) -> str | None:
        """Index an article; the id of the earliest article it nearly copies, or None."""
        if article_id in self._slot:
            root = self._root[self._slot[article_id]]
            return None if root == self._slot[article_id] else self._ids[root]
        hashes, sig = self.signature(text)
        hashes = hashes.astype(np.uint32)
        index = len(self._ids)
        best: int | None = None
        if hashes.size:
            minhash = LeanMinHash(seed=1, hashvalues=sig, scheme="affine32")
            for cand, _ in self._confirmed(hashes, minhash):
                root = self._root[cand]
                if best is None or root < best:
                    best = root
            self._lsh.insert(index, minhash, check_duplication=False)
        self._ids.append(article_id)
        self._slot[article_id] = index
        self._sets.append(hashes)
        self._root.append(index if best is None else best)
        return None if best is None else self._ids[best]

    def duplicate_of(self, article_id: str) -> str | None:
        """The group root of an indexed article (None when it is itself a root)."""
        slot = self._slot[article_id]
        root = self._root[slot]
        return None if root == slot else self._ids[root]

    # -- persistence -----------------------------------------------------------------------------
    STATE_FORMAT = "storyline.dedup.NearDuplicateIndex"
    STATE_VERSION = 1

    def state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """(plain JSON-ready values, integer arrays): everything `from_state` needs."""
        sizes = np.fromiter((a.size for a in self._sets), dtype=np.int64, count=len(self._sets))
        meta: dict[str, Any] = {
            "format": self.STATE_FORMAT, "version": self.STATE_VERSION, "threshold": self.threshold,
            "num_perm": self.num_perm, "shingle": self.shingle, "ids": list(self._ids),
        }
        arrays: dict[str, np.ndarray] = {
            "sets": np.concatenate(self._sets).astype(np.uint32) if self._sets else np.empty(0, np.uint32),
            "sizes": sizes,
            "root": np.asarray(self._root, dtype=np.int64),
        }
        return meta, arrays

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray],
                   config: DedupConfig = DEDUP) -> NearDuplicateIndex:
        """The index `state()` described; ValueError for anything malformed."""
        if meta.get("format") != cls.STATE_FORMAT or meta.get("version") != cls.STATE_VERSION:
            raise ValueError(f"not a near-duplicate index state of version {cls.STATE_VERSION}")
        ids, sets, sizes, root = meta.get("ids"), arrays.get("sets"), arrays.get("sizes"), arrays.get("root")
        if (
            not isinstance(ids, list) or not all(isinstance(i, str) for i in ids) or len(set(ids)) != len(ids)
            or sets is None or sizes is None or root is None
            or sets.dtype != np.uint32 or sizes.dtype != np.int64 or root.dtype != np.int64
            or sizes.shape != (len(ids),) or root.shape != (len(ids),)
            or (sizes.size and (sizes.min() < 0 or int(sizes.sum()) != sets.size))
            or (root.size and (root.min() < 0 or bool((root > np.arange(len(ids))).any())))
        ):
            raise ValueError("malformed near-duplicate index state")
        try:
            index = cls(float(meta["threshold"]), int(meta["num_perm"]), int(meta["shingle"]), config=config)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed near-duplicate index state: {exc}") from exc
        ends = np.cumsum(sizes)
        for slot, (article_id, end, size) in enumerate(zip(ids, ends.tolist(), sizes.tolist(), strict=True)):
            hashes = sets[end - size : end].copy()
            if hashes.size:
                sig = index._perms.signature(hashes.astype(np.uint64))
                index._lsh.insert(slot, LeanMinHash(seed=1, hashvalues=sig, scheme="affine32"),
                                  check_duplication=False)
            index._ids.append(article_id)
            index._slot[article_id] = slot
            index._sets.append(hashes)
        index._root = [int(r) for r in root.tolist()]
        return index
