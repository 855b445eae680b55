"""The question file of an evaluation: one JSON object a line, with ``id``,
``question``, and for scoring ``evidence`` (verbatim strings of the notes),
``answerable`` and ``kind``; ``answer``, a reference answer, is optional."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index import AssistantError


class BadQuestions(AssistantError):
    pass


@dataclass(frozen=True, slots=True)
class Question:
    id: int
    question: str
    evidence: tuple[str, ...]
    answerable: bool
    kind: str
    answer: str = ""


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
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
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
    try:
        item["question"].encode("utf-8")
    except UnicodeEncodeError:  # an escaped lone surrogate, "\ud800": no text can hold it
        raise ValueError('"question" holds half of a character (a lone \\u surrogate)') from None
    evidence = item.get("evidence") or []
    if not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence):
        raise TypeError('"evidence" must be a list of strings')
    answerable = item.get("answerable", True)
    if not isinstance(answerable, bool):
        raise TypeError(f'"answerable" must be true or false, not {answerable!r}')
    answer = item.get("answer") or ""
    if not isinstance(answer, str):
        raise TypeError('"answer" must be a string')
    return Question(
        id=int(item["id"]),
        question=item["question"],
        evidence=tuple(evidence),
        answerable=answerable,
        kind=str(item.get("kind", "")),
        answer=answer,
    )
