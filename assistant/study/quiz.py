"""Quizzes: questions from the cards on a topic, graded at the end."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from .cards import _bigrams
from .store import StudyCard

# A short answer is right when it shares this much of the card answer's bigrams.
SHORT_ANSWER_MATCH = 0.6


@dataclass(frozen=True, slots=True)
class QuizQuestion:
    card: StudyCard
    choices: tuple[str, ...]  # empty: a short-answer question

    @property
    def correct(self) -> int:
        return self.choices.index(self.card.answer) if self.choices else -1


@dataclass(frozen=True, slots=True)
class QuizResult:
    question: QuizQuestion
    reply: str
    right: bool


def build_quiz(cards: Sequence[StudyCard], n: int, seed: int | None = None) -> list[QuizQuestion]:
    """Up to ``n`` questions. A card becomes multiple choice when three other
    answers can serve as wrong choices, else short answer."""
    rng = random.Random(seed)
    picked = rng.sample(list(cards), min(n, len(cards)))
    answers = list(dict.fromkeys(c.answer for c in cards))
    questions = []
    for card in picked:
        others = [a for a in answers if a != card.answer]
        if len(others) >= 3:
            choices = [card.answer, *rng.sample(others, 3)]
            rng.shuffle(choices)
            questions.append(QuizQuestion(card, tuple(choices)))
        else:
            questions.append(QuizQuestion(card, ()))
    return questions


def grade(question: QuizQuestion, reply: str) -> QuizResult:
    reply = reply.strip()
    if question.choices:
        letters = "abcd"
        pick = reply.lower()[:1]
        right = pick in letters and letters.index(pick) == question.correct
    else:
        want = _bigrams(question.card.answer)
        right = bool(want) and len(want & _bigrams(reply)) / len(want) >= SHORT_ANSWER_MATCH
    return QuizResult(question, reply, right)
