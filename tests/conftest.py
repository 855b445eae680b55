"""Shared fixtures: an isolated data dir and config for every test, and an
embedder that records what it embeds."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant, Settings
from index import Chunk, Passage
from ingest.embed import HashingEmbedder
from tests.fake_ollama import Script, serve

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SHARED_NOTES = SHARED / "notes"


class RecordingEmbedder(HashingEmbedder):
    """The hashing embedder, keeping every passage text it was asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        return super().embed_passages(texts)


def write_notes(root: Path, files: dict[str, str]) -> Path:
    """A notes folder at ``root`` holding ``files`` (name: text)."""
    root.mkdir(parents=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def passage(n: int, text: str) -> Passage:
    """A retrieved passage ``n`` (its rank, and its number in a prompt)."""
    return Passage(Chunk(f"id{n}", "/r", f"note{n}.md", n, n + 2, "", text), 1.0 / n, n, n)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data dir and no user config file."""
    home = tmp_path / "home"
    monkeypatch.setenv("NOTES_CHAT_HOME", str(home))
    monkeypatch.setenv("NOTES_CHAT_CONFIG", str(tmp_path / "config.toml"))
    for key in ("NOTES_CHAT_EMBEDDER", "NOTES_CHAT_CHROMA_URL", "NOTES_CHAT_TOP_K"):
        monkeypatch.delenv(key, raising=False)
    return home


@pytest.fixture
def embedder() -> RecordingEmbedder:
    return RecordingEmbedder()


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    """A small notes folder, Chinese and English."""
    root = tmp_path / "notes"
    (root / "dl").mkdir(parents=True)
    (root / "dl" / "gan.md").write_text(
        "# 生成对抗网络\n\n"
        "GAN 由生成器和判别器组成。生成器负责生成以假乱真的样本，判别器负责区分真假。\n\n"
        "## 训练\n\n"
        "两者交替训练，是一种博弈关系。模式崩溃是指生成器只生成少数几种样本。\n",
        encoding="utf-8",
    )
    (root / "attention.md").write_text(
        "# Attention\n\n"
        "Scaled dot-product attention divides by the square root of the key dimension "
        "so that the softmax does not saturate.\n\n"
        "## 多头注意力\n\n多头注意力把 Q、K、V 投影到多个子空间分别计算注意力，再拼接起来。\n",
        encoding="utf-8",
    )
    (root / "rl.txt").write_text(
        "强化学习\n\n智能体在环境中采取动作，获得奖励。Q-Learning 属于异步策略算法。\n"
        "蒙特卡洛方法用完整回合的回报来估计价值。\n",
        encoding="utf-8",
    )
    return root


@pytest.fixture
def script() -> Script:
    """What the fake Ollama server will do; tests change it as they go."""
    return Script()


@pytest.fixture
def ollama(script: Script) -> Iterator[str]:
    """The base URL of a fake Ollama server following ``script``."""
    with serve(script) as url:
        yield url


@pytest.fixture
def cli_indexed(notes: Path, ollama: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``notes`` indexed through the CLI with the hashing embedder, and the
    fake Ollama configured, for tests of the commands."""
    from typer.testing import CliRunner

    from cli import app

    monkeypatch.setenv("NOTES_CHAT_EMBEDDER", "hashing")
    monkeypatch.setenv("NOTES_CHAT_OLLAMA_HOST", ollama)
    assert CliRunner().invoke(app, ["index", str(notes)]).exit_code == 0


@pytest.fixture
def settings(isolated_home: Path, ollama: str) -> Settings:
    """Settings for the chat app's tests: the hashing embedder, the fake
    Ollama, and no warm-up request at start (tests queue the model's replies
    in order; ``test_tui.py`` has the warm-up's own test)."""
    return Settings(
        home=isolated_home,
        embedder="hashing",
        ollama_host=ollama,
        request_timeout=5,
        warm_up=False,
    )


@pytest.fixture
def indexed(settings: Settings, notes: Path) -> Settings:
    Assistant(settings).reindex([notes])
    return settings
