"""The status line under the chat: the model, Ollama, the index's size, the
cards due, live sync and the last answer's figures. Its fields are reactive
and the line is computed from them, so the app only sets what changed."""

from __future__ import annotations

from textual.reactive import var
from textual.widgets import Static


class StatusLine(Static):
    # Set on the UI thread only (workers post messages; the app sets these).
    model = var("")  # empty until the index is opened (or found missing)
    ollama_state = var("checking…")
    chunks = var(0)
    due = var(0)  # study cards due now
    live_sync = var(False)
    last_stats = var("")  # the figures of the last answer
    line = var("Loading index…")  # computed from the fields above

    def compute_line(self) -> str:
        if not self.model:
            return "Loading index…"
        parts = [f"model {self.model}", f"Ollama {self.ollama_state}", f"{self.chunks} chunks"]
        if self.due:
            parts.append(f"{self.due} card{'s' if self.due != 1 else ''} due")
        if self.live_sync:
            parts.append("live sync")
        if self.last_stats:
            parts.append(self.last_stats)
        return " · ".join(parts)

    def watch_line(self, line: str) -> None:
        self.update(line)
