"""`notes-chat eval`: question files, `--answers` scored against the fake
Ollama, and the run file (written as it goes, resumed, locked)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from tests.fake_ollama import Script

runner = CliRunner()


pytestmark = pytest.mark.usefixtures("cli_indexed")


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
                              "retried", "from_memory", "repeated"]  # fmt: skip
    assert lines[0]["retried"] is False and lines[0]["from_memory"] is False
    assert lines[0]["repeated"] is False
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


def test_the_run_file_says_which_answers_were_retried_from_memory_or_repeated(
    tmp_path: Path, script: Script
) -> None:
    questions, run_file = two_questions(tmp_path), tmp_path / "run.jsonl"
    from tests.test_repetition import LOOPING_REPLY
    from tests.test_support import MEMORY_ANSWER

    script.queued = [["笔记中没有相关内容。"], ["GAN 由生成器和判别器组成 [1]。"], MEMORY_ANSWER]
    result = runner.invoke(app, ["eval", str(questions), "--answers", "--run-out", str(run_file)])
    assert result.exit_code == 0, result.output
    first, second = [json.loads(line) for line in run_file.read_text(encoding="utf-8").splitlines()]
    assert first["retried"] is True and first["from_memory"] is False and not first["refused"]
    assert second["retried"] is False and second["from_memory"] is True and second["refused"]
    assert not first["repeated"] and not second["repeated"]
    script.queued = [LOOPING_REPLY, LOOPING_REPLY]
    runner.invoke(app, ["eval", str(questions), "--answers", "--run-out", str(run_file)])
    first, _ = [json.loads(line) for line in run_file.read_text(encoding="utf-8").splitlines()]
    assert first["repeated"] is True and not first["refused"]


def test_a_run_file_written_before_retries_were_recorded_still_reads() -> None:
    from assistant.run_file import RunLine

    line = {"id": 1, "hits": [], "answer": "GAN [1]。", "refused": False, "cited": [],
            "supported": [True]}  # fmt: skip
    answer = RunLine.from_json(line).answer
    assert answer is not None and answer.retried is False and answer.from_memory is False
    assert answer.repeated is False
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


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('{"id": 1, "question": "GAN 由什么组成？", "evidence": "梯度下降"}', "list of strings"),
        ('{"id": 1, "question": "GAN 由什么组成？", "evidence": [1, 2]}', "list of strings"),
        ('{"id": 1, "question": "GAN 由什么组成？", "answerable": "false"}', "true or false"),
        ('{"id": 1, "question": "GAN 由什么组成？", "answer": ["生成器"]}', '"answer" must be'),
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
