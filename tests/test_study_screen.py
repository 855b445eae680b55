"""The chat app's study screen, driven with Pilot: a real index, a real card
store and FSRS, and the fake Ollama server for grading."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.widgets import Input, Markdown, Static

from assistant import Assistant, Settings
from assistant.study import CardStore, StudyCard
from tests.fake_ollama import Script
from tui import NotesChatApp, SourceItem
from tui.study import StudyScreen

SIZE = (100, 30)
GAN = ("GAN 由哪两部分组成？", "生成器和判别器", "dl/gan.md")
RL = ("Q-Learning 属于什么算法？", "异步策略算法", "rl.txt")


def add_card(settings: Settings, question: str, answer: str, path: str) -> StudyCard:
    """A card on the indexed chunk of ``path``, as `cards make` stores one."""
    study = Assistant(settings).study
    chunk = next(c for c in study.chunks_for() if c.path == path)
    return study.store.add(
        question, answer, root=chunk.root, chunk_id=chunk.id, path=chunk.path,
        start_line=chunk.start_line, end_line=chunk.end_line, passage=chunk.text,
    )  # fmt: skip


def text(app: NotesChatApp, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def status(app: NotesChatApp) -> str:
    return str(app.chat_screen.query_one("#status", Static).render())


async def settle(app: NotesChatApp, pilot: object) -> None:
    await pilot.pause()  # type: ignore[attr-defined]
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]


async def open_study(app: NotesChatApp, pilot: object) -> None:
    """Wait for the index to load, then open the study screen (ctrl+s)."""
    await settle(app, pilot)
    await pilot.press("ctrl+s")  # type: ignore[attr-defined]
    await settle(app, pilot)


async def ask(app: NotesChatApp, pilot: object, text: str) -> Input:
    """Type ``text`` in the chat's question field and send it."""
    question = app.query_one("#question", Input)
    question.value = text
    question.focus()
    await pilot.press("enter")  # type: ignore[attr-defined]
    return question


async def test_a_due_card_is_revealed_rated_good_and_its_schedule_kept(
    indexed: Settings, script: Script
) -> None:
    card = add_card(indexed, *GAN)
    script.queued.append(["基本一致：原文说「GAN 由生成器和判别器组成」。"])
    app = NotesChatApp(indexed)
    async with app.run_test(size=SIZE) as pilot:
        await open_study(app, pilot)
        assert isinstance(app.screen, StudyScreen)
        assert "1 card to review now" in text(app, "#study-title")
        assert text(app, "#card-question") == GAN[0]
        assert "生成器和判别器" not in text(app, "#card-answer")  # not revealed yet
        reply = app.screen.query_one("#card-reply", Input)
        reply.value = "生成器和判别器"
        await pilot.press("enter")
        await settle(app, pilot)
        assert text(app, "#card-answer") == "Answer: 生成器和判别器"
        source = text(app, "#card-source")
        assert source.startswith("dl/gan.md:1-") and "GAN 由生成器和判别器组成" in source
        assert "原文说「GAN 由生成器和判别器组成」" in text(app, "#card-grade")
        assert "Good" in str(app.screen.active_bindings["3"].binding.description)
        before = datetime.now(UTC)
        await pilot.press("3")
        await settle(app, pilot)
        assert "Rated Good; next:" in text(app, "#review-note")
        assert "reviewed today: 1" in text(app, "#review-done")
    stored = CardStore(indexed.home / "study.sqlite").get(card.id)  # a new store reads it back
    assert stored.fsrs and json.loads(stored.fsrs)["state"] == 1  # fsrs State.Learning
    assert datetime.fromisoformat(stored.due) > before + timedelta(minutes=5)
    assert datetime.fromisoformat(stored.due) > datetime.fromisoformat(card.due)


async def test_a_card_rated_in_another_session_meanwhile_is_passed_over(
    indexed: Settings,
) -> None:
    card = add_card(indexed, *GAN)
    add_card(indexed, *RL)
    app = NotesChatApp(indexed)
    async with app.run_test(size=SIZE) as pilot:
        await open_study(app, pilot)
        assert text(app, "#card-question") == GAN[0]
        await pilot.press("enter")  # reveal
        await settle(app, pilot)
        other = Assistant(indexed).study  # another review session rates it first
        other.rate(other.store.get(card.id), "easy")
        await pilot.press("3")
        await settle(app, pilot)
        assert text(app, "#card-question") == RL[0]  # on to the next card
        assert not app.screen.rated
    reviews = CardStore(indexed.home / "study.sqlite").reviews()
    assert [(r[0], r[1]) for r in reviews] == [(card.id, 4)]


