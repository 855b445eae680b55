"""Fusion of the retrievers' ranked lists into one ranking.

Relative score fusion: each list's scores are scaled to 0–1 between its best
and its worst hit, and a chunk's fused score is the sum over the lists. BM25
scores and cosine similarities live on different scales, so they are not
added raw; but unlike rank-only fusion (RRF), the scaled scores keep how far
ahead a hit is. That matters when one retriever is sure and the other misses:
a chunk that the embedder ranks first by a wide margin but BM25 does not find
is buried by RRF under chunks both rank tenth (measured in docs/retrieval.md;
RRF itself lives on in bench/retrieval.py, for that comparison).
"""

from __future__ import annotations

from collections.abc import Sequence

Hits = Sequence[tuple[str, float]]


def fuse(hit_lists: Sequence[Hits]) -> list[tuple[str, float]]:
    """Chunk ids of all ``hit_lists`` ((id, score) best first) with their fused
    score, best first; ties keep the order in which ids were first seen."""
    scores: dict[str, float] = {}
    for hits in hit_lists:
        if not hits:
            continue
        values = [score for _, score in hits]
        best, worst = max(values), min(values)
        span = best - worst
        for cid, score in hits:
            # A list of one hit, or of equal scores, gives each hit full marks.
            scaled = (score - worst) / span if span else 1.0
            scores[cid] = scores.get(cid, 0.0) + scaled
    return sorted(scores.items(), key=lambda item: -item[1])
