"""`notes-chat doctor` on a healthy and on a deliberately broken index."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cli import app
from index.dense import DenseStore
from index.manifest import read_manifest
from index.types import Chunk

runner = CliRunner()


pytestmark = pytest.mark.usefixtures("cli_indexed")


def test_healthy_index_passes_every_check() -> None:
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "FAIL" not in result.stdout
    assert "index consistent" in result.stdout and "has qwen2.5:3b" in result.stdout


def test_broken_index_is_named_then_repaired(isolated_home: Path) -> None:
    index_dir = isolated_home / "index"
    collection = read_manifest(index_dir / "manifest.json").collection
    store = DenseStore.open(index_dir / "chroma", collection=collection)
    victims = sorted(store.ids())[:2]
    store.delete(victims)
    stray = Chunk("stray", "/nowhere", "gone.md", 1, 1, "", "孤儿")
    store.upsert([stray], np.ones((1, 256), dtype=np.float32) / 16)

    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert (
        "FAIL index inconsistent: 2 chunks without a vector, 1 vectors no file owns"
        in result.stdout
    )
    assert "notes-chat doctor --repair" in result.stdout

    result = runner.invoke(app, ["doctor", "--repair"])
    assert result.exit_code == 0, result.output
    assert "2 chunks embedded" in result.stdout  # only what was missing
    assert "index consistent" in result.stdout
    assert set(victims) <= store.ids() and "stray" not in store.ids()


def test_changed_notes_and_a_missing_ollama_are_reported(
    notes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (notes / "rl.txt").write_text("强化学习：全新的内容。", encoding="utf-8")
    monkeypatch.setenv("NOTES_CHAT_OLLAMA_HOST", "127.0.0.1:9")
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert "1 files changed since the last sync (rl.txt)" in result.stdout
    assert "Ollama is not reachable at http://127.0.0.1:9  →  run: ollama serve" in result.stdout


def test_nothing_indexed_says_how_to_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTES_CHAT_HOME", str(tmp_path / "empty-home"))
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert "nothing indexed yet  →  run: notes-chat index ~/notes" in result.stdout


@pytest.mark.skipif(shutil.which("capsh") is None, reason="needs capsh")
def test_an_unreadable_unchanged_file_is_named_not_called_changed(
    notes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was a loop: doctor said "changed since the last sync → run index",
    # and index (which cannot read it either) said it was unchanged.
    from tests.test_read_only import REPO, unprivileged

    monkeypatch.setenv("PYTHONPATH", str(REPO))
    (notes / "rl.txt").chmod(0)
    index = unprivileged("index")
    assert index.returncode == 0 and "0 changed" in index.stdout, index.stderr
    doctor = unprivileged("doctor")
    assert doctor.returncode == 1, doctor.stderr
    assert (
        f"FAIL 1 indexed files cannot be read, their old chunks are kept: "
        f"{notes.resolve() / 'rl.txt'} (Permission denied)"
    ) in doctor.stdout
    assert "changed since the last sync" not in doctor.stdout
    assert "run: notes-chat index" not in doctor.stdout