async def test_a_card_rated_elsewhere_before_its_turn_is_not_shown(indexed: Settings) -> None:
    add_card(indexed, *GAN)
    later = add_card(indexed, *RL)
    app = NotesChatApp(indexed)
    async with app.run_test(size=SIZE) as pilot:
        await open_study(app, pilot)
        assert text(app, "#card-question") == GAN[0]
        other = Assistant(indexed).study  # another review session rates the second card
        other.rate(other.store.get(later.id), "good")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("3")
        await settle(app, pilot)
        assert RL[0] not in text(app, "#card-question")  # passed over: the review is done
        assert "rated in another review session since this one began" in text(app, "#review-note")
        assert app.screen.rated == 1
    reviews = CardStore(indexed.home / "study.sqlite").reviews()
    assert sorted(r[1] for r in reviews) == [3, 3]


async def test_the_status_line_counts_the_cards_due(indexed: Settings) -> None:
    add_card(indexed, *GAN)
    add_card(indexed, *RL)
    app = NotesChatApp(indexed)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "2 cards due" in status(app)


async def test_no_cards_no_due_count_and_no_card_store_made(indexed: Settings) -> None:
    app = NotesChatApp(indexed)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "chunks" in status(app) and "due" not in status(app)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "0 cards to review now" in text(app, "#study-title")
        assert "No cards due today" in text(app, "#review-note")
    assert not (indexed.home / "study.sqlite").exists()


async def test_the_study_screen_opens_from_the_command_palette(indexed: Settings) -> None:
    add_card(indexed, *GAN)
    app = NotesChatApp(indexed)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Study")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, StudyScreen)
        assert text(app, "#card-question") == GAN[0]


async def test_escape_returns_to_the_chat_as_it_was(indexed: Settings) -> None:
    add_card(indexed, *GAN)
    app = NotesChatApp(indexed)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        question = await ask(app, pilot, "GAN 由什么组成？")
        await settle(app, pilot)
        answer = app.query(".answer").last(Markdown).source
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("ctrl+n")  # a chat key: off here, the chat is kept
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.chat_screen
        assert app.query(".answer").last(Markdown).source == answer
        assert app.query(".question").first(Static).render().plain == "GAN 由什么组成？"  # type: ignore[union-attr]
        assert list(app.query(SourceItem))
        assert app.focused is question


