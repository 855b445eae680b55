"""Reviews on the FSRS schedule and quizzes through the CLI, against the
fake Ollama and a real card store."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from itertools import count
from pathlib import Path

import pytest
from click.testing import Result

from assistant.study.quiz import QuizQuestion, build_quiz, grade
from assistant.study.store import now
from cli import app
from tests.fake_ollama import Script
from tests.study_cards import GOOD, RL, make_cards, open_study, runner

pytestmark = pytest.mark.usefixtures("cli_indexed")


def test_review_rates_cards_and_the_schedule_persists_across_runs(
    notes: Path, script: Script
) -> None:
    make_cards(script, notes / "dl" / "gan.md", GOOD)
    make_cards(script, notes / "rl.txt", RL)
    script.queued.append(["基本一致：原文说「GAN 由生成器和判别器组成」。"])
    # first card: typed answer, graded by the model, rated Easy; second: revealed, Again
    result = runner.invoke(app, ["review"], input="生成器和判别器\n4\n\n1\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.index(GOOD["question"]) < out.index(RL["question"])  # oldest first
    assert "原文说「GAN 由生成器和判别器组成」" in out
    assert "dl/gan.md:1-" in out and "rl.txt:" in out  # the source passage with its lines
    store = open_study().store
    easy = store.get(1)
    assert json.loads(easy.fsrs or "{}")["state"] == 2  # fsrs State.Review
    # a new run at once: the Easy card is days ahead; the Again card is due
    # today, but not shown before its learning step (a minute) is up
    again = runner.invoke(app, ["review"], input="q\n")
    assert "No cards due now; the next comes due at" in again.stdout
    assert RL["question"] not in again.stdout and GOOD["question"] not in again.stdout
    assert [c.question for c in open_study().due(now() + timedelta(minutes=2))] == [RL["question"]]
    stats = runner.invoke(app, ["review", "--stats"]).stdout
    assert "Due today: 1" in stats and "reviewed today: 2" in stats
    assert "retention: 50%" in stats and "streak: 1 days" in stats


def review_while(
    monkeypatch: pytest.MonkeyPatch, replies: list[str], meanwhile: dict[int, Callable[[], None]]
) -> Result:
    """`review --no-grade` typing ``replies`` in turn; ``meanwhile[n]`` is
    done (as by another program) just before the n-th prompt (from 0)."""
    import cli.study

    typed, prompts = iter(replies), count()

    def read_line(prompt: str) -> str | None:
        if (action := meanwhile.get(next(prompts))) is not None:
            action()
        return next(typed, None)

    monkeypatch.setattr(cli.study, "read_line", read_line)
    return runner.invoke(app, ["review", "--no-grade"])


def rate_elsewhere(card_id: int, rating: str) -> Callable[[], None]:
    def rate() -> None:
        other = open_study()
        other.rate(other.store.get(card_id), rating)

    return rate


def test_a_card_rated_in_another_review_meanwhile_keeps_that_rating(
    notes: Path, script: Script, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_cards(script, notes / "dl" / "gan.md", GOOD)
    # another session rates the card shown here Easy, before it is rated Good here
    result = review_while(monkeypatch, ["", "3"], {1: rate_elsewhere(1, "easy")})
    assert result.exit_code == 0, result.output
    assert "rated in another review session since this one began" in result.stdout
    assert "that rating stands" in result.stdout
    store = open_study().store
    assert [r[1] for r in store.reviews()] == [4]  # the Easy of the other session only
    assert json.loads(store.get(1).fsrs or "{}")["state"] == 2  # fsrs State.Review, as Easy


def test_a_card_rated_elsewhere_before_its_turn_is_passed_over(
    notes: Path, script: Script, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_cards(script, notes / "dl" / "gan.md", GOOD)
    make_cards(script, notes / "rl.txt", RL)
    result = review_while(monkeypatch, ["", "3"], {0: rate_elsewhere(2, "good")})
    assert result.exit_code == 0, result.output
    assert RL["question"] not in result.stdout  # never shown again
    assert "rated in another review session since this one began" in result.stdout
    assert sorted((r[0], r[1]) for r in open_study().store.reviews()) == [(1, 3), (2, 3)]


def test_a_card_replaced_while_shown_is_not_rated(
    notes: Path, script: Script, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_cards(script, notes / "dl" / "gan.md", GOOD)
    result = review_while(
        monkeypatch, ["", "3"], {1: lambda: open_study().store.mark(1, "replaced")}
    )
    assert result.exit_code == 0, result.output
    assert "A card was replaced since this review began" in result.stdout
    assert open_study().store.reviews() == []


def test_a_card_store_held_by_another_program_asks_for_the_rating_again(
    notes: Path, script: Script, monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    make_cards(script, notes / "dl" / "gan.md", GOOD)
    holder = sqlite3.connect(isolated_home / "study.sqlite", isolation_level=None)
    result = review_while(
        monkeypatch,
        ["", "3", "3"],
        {1: lambda: holder.execute("BEGIN EXCLUSIVE"), 2: lambda: holder.execute("COMMIT")},
    )
    holder.close()
    assert result.exit_code == 0, result.output
    assert "is busy: another program holds it" in result.stdout
    assert [r[1] for r in open_study().store.reviews()] == [3]


@pytest.mark.parametrize("replies", [["", "3"], ["", "q"]])
def test_a_card_store_damaged_during_a_review_is_a_message_not_a_traceback(
    notes: Path,
    script: Script,
    monkeypatch: pytest.MonkeyPatch,
    isolated_home: Path,
    replies: list[str],
) -> None:
    make_cards(script, notes / "dl" / "gan.md", GOOD)

    def damage() -> None:
        for part in isolated_home.glob("study.sqlite*"):
            part.write_bytes(b"not a database" * 100)

    result = review_while(monkeypatch, replies, {1: damage})
    assert result.exit_code == 1 and result.exception is not None
    assert isinstance(result.exception, SystemExit)  # exited with a message, no traceback
    assert "study.sqlite" in result.output


def test_quiz_shows_the_source_of_a_wrong_answer(notes: Path, script: Script) -> None:
    make_cards(script, notes / "rl.txt", RL)
    result = runner.invoke(app, ["quiz", "-n", "1"], input="同步策略\n")
    assert result.exit_code == 0, result.output
    assert "0/1 right" in result.stdout
    assert "answer: 异步策略算法" in result.stdout and "rl.txt:" in result.stdout


def test_quiz_grades_choices_and_short_answers(notes: Path, script: Script) -> None:
    make_cards(script, notes / "rl.txt", RL)
    card = open_study().store.cards()[0]
    short = QuizQuestion(card, ())
    assert grade(short, "异步策略").right and not grade(short, "同步").right
    choice = QuizQuestion(card, ("甲", card.answer, "乙", "丙"))
    assert grade(choice, "b").right and not grade(choice, "a").right
    assert build_quiz([card], 3)[0].choices == ()  # too few answers for choices


def test_review_goes_on_without_ollama(
    notes: Path, script: Script, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_cards(script, notes / "rl.txt", RL)
    monkeypatch.setenv("NOTES_CHAT_OLLAMA_HOST", "127.0.0.1:9")
    result = runner.invoke(app, ["review"], input="异步\n3\n")
    assert result.exit_code == 0, result.output
    assert "No grading by the model" in result.stderr and "Cannot reach Ollama" in result.stderr
    assert "Answer:" in result.stdout and "reviewed today: 1" in result.stdout


def test_q_at_the_rating_prompt_stops_and_leaves_the_card_due(notes: Path, script: Script) -> None:
    make_cards(script, notes / "rl.txt", RL)
    result = runner.invoke(app, ["review", "--no-grade"], input="\nq\n")
    assert result.exit_code == 0, result.output
    assert "q: stop" in result.stdout and "Due today: 1" in result.stdout
    assert open_study().store.reviews() == []


def test_a_topic_quiz_uses_the_cards_there_are_when_the_model_cannot_make_more(
    notes: Path, script: Script
) -> None:
    make_cards(script, notes / "rl.txt", RL)
    script.queued.append("llama runner process has terminated")
    result = runner.invoke(app, ["quiz", "--topic", "Q-Learning 异步策略", "-n", "3"],
                           input="异步策略算法\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert RL["question"] in result.stdout and "1/1 right" in result.stdout
