"""Evaluation over a question file (``questions.py``): a run searches (and
answers) every question, then its hits (and citations) are scored.

The hit rule: with all whitespace removed from both, an evidence string is
found in a hit if it is a substring of the hit's text, or if their longest
common substring covers at least 60% of the evidence (a chunk boundary may
cut it). Recall@k counts an answerable question as found when every one of
its evidence strings is matched in the top k; MRR uses the first hit that
matches any evidence, within the top 10.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any

from index import SearchMode

from .events import Done
from .questions import Question
from .run_file import Hit, RunAnswer, RunLine

if TYPE_CHECKING:
    from .assistant import Assistant

KS = (1, 3, 5, 10)
_WHITESPACE = re.compile(r"\s+")


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


def run_eval(
    assistant: Assistant,
    questions: Sequence[Question],
    *,
    k: int,
    mode: SearchMode = "hybrid",
    answers: bool = False,
    model: str | None = None,
    answered: Callable[[RunLine], None] | None = None,
    done_before: Mapping[int, RunLine] | None = None,
) -> list[RunLine]:
    """Search every question (``mode``, top ``k``); with ``answers``, also
    answer each through the whole ``ask`` path (``model``; nothing saved),
    calling ``answered`` with each line as it is done (a long run keeps
    what it has made if the model fails later). A question with a line in
    ``done_before`` (a run being resumed) keeps that line."""
    done_before = done_before or {}
    if not answers:
        return [RunLine(q.id, _hits(assistant, q, k, mode), question=q.question) for q in questions]
    lines = []
    for q in questions:
        if q.id in done_before:
            lines.append(done_before[q.id])
            continue
        hits = _hits(assistant, q, k, mode)
        *_, done = assistant.ask(q.question, model=model, save=False)
        assert isinstance(done, Done)  # the last event of an answer
        lines.append(RunLine(q.id, hits, RunAnswer.of(done), q.question))
        if answered:
            answered(lines[-1])
    return lines


def _hits(assistant: Assistant, question: Question, k: int, mode: SearchMode) -> tuple[Hit, ...]:
    return tuple(map(Hit.of, assistant.search(question.question, k, mode=mode)))


@dataclass(frozen=True, slots=True)
class RunScores:
    """The scores of a run: retrieval, and with answers, ``AnswerScores``
    twice: counting every citation, and only those the model gave itself
    (in the answer, or when asked), of which the citation accuracy is kept."""

    retrieval: Scores
    answers: AnswerScores | None = None
    model_marked_accuracy: float = 0.0

    def to_json(self) -> dict[str, Any]:
        data = self.retrieval.to_json()
        if self.answers:
            data.update(self.answers.to_json())
            data["citation_accuracy_model_marked"] = self.model_marked_accuracy
        return data


def score_run(questions: Sequence[Question], lines: Sequence[RunLine]) -> RunScores:
    retrieval = score(questions, {line.id: [h.text for h in line.hits] for line in lines})
    answered = [(line.id, line.answer) for line in lines if line.answer is not None]
    if not answered:
        return RunScores(retrieval)
    refused = {i: a.refused for i, a in answered}
    by_model = score_answers(
        questions, refused, {i: [c.text for c in a.cited if not c.inferred] for i, a in answered}
    )
    return RunScores(
        retrieval,
        score_answers(
            questions,
            refused,
            {i: [c.text for c in a.cited] for i, a in answered},
            {i: a.supported for i, a in answered},
        ),
        by_model.citation_accuracy,
    )