async def test_an_answer_finishing_under_the_study_screen_lands_in_the_chat(
    indexed: Settings, script: Script
) -> None:
    script.token_delay = 0.2
    app = NotesChatApp(indexed)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await ask(app, pilot, "GAN 由什么组成？")
        await pilot.pause(0.2)
        await pilot.press("ctrl+s")
        await settle(app, pilot)  # the answer ends while the study screen is up
        assert isinstance(app.screen, StudyScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.query(".answer").last(Markdown).source == "".join(script.reply)
        assert list(app.query(SourceItem)) and "tok/s" in status(app)


async def test_a_quiz_is_graded_at_the_end_with_the_sources_of_wrong_answers(
    indexed: Settings,
) -> None:
    add_card(indexed, *GAN)
    add_card(indexed, *RL)
    app = NotesChatApp(indexed)
    async with app.run_test(size=SIZE) as pilot:
        await open_study(app, pilot)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#quiz-topic")
        await pilot.press("enter")  # no topic: all the cards
        await settle(app, pilot)
        for _ in range(2):
            shown = text(app, "#quiz-question")
            assert shown.startswith(("1/2. ", "2/2. "))
            reply = app.screen.query_one("#quiz-reply", Input)
            reply.value = "生成器和判别器" if GAN[0] in shown else "同步策略"  # RL wrong
            await pilot.press("enter")
            await pilot.pause()
        result = text(app, "#quiz-note")
        assert result.startswith("1/2 right")
        assert f"✗ {RL[0]}" in result and "answer: 异步策略算法" in result
        assert "rl.txt:" in result and "Q-Learning 属于异步策略算法" in result
        assert GAN[0] not in result  # a right answer is not listed


async def test_a_second_enter_on_the_last_quiz_answer_is_ignored(indexed: Settings) -> None:
    add_card(indexed, *GAN)
    app = NotesChatApp(indexed)
    async with app.run_test(size=SIZE) as pilot:
        await open_study(app, pilot)
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("enter")
        await settle(app, pilot)
        reply = app.screen.query_one("#quiz-reply", Input)
        reply.value = "生成器和判别器"
        # both queued before the first is handled, as fast fingers do
        reply.post_message(Input.Submitted(reply, reply.value))
        reply.post_message(Input.Submitted(reply, reply.value))
        await settle(app, pilot)
        assert text(app, "#quiz-note").startswith("1/1 right")


async def test_a_missing_editor_is_named_and_the_app_goes_on(
    indexed: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_card(indexed, *RL)
    monkeypatch.setenv("EDITOR", "no-such-editor-here")
    monkeypatch.delenv("VISUAL", raising=False)
    suspended: list[bool] = []
    monkeypatch.setattr(NotesChatApp, "suspend", lambda self: suspended.append(True))
    app = NotesChatApp(indexed)
    async with app.run_test(size=SIZE) as pilot:
        await open_study(app, pilot)
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert not suspended  # the terminal is never handed over
        assert any("no-such-editor-here" in str(n.message) for n in app._notifications)
        assert isinstance(app.screen, StudyScreen)


async def test_edit_source_opens_the_cards_file_at_its_line(
    indexed: Settings, notes: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import contextlib
    import subprocess

    card = add_card(indexed, *RL)
    ran: list[list[str]] = []
    editor = tmp_path / "bin" / "myeditor"
    editor.parent.mkdir()
    editor.write_text("#!/bin/sh\n")
    editor.chmod(0o755)
    monkeypatch.setenv("PATH", f"{editor.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("EDITOR", "myeditor")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setattr(subprocess, "run", lambda command, check: ran.append(command))
    monkeypatch.setattr(NotesChatApp, "suspend", lambda self: contextlib.nullcontext())
    app = NotesChatApp(indexed)
    async with app.run_test(size=SIZE) as pilot:
        await open_study(app, pilot)
        await pilot.press("ctrl+g")
        await pilot.pause()
    assert ran == [["myeditor", f"+{card.start_line}", str(notes.resolve() / "rl.txt")]]


async def test_ollama_down_the_review_goes_on_without_grading(indexed: Settings) -> None:
    add_card(indexed, *RL)
    app = NotesChatApp(indexed.model_copy(update={"ollama_host": "127.0.0.1:9"}))
    async with app.run_test(size=SIZE) as pilot:
        await open_study(app, pilot)
        app.screen.query_one("#card-reply", Input).value = "异步"
        await pilot.press("enter")
        await settle(app, pilot)
        grade = text(app, "#card-grade")
        assert "No grading by the model" in grade and "Cannot reach Ollama" in grade
        assert text(app, "#card-answer") == "Answer: 异步策略算法"
        await pilot.press("4")
        await settle(app, pilot)
        assert "Rated Easy" in text(app, "#review-note")


async def test_leaving_a_quiz_being_prepared_asks_the_model_for_no_more_cards(
    indexed: Settings, script: Script
) -> None:
    # No cards yet: a topic quiz has the model make them, one request a passage.
    # Each request takes 1.5 s: time for the app to cancel the worker (it
    # did not always, within 0.5 s, on a loaded machine), and a second
    # request would still come within the pause below.
    script.behaviour, script.delay = "slow", 1.5
    chats = lambda: [r for r in script.requests if r["path"] == "/api/chat"]  # noqa: E731
    app = NotesChatApp(indexed)
    async with app.run_test(size=SIZE) as pilot:
        await open_study(app, pilot)
        await pilot.press("ctrl+t")
        await pilot.pause()
        app.screen.query_one("#quiz-topic", Input).value = "GAN 生成器 判别器 注意力 强化学习"
        await pilot.press("enter")
        for _ in range(100):  # until the first request reaches the model
            if chats():
                break
            await pilot.pause(0.05)
        await pilot.press("escape")  # back to the chat while it is being made
        await pilot.pause(2.0)  # time enough for one more slow request
        assert len(chats()) == 1
