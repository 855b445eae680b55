"""Snapshots of the chat app at 100×30 (pytest-textual-snapshot).

Update after an intended change of the UI with `pytest --snapshot-update`.
The timing figures of the status line are blanked: they differ run to run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant, Settings
from tui import NotesChatApp

SIZE = (100, 30)


@pytest.fixture
def app(isolated_home: Path, ollama: str, notes: Path) -> NotesChatApp:
    settings = Settings(home=isolated_home, embedder="hashing", ollama_host=ollama)
    Assistant(settings).reindex([notes])
    return NotesChatApp(settings)


async def answered(pilot: Any) -> None:
    app = pilot.app
    await app.workers.wait_for_complete()
    field = app.query_one("#question")
    # A blinking cursor is drawn or not depending on when the shot is taken.
    field.cursor_blink = False
    field.value = "GAN 由什么组成？"
    await pilot.press("enter")
    await pilot.pause()
    await app.workers.wait_for_complete()
    app.status.last_stats = ""  # a reactive field: the status line is rendered again
    await pilot.pause()


def test_main_screen_after_an_answer(snap_compare: Any, app: NotesChatApp) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=answered)


def test_sources_view_with_a_passage_in_context(snap_compare: Any, app: NotesChatApp) -> None:
    async def pick_source(pilot: Any) -> None:
        await answered(pilot)
        pilot.app.query_one("#sources").focus()
        await pilot.press("down", "up")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=pick_source)
