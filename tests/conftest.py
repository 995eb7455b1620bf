"""Shared fixtures. Data in ../shared/data is read in place, never copied."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
SAMPLES = ROOT / "samples"


def require_shared(*parts: str) -> Path:
    """Path under ../shared/data; skip where it is absent (a user's clone), fail under CI."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        reason = f"{path} is absent: the evaluation corpora live in ../shared/data beside the project"
        if os.environ.get("CI"):
            pytest.fail(reason + " (required when CI is set)")
        pytest.skip(reason)
    return path


@pytest.fixture
def shared_data() -> Path:
    return require_shared()
