"""Evidence-focused passages: from each retrieved chunk keep only the lines
that share terms with the question, with a line of context either side, so
the model reads less while every ``[n]`` still maps to the exact lines sent."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from index import Passage

from .prompt import estimate_tokens


def question_terms(question: str) -> set[str]:
    from index.segment import bigram_terms, segment

    return set(bigram_terms(segment(question)))


def _score(line: str, terms: set[str]) -> int:
    from index.segment import bigram_terms, segment

    return len(terms & set(bigram_terms(segment(line))))


def focus(passage: Passage, terms: set[str], limit: int = 0) -> Passage | None:
    """The passage cut to one contiguous span of lines around those that
    share terms with the question (one span keeps a single exact range);
    None when no line does."""
    chunk = passage.chunk
    lines = chunk.text.split("\n")
    hits = [i for i, line in enumerate(lines) if _score(line, terms) > 0]
    if not hits:
        return None
    first = max(0, hits[0] - 1)
    last = min(len(lines) - 1, hits[-1] + 1)
    text = "\n".join(lines[first : last + 1])
    # A span longer than the whole budget is cut at its end, so the first
    # evidence still fits rather than the passage going altogether.
    while limit and last > hits[0] and estimate_tokens(text) > limit:
        last -= 1
        text = "\n".join(lines[first : last + 1])
    cut = dataclasses.replace(
        chunk,
        start_line=chunk.start_line + first,
        end_line=chunk.start_line + last,
        text=text,
    )
    return dataclasses.replace(passage, chunk=cut)


def focus_all(question: str, passages: Sequence[Passage], limit: int = 0) -> list[Passage]:
    terms = question_terms(question)
    kept = [focus(p, terms, limit) for p in passages]
    return [p for p in kept if p is not None]
