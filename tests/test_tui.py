"""The chat app, driven with Textual's Pilot against a real index and the
fake Ollama server."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, ListView, Markdown, Static

from assistant import Settings
from tests.fake_ollama import Script
from tui import NotesChatApp, SourceItem, editor_command

SIZE = (100, 30)


def notifications(app: NotesChatApp) -> list[str]:
    return [n.message for n in app._notifications]


def status(app: NotesChatApp) -> str:
    return str(app.query_one("#status", Static).render())


async def ask(app: NotesChatApp, pilot: object, question: str) -> None:
    field = app.query_one("#question", Input)
    field.value = question
    field.focus()
    await pilot.press("enter")  # type: ignore[attr-defined]


async def answered(app: NotesChatApp, pilot: object, question: str) -> None:
    """Ask, and wait until the answer is complete and shown."""
    await ask(app, pilot, question)
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]


async def test_a_question_streams_its_answer_and_lists_its_sources(
    indexed: Settings, script: Script
) -> None:
    app = NotesChatApp(indexed)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Ollama ok" in status(app) and "chunks" in status(app)
        await answered(app, pilot, "GAN 由什么组成？")
        answer = app.query(".answer").last(Markdown)
        assert answer.source == "".join(script.reply)
        items = list(app.query(SourceItem))
        assert items and items[0].passage.chunk.path == "dl/gan.md"
        label = str(items[0].query_one("Label").render())
        assert label.startswith("●[1] dl/gan.md:")  # cited
        assert "tok/s" in status(app) and "prompt ~" in status(app)
        # picking a source shows it in context, with its line numbers
        app.query_one("#sources", ListView).focus()
        await pilot.press("down", "up")
        await pilot.pause()
        context = str(app.query_one("#context", Static).render())
        assert "生成器负责生成以假乱真的样本" in context and "▌" in context


async def test_the_model_reads_the_instructions_as_the_app_starts(
    indexed: Settings, script: Script
) -> None:
    app = NotesChatApp(indexed.model_copy(update={"warm_up": True}))
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        for _ in range(50):  # the warm-up runs in a thread of its own
            if any(r["path"] == "/api/chat" for r in script.requests):
                break
            await pilot.pause(0.1)
        await answered(app, pilot, "GAN 由什么组成？")
    chats = [r for r in script.requests if r["path"] == "/api/chat"]
    warm, first = chats[0], chats[1]
    # The first question's prompt opens with what the model has read.
    assert [m["role"] for m in warm["messages"]] == ["system"]
    assert warm["messages"][0] == first["messages"][0]
    assert warm["options"]["num_predict"] == 1
    assert warm["options"]["num_ctx"] == first["options"]["num_ctx"]


async def test_quitting_does_not_wait_for_the_warm_up(indexed: Settings, script: Script) -> None:
    import threading

    script.behaviour, script.delay = "slow", 3.0  # the model still reading the instructions
    app = NotesChatApp(indexed.model_copy(update={"warm_up": True}))
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        await pilot.press("ctrl+q")
    # The app has closed while the warm-up request is still under way.
    assert any(t.name == "warm-up" and t.is_alive() for t in threading.enumerate())


async def test_escape_stops_a_running_answer(indexed: Settings, script: Script) -> None:
    script.reply = [f"词{i} " for i in range(40)]
    script.token_delay = 0.1
    app = NotesChatApp(indexed)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await ask(app, pilot, "GAN 由什么组成？")
        await pilot.pause(0.8)
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        answer = app.query(".answer").last(Markdown)
        assert "(stopped)" in answer.source
        assert "词39" not in answer.source
        assert "Answer stopped." in notifications(app)


async def test_ollama_down_notifies_with_the_fix_and_keeps_the_passages(
    indexed: Settings,
) -> None:
    app = NotesChatApp(indexed.model_copy(update={"ollama_host": "127.0.0.1:9"}))
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        assert "unreachable" in status(app)
        await answered(app, pilot, "GAN 由什么组成？")
        assert any("Cannot reach Ollama" in n and "ollama serve" in n for n in notifications(app))
        assert list(app.query(SourceItem))


async def test_reindex_shows_the_summary(indexed: Settings, notes: Path) -> None:
    (notes / "new.md").write_text("# 新\n\n残差连接缓解梯度消失。", encoding="utf-8")
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in notes.rglob("*") if p.is_file()}
    app = NotesChatApp(indexed)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+r")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("1 added" in n and "3 unchanged" in n for n in notifications(app))
        assert app.query_one("#indexing").has_class("hidden")
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in notes.rglob("*") if p.is_file()}
    assert after == before  # the notes are only read


async def test_empty_index_asks_for_the_folder_then_indexes_it(
    settings: Settings, notes: Path
) -> None:
    app = NotesChatApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not app.query_one("#setup").has_class("hidden")
        assert "Nothing indexed yet" in str(app.query_one("#setup-label", Static).render())
        assert app.query_one("#question", Input).disabled
        folder = app.query_one("#folder", Input)
        folder.value = str(notes)
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.query_one("#setup").has_class("hidden")
        assert not app.query_one("#question", Input).disabled
        assert any("3 added" in n for n in notifications(app))


async def test_new_conversation_and_resume(indexed: Settings) -> None:
    app = NotesChatApp(indexed)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await answered(app, pilot, "GAN 由什么组成？")
        first = app.conversation
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert not list(app.query(".answer")) and app.conversation is not first
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.conversation is not None and app.conversation.id == first.id  # type: ignore[union-attr]
        assert app.query(".question").first(Static).render().plain == "GAN 由什么组成？"  # type: ignore[union-attr]


async def test_question_history_with_up_and_down(indexed: Settings) -> None:
    app = NotesChatApp(indexed)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await answered(app, pilot, "第一个问题")
        await answered(app, pilot, "第二个问题")
        field = app.query_one("#question", Input)
        field.focus()
        await pilot.press("up")
        assert field.value == "第二个问题"
        await pilot.press("up")
        assert field.value == "第一个问题"
        await pilot.press("down", "down")
        assert field.value == ""


def test_editor_command_opens_the_file_at_the_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from index import Chunk, Passage

    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", "code --wait")
    passage = Passage(Chunk("i", "/notes", "dl/gan.md", 12, 15, "", "t"), 1.0, 1, 1)
    assert editor_command(passage) == ["code", "--wait", "+12", "/notes/dl/gan.md"]


async def test_embedder_mismatch_offers_a_rebuild(indexed: Settings) -> None:
    changed = indexed.model_copy(update={"embedder": "sentence-transformers:/elsewhere/model"})
    app = NotesChatApp(changed)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("notes-chat index --rebuild" in n for n in notifications(app))
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("n")
        await pilot.pause()
        assert type(app.screen).__name__ != "ConfirmScreen"
        assert app.query_one("#question", Input).disabled  # no answering from a mismatched index


async def test_a_cut_answer_is_reported(indexed: Settings, script: Script) -> None:
    script.behaviour = "cut"
    app = NotesChatApp(indexed)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await answered(app, pilot, "GAN 由什么组成？")
        assert any("cut off" in n for n in notifications(app))
        assert app.query(".answer").last(Markdown).source == "".join(script.reply[:2])


async def test_live_sync_follows_a_new_file(indexed: Settings, notes: Path) -> None:
    import asyncio

    app = NotesChatApp(indexed)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+l")
        await pilot.pause(0.5)
        assert "live sync" in status(app)
        (notes / "live.md").write_text("# 实时\n\n实时同步的新笔记。", encoding="utf-8")
        for _ in range(100):  # bounded: 10 s
            if any("1 added" in n for n in notifications(app)):
                break
            await asyncio.sleep(0.1)
        assert any("1 added" in n for n in notifications(app))
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert "live sync" not in status(app)


@pytest.mark.parametrize(
    ("reply", "flagged_has", "flagged_lacks", "count"),
    [
        (
            [
                "GAN 由生成器和判别器组成 [1]。",
                "GAN 由 Ian Goodfellow 在 2014 年提出，常用 Wasserstein 距离稳定训练 [1]。",
                "决策树按信息增益选择分裂特征 [1]。",
            ],
            ["⚠ GAN 由 Ian Goodfellow", "⚠ 决策树", "This answer is mostly not from your notes"],
            "生成器和判别器组成",
            "2/3",
        ),
        (  # nothing of it in the notes: said once, not sentence by sentence
            [
                "决策树按信息增益选择分裂特征 [1]。",
                "随机森林把很多决策树的投票结合起来 [1]。",
                "梯度提升树每一轮拟合上一轮的残差。",
                "XGBoost 在目标函数里加入了正则项。",
            ],
            ["Not from your notes: none of its 4 sentences"],
            "⚠",
            "4/4",
        ),
    ],
)
async def test_sentences_not_in_the_notes_are_flagged_and_counted(
    indexed: Settings,
    script: Script,
    reply: list[str],
    flagged_has: list[str],
    flagged_lacks: str,
    count: str,
) -> None:
    script.reply = reply
    app = NotesChatApp(indexed)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await answered(app, pilot, "GAN 由什么组成？")
        flagged = str(app.query(".unsupported").last(Static).render())
        assert all(text in flagged for text in flagged_has), flagged
        assert flagged_lacks not in flagged
        assert f"{count} sentences not in notes" in status(app)


async def test_an_answer_from_the_notes_is_not_flagged(indexed: Settings, script: Script) -> None:
    app = NotesChatApp(indexed)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await answered(app, pilot, "GAN 由什么组成？")
        assert not app.query(".unsupported") and "not in notes" not in status(app)
