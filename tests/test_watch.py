"""Live sync: change files under a running watcher; the index follows."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant import Assistant, Settings
from ingest import SyncReport


@pytest.fixture
def watching(isolated_home: Path, notes: Path) -> Iterator[tuple[Assistant, list[SyncReport]]]:
    helper = Assistant(Settings(home=isolated_home, embedder="hashing"))
    helper.reindex([notes])
    reports: list[SyncReport] = []
    stop = threading.Event()
    thread = threading.Thread(target=helper.watch, args=(stop, reports.append), daemon=True)
    thread.start()
    time.sleep(0.5)  # let the watcher start
    yield helper, reports
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive()


def wait_for(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the index did not follow within the time limit")
        time.sleep(0.1)


def paths(helper: Assistant) -> set[str]:
    index = helper._open()
    return {rel for root in index.roots for rel in index.files(root)}


def test_new_edited_and_deleted_files_are_followed(
    watching: tuple[Assistant, list[SyncReport]], notes: Path
) -> None:
    helper, reports = watching
    (notes / "new.md").write_text("# 新笔记\n\n批归一化稳定训练。", encoding="utf-8")
    wait_for(lambda: "new.md" in paths(Assistant(helper.settings)))
    (notes / "rl.txt").unlink()
    wait_for(lambda: "rl.txt" not in paths(Assistant(helper.settings)))
    # The watcher reports a sync after its manifest is written: wait for that too.
    wait_for(lambda: any(r.removed for r in reports))
    assert any(r.added for r in reports)


def test_save_by_rename_and_a_burst_become_few_syncs(
    watching: tuple[Assistant, list[SyncReport]], notes: Path
) -> None:
    helper, reports = watching
    # an editor's safe save: write a temporary file, rename it over the note
    temporary = notes / "attention.md.tmp~"
    temporary.write_text("# Attention\n\n全新的注意力笔记：缩放点积。", encoding="utf-8")
    os.replace(temporary, notes / "attention.md")
    for n in range(20):  # a burst
        (notes / f"burst-{n}.md").write_text(f"第{n}条速记。", encoding="utf-8")
    wait_for(lambda: {f"burst-{n}.md" for n in range(20)} <= paths(Assistant(helper.settings)))
    hits = Assistant(helper.settings).search("缩放点积", 1)
    assert hits[0].chunk.path == "attention.md" and "全新的注意力笔记" in hits[0].chunk.text
    assert len(reports) <= 5  # debounced, not one sync per file
    assert "attention.md.tmp~" not in paths(Assistant(helper.settings))
