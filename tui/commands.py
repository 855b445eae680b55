"""The chat's keys and its entries in the command palette."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.binding import Binding, BindingType

if TYPE_CHECKING:
    from .app import NotesChatApp

BINDINGS: list[BindingType] = [
    Binding("escape", "stop", "Stop"),
    Binding("ctrl+n", "new_conversation", "New chat"),
    Binding("ctrl+o", "open_conversation", "Conversations"),
    Binding("ctrl+s", "study", "Study"),
    Binding("ctrl+r", "reindex", "Re-index"),
    Binding("ctrl+g", "edit_source", "Edit source"),
    Binding("ctrl+l", "toggle_watch", "Live sync"),
    Binding("f1", "help", "Help"),
    Binding("ctrl+q", "quit", "Quit"),
]

# The chat's own actions: off (and out of the footer) while another screen,
# such as the study screen, is on top of the chat.
CHAT_ACTIONS = frozenset(
    {"stop", "new_conversation", "open_conversation", "reindex", "edit_source", "toggle_watch",
     "study", "help"}
)  # fmt: skip


def chat_commands(app: NotesChatApp) -> Iterable[SystemCommand]:
    """The palette's entries for the chat (besides Textual's own)."""
    yield SystemCommand("Study", "Review today's cards, or take a quiz", app.action_study)
    yield SystemCommand("Re-index notes", "Bring the index up to date", app.action_reindex)
    yield SystemCommand("New conversation", "Start over", app.action_new_conversation)
    yield SystemCommand("Open conversation", "Resume a saved one", app.action_open_conversation)
    yield SystemCommand("Live sync", "Turn live sync on or off", app.action_toggle_watch)
    yield SystemCommand("Help", "Keys and what they do", app.action_help)
