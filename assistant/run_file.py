"""A run file of ``notes-chat eval``: one JSON line a question, with the
passages found for it and, for an --answers run, its answer, what it cites
and the marks of its sentences. Written line by line as a run goes
(``RunLine.to_json``) and read back to resume it (``run_so_far``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index import AssistantError, Passage

from .events import Done
from .questions import Question


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
    # How it came about: the model refused first and was asked again; the
    # answer counts as a refusal for being in none of its passages; the model
    # began writing it again and was stopped there.
    retried: bool = False
    from_memory: bool = False
    repeated: bool = False

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
            retried=done.stats.retried,
            from_memory=done.support.from_memory,
            repeated=done.repeated,
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
            data["retried"] = self.answer.retried
            data["from_memory"] = self.answer.from_memory
            data["repeated"] = self.answer.repeated
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
            # Not in files written before these were recorded.
            _flag(data, "retried") if "retried" in data else False,
            _flag(data, "from_memory") if "from_memory" in data else False,
            _flag(data, "repeated") if "repeated" in data else False,
        )
        return cls(data["id"], hits, answer, question)


class BadRunFile(AssistantError):
    pass


@dataclass(frozen=True, slots=True)
class RunSoFar:
    """What a run file holds, to resume the run that wrote it: its answered
    lines, and the length of the file up to its last whole line (a kill
    while a line was written leaves the rest cut short)."""

    lines: tuple[RunLine, ...] = ()
    whole_bytes: int = 0
    size: int = 0  # the file's length when read: a run that finds it changed does not cut it

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
