"""`notes-chat ask`, `conversations` and `eval --answers` against the fake Ollama."""

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
        "unverified_quotes", "sentences", "mostly_unsupported", "from_memory", "also_searched",
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
        "unverified_quotes", "sentences", "mostly_unsupported", "from_memory", "also_searched", "error",
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


def test_eval_answers_scores_refusals_and_citations(tmp_path: Path) -> None:
    items = [
        {"id": 1, "question": "GAN 由什么组成？", "evidence": ["GAN 由生成器和判别器组成"],
         "answerable": True, "kind": "factual"},
        {"id": 2, "question": "XGBoost 的原理是什么？", "evidence": [], "answerable": False,
         "kind": "unanswerable"},
    ]  # fmt: skip
    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items))
    run_file = tmp_path / "run.jsonl"
    result = runner.invoke(
        app, ["eval", str(questions), "--answers", "--json", "--run-out", str(run_file)]
    )
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert scores["refusal_precision"] == 1.0 and scores["refusal_recall"] == 1.0
    assert scores["citation_accuracy"] == 1.0
    assert scores["answerable_refused"] == 0
    # The fake model's answer is the notes' own sentence; nothing unanswerable got through.
    assert scores["supported_sentences_answerable"] == 1.0
    assert scores["supported_sentences_unanswerable"] is None
    lines = [json.loads(line) for line in run_file.read_text().splitlines()]
    assert list(lines[0]) == ["id", "question", "hits", "answer", "refused", "cited", "supported",
                              "retried", "from_memory"]  # fmt: skip
    assert lines[0]["retried"] is False and lines[0]["from_memory"] is False
    assert list(lines[0]["cited"][0]) == ["source", "text", "inferred", "asked"]
    assert lines[0]["refused"] is False and lines[0]["cited"][0]["source"] == "dl/gan.md"
    assert lines[0]["supported"] == [True]
    assert lines[1]["refused"] is True and lines[1]["answer"].startswith("笔记中没有")


def two_questions(tmp_path: Path) -> Path:
    items = [
        {"id": 1, "question": "GAN 由什么组成？", "evidence": ["GAN 由生成器和判别器组成"],
         "answerable": True, "kind": "factual"},
        {"id": 2, "question": "GAN 的判别器做什么？", "evidence": ["判别器"],
         "answerable": True, "kind": "factual"},
    ]  # fmt: skip
    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items))
    return questions


def test_the_run_file_says_which_answers_were_retried_or_from_memory(
    tmp_path: Path, script: Script
) -> None:
    questions, run_file = two_questions(tmp_path), tmp_path / "run.jsonl"
    from tests.test_support import MEMORY_ANSWER

    script.queued = [["笔记中没有相关内容。"], ["GAN 由生成器和判别器组成 [1]。"], MEMORY_ANSWER]
    result = runner.invoke(app, ["eval", str(questions), "--answers", "--run-out", str(run_file)])
    assert result.exit_code == 0, result.output
    first, second = [json.loads(line) for line in run_file.read_text(encoding="utf-8").splitlines()]
    assert first["retried"] is True and first["from_memory"] is False and not first["refused"]
    assert second["retried"] is False and second["from_memory"] is True and second["refused"]


def test_a_run_file_written_before_retries_were_recorded_still_reads() -> None:
    from assistant.run_file import RunLine

    line = {"id": 1, "hits": [], "answer": "GAN [1]。", "refused": False, "cited": [],
            "supported": [True]}  # fmt: skip
    answer = RunLine.from_json(line).answer
    assert answer is not None and answer.retried is False and answer.from_memory is False
    with pytest.raises(TypeError, match='"retried" must be true or false'):
        RunLine.from_json({**line, "retried": "yes"})


