"""Fusion of the retrievers' ranked lists into one ranking, and that ranking
as the passages a search returns.

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

from collections.abc import Mapping, Sequence

from .types import Chunk, Passage

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


def distinct_passages(
    fused: Hits, chunks: Mapping[str, Chunk], dense_hits: Hits, lexical_hits: Hits
) -> list[Passage]:
    """The ``fused`` ranking as passages, each with its rank in the dense and
    the lexical (words) ranking; a text met before (whitespace aside) is left
    out, and so is an id ``chunks`` does not hold."""
    dense_ranks = {cid: rank for rank, (cid, _) in enumerate(dense_hits, start=1)}
    lexical_ranks = {cid: rank for rank, (cid, _) in enumerate(lexical_hits, start=1)}
    similarity = dict(dense_hits)
    passages: list[Passage] = []
    seen: set[str] = set()
    for cid, score in fused:
        chunk = chunks.get(cid)
        text = "".join(chunk.text.split()) if chunk else ""
        if chunk is None or text in seen:
            continue
        seen.add(text)
        passages.append(
            Passage(
                chunk=chunk,
                score=score,
                dense_rank=dense_ranks.get(cid),
                bm25_rank=lexical_ranks.get(cid),
                similarity=similarity.get(cid),
            )
        )
    return passages
