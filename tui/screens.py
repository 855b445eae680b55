"""The chat app's modal screens: help, a yes/no question, the saved conversations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Label,
    Markdown,
    OptionList,
)

if TYPE_CHECKING:
    from assistant import Conversation

HELP = """\
# notes-chat

Ask about your notes; answers cite passages as **[n]**, listed on the right.

| key | does |
|---|---|
| enter | ask the question |
| up / down (in the question) | earlier questions |
| escape | stop the answer being written |
| ctrl+n | new conversation |
| ctrl+o | open a saved conversation |
| ctrl+s | study: review the cards due today, or a quiz |
| ctrl+r | re-index the notes folders |
| tab | move to the sources; up/down pick one |
| ctrl+g | open the picked source in `$EDITOR` at its line |
| ctrl+l | live sync on/off: the index follows changes to the notes |
| ctrl+p | command palette |
| f1 | this help |
| ctrl+q | quit |
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close help")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(HELP)


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Label(self.question, markup=False)
            with Horizontal():
                yield Button("Yes (y)", id="yes", variant="primary")
                yield Button("No (n)", id="no")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class ConversationsScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Close")]

    def __init__(self, conversations: list[Conversation]) -> None:
        super().__init__()
        self.conversations = conversations

    def compose(self) -> ComposeResult:
        with Vertical(id="conversations"):
            yield Label("Saved conversations (enter opens one)")
            options = [f"{c.id}  {len(c.turns)} turns  {c.title}" for c in self.conversations]
            yield OptionList(*(options or ["(none yet)"]))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if self.conversations:
            self.dismiss(self.conversations[event.option_index].id)