def test_an_answers_run_the_model_fails_in_keeps_the_questions_done(
    tmp_path: Path, script: Script
) -> None:
    questions, run_file = two_questions(tmp_path), tmp_path / "run.jsonl"
    script.queued = [["GAN 由生成器和判别器组成 [1]。"], "model runner has unexpectedly stopped"]
    result = runner.invoke(app, ["eval", str(questions), "--answers", "--run-out", str(run_file)])
    assert result.exit_code == 3  # the model failed
    assert f"{run_file} holds the 1 questions answered before the error below" in result.stderr
    assert "model runner has unexpectedly stopped" in result.stderr
    [kept] = [json.loads(line) for line in run_file.read_text(encoding="utf-8").splitlines()]
    assert kept["id"] == 1 and kept["answer"] == "GAN 由生成器和判别器组成 [1]。"


def test_a_resumed_run_asks_only_the_questions_not_answered(tmp_path: Path, script: Script) -> None:
    questions, run_file = two_questions(tmp_path), tmp_path / "run.jsonl"
    script.queued = [["GAN 由生成器和判别器组成 [1]。"], "model runner has unexpectedly stopped"]
    args = ["eval", str(questions), "--answers", "--run-out", str(run_file), "--json"]
    assert runner.invoke(app, args).exit_code == 3
    asked_before = len(script.requests)
    script.queued = [["判别器负责区分真假 [1]。"]]
    result = runner.invoke(app, [*args, "--resume"])
    assert result.exit_code == 0, result.output
    assert "1 of 2 questions already answered" in result.stderr
    asked = [r["messages"][-1]["content"] for r in script.requests[asked_before:]
             if r["path"] == "/api/chat"]  # fmt: skip
    assert asked and all("判别器做什么" in a and "由什么组成" not in a for a in asked)
    lines = [json.loads(line) for line in run_file.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == [1, 2]
    assert lines[0]["answer"] == "GAN 由生成器和判别器组成 [1]。"
    assert json.loads(result.stdout)["citation_accuracy"] == 1.0  # both answers scored


def test_resuming_drops_a_last_line_cut_short_and_names_a_bad_one(
    tmp_path: Path, script: Script
) -> None:
    questions, run_file = two_questions(tmp_path), tmp_path / "run.jsonl"
    args = ["eval", str(questions), "--answers", "--run-out", str(run_file), "--resume"]
    assert runner.invoke(app, args[:-1]).exit_code == 0
    first, second = run_file.read_bytes().split(b"\n")[:2]
    cut = second[: second.index("判".encode()) + 1]  # killed inside a character
    run_file.write_bytes(first + b"\n" + cut)
    result = runner.invoke(app, args)
    assert result.exit_code == 0 and "1 of 2 questions already answered" in result.stderr
    assert [json.loads(line)["id"] for line in run_file.read_text().splitlines()] == [1, 2]
    # A whole line that is not a run line, last or not, is named; the file is left as it was.
    for text in (cut + b"\n" + first + b"\n", first + b"\n" + cut + b"\n"):
        run_file.write_bytes(text)
        result = runner.invoke(app, args)
        assert result.exit_code == 1 and "not a run line" in result.stderr
        assert run_file.read_bytes() == text


def test_resume_never_takes_another_file_for_a_run(tmp_path: Path) -> None:
    questions = two_questions(tmp_path)
    for text in ("My only copy of this note", "My only copy of this note\n"):
        note = tmp_path / "note.txt"
        note.write_text(text, encoding="utf-8")
        result = runner.invoke(app, ["eval", str(questions), "--answers", "--run-out", str(note),
                                     "--resume"])  # fmt: skip
        assert result.exit_code == 1 and "not a run" in result.stderr
        assert note.read_text(encoding="utf-8") == text
    # a run of another question file, under the same ids
    run_file = tmp_path / "run.jsonl"
    assert (
        runner.invoke(
            app, ["eval", str(questions), "--answers", "--run-out", str(run_file)]
        ).exit_code
        == 0
    )
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({"id": 1, "question": "CycleGAN 是什么？"}, ensure_ascii=False))
    result = runner.invoke(
        app, ["eval", str(other), "--answers", "--run-out", str(run_file), "--resume"]
    )
    assert result.exit_code == 1 and "answers another question 1" in result.stderr


