"""The index on a real Chroma server (`chroma run`) instead of the embedded one."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app

pytestmark = pytest.mark.chroma_server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def chroma_url(tmp_path: Path) -> Iterator[str]:
    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = free_port()
    server = subprocess.Popen(
        [chroma, "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1",
         "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("the Chroma server did not start within 60 s")
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_index_and_search_through_a_chroma_server(
    chroma_url: str, notes: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTES_CHAT_EMBEDDER", "hashing")
    monkeypatch.setenv("NOTES_CHAT_CHROMA_URL", chroma_url)
    runner = CliRunner()
    result = runner.invoke(app, ["index", str(notes)])
    assert result.exit_code == 0, result.output
    assert not (isolated_home / "index" / "chroma").exists()  # nothing embedded locally
    result = runner.invoke(app, ["search", "多头注意力 子空间", "--json", "-k", "1"])
    assert result.exit_code == 0, result.output
    assert '"path": "attention.md"' in result.stdout
    (notes / "attention.md").unlink()
    result = runner.invoke(app, ["index"])
    assert "1 removed" in result.stdout
    result = runner.invoke(app, ["search", "多头注意力 子空间", "--json", "-k", "5"])
    assert '"attention.md"' not in result.stdout


def test_unreachable_chroma_server_is_a_clear_error(
    notes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTES_CHAT_EMBEDDER", "hashing")
    monkeypatch.setenv("NOTES_CHAT_CHROMA_URL", f"http://127.0.0.1:{free_port()}")
    result = CliRunner().invoke(app, ["index", str(notes)])
    assert result.exit_code == 1
    assert "Chroma server at http://127.0.0.1:" in result.stderr


def test_two_data_dirs_on_one_server_keep_their_own_vectors(
    chroma_url: str, tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTES_CHAT_EMBEDDER", "hashing")
    monkeypatch.setenv("NOTES_CHAT_CHROMA_URL", chroma_url)
    runner = CliRunner()
    for name, text in [
        ("a", "# 扩散模型\n\n扩散模型逐步去噪。"),
        ("b", "# 强化学习\n\n策略梯度。"),
    ]:
        (tmp_path / name).mkdir()
        (tmp_path / name / f"{name}.md").write_text(text, encoding="utf-8")
        monkeypatch.setenv("NOTES_CHAT_HOME", str(tmp_path / f"home-{name}"))
        result = runner.invoke(app, ["index", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    # Each sync (and rebuild) of b drops only what b's index owned.
    assert runner.invoke(app, ["index"]).exit_code == 0
    assert runner.invoke(app, ["index", "--rebuild"]).exit_code == 0
    monkeypatch.setenv("NOTES_CHAT_HOME", str(tmp_path / "home-a"))
    result = runner.invoke(app, ["doctor"])
    assert "index consistent" in result.stdout, result.output
    result = runner.invoke(app, ["search", "扩散模型 去噪", "--json", "-k", "1"])
    assert result.exit_code == 0, result.output
    assert '"path": "a.md"' in result.stdout
