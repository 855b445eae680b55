"""The terminal chat app (Textual); the only package that imports Textual."""

from .app import NotesChatApp, run
from .editor import editor_command
from .widgets import SourceItem

__all__ = ["NotesChatApp", "SourceItem", "editor_command", "run"]
