"""The events ``answer()`` yields, in order: ``Sources``, ``Token``s, ``Done``.

Each knows its stable JSON form (``ask --json``) and its one-line summary,
so the CLI and the chat app print the same thing the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from index import Passage

from .citations import Citation
from .prompt import Budget
from .support import SupportReport


@dataclass(frozen=True, slots=True)
class Sources:
    query: str  # the standalone query that was searched
    passages: tuple[Passage, ...]
    covered: bool  # False: the gate found that the notes do not cover it
    reason: str = ""
    # The notes' words for the question's terms (an English question's
    # translations, a name spelled otherwise), searched by BM25 and used to
    # focus the context (``expansion.notes_words``)
    also_searched: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Token:
    text: str


@dataclass(frozen=True, slots=True)
class AnswerStats:
    model: str = ""
    retrieve_ms: float = 0.0
    first_token_ms: float | None = None  # from the start of answer() to the first token
    tokens_per_second: float | None = None
    prompt_tokens: int | None = None  # as counted by Ollama
    budget: Budget | None = None
    retried: bool = False  # the model refused though the passages hold the terms; asked again

    def summary(self) -> str:
        """ "retrieval 12 ms · first token 1.4 s · 9.8 tokens/s · prompt
        ~1834/4096 tokens, 5 passages (1 left out)", the line under an answer."""
        parts = [f"retrieval {self.retrieve_ms:.0f} ms"]
        if self.first_token_ms is not None:
            parts.append(f"first token {self.first_token_ms / 1000:.1f} s")
        if self.tokens_per_second:
            parts.append(f"{self.tokens_per_second:.1f} tokens/s")
        if b := self.budget:
            parts.append(
                f"prompt ~{b.prompt_tokens}/{b.context} tokens, {b.passages_used} passages"
                + (f" ({b.passages_dropped} left out)" if b.passages_dropped else "")
            )
        return " · ".join(parts)

    def short_summary(self) -> str:
        """ "prompt ~1834/4096 · first token 1.4 s · 9.8 tok/s", for a status line."""
        parts = []
        if self.budget:
            parts.append(f"prompt ~{self.budget.prompt_tokens}/{self.budget.context}")
        if self.first_token_ms is not None:
            parts.append(f"first token {self.first_token_ms / 1000:.1f} s")
        if self.tokens_per_second:
            parts.append(f"{self.tokens_per_second:.1f} tok/s")
        return " · ".join(parts)

    def to_json(self) -> dict[str, Any]:
        first, rate = self.first_token_ms, self.tokens_per_second
        return {
            "model": self.model,
            "retrieve_ms": round(self.retrieve_ms, 1),
            "first_token_ms": round(first, 1) if first is not None else None,
            "tokens_per_second": round(rate, 2) if rate else None,
            "prompt_tokens": self.prompt_tokens,
            "retried": self.retried,
            "budget": self.budget.to_json() if self.budget else None,
        }


@dataclass(frozen=True, slots=True)
class Done:
    answer: str
    refused: bool
    citations: tuple[Citation, ...] = ()
    invalid_citations: tuple[int, ...] = ()
    unverified_quotes: tuple[str, ...] = ()
    cut: str = ""  # why the answer stopped early, if it did
    # The model began writing its answer again; what it repeated is left out
    # (``repetition``), and nothing after it was read.
    repeated: bool = False
    stats: AnswerStats = field(default_factory=AnswerStats)
    support: SupportReport = field(default_factory=lambda: SupportReport(()))

    def to_json(self) -> dict[str, Any]:
        """The answer's keys of ``answer_json`` (``error``: why it was cut, if it was)."""
        data: dict[str, Any] = {
            "answer": self.answer,
            "refused": self.refused,
            "citations": [c.to_json() for c in self.citations],
            "stats": self.stats.to_json(),
            "invalid_citations": list(self.invalid_citations),
            "unverified_quotes": list(self.unverified_quotes),
            "sentences": [s.to_json() for s in self.support.sentences],
            "mostly_unsupported": self.support.mostly_unsupported,
            "from_memory": self.support.from_memory,
            "repeated": self.repeated,
        }
        if self.cut:
            data["error"] = self.cut
        return data


AnswerEvent = Sources | Token | Done


def answer_json(sources: Sources | None, done: Done | None, error: str = "") -> dict[str, Any]:
    """The one object ``ask --json`` prints, from the events that arrived
    (none of them, when the question failed before retrieval) and the error
    that ended them, if one did."""
    data: dict[str, Any] = {
        "answer": "",
        "refused": sources is not None and not sources.covered,
        "citations": [],
        "passages": [p.to_json() for p in (sources.passages if sources else ())],
        "query": sources.query if sources else "",
        "stats": {},
        # The same keys with or without an answer, so scripts need not test for them.
        "invalid_citations": [],
        "unverified_quotes": [],
        "sentences": [],
        "mostly_unsupported": False,
        "from_memory": False,
        "repeated": False,
    }
    if done is not None:
        data.update(done.to_json())  # known keys keep their place; the rest follow
    data["also_searched"] = list(sources.also_searched if sources else ())
    if error:
        data["error"] = error
    return data
