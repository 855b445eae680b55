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

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index import AssistantError, Passage, SearchMode

from .events import Done
from .questions import Question

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


@dataclass(frozen=True, slots=True)
class Hit:
    """A passage found for a question: its source (path relative to its
    notes root) and text."""

    source: str
    text: str

    @classmethod
    def of(cls, passage: Passage) -> Hit:
        return cls(passage.chunk.path, passage.chunk.text)

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "text": self.text}

    @classmethod
    def from_json(cls, data: Any) -> Hit:
        return cls(_text(data, "source"), _text(data, "text"))


@dataclass(frozen=True, slots=True)
class CitedHit:
    """A passage an answer cites; ``inferred``/``asked`` as in ``Citation``."""

    source: str
    text: str
    inferred: bool
    asked: bool

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "text": self.text, "inferred": self.inferred,
                "asked": self.asked}  # fmt: skip

    @classmethod
    def from_json(cls, data: Any) -> CitedHit:
        return cls(_text(data, "source"), _text(data, "text"), _flag(data, "inferred"),
                   _flag(data, "asked"))  # fmt: skip


@dataclass(frozen=True, slots=True)
class RunAnswer:
    """A question's answer in a run: its text, whether it refused, what it
    cites, and the marks of its scored sentences (found in their passages)."""

    answer: str
    refused: bool
    cited: tuple[CitedHit, ...]
    supported: tuple[bool, ...]

    @classmethod
    def of(cls, done: Done) -> RunAnswer:
        return cls(
            answer=done.answer,
            refused=done.refused,
            cited=tuple(
                CitedHit(c.passage.chunk.path, c.passage.chunk.text, c.inferred, c.asked)
                for c in done.citations
            ),
            supported=tuple(s.supported for s in done.support.sentences if s.supported is not None),
        )


@dataclass(frozen=True, slots=True)
class RunLine:
    """One line of a run file: the hits for a question, best first, and its
    answer when the run answered too."""

    id: int
    hits: tuple[Hit, ...]
    answer: RunAnswer | None = None
    question: str = ""  # as asked: a resumed run checks it is the same question

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id}
        if self.question:
            data["question"] = self.question
        data["hits"] = [h.to_json() for h in self.hits]
        if self.answer is not None:
            data["answer"] = self.answer.answer
            data["refused"] = self.answer.refused
            data["cited"] = [c.to_json() for c in self.answer.cited]
            data["supported"] = list(self.answer.supported)
        return data

    @classmethod
    def from_json(cls, data: Any) -> RunLine:
        """A line as ``to_json`` wrote it; ValueError, KeyError or TypeError
        naming the field if it is not one."""
        if not isinstance(data, dict):
            raise TypeError("not a run line object")
        if isinstance(data.get("id"), bool) or not isinstance(data.get("id"), int):
            raise TypeError('"id" must be a number')
        hits = tuple(map(Hit.from_json, _list(data, "hits")))
        question = _text(data, "question") if "question" in data else ""
        if "answer" not in data:
            return cls(data["id"], hits, question=question)
        supported = _list(data, "supported")
        if not all(isinstance(mark, bool) for mark in supported):
            raise TypeError('"supported" must be a list of true or false')
        answer = RunAnswer(
            _text(data, "answer"),
            _flag(data, "refused"),
            tuple(map(CitedHit.from_json, _list(data, "cited"))),
            tuple(supported),
        )
        return cls(data["id"], hits, answer, question)


class BadRunFile(AssistantError):
    pass


@dataclass(frozen=True, slots=True)
class RunSoFar:
    """What a run file holds, to resume the run that wrote it: its answered
    lines, and the length of the file up to its last whole line (a kill
    while a line was written leaves the rest cut short)."""

    lines: tuple[RunLine, ...]
    whole_bytes: int
    size: int  # the file's length when read: a run that finds it changed does not cut it

    def resumable(self, questions: Sequence[Question], path: Path) -> dict[int, RunLine]:
        """The lines of ``questions``, by id; a line that answers another
        question under the same id (another question file) is an error."""
        asked = {q.id: q.question for q in questions}
        for line in self.lines:
            if line.question and line.id in asked and line.question != asked[line.id]:
                raise BadRunFile(
                    f"{path} answers another question {line.id} ({line.question!r}) than "
                    f"the question file ({asked[line.id]!r}); give another --run-out."
                )
        return {line.id: line for line in self.lines if line.id in asked}


def run_so_far(path: Path) -> RunSoFar:
    """The answered lines of the run file at ``path`` (see ``RunSoFar``).
    Lines end at a newline only (a passage may hold U+2028). A last line
    without its newline, as this command starts it, is cut short and left
    out; any other line that is not an answered run line is an error naming
    it, so that a file of something else is never taken for a run."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadRunFile(f"Cannot read the run file {path}: {exc.strerror}") from exc
    whole_bytes = data.rfind(b"\n") + 1
    if data[whole_bytes:] and not data[whole_bytes:].startswith(b'{"id": '):
        raise BadRunFile(f"{path} is not a run file: its last line is not a run line.")
    lines: list[RunLine] = []
    seen: dict[int, int] = {}
    for number, row in enumerate(data[:whole_bytes].split(b"\n")[:-1], start=1):
        if not row.strip():
            continue
        try:
            line = RunLine.from_json(json.loads(row.decode("utf-8")))
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            raise BadRunFile(f"{path}, line {number}: not a run line ({exc}).") from None
        if line.answer is None:
            raise BadRunFile(
                f"{path}, line {number}: question {line.id} has no answer (a run without "
                "--answers); give another --run-out."
            )
        if line.id in seen:
            raise BadRunFile(
                f"{path}, line {number}: question {line.id} is on line {seen[line.id]} too."
            )
        seen[line.id] = number
        lines.append(line)
    return RunSoFar(tuple(lines), whole_bytes, len(data))


def _text(data: Any, key: str) -> str:
    if not isinstance(data, dict) or not isinstance(data.get(key), str):
        raise TypeError(f'"{key}" must be a string')
    return str(data[key])


def _flag(data: Any, key: str) -> bool:
    if not isinstance(data, dict) or not isinstance(data.get(key), bool):
        raise TypeError(f'"{key}" must be true or false')
    return bool(data[key])


def _list(data: Any, key: str) -> list[Any]:
    if not isinstance(data.get(key), list):
        raise TypeError(f'"{key}" must be a list')
    return list(data[key])


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
