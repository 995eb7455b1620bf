"""Claims of a story and their cross-check across outlets: the public names, re-exported.

The work is split over `cues` (cue data), `focus` (the story's entities and focal object),
`claims` (claim extraction) and `crosscheck` (comparison of the claims, `CrossCheckConfig`).
"""

from __future__ import annotations

from storyline.consolidate.claims import (
    STORY_SUBJECT,
    Claim,
    SourceSpan,
    ValueKind,
    canonical_attribute,
    extract_claims,
)
from storyline.consolidate.crosscheck import (
    DEFAULT_CONFIG,
    CrossCheckConfig,
    Fact,
    FactValue,
    Status,
    VersionValue,
    cross_check,
    describe_value,
)
from storyline.consolidate.cues import CUMULATIVE
from storyline.consolidate.focus import focal_entity

__all__ = [
    "CUMULATIVE",
    "DEFAULT_CONFIG",
    "STORY_SUBJECT",
    "Claim",
    "CrossCheckConfig",
    "Fact",
    "FactValue",
    "SourceSpan",
    "Status",
    "ValueKind",
    "VersionValue",
    "canonical_attribute",
    "cross_check",
    "describe_value",
    "extract_claims",
    "focal_entity",
]
