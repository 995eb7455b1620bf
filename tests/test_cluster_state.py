"""Issue 11 §3: the clusterer's saved state is a versioned plain format, never a pickle; a garbled or
old pickled row is rejected with its reason (never opened) and ingest rebuilds the state."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, SAMPLES
from storyline import engine_state
from storyline.cluster import ClusterInput, OnlineClusterer
from storyline.dedup import NearDuplicateIndex
from storyline.engine_state import ClusterStateError
from storyline.pipeline import Config, ingest_paths, load_engine
from storyline.store import open_store

CONFIG = Config(enrich=False, embed=False)


def _docs() -> list[ClusterInput]:
    out = []
    for n, path in enumerate(sorted(p for p in SAMPLES.iterdir() if p.suffix == ".txt")):
        text = path.read_text(encoding="utf-8")
        out.append(ClusterInput(f"a{n}", text.split("\n", 1)[0], text, published=f"2024-03-{1 + n:02d}"))
    return out


def _engine(docs: list[ClusterInput]) -> tuple[NearDuplicateIndex, OnlineClusterer]:
    dedup, clusterer = NearDuplicateIndex(), OnlineClusterer()
    for d in docs:
        dedup.add(d.article_id, d.text)
        clusterer.add(d)
    return dedup, clusterer


def test_engine_state_round_trip_continues_identically() -> None:
    docs = _docs()
    copy = ClusterInput("copy", docs[0].title, docs[0].text + "\nUpdated at noon.", published="2024-03-20")
    whole_dedup, whole = _engine(docs)
    expected = (whole_dedup.add("copy", copy.text), whole.add(copy), whole.state_dict())
    dedup, clusterer = engine_state.decode(engine_state.encode(*_engine(docs)))
    assert (dedup.add("copy", copy.text), clusterer.add(copy), clusterer.state_dict()) == expected
    assert expected[0] == "a0"


def _archive(meta: object) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))
    return buf.getvalue()


def _garbled() -> dict[str, tuple[bytes, str]]:
    good = engine_state.encode(*_engine(_docs()[:3]))
    meta = json.loads(np.load(io.BytesIO(good), allow_pickle=False)["meta"].tobytes())
    bad_types = json.loads(json.dumps(meta))
    bad_types["clusterer"]["n_docs"] = "three"
    newer = dict(meta, version=99)
    flipped = bytearray(good)
    middle = len(flipped) // 2
    flipped[middle : middle + 16] = bytes(b ^ 0x5A for b in flipped[middle : middle + 16])
    return {
        # what storyline <= 0.x saved: recognised by its first byte, never unpickled
        "old pickle": (b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00\x8c\x08builtins\x94.", "never unpickled"),
        "pickle protocol 0": (b"cos\nsystem\n(S'true'\ntR.", "not a storyline.engine-state archive"),
        "truncated": (good[: len(good) // 3], "unreadable archive"),
        "bytes flipped": (bytes(flipped), "cluster state rejected"),
        "not json": (_raw_meta(b"\xff{not json"), "metadata is not JSON"),
        "newer version": (_archive(newer), "version 99"),
        "wrong type": (_archive(bad_types), "n_docs: int expected"),
        "other format": (_archive({"format": "something else"}), "not a storyline.engine-state archive"),
    }


def _raw_meta(data: bytes) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, meta=np.frombuffer(data, dtype=np.uint8))
    return buf.getvalue()


@pytest.mark.parametrize("case", list(_garbled()))
def test_tampered_cluster_state_is_rejected_with_a_clear_error(case: str) -> None:
    data, reason = _garbled()[case]
    with pytest.raises(ClusterStateError, match=re.escape(reason)) as info:
        engine_state.decode(data)
    assert info.value.message.startswith("cluster state rejected")
    assert str(info.value).startswith("[E301] cluster state rejected")


def test_object_arrays_in_the_archive_are_never_loaded() -> None:
    """An archive member that would need unpickling (an object array) is refused by numpy itself."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        header = b"\x93NUMPY\x01\x00v\x00{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
        archive.writestr("meta.npy", header + b" " * (127 - len(header)) + b"\n" + b"cos\nsystem\n(S'true'\ntR.")
    with pytest.raises(ClusterStateError, match="unreadable archive"):
        engine_state.decode(buf.getvalue())


@pytest.mark.parametrize("case", ["old pickle", "bytes flipped"])
def test_ingest_rebuilds_a_rejected_state_from_the_stored_articles(case: str, tmp_path: Path) -> None:
    files = sorted(str(p) for p in SAMPLES.iterdir() if p.is_file())
    with open_store(str(tmp_path / "clean.db")) as store:
        ingest_paths(store, files[:9], CONFIG)
        ingest_paths(store, files[9:], CONFIG)
        expected = sorted(sorted(s.article_ids) for s in store.list_stories())
        clean_state = store.load_cluster_state()
    with open_store(str(tmp_path / "t.db")) as store:
        ingest_paths(store, files[:9], CONFIG)
        saved = store.load_cluster_state()
        assert saved is not None
        store.save_cluster_state(_garbled()[case][0], saved[1])
        ingest_paths(store, files[9:], CONFIG)
        assert sorted(sorted(s.article_ids) for s in store.list_stories()) == expected
        state = store.load_cluster_state()
        assert state is not None and clean_state is not None
        engine_state.decode(state[0])  # replaced by a readable state
        assert state[1] == clean_state[1]
        engine, applied = load_engine(store)
        assert applied == state[1] and engine.clusterer.state_dict() == _clean_clusterer_state(tmp_path)


def _clean_clusterer_state(tmp_path: Path) -> dict[str, object]:
    """The clusterer state of the database that was never tampered with."""
    with open_store(str(tmp_path / "clean.db")) as store:
        return load_engine(store)[0].clusterer.state_dict()


def test_rejected_state_is_rebuilt_when_nothing_is_pending(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with open_store(str(tmp_path / "t.db")) as store:
        ingest_paths(store, [str(SAMPLES)], CONFIG)
        saved = store.load_cluster_state()
        assert saved is not None
        expected = engine_state.decode(saved[0])[1].state_dict()
        store.save_cluster_state(b"\x80\x05garbage", saved[1])
        with caplog.at_level("WARNING", logger="storyline.pipeline"):
            engine, applied = load_engine(store)
        assert "never unpickled" in caplog.text and "rebuilding" in caplog.text
        assert applied == saved[1] and engine.clusterer.state_dict() == expected
        rebuilt = store.load_cluster_state()
        assert rebuilt is not None and engine_state.decode(rebuilt[0])[1].state_dict() == expected


_PICKLING = re.compile(
    r"^\s*(?:import|from)\s+(?:c?pickle|_pickle|dill|cloudpickle|shelve|joblib)\b"
    r"|\b(?:pickle|dill|cloudpickle)\.(?:loads?|dumps?|Unpickler|Pickler)\b"
    r"|allow_pickle\s*=\s*True",
    re.MULTILINE,
)


def test_no_pickle_anywhere_in_src() -> None:
    found = [
        f"{path.relative_to(ROOT)}: {m.group(0).strip()}"
        for path in sorted((ROOT / "src").rglob("*.py"))
        for m in _PICKLING.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
