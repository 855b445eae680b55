"""Questions with several parts, and a top list that covers each part.

"VAE 和 GAN 各有什么优缺点？" or "What is dropout and how does it compare with
weight decay?" asks about two things that often live in different notes.
Searched whole, the question's ranking follows whichever part dominates it,
and the other part's evidence can fall below the passages an answer is given.
So each part is searched on its own as well, and a part whose best passage is
missing from the first ``COVER`` places gets it there, in place of the whole
question's last one. The whole question's order is kept otherwise, so its
first hits (and a single-part question) are unchanged.

Parts are split at conjunctions only. A second question mark was measured as
a split too (docs/retrieval.md): the second sentence often only refers back
("…根源在哪？", "它有什么优点？"), and searched alone it pulls in a stray hit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

Hits = Sequence[tuple[str, float]]

_SPLIT = re.compile(r"[、；;]|以及|还有|和|与|\band\b|\bvs\.?|\bversus\b", re.IGNORECASE)
_MEANINGFUL = re.compile(r"[\u3400-\u9fff]{2}|[A-Za-z0-9]{2}")
MAX_PARTS = 3
# The places an answer is usually given (the default top_k): where each part
# must be represented.
COVER = 5
# A part's best hit moves up only from within the whole question's first
# PROMOTE_FROM: a part searched alone may match something off the question.
PROMOTE_FROM = 10


def question_parts(question: str) -> list[str]:
    """The parts of a multi-part ``question`` (at most ``MAX_PARTS``), or []
    when it has one part. A piece too short to search on (a lone character,
    punctuation) is not a part."""
    pieces = [p.strip(" ,，。.!！？?") for p in _SPLIT.split(question)]
    parts = [p for p in pieces if _MEANINGFUL.search(p)]
    return parts[:MAX_PARTS] if len(parts) > 1 else []


def cover_parts(whole: Hits, parts: Sequence[Hits]) -> list[tuple[str, float]]:
    """``whole`` (the question's fused ranking, best first) with each part's
    best hit brought into the first ``COVER`` places when it is not there but
    is within the first ``PROMOTE_FROM``; it takes the place of the last hit
    that is not itself a part's best."""
    score = dict(whole)
    related = {cid for cid, _ in whole[:PROMOTE_FROM]}
    top = list(whole[:COVER])
    kept: list[tuple[str, float]] = []
    for ranking in parts:
        if not ranking:
            continue
        cid = ranking[0][0]
        if cid not in related or any(cid == c for c, _ in top + kept):
            continue
        kept.append((cid, score[cid]))
    bests = {ranking[0][0] for ranking in parts if ranking}
    for hit in kept:
        if len(top) >= COVER:
            # Drop the lowest hit that no part needs.
            drop = next((i for i in reversed(range(len(top))) if top[i][0] not in bests), None)
            if drop is None:
                break
            del top[drop]
        top.append(hit)
    chosen = {cid for cid, _ in top}
    return top + [(cid, s) for cid, s in whole if cid not in chosen]
