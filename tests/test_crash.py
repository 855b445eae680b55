"""Kill `notes-chat index` at random points; the next sync must leave a
consistent index: the same chunk ids in the manifest, Chroma and BM25, each
file's chunks matching its content, and no chunk owned twice."""

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
from ingest.repair import outdated_files

REPO = Path(__file__).resolve().parents[1]
# Twenty killed syncs take about two minutes: out of the quick `-m "not slow"` loop.
pytestmark = pytest.mark.slow

TRIALS = 20
TOPICS = [
    "注意力机制",
    "卷积网络",
    "梯度下降",
    "扩散模型",
    "强化学习",
    "生成对抗网络",
    "transformer",
]


def write_note(path: Path, rng: random.Random) -> None:
    topic = rng.choice(TOPICS)
    paragraphs = [
        f"## {topic} 第{i}节\n\n"
        + f"{topic}的第{rng.randint(0, 10**6)}个要点。这一段讲的是细节。" * rng.randint(2, 12)
        for i in range(rng.randint(1, 5))
    ]
    path.write_text(f"# {topic}\n\n" + "\n\n".join(paragraphs), encoding="utf-8")


def mutate(root: Path, rng: random.Random, serial: int) -> None:
    files = sorted(root.glob("*.md"))
    for path in rng.sample(files, 10):
        write_note(path, rng)
    for path in rng.sample(files, 3):
        path.unlink(missing_ok=True)
    for n in range(3):
        write_note(root / f"new-{serial}-{n}.md", rng)
    survivors = sorted(root.glob("*.md"))
    for path in rng.sample(survivors, 2):
        path.rename(path.with_name(f"renamed-{serial}-{path.name}"))


def start_index(root: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", "import cli; cli.main()", "index", str(root)],
        cwd=REPO, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def test_kill_during_sync_then_resync_is_consistent(
    tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTES_CHAT_EMBEDDER", "hashing")
    rng = random.Random(20261123)
    root = tmp_path / "corpus"
    root.mkdir()
    for n in range(300):
        write_note(root / f"note-{n:03}.md", rng)
    started = time.monotonic()
    assert start_index(root).wait(timeout=300) == 0
    full = time.monotonic() - started

    failures = []
    for trial in range(TRIALS):
        mutate(root, rng, trial)
        if trial % 5 == 4:  # now and then a rebuild, the longest write of all
            process = subprocess.Popen(
                [sys.executable, "-c", "import cli; cli.main()", "index", "--rebuild"],
                cwd=REPO, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        else:
            process = start_index(root)
        time.sleep(rng.uniform(0.2, full))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)

        helper = Assistant(Settings(home=isolated_home, embedder="hashing"))
        helper.reindex([root])
        index = helper._open()
        check = index.consistency()
        outdated = outdated_files(index)
        if not check.ok or outdated:
            failures.append((trial, check, outdated[:3]))
        assert index.status().files == len(list(root.glob("*.md")))

    print(f"\nkill test: {TRIALS} trials, {len(failures)} failures (full index {full:.1f} s)")
    assert not failures
