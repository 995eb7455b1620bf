"""The one MMR routine shared by the brief and the topic timelines."""

from __future__ import annotations

import numpy as np

from storyline.consolidate.mmr import select_mmr


def test_mmr_trades_relevance_against_redundancy() -> None:
    relevance = [1.0, 0.8, 0.6]
    similarity = np.array([[1.0, 0.9, 0.0], [0.9, 1.0, 0.0], [0.0, 0.0, 1.0]])
    # the second item repeats the first: the less relevant but different third comes next
    assert select_mmr(relevance, similarity, 2, weight=0.7, duplicate=0.95) == [0, 2]
    # near-duplicates beyond the bar are never chosen, even when room is left
    assert select_mmr(relevance, similarity, 3, weight=0.7, duplicate=0.8) == [0, 2]


def test_mmr_constraints_and_ties() -> None:
    similarity = np.zeros((4, 4))
    tied = [0.5, 0.5, 0.5, 0.5]
    assert select_mmr(tied, similarity, 4, weight=0.7, duplicate=0.9) == [0, 1, 2, 3]
    # "compatible" makes an item wait, "accept" drops it when its turn comes
    assert select_mmr(
        tied, similarity, 4, weight=0.7, duplicate=0.9, compatible=lambda i, picked: i != 1 or 0 not in picked
    ) == [0, 2, 3]
    assert select_mmr(tied, similarity, 2, weight=0.7, duplicate=0.9, accept=lambda i: i % 2 == 1) == [1, 3]
