"""A rebuild cut short, and searches while an indexer commits: a reader must
always see the last complete index, and the remembered folders survive."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant import Assistant, Settings
from index.errors import AssistantError
from tests.conftest import write_notes
from tests.test_crash import REPO, mutate, write_note

TRIALS = 3


def run_cli(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", "import cli; cli.main()", *args],
        cwd=REPO, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, float]:
    """A folder of notes, indexed once; with the time that took."""
    monkeypatch.setenv("NOTES_CHAT_EMBEDDER", "hashing")
    rng = random.Random(20261203)
    root = tmp_path / "corpus"
    root.mkdir()
    for n in range(80):
        write_note(root / f"note-{n:03}.md", rng)
    started = time.monotonic()
    assert run_cli("index", str(root)).wait(timeout=300) == 0
    return root, time.monotonic() - started


def test_killed_rebuild_keeps_the_old_index_and_its_folders(
    corpus: tuple[Path, float], isolated_home: Path
) -> None:
    root, full = corpus
    rng = random.Random(7)
    before = Assistant(Settings(home=isolated_home, embedder="hashing")).search("梯度下降", 3)
    assert before
    for _ in range(TRIALS):
        process = run_cli("index", "--rebuild")
        time.sleep(rng.uniform(0.3, full * 0.9))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        helper = Assistant(Settings(home=isolated_home, embedder="hashing"))
        # The old index is still in force: same roots, same answers.
        assert helper.status().roots == (str(root),)
        assert [p.chunk.id for p in helper.search("梯度下降", 3)] == [p.chunk.id for p in before]
    # A rebuild run to its end swaps the new index in, with the folder kept.
    assert run_cli("index", "--rebuild").wait(timeout=300) == 0
    helper = Assistant(Settings(home=isolated_home, embedder="hashing"))
    assert helper.status().roots == (str(root),)
    assert helper._open().consistency().ok
    assert not (isolated_home / "index" / "rebuild.json").exists()


def test_searches_during_syncs_and_rebuilds_never_fail(
    corpus: tuple[Path, float], isolated_home: Path
) -> None:
    root, _ = corpus
    rng = random.Random(11)
    failures: list[str] = []
    searches = 0
    for trial in range(4):
        mutate(root, rng, trial)
        writer = run_cli("index", "--rebuild") if trial % 2 else run_cli("index", str(root))
        while writer.poll() is None:
            try:
                # A fresh reader each time: it reads the manifest the writer
                # may be replacing at that moment.
                reader = Assistant(Settings(home=isolated_home, embedder="hashing"))
                reader.search(rng.choice(["梯度下降", "注意力机制", "transformer"]), 5)
            except AssistantError as exc:
                failures.append(f"{type(exc).__name__}: {exc}")
            except Exception as exc:  # a traceback for the user
                failures.append(f"{type(exc).__name__}: {exc!r}")
            searches += 1
        assert writer.returncode == 0, writer.stderr.read() if writer.stderr else ""
    print(f"\n{searches} searches during 4 syncs, {len(failures)} failures")
    assert searches > 10
    assert not failures, failures[:3]


def test_reader_that_read_the_manifest_just_before_a_rebuild_swapped_it_in(
    tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The narrowest window: a reader reads the old manifest, a rebuild then
    completes and drops the old collection, and only then does the reader
    open the collection that manifest names."""
    import index.opening
    from index.manifest import read_manifest

    notes = tmp_path / "notes"
    write_notes(notes, {"gd.md": "# 梯度下降\n\n梯度下降沿负梯度方向更新参数。\n"})
    settings = Settings(home=isolated_home, embedder="hashing")
    Assistant(settings).reindex([notes])
    manifest_path = isolated_home / "index" / "manifest.json"
    old = read_manifest(manifest_path)
    Assistant(settings).reindex(rebuild=True)
    assert read_manifest(manifest_path).collection != old.collection

    reads = iter([old])  # the first read sees the manifest before the swap
    monkeypatch.setattr(
        index.opening, "read_manifest", lambda path: next(reads, None) or read_manifest(path)
    )
    found = Assistant(settings).search("梯度下降", 3)

    assert [p.chunk.path for p in found] == ["gd.md"]
    # Nor was the dropped collection made again, empty, by the reader.
    from index.dense import _client

    client = _client(isolated_home / "index" / "chroma", "", "")
    assert old.collection not in {c.name for c in client.list_collections()}


def test_rebuilds_leave_no_vector_folders_behind(tmp_path: Path, isolated_home: Path) -> None:
    notes = tmp_path / "notes"
    write_notes(notes, {f"n{i}.md": f"# 第{i}节\n\n梯度下降的第{i}个要点。\n" for i in range(5)})
    settings = Settings(home=isolated_home, embedder="hashing")
    Assistant(settings).reindex([notes])
    for _ in range(3):
        Assistant(settings).reindex(rebuild=True)
    chroma = isolated_home / "index" / "chroma"
    folders = [p for p in chroma.iterdir() if p.is_dir()]
    assert len(folders) == 1, folders  # the vectors of the collection in force
    assert Assistant(settings).search("梯度下降", 3)
