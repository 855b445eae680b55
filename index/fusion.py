"""Reciprocal rank fusion of ranked lists.

RRF needs no score calibration between retrievers: BM25 scores and cosine
similarities live on different scales, but ranks do not. Each list adds
1 / (k + rank) to a chunk's score.
"""

from __future__ import annotations

from collections.abc import Sequence

RRF_K = 60


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], k: int = RRF_K
) -> list[tuple[str, float]]:
    """Chunk ids of all ``rankings`` with their fused score, best first (ties
    keep the order in which the ids were first seen)."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, cid in enumerate(ranking, start=1):
            scores[cid] = scores.get(cid, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])
