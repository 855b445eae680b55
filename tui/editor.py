"""Opening a notes file at a line in the user's editor, the app suspended meanwhile."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App

    from index import Passage


def editor_command_at(path: Path, line: int) -> list[str]:
    """``$VISUAL`` or ``$EDITOR`` ``+LINE FILE`` (vi when neither is set)."""
    setting = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        editor = shlex.split(setting)
    except ValueError:  # unbalanced quotes: taken whole, then named as not found
        editor = [setting]
    return [*editor, f"+{line}", str(path)]


def editor_command(passage: Passage) -> list[str]:
    """The command that opens ``passage``'s file at its first line."""
    chunk = passage.chunk
    return editor_command_at(Path(chunk.root) / chunk.path, chunk.start_line)


def open_in_editor(app: App[Any], command: list[str]) -> None:
    """Run ``command`` with the terminal handed over; back in the app when it exits."""
    # Checked before suspending: an error raised while suspended never gives
    # the terminal back to the app (it froze on a missing editor).
    if not command[:-2] or shutil.which(command[0]) is None:
        app.notify(
            f"Cannot open {command[-1]}: the editor {command[0]!r} is not installed "
            "(set $VISUAL or $EDITOR).",
            severity="error",
        )
        return
    try:
        with app.suspend():
            subprocess.run(command, check=False)
    except Exception as exc:  # no terminal to hand over (e.g. under a test driver)
        app.notify(f"Cannot open {command[-1]}: {exc}", severity="error")
