"""The chat app's own widgets: the question input with its history, a source in the list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.binding import Binding
from textual.widgets import (
    Input,
    Label,
    ListItem,
)

if TYPE_CHECKING:
    from index import Passage


class HistoryInput(Input):
    """An input that remembers what was submitted (up/down to recall)."""

    BINDINGS = [
        Binding("up", "older", "Earlier question", show=False),
        Binding("down", "newer", "Later question", show=False),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.history: list[str] = []
        self._position = 0

    def remember(self, text: str) -> None:
        if text and (not self.history or self.history[-1] != text):
            self.history.append(text)
        self._position = len(self.history)

    def action_older(self) -> None:
        if self._position > 0:
            self._position -= 1
            self.value = self.history[self._position]

    def action_newer(self) -> None:
        if self._position < len(self.history):
            self._position += 1
            self.value = self.history[self._position] if self._position < len(self.history) else ""


class SourceItem(ListItem):
    def __init__(self, number: int, passage: Passage, cited: bool) -> None:
        chunk = passage.chunk
        mark = "●" if cited else " "
        heading = f"\n  {chunk.heading}" if chunk.heading else ""
        label = f"{mark}[{number}] {chunk.location}  {passage.score:.3f}{heading}"
        super().__init__(Label(label, markup=False))
        self.number = number
        self.passage = passage
