"""`notes-chat ask` and `conversations` against the fake Ollama (`eval`:
test_cli_eval.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import EXIT_NO_ANSWER, app
from tests.fake_ollama import Script

runner = CliRunner()


pytestmark = pytest.mark.usefixtures("cli_indexed")


def test_ask_streams_the_answer_then_its_sources() -> None:
    result = runner.invoke(app, ["ask", "GAN 由什么组成？"])
    assert result.exit_code == 0, result.output
    answer, _, rest = result.stdout.partition("Sources:")
    assert "GAN 由生成器和判别器组成 [1]。" in answer
    assert "[1] dl/gan.md:" in rest
    assert "tokens/s" in result.stdout and "prompt ~" in result.stdout


def test_ask_json_has_answer_citations_refusal_passages_and_stats() -> None:
    result = runner.invoke(app, ["ask", "GAN 由什么组成？", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # the keys, in the order scripts (and people reading them) have always seen
    assert list(data) == [
        "answer", "refused", "citations", "passages", "query", "stats", "invalid_citations",
        "unverified_quotes", "sentences", "mostly_unsupported", "from_memory", "repeated", "also_searched",
    ]  # fmt: skip
    assert list(data["stats"]) == [
        "model", "retrieve_ms", "first_token_ms", "tokens_per_second", "prompt_tokens",
        "retried", "budget",
    ]  # fmt: skip
    assert data["refused"] is False
    assert data["citations"][0]["path"] == "dl/gan.md" and data["citations"][0]["number"] == 1
    assert data["stats"]["budget"]["context"] == 4096


def test_ask_refuses_what_the_notes_do_not_cover() -> None:
    result = runner.invoke(app, ["ask", "Mamba 状态空间模型的原理是什么？", "--json"])
    data = json.loads(result.stdout)
    assert data["refused"] is True and data["answer"].startswith("笔记中没有相关内容")
    assert data["passages"]  # the nearest passages come along


def test_ask_without_ollama_prints_passages_and_exits_3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTES_CHAT_OLLAMA_HOST", "127.0.0.1:9")
    result = runner.invoke(app, ["ask", "GAN 由什么组成？"])
    assert result.exit_code == EXIT_NO_ANSWER == 3
    assert "dl/gan.md:" in result.stdout
    assert "Cannot reach Ollama at http://127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.output


def test_ask_json_without_ollama_still_has_passages(
    monkeypatch: pytest.MonkeyPatch, script: Script
) -> None:
    answered = json.loads(runner.invoke(app, ["ask", "GAN 由什么组成？", "--json"]).stdout)
    assert "error" not in answered and answered["answer"]
    monkeypatch.setenv("NOTES_CHAT_OLLAMA_HOST", "127.0.0.1:9")
    result = runner.invoke(app, ["ask", "GAN 由什么组成？", "--json"])
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert data["passages"] and "Cannot reach Ollama" in data["error"]
    assert list(data) == [
        "answer", "refused", "citations", "passages", "query", "stats", "invalid_citations",
        "unverified_quotes", "sentences", "mostly_unsupported", "from_memory", "repeated",
        "also_searched", "error",
    ]  # fmt: skip
    # The same keys as an answer has, in the same order.
    assert list(answered) == [k for k in data if k != "error"]


def test_ask_no_llm_only_retrieves(script: Script) -> None:
    result = runner.invoke(app, ["ask", "GAN 由什么组成？", "--no-llm"])
    assert result.exit_code == 0
    assert "dl/gan.md:" in result.stdout
    assert not [r for r in script.requests if r["path"] == "/api/chat"]


def test_a_follow_up_without_a_model_is_searched_with_the_question_before(
    script: Script,
) -> None:
    runner.invoke(app, ["ask", "GAN 由什么组成？", "--no-llm"])
    result = runner.invoke(app, ["ask", "为什么？", "--continue", "--no-llm", "--json"])
    assert json.loads(result.stdout)["query"] == "GAN 由什么组成？ 为什么？"
    assert not [r for r in script.requests if r["path"] == "/api/chat"]


def test_cut_answer_is_marked_and_exits_3(script: Script) -> None:
    script.behaviour = "cut"
    result = runner.invoke(app, ["ask", "GAN 由什么组成？"])
    assert result.exit_code == 3
    assert "GAN 由生成器" in result.stdout
    assert "the answer was cut off" in result.stderr


def test_conversations_are_listed_and_continued(script: Script) -> None:
    runner.invoke(app, ["ask", "GAN 由什么组成？"])
    listing = runner.invoke(app, ["conversations"]).stdout
    assert "1 turns  GAN 由什么组成？" in listing
    conversation_id = listing.split()[0]
    script.queued = [["GAN 训练中会出现什么问题？"], ["会出现模式崩溃[1]。"]]
    result = runner.invoke(app, ["ask", "它训练时有什么问题？", "--continue", "--json"])
    assert json.loads(result.stdout)["query"] == "GAN 训练中会出现什么问题？"
    assert f"{conversation_id}  2 turns" in runner.invoke(app, ["conversations"]).stdout
    missing = runner.invoke(app, ["ask", "x", "--conversation", "20990101-000000-abcdef"])
    assert missing.exit_code == 1 and "No conversation '20990101" in missing.stderr


def test_a_question_with_a_terminal_escape_is_listed_without_it() -> None:
    runner.invoke(app, ["ask", "GAN\x1b[2J 由什么组成？"])
    listing = runner.invoke(app, ["conversations"]).stdout
    assert "\x1b" not in listing and "GAN 由什么组成？" in listing


@pytest.mark.parametrize("bad", ["../../outside", "/tmp/x", "..", "20261203-061116-99adb2/../x"])
def test_a_conversation_id_that_is_a_path_is_refused(bad: str, isolated_home: Path) -> None:
    result = runner.invoke(app, ["ask", "GAN 由什么组成？", "--conversation", bad])
    assert result.exit_code == 1 and "is not a conversation id" in result.stderr
    assert not list(isolated_home.parent.glob("outside*"))


def test_a_planted_conversation_file_cannot_choose_where_it_is_saved(
    isolated_home: Path, script: Script
) -> None:
    from assistant.conversation import Conversation

    runner.invoke(app, ["ask", "GAN 由什么组成？"])
    folder = isolated_home / "conversations"
    [real] = folder.glob("*.json")
    planted = json.loads(real.read_text())
    planted["id"] = "../../escaped"
    newer = folder / f"{Conversation.new().id[:-6]}ffffff.json"
    newer.write_text(json.dumps(planted))
    result = runner.invoke(app, ["ask", "它的训练是怎样的？", "--continue"])
    assert result.exit_code == 0, result.output
    assert not list(isolated_home.parent.parent.rglob("escaped*"))
    assert len(json.loads(newer.read_text())["turns"]) == 2  # saved where it was read


def test_a_damaged_conversation_file_is_skipped_with_a_warning(isolated_home: Path) -> None:
    runner.invoke(app, ["ask", "GAN 由什么组成？"])
    folder = isolated_home / "conversations"
    (folder / "20991231-000000-abcdef.json").write_text("{not json")
    listed = runner.invoke(app, ["conversations"])
    assert listed.exit_code == 0 and "GAN 由什么组成" in listed.stdout
    assert "20991231-000000-abcdef.json" in listed.stderr and "damaged" in listed.stderr
    continued = runner.invoke(app, ["ask", "它的训练是怎样的？", "--continue"])
    assert continued.exit_code == 0, continued.output


@pytest.mark.parametrize("command", ["search", "ask"])
def test_an_empty_query_is_a_usage_error(command: str) -> None:
    result = runner.invoke(app, [command, "  "])
    assert result.exit_code == 2 and "is empty" in result.output


@pytest.mark.parametrize("command", ["search", "ask"])
def test_a_query_typed_in_a_gbk_terminal_is_a_usage_error(command: str) -> None:
    # What Python makes of bytes that are not UTF-8 in argv.
    typed = "反向传播".encode("gbk").decode("utf-8", "surrogateescape")
    result = runner.invoke(app, [command, typed])
    assert result.exit_code == 2 and "not UTF-8" in result.output


def test_a_question_too_long_for_any_passage_is_refused_with_the_reason(script: Script) -> None:
    result = runner.invoke(app, ["ask", "GAN 由什么组成？" * 12_000])
    assert result.exit_code == 1 and "The question is too long" in result.stderr
    assert "Passages:" in result.stdout  # the passages found are still shown
    assert not [r for r in script.requests if r["path"] == "/api/chat"]
