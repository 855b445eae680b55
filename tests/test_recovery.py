"""Indexing from more than one place: nested folders, forgetting one, two
re-indexes in one process, one file reached through two links."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def cli(isolated_home: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NOTES_CHAT_EMBEDDER", "hashing")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", "import cli; cli.main()", *args],
            capture_output=True, text=True, cwd=ROOT, timeout=120, env=os.environ.copy(),
        )  # fmt: skip

    return run


def test_two_reindexes_in_one_process_do_not_blame_its_own_pid(
    notes: Path, isolated_home: Path
) -> None:
    import threading

    from assistant import Assistant, IndexBusy, Settings

    assistant = Assistant(Settings(home=isolated_home, embedder="hashing"))
    assistant.reindex([notes])
    lock = isolated_home / "index" / "lock"
    from index import index_lock

    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with index_lock(lock):
            holding.set()
            release.wait(10)

    other = threading.Thread(target=hold)
    other.start()
    holding.wait(5)
    try:
        with pytest.raises(IndexBusy, match="This app is already updating"):
            Assistant(Settings(home=isolated_home, embedder="hashing")).reindex()
    finally:
        release.set()
        other.join()
    assistant.reindex()  # free again


def test_one_text_reached_by_two_links_is_one_result(notes: Path, isolated_home: Path) -> None:
    from assistant import Assistant, Settings

    (notes / "gan-link.md").symlink_to(notes / "dl" / "gan.md")
    (notes / "gan-link2.md").symlink_to(notes / "dl" / "gan.md")
    assistant = Assistant(Settings(home=isolated_home, embedder="hashing"))
    assistant.reindex([notes])
    passages = assistant.search("生成器和判别器", 5)
    texts = ["".join(p.chunk.text.split()) for p in passages]
    assert len(texts) == len(set(texts))
    assert sum("生成器和判别器" in t for t in texts) == 1


def test_a_folder_inside_an_indexed_one_is_refused(cli, notes: Path) -> None:
    assert cli("index", str(notes)).returncode == 0
    inner = cli("index", str(notes / "dl"))
    assert inner.returncode == 1 and "is inside" in inner.stderr and "--forget" in inner.stderr


def test_a_folder_holding_an_indexed_one_is_refused_with_a_fix_that_works(cli, notes: Path) -> None:
    inner = notes / "dl"
    assert cli("index", str(inner)).returncode == 0
    outer = cli("index", str(notes))
    assert outer.returncode == 1 and f"--forget {inner.resolve()}`" in outer.stderr
    assert cli("index", "--forget", str(inner)).returncode == 0  # the advice, followed
    assert cli("index", str(notes)).returncode == 0


def test_forget_drops_a_folder_and_its_chunks(cli, notes: Path, tmp_path: Path) -> None:
    other = tmp_path / "other-notes"
    other.mkdir()
    (other / "rnn.md").write_text("# 循环神经网络\n\nLSTM 用门控缓解梯度消失。", encoding="utf-8")
    assert cli("index", str(notes)).returncode == 0
    assert cli("index", str(other)).returncode == 0
    forgot = cli("index", "--forget", str(other))
    assert forgot.returncode == 0 and "1 chunks dropped" in forgot.stdout, forgot.stderr
    assert str(other.resolve()) not in cli("status").stdout
    assert "rnn.md" not in cli("search", "LSTM 门控").stdout
    unknown = cli("index", "--forget", str(other))
    assert unknown.returncode == 1 and "is not an indexed folder" in unknown.stderr
