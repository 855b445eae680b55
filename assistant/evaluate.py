"""Retrieval evaluation over a question file (one JSON object per line).

The hit rule: with all whitespace removed from both, an evidence string is
found in a hit if it is a substring of the hit's text, or if their longest
common substring covers at least 60% of the evidence (a chunk boundary may
cut it). Recall@k counts an answerable question as found when every one of
its evidence strings is matched in the top k; MRR uses the first hit that
matches any evidence, within the top 10.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from index import AssistantError, Passage

from .events import Done

KS = (1, 3, 5, 10)
_WHITESPACE = re.compile(r"\s+")


class BadQuestions(AssistantError):
    pass


@dataclass(frozen=True, slots=True)
class Question:
    id: int
    question: str
    evidence: tuple[str, ...]
    answerable: bool
    kind: str


@dataclass
class Scores:
    n: int = 0
    recall: dict[int, float] = field(default_factory=dict)
    mrr: float = 0.0
    by_kind: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {f"recall@{k}": v for k, v in self.recall.items()}
        data.update(n=self.n, mrr=self.mrr, by_kind=self.by_kind)
        return data


def load_questions(path: Path) -> list[Question]:
    """The questions of a JSON-lines file, each line checked: a wrong type
    (evidence as a string, ``"answerable": "false"``) would score wrongly
    rather than fail, so it is an error naming the line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise BadQuestions(f"{path} is not UTF-8 text (one JSON object a line).") from None
    except OSError as exc:
        raise BadQuestions(f"Cannot read the question file {path}: {exc.strerror}") from exc
    questions = []
    seen: dict[int, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            question = _question(json.loads(line))
        except (ValueError, KeyError, TypeError) as exc:
            raise BadQuestions(f"{path}, line {number}: {exc}") from None
        if question.id in seen:
            raise BadQuestions(
                f"{path}, line {number}: id {question.id} is used on line {seen[question.id]} too"
            )
        seen[question.id] = number
        questions.append(question)
    if not questions:
        raise BadQuestions(f"{path} holds no questions.")
    return questions


def _question(item: Any) -> Question:
    if not isinstance(item, dict):
        raise TypeError("not a question object")
    for key in ("id", "question"):
        if key not in item:
            raise KeyError(f'no "{key}"')
    if isinstance(item["id"], bool) or not isinstance(item["id"], int | str):
        raise TypeError('"id" must be a number')
    if not isinstance(item["question"], str) or not item["question"].strip():
        raise TypeError('"question" must be a non-empty string')
    evidence = item.get("evidence") or []
    if not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence):
        raise TypeError('"evidence" must be a list of strings')
    answerable = item.get("answerable", True)
    if not isinstance(answerable, bool):
        raise TypeError(f'"answerable" must be true or false, not {answerable!r}')
    return Question(
        id=int(item["id"]),
        question=item["question"],
        evidence=tuple(evidence),
        answerable=answerable,
        kind=str(item.get("kind", "")),
    )


def _squeeze(text: str) -> str:
    return _WHITESPACE.sub("", text)


def evidence_found(evidence: str, text: str) -> bool:
    needle, haystack = _squeeze(evidence), _squeeze(text)
    if not needle:
        return False
    if needle in haystack:
        return True
    match = SequenceMatcher(None, needle, haystack, autojunk=False).find_longest_match(
        0, len(needle), 0, len(haystack)
    )
    return match.size >= 0.6 * len(needle)


def score(questions: Sequence[Question], hits: dict[int, Sequence[str]]) -> Scores:
    """Recall@k and MRR of the hit texts (best first) of each answerable question."""
    rows: dict[str, list[tuple[dict[int, bool], float]]] = {}
    for q in questions:
        if not q.answerable or not q.evidence:
            continue
        texts = list(hits.get(q.id, ()))[:10]
        first = [
            next((i for i, t in enumerate(texts) if evidence_found(e, t)), None) for e in q.evidence
        ]
        found = {k: all(i is not None and i < k for i in first) for k in KS}
        ranks = [i for i in first if i is not None]
        reciprocal = 1.0 / (min(ranks) + 1) if ranks else 0.0
        rows.setdefault(q.kind, []).append((found, reciprocal))
    return Scores(
        n=sum(len(v) for v in rows.values()),
        recall=_recall(r for v in rows.values() for r in v),
        mrr=_mean(m for v in rows.values() for _, m in v),
        by_kind={
            kind: {"n": len(v), "recall@5": _recall(v)[5], "mrr": _mean(m for _, m in v)}
            for kind, v in sorted(rows.items())
        },
    )


