"""The `notes-chat` command: what a user types and sees."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def hashing_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTES_CHAT_EMBEDDER", "hashing")


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_index_then_search_prints_path_and_lines(notes: Path) -> None:
    code, out, _ = run("index", str(notes))
    assert code == 0
    assert "3 added" in out and "0 unchanged" in out
    code, out, _ = run("search", "判别器负责区分真假", "-k", "2")
    assert code == 0
    assert "dl/gan.md:" in out


def test_search_json_is_stable_for_scripts(notes: Path) -> None:
    run("index", str(notes))
    code, out, _ = run("search", "square root of the key dimension", "--json", "-k", "3")
    assert code == 0
    hits = json.loads(out)
    assert len(hits) == 3
    assert set(hits[0]) == {
        "path", "start_line", "end_line", "page", "heading", "text", "score",
        "dense_rank", "bm25_rank",
    }  # fmt: skip
    assert hits[0]["path"] == "attention.md"
    assert hits[0]["start_line"] <= 3 <= hits[0]["end_line"]


def test_control_characters_in_a_file_name_are_shown_escaped(tmp_path: Path) -> None:
    # A newline in a name broke the result over two lines; an escape
    # sequence reached the terminal; a [tag] was eaten as Rich markup.
    notes = tmp_path / "notes"
    notes.mkdir()
    names = ["line\nbreak.md", "esc\x1b[31mred.md", "[red]todo.md"]
    for n, name in enumerate(names):  # distinct texts: identical ones are shown once
        (notes / name).write_text(
            f"# 梯度\n\n梯度下降沿负梯度方向更新参数{n}。\n", encoding="utf-8"
        )
    assert run("index", str(notes))[0] == 0
    code, out, _ = run("search", "梯度下降", "-k", "3")
    assert code == 0
    results = [line for line in out.splitlines() if line[:1].isdigit()]
    shown = {line.split(". ", 1)[1].split("  ")[0] for line in results}
    assert shown == {"line\\nbreak.md:1-3", "esc\\x1b[31mred.md:1-3", "[red]todo.md:1-3"}
    assert "\x1b" not in out
    # --json keeps the real name (JSON escapes it)
    paths = {hit["path"] for hit in json.loads(run("search", "梯度下降", "--json")[1])}
    assert paths == set(names)


def test_index_without_path_resyncs_remembered_roots(notes: Path) -> None:
    run("index", str(notes))
    (notes / "new.md").write_text("# 新笔记\n\n批归一化让训练更稳定。", encoding="utf-8")
    code, out, _ = run("index")
    assert code == 0
    assert "1 added" in out and "3 unchanged" in out


def test_status_names_roots_counts_and_embedder(notes: Path, isolated_home: Path) -> None:
    run("index", str(notes))
    code, out, _ = run("status")
    assert code == 0
    assert str(notes.resolve()) in out
    assert "Files:         3" in out
    assert "hashing:256:v1" in out
    assert str(isolated_home) in out


def test_rebuild_after_embedder_change(notes: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run("index", str(notes))
    monkeypatch.setenv("NOTES_CHAT_EMBEDDER", "sentence-transformers:/nonexistent/model")
    code, _, err = run("search", "GAN")
    assert code == 1
    assert "notes-chat index --rebuild" in err
    monkeypatch.setenv("NOTES_CHAT_EMBEDDER", "hashing")
    code, out, _ = run("index", "--rebuild")
    assert code == 0 and "3 added" in out


def test_eval_scores_and_writes_a_run_file(notes: Path, tmp_path: Path) -> None:
    run("index", str(notes))
    questions = tmp_path / "q.jsonl"
    items = [
        {"id": 1, "question": "GAN 由什么组成？", "evidence": ["GAN 由生成器和判别器组成"],
         "answerable": True, "kind": "factual"},
        {"id": 2, "question": "Q-Learning 是什么策略？", "evidence": ["Q-Learning 属于异步策略算法"],
         "answerable": True, "kind": "factual"},
        {"id": 3, "question": "LoRA 是什么？", "evidence": [], "answerable": False,
         "kind": "unanswerable"},
    ]  # fmt: skip
    questions.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items))
    run_file = tmp_path / "run.jsonl"
    code, out, _ = run("eval", str(questions), "--run-out", str(run_file), "--json")
    assert code == 0
    scores = json.loads(out)
    assert scores["n"] == 2 and scores["recall@10"] == 1.0
    lines = [json.loads(line) for line in run_file.read_text().splitlines()]
    assert [line["id"] for line in lines] == [1, 2, 3]
    assert lines[0]["hits"][0]["source"] in {"dl/gan.md", "rl.txt", "attention.md"}


def test_bad_config_value_names_the_key(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("chunk_size = -5\n")
    code, _, err = run("status")
    assert code == 1
    assert "chunk_size" in err and "config.toml" in err


def test_a_bad_value_from_the_environment_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NOTES_CHAT_TOP_K", "0")
    code, _, err = run("status")
    assert code == 1 and "top_k (from NOTES_CHAT_TOP_K)" in err
    assert "config.toml" not in err  # there is none to blame


def test_unknown_config_key_is_refused(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('embeder = "e5-small"\n')
    code, _, err = run("status")
    assert code == 1 and "embeder" in err


def test_a_binary_config_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_bytes(bytes(range(256)))
    code, _, err = run("status")
    assert code == 1 and "config.toml" in err and "not UTF-8" in err


def test_a_config_path_that_is_a_folder_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTES_CHAT_CONFIG", str(tmp_path))
    code, _, err = run("status")
    assert code == 1 and "is a folder" in err


def cli_subprocess(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import cli; cli.main()", *args],
        capture_output=True, text=True, timeout=120, env=os.environ.copy(),
        cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip


def test_missing_folder_exits_1_with_a_message_and_no_traceback(tmp_path: Path) -> None:
    result = cli_subprocess("index", str(tmp_path / "no-such-notes"))
    assert result.returncode == 1
    assert "no-such-notes does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_search_on_empty_index_says_to_index_first() -> None:
    result = cli_subprocess("search", "什么是注意力")
    assert result.returncode == 1
    assert "Nothing indexed yet. Run `notes-chat index" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_remembered_folder_that_is_gone_is_reported_and_kept(notes: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "extra.md").write_text("# 额外\n\n知识蒸馏用教师模型指导学生模型。", encoding="utf-8")
    run("index", str(notes), str(other))
    other.rename(tmp_path / "moved")
    code, out, err = run("index")
    assert code == 0
    assert "the folder is gone" in err and str(other) in err
    assert "3 unchanged" in out
    code, out, _ = run("search", "知识蒸馏 教师模型", "-k", "1")
    assert "extra.md" in out  # still searchable until the folder is back or re-indexed


def test_second_indexer_fails_naming_the_first(notes: Path, isolated_home: Path) -> None:
    run("index", str(notes))
    lock = isolated_home / "index" / "lock"
    script = (
        "import fcntl, os, sys, time\n"
        f"fd = os.open({str(lock)!r}, os.O_RDWR)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "os.ftruncate(fd, 0); os.pwrite(fd, str(os.getpid()).encode(), 0)\n"
        "print('locked', flush=True)\n"
        "time.sleep(30)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        code, _, err = run("index")
        assert code == 1
        assert f"pid {holder.pid}" in err
    finally:
        holder.kill()
        holder.wait()
    # the lock is an flock, released when its holder dies: no stale lock
    code, out, _ = run("index")
    assert code == 0 and "3 unchanged" in out
