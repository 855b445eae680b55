"""A full disk while indexing, made real with a small tmpfs mounted as the
data dir (needs root and mount; skipped otherwise)."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_crash import REPO


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "small"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import cli; cli.main()", *args],
        cwd=REPO, env=os.environ.copy(), capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_a_full_disk_is_named(
    small_disk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTES_CHAT_EMBEDDER", "hashing")
    monkeypatch.setenv("NOTES_CHAT_HOME", str(small_disk))
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    rng = random.Random(3)
    notes = tmp_path / "big"
    notes.mkdir()
    for n in range(200):  # ~1.8 MB of text: more than 6 MB once indexed
        paragraphs = (
            "".join(chr(0x4E00 + rng.randrange(2000)) for _ in range(300)) for _ in range(10)
        )
        (notes / f"n{n}.md").write_text("# t\n\n" + "\n\n".join(paragraphs), encoding="utf-8")
    index = cli("index", str(notes))
    assert index.returncode == 1
    assert "Traceback" not in index.stderr
    assert f"The disk holding {small_disk}" in index.stderr and "is full" in index.stderr
    for command in (["search", "注意力"], ["doctor"]):
        result = cli(*command)
        assert "Traceback" not in result.stderr, result.stderr
