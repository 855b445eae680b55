"""The chat app's own widgets: the question input with its history, the
prompt for the notes folder, and the sources pane."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, ListItem, ListView, Static

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


class FolderPrompt(Vertical):
    """Asks for the folder of the notes (when nothing is indexed yet);
    posts ``Given`` with a folder that exists."""

    class Given(Message):
        def __init__(self, folder: Path) -> None:
            super().__init__()
            self.folder = folder

    def compose(self) -> ComposeResult:
        yield Label("", id="setup-label")
        yield Input(placeholder="~/notes", id="folder")

    def ask(self, why: str) -> None:
        self.query_one("#setup-label", Label).update(
            f"{why} Type the folder of your notes and press enter:"
        )
        self.remove_class("hidden")
        self.query_one("#folder", Input).focus()

    @on(Input.Submitted, "#folder")
    def _submitted(self, event: Input.Submitted) -> None:
        folder = Path(event.value.strip()).expanduser()
        if not folder.is_dir():
            self.notify(f"{folder} is not a folder.", severity="error")
            return
        self.post_message(self.Given(folder))


class SourcesPane(Vertical):
    """The passages given for the last answer, ● marking the cited ones, and
    under them the one picked, in the context of its file."""

    def compose(self) -> ComposeResult:
        yield Label("Sources", id="sources-title")
        yield ListView(id="sources")
        yield Static("", id="context")

    def show(self, passages: Iterable[Passage], cited: Iterable[int] = ()) -> None:
        cited_numbers = set(cited)
        sources = self.query_one("#sources", ListView)
        sources.clear()
        for number, passage in enumerate(passages, start=1):
            sources.append(SourceItem(number, passage, number in cited_numbers))
        self.show_context("")

    def mark_cited(self, cited: Iterable[int]) -> None:
        passages = [item.passage for item in self.query(SourceItem).results(SourceItem)]
        self.show(passages, cited)

    @property
    def picked(self) -> Passage | None:
        item = self.query_one("#sources", ListView).highlighted_child
        return item.passage if isinstance(item, SourceItem) else None

    def show_context(self, text: str) -> None:
        self.query_one("#context", Static).update(text)
