"""What the app's thread workers report to it. A worker posts one of these
(``post_message`` is thread-safe) instead of setting the app's state
itself; the app's handlers, on the UI thread, set it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from assistant import Assistant, AssistantError
    from ingest import SyncReport


class Opened(Message):
    """The core is loaded and the index open with ``chunks`` chunks; or
    ``problem``: the index could not be opened (nothing indexed yet, another
    embedder, or worse)."""

    def __init__(
        self, assistant: Assistant, chunks: int = 0, problem: AssistantError | None = None
    ) -> None:
        super().__init__()
        self.assistant = assistant
        self.chunks = chunks
        self.problem = problem


class OllamaChecked(Message):
    """Whether Ollama answers and has the model: "ok", or what is wrong."""

    def __init__(self, state: str) -> None:
        super().__init__()
        self.state = state


class DueCounted(Message):
    """How many study cards are due today."""

    def __init__(self, due: int) -> None:
        super().__init__()
        self.due = due


class Synced(Message):
    """A sync is done: a re-index (``live`` False) or one of live sync's."""

    def __init__(self, assistant: Assistant, report: SyncReport, *, live: bool = False) -> None:
        super().__init__()
        self.assistant = assistant
        self.report = report
        self.live = live
