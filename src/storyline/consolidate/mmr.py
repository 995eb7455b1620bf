"""Maximal marginal relevance: the one selection routine of the brief and the topic timelines."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any


def select_mmr(
    relevance: Sequence[float] | Any,
    similarity: Any,
    n: int,
    *,
    weight: float,
    duplicate: float,
    compatible: Callable[[int, list[int]], bool] | None = None,
    accept: Callable[[int], bool] | None = None,
) -> list[int]:
    """Indices of up to `n` items, each the best trade of relevance against its similarity to those
    already chosen (`weight` * relevance - (1 - `weight`) * redundancy).

    An item more similar than `duplicate` to a chosen one, or not `compatible` with the chosen ones,
    waits; an item `accept` turns down when its turn comes is dropped. Ties go to the lower index, so
    the result depends on the input order only.
    """
    chosen: list[int] = []
    remaining = list(range(len(relevance)))
    while remaining and len(chosen) < n:
        best, best_value = -1, -math.inf
        for i in remaining:
            redundancy = max((float(similarity[i, j]) for j in chosen), default=0.0)
            if redundancy > duplicate or (compatible is not None and not compatible(i, chosen)):
                continue
            value = weight * float(relevance[i]) - (1 - weight) * redundancy
            if value > best_value:
                best, best_value = i, value
        if best < 0:
            break
        remaining.remove(best)
        if accept is None or accept(best):
            chosen.append(best)
    return chosen