def _recall(rows: Iterable[tuple[dict[int, bool], float]]) -> dict[int, float]:
    rows = list(rows)
    return {k: _mean(float(found[k]) for found, _ in rows) for k in KS}


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return round(sum(values) / len(values), 4) if values else 0.0


def run_line(question: Question, passages: Sequence[Passage]) -> dict[str, Any]:
    """One line of a run file: the hits with their source (path relative to
    the notes root) and text."""
    return {
        "id": question.id,
        "hits": [{"source": p.chunk.path, "text": p.chunk.text} for p in passages],
    }


@dataclass(frozen=True, slots=True)
class AnswerScores:
    """Refusal precision/recall (positives: the unanswerable questions) and
    citation accuracy: the share of answered answerable questions whose cited
    passages contain one of their evidence strings."""

    refusal_precision: float
    refusal_recall: float
    citation_accuracy: float
    refused: int
    unanswerable: int
    answered: int
    answerable_refused: int = 0
    # Shares of the judged answer sentences found in the passages they cite:
    # on answered answerable questions, and on unanswerable ones that got an
    # answer (None: no such sentence).
    supported_answerable: float | None = None
    supported_unanswerable: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "refusal_precision": self.refusal_precision,
            "refusal_recall": self.refusal_recall,
            "citation_accuracy": self.citation_accuracy,
            "refused": self.refused,
            "unanswerable": self.unanswerable,
            "answered_answerable": self.answered,
            "answerable_refused": self.answerable_refused,
            "supported_sentences_answerable": self.supported_answerable,
            "supported_sentences_unanswerable": self.supported_unanswerable,
        }


def score_answers(
    questions: Sequence[Question],
    refused: dict[int, bool],
    cited: dict[int, Sequence[str]],
    supported: dict[int, Sequence[bool]] | None = None,
) -> AnswerScores:
    """``supported``: for each answered question, whether each of its judged
    answer sentences was found in the passages it cites."""
    unanswerable = {q.id for q in questions if not q.answerable}
    refused_ids = {i for i, r in refused.items() if r}
    answered = [q for q in questions if q.answerable and q.evidence and not refused.get(q.id)]
    accurate = [
        q
        for q in answered
        if any(evidence_found(e, t) for e in q.evidence for t in cited.get(q.id, ()))
    ]
    true_refusals = len(refused_ids & unanswerable)
    supported = supported or {}

    def share(ids: Iterable[int]) -> float | None:
        marks = [m for i in ids if not refused.get(i) for m in supported.get(i, ())]
        return round(sum(marks) / len(marks), 4) if marks else None

    return AnswerScores(
        refusal_precision=round(true_refusals / len(refused_ids), 4) if refused_ids else 0.0,
        refusal_recall=round(true_refusals / len(unanswerable), 4) if unanswerable else 0.0,
        citation_accuracy=round(len(accurate) / len(answered), 4) if answered else 0.0,
        refused=len(refused_ids),
        unanswerable=len(unanswerable),
        answered=len(answered),
        answerable_refused=len(refused_ids - unanswerable),
        supported_answerable=share(q.id for q in questions if q.answerable),
        supported_unanswerable=share(unanswerable),
    )


def answer_fields(done: Done) -> dict[str, Any]:
    """The run-file fields of an answer: ``answer``, ``refused``, ``cited``."""
    return {
        "answer": done.answer,
        "refused": done.refused,
        "cited": [
            {
                "source": c.passage.chunk.path,
                "text": c.passage.chunk.text,
                "inferred": c.inferred,
                "asked": c.asked,
            }
            for c in done.citations
        ],
        "supported": [s.supported for s in done.support.sentences if s.supported is not None],
    }
