"""The terminal chat app (Textual); the only package that imports Textual."""

from .app import NotesChatApp, editor_command, run
from .widgets import SourceItem

__all__ = ["NotesChatApp", "SourceItem", "editor_command", "run"]
