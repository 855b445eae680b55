"""Damaged or half-rebuilt data dirs: `index --rebuild` gets back to a
working index without hand work, keeping the remembered folders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from index import NotesIndex

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


def test_a_rebuild_cut_short_after_the_wipe_keeps_the_folders(
    cli, notes: Path, isolated_home: Path
) -> None:
    assert cli("index", str(notes)).returncode == 0
    # Where a rebuild killed right after deleting the old index leaves it.
    NotesIndex.wipe(isolated_home / "index")
    done = cli("index")  # no folder given: the remembered ones
    assert done.returncode == 0, done.stderr
    assert "3 added" in done.stdout
    assert "dl/gan.md" in cli("search", "生成器和判别器").stdout


def test_a_damaged_chroma_database_is_rebuilt(cli, notes: Path, isolated_home: Path) -> None:
    assert cli("index", str(notes)).returncode == 0
    (isolated_home / "index" / "chroma" / "chroma.sqlite3").write_bytes(os.urandom(50_000))
    broken = cli("search", "生成器和判别器")
    assert broken.returncode == 1 and "Traceback" not in broken.stderr
    rebuilt = cli("index", "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "dl/gan.md" in cli("search", "生成器和判别器").stdout


def test_a_damaged_manifest_is_rebuilt_with_the_folders(
    cli, notes: Path, isolated_home: Path
) -> None:
    assert cli("index", str(notes)).returncode == 0
    (isolated_home / "index" / "manifest.json").write_text("{garbage", encoding="utf-8")
    damaged = cli("search", "生成器和判别器")
    assert damaged.returncode == 1 and "--rebuild" in damaged.stderr
    rebuilt = cli("index", "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert str(notes.resolve()) in cli("status").stdout


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


def test_index_in_a_read_only_data_dir_says_so(cli, notes: Path, isolated_home: Path) -> None:
    assert cli("index", str(notes)).returncode == 0
    (isolated_home / "index" / "lock").unlink()
    done = subprocess.run(
        ["/usr/sbin/capsh", "--drop=cap_dac_override,cap_dac_read_search", "--", "-c",
         f'chmod -R a-w "{isolated_home}" 2>/dev/null; exec "{sys.executable}" -c "import cli; cli.main()" index'],
        capture_output=True, text=True, cwd=ROOT, timeout=120, env=os.environ.copy(),
    )  # fmt: skip
    os.system(f'chmod -R u+w "{isolated_home}"')
    assert done.returncode == 1, done.stderr
    assert "read-only" in done.stderr and "Traceback" not in done.stderr


def test_search_without_the_chroma_database_fails_loudly(
    cli, notes: Path, isolated_home: Path
) -> None:
    assert cli("index", str(notes)).returncode == 0
    (isolated_home / "index" / "chroma" / "chroma.sqlite3").unlink()
    done = cli("search", "生成器和判别器")
    assert done.returncode == 1 and "No matching passages" not in done.stdout
    assert "--rebuild" in done.stderr and "Traceback" not in done.stderr


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


WRITER = """
import sys, time
from pathlib import Path
from index import NotesIndex
from ingest import sync
from ingest.embed import HashingEmbedder
home, root = Path(sys.argv[1]), Path(sys.argv[2])
for n in range(25):
    (root / "changing.md").write_text(f"# 第{n}版\\n\\n生成器和判别器交替训练，第{n}次修改。" * 3, encoding="utf-8")
    sync(NotesIndex.open(home, HashingEmbedder(), create=True), [root])
print("done", flush=True)
"""


def test_searches_while_index_commits_always_see_a_complete_index(
    notes: Path, isolated_home: Path
) -> None:
    from index import NotesIndex
    from ingest import sync
    from ingest.embed import HashingEmbedder

    home = isolated_home / "index"
    sync(NotesIndex.open(home, HashingEmbedder(), create=True), [notes])
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(home), str(notes)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    searches = 0
    try:
        while writer.poll() is None and searches < 400:
            # A new process's view each time, as `notes-chat search` has.
            found = NotesIndex.open(home, HashingEmbedder()).search("生成器和判别器", 3)
            assert found, "a search during a sync found nothing"
            searches += 1
    finally:
        out, err = writer.communicate(timeout=120)
    assert "done" in out, err
    assert searches > 5


def test_a_folder_inside_an_indexed_one_is_refused(cli, notes: Path) -> None:
    assert cli("index", str(notes)).returncode == 0
    inner = cli("index", str(notes / "dl"))
    assert inner.returncode == 1 and "is inside" in inner.stderr and "--forget" in inner.stderr


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
