"""A read-only data dir: each command says what is read-only, no traceback,
and doctor does not advise a rebuild. Tests run as root, which writes
anywhere; the commands run under capsh without the capabilities that let it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_crash import REPO

pytestmark = pytest.mark.skipif(shutil.which("capsh") is None, reason="needs capsh")


def unprivileged(*args: str) -> subprocess.CompletedProcess[str]:
    command = " ".join([sys.executable, "-c", "'import cli; cli.main()'", *args])
    return subprocess.run(
        ["capsh", "--drop=cap_dac_override,cap_dac_read_search", "--", "-c", command],
        cwd=REPO, env=os.environ.copy(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_read_only_data_dir_is_named(
    notes: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTES_CHAT_EMBEDDER", "hashing")
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    assert unprivileged("index", str(notes)).returncode == 0
    for path in [isolated_home, *isolated_home.rglob("*")]:
        path.chmod(path.stat().st_mode & ~0o222)
    index = unprivileged("index")
    assert index.returncode == 1 and "Traceback" not in index.stderr
    assert "is read-only" in index.stderr and str(isolated_home / "index") in index.stderr
    search = unprivileged("search", "注意力")
    assert "Traceback" not in search.stderr
    assert search.returncode == 0 or "is read-only" in search.stderr
    doctor = unprivileged("doctor")
    assert "is read-only" in doctor.stdout and "--rebuild" not in doctor.stdout
