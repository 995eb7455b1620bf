"""The clustering engine's saved state in a versioned plain format: never pickled, never unpickled.

A state is an `.npz` archive (numpy's zip of `.npy` arrays, read with `allow_pickle=False`, so no
object array and no code can come out of it) holding:

- `meta`: UTF-8 JSON as a byte array: {"format", "version", "clusterer": OnlineClusterer.state_dict(),
  "dedup": the NearDuplicateIndex's plain values};
- `dedup_sets`, `dedup_sizes`, `dedup_root`: the near-duplicate index's shingle sets (uint32,
  concatenated), their sizes and each article's group root (int64);
- `cluster_vec_nums`, `cluster_vec_sums`, `cluster_member_nums`, `cluster_member_vecs`: the stories'
  multilingual vectors (float16; `OnlineClusterer.vector_arrays`), absent in states written before them.

`decode` checks every field and raises `ClusterStateError` with the reason for anything else: a row
written by an older storyline (a pickle, recognised by its first byte and never opened), a garbled
or truncated row, a newer version. The pipeline then rebuilds the state from the stored articles.
"""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from typing import Any

import numpy as np

from storyline.cluster import OnlineClusterer
from storyline.dedup import NearDuplicateIndex
from storyline.errors import StateError

__all__ = ["FORMAT", "VERSION", "ClusterStateError", "decode", "encode", "is_legacy_pickle"]

FORMAT = "storyline.engine-state"
VERSION = 1
_ZIP_MAGIC = b"PK\x03\x04"
_MAX_META = 1 << 31


class ClusterStateError(StateError, ValueError):
    """A saved cluster state that cannot be used (its reason in the message, after its code)."""

    code = "E301"


def is_legacy_pickle(data: bytes) -> bool:
    """Whether `data` looks like the pickled state older versions saved (pickle protocols 2-5 start
    with 0x80). It is only recognised, never opened."""
    return data[:1] == b"\x80"


def encode(dedup: NearDuplicateIndex, clusterer: OnlineClusterer) -> bytes:
    dedup_meta, dedup_arrays = dedup.state()
    meta = {"format": FORMAT, "version": VERSION, "clusterer": clusterer.state_dict(), "dedup": dedup_meta}
    text = json.dumps(meta, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    arrays: dict[str, Any] = {f"dedup_{name}": array for name, array in dedup_arrays.items()}
    arrays.update({f"cluster_{name}": array for name, array in clusterer.vector_arrays().items()})
    arrays["meta"] = np.frombuffer(text, dtype=np.uint8)
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-finite number {name} in JSON")


def decode(data: bytes) -> tuple[NearDuplicateIndex, OnlineClusterer]:
    """The near-duplicate index and the clusterer saved by `encode`; ClusterStateError otherwise."""
    if is_legacy_pickle(data):
        raise ClusterStateError(
            "cluster state rejected: it is a pickle written by an older storyline, which is never unpickled"
        )
    if not data.startswith(_ZIP_MAGIC):
        raise ClusterStateError(f"cluster state rejected: not a {FORMAT} archive (starts with {data[:8]!r})")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile, zlib.error) as exc:
        raise ClusterStateError(f"cluster state rejected: unreadable archive: {type(exc).__name__}: {exc}") from exc
    raw = arrays.pop("meta", None)
    if raw is None or raw.dtype != np.uint8 or raw.ndim != 1 or raw.size > _MAX_META:
        raise ClusterStateError("cluster state rejected: no metadata in the archive")
    try:
        meta = json.loads(raw.tobytes().decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ClusterStateError(f"cluster state rejected: metadata is not JSON: {exc}") from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ClusterStateError(f"cluster state rejected: not a {FORMAT} archive")
    if meta.get("version") != VERSION:
        raise ClusterStateError(
            f"cluster state rejected: version {meta.get('version')!r}, this storyline reads version {VERSION}"
        )
    dedup_arrays = {name.removeprefix("dedup_"): array for name, array in arrays.items() if name.startswith("dedup_")}
    vector_arrays = {name.removeprefix("cluster_"): a for name, a in arrays.items() if name.startswith("cluster_")}
    try:
        clusterer_state, dedup_meta = meta["clusterer"], meta["dedup"]
        if not isinstance(clusterer_state, dict) or not isinstance(dedup_meta, dict):
            raise ValueError("clusterer and dedup states must be objects")
        clusterer = OnlineClusterer.from_state(clusterer_state, vector_arrays)
        dedup = NearDuplicateIndex.from_state(dedup_meta, dedup_arrays)
    except (KeyError, TypeError, ValueError) as exc:
        raise ClusterStateError(f"cluster state rejected: {exc}") from exc
    return dedup, clusterer