def test_a_run_file_another_run_is_writing_is_refused(tmp_path: Path) -> None:
    import fcntl

    run_file = tmp_path / "run.jsonl"
    with run_file.open("a") as other_run:
        fcntl.flock(other_run.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = runner.invoke(app, ["eval", str(two_questions(tmp_path)), "--answers",
                                     "--run-out", str(run_file), "--resume"])  # fmt: skip
    assert result.exit_code == 1 and "Another `notes-chat eval` is writing" in result.stderr


def test_a_run_file_that_grew_after_it_was_read_is_not_cut(tmp_path: Path) -> None:
    # Another run finished writing between this run's reading and locking.
    from assistant.run_file import run_so_far
    from cli.eval import _kept
    from index import IndexBusy

    questions, run_file = two_questions(tmp_path), tmp_path / "run.jsonl"
    assert runner.invoke(app, ["eval", str(questions), "--answers", "--run-out", str(run_file),
                               "--limit", "1"]).exit_code == 0  # fmt: skip
    so_far = run_so_far(run_file)
    with run_file.open("a", encoding="utf-8") as other_run:
        other_run.write('{"id": 2, "hits": [], "answer": "", "refused": true, "cited": [], '
                        '"supported": []}\n')  # fmt: skip
    grown = run_file.read_bytes()
    with pytest.raises(IndexBusy, match="changed while it was read"), _kept(run_file, so_far, 1):
        pass
    assert run_file.read_bytes() == grown


def test_a_line_separator_inside_an_answer_does_not_split_its_line(
    tmp_path: Path, script: Script
) -> None:
    questions, run_file = two_questions(tmp_path), tmp_path / "run.jsonl"
    script.queued = [["GAN 由生成器\u2028和判别器组成\u2029 [1]。"], ["判别器区分真假 [1]。"]]
    args = ["eval", str(questions), "--answers", "--run-out", str(run_file), "--limit", "1"]
    assert runner.invoke(app, args).exit_code == 0
    result = runner.invoke(app, [*args[:-2], "--resume"])
    assert result.exit_code == 0 and "1 of 2 questions already answered" in result.stderr


def test_resume_needs_an_answers_run_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", str(two_questions(tmp_path)), "--resume"])
    assert result.exit_code == 2 and "--answers and --run-out" in result.output
    assert "--resume" in result.output


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_a_run_file_on_a_full_disk_is_a_message(tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": 1, "question": "GAN 由什么组成？"}', encoding="utf-8")
    result = runner.invoke(app, ["eval", str(questions), "--run-out", "/dev/full"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "Cannot write the run file /dev/full" in result.stderr


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


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('{"id": 1, "question": "GAN 由什么组成？", "evidence": "梯度下降"}', "list of strings"),
        ('{"id": 1, "question": "GAN 由什么组成？", "evidence": [1, 2]}', "list of strings"),
        ('{"id": 1, "question": "GAN 由什么组成？", "answerable": "false"}', "true or false"),
        ('{"id": 1, "question": "GAN？"}\n{"id": 1, "question": "VAE？"}', "used on line 1"),
        ('["not", "an", "object"]', "not a question object"),
        ('{"id": 1, "question": "GAN \\ud800 是什么？"}', "half of a character"),
        ("[" * 100_000, "line 1"),
    ],
)
def test_a_bad_question_file_names_the_line(tmp_path: Path, line: str, says: str) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(line, encoding="utf-8")
    result = runner.invoke(app, ["eval", str(questions)])
    assert result.exit_code == 1 and says in result.stderr and "line" in result.stderr


def test_a_binary_question_file_is_named(tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_bytes(bytes(range(256)) * 4)
    result = runner.invoke(app, ["eval", str(questions)])
    assert result.exit_code == 1 and "not UTF-8" in result.stderr


def test_run_out_that_is_a_folder_is_refused_before_the_run(tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": 1, "question": "GAN 由什么组成？"}', encoding="utf-8")
    result = runner.invoke(app, ["eval", str(questions), "--answers", "--run-out", str(tmp_path)])
    assert result.exit_code == 2 and "is a folder" in result.output
