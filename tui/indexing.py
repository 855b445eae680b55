"""Re-indexing from the app: the progress bar a sync shows, and live sync.

Both sync in thread workers and post ``Synced`` with the report, which the
bar shows as notifications (what was skipped, and a summary) on its way to
the app.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar

from .messages import Synced

if TYPE_CHECKING:
    from assistant import Assistant, Settings
    from ingest import SyncProgress, SyncReport


class IndexBar(Horizontal):
    """Hidden but while a re-index runs: what it is at, and how far."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="hidden")
        self._watch_stop: threading.Event | None = None

    def compose(self) -> ComposeResult:
        yield Label("Indexing", id="indexing-label")
        yield ProgressBar(id="index-progress", show_eta=False)

    @work(thread=True, group="index", exit_on_error=False)
    def sync(
        self,
        assistant: Assistant | None,
        settings: Settings | None,
        paths: list[Path] | None = None,
        rebuild: bool = False,
    ) -> None:
        """Sync ``paths`` (none: the remembered folders) with ``assistant``,
        or a new one made with ``settings`` when there is none yet."""
        from assistant import Assistant, AssistantError, load_settings

        self.app.call_from_thread(self.set_class, False, "hidden")
        try:
            assistant = assistant or Assistant(settings or load_settings())
            report = assistant.reindex(paths or [], rebuild=rebuild, progress=self._progressed)
        except AssistantError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=15)
            return
        finally:
            self.app.call_from_thread(self.set_class, True, "hidden")
        self.post_message(Synced(assistant, report))

    @on(Synced)
    def _notify(self, message: Synced) -> None:
        from assistant import printable

        report = message.report
        if message.live:
            self.notify(report.short_summary(), title="Live sync")
            return
        for skipped in report.skipped:
            path = printable(skipped.path)  # a newline in a name would break the line
            what = path if skipped.indexed else f"Skipped {path}"
            # markup off: a file name or a pypdf message may hold [brackets]
            self.notify(f"{what}: {skipped.reason}", severity="warning", markup=False)
        self.notify(report.summary(), title="Index up to date", timeout=8)

    def _progressed(self, event: SyncProgress) -> None:
        self.app.call_from_thread(self._show_progress, event)

    def _show_progress(self, event: SyncProgress) -> None:
        self.query_one("#indexing-label", Label).update(f"{event.label} {event.current[-30:]}")
        self.query_one("#index-progress", ProgressBar).update(
            total=event.total, progress=event.done
        )

    # -- live sync ---------------------------------------------------------

    @property
    def live(self) -> bool:
        return self._watch_stop is not None

    def start_live_sync(self, assistant: Assistant) -> None:
        """Sync after each burst of changes to the remembered folders."""
        self._watch_stop = threading.Event()
        self._watch(assistant, self._watch_stop)

    def stop_live_sync(self) -> None:
        if self._watch_stop is not None:
            self._watch_stop.set()
            self._watch_stop = None

    @work(thread=True, group="watch", exit_on_error=False)
    def _watch(self, assistant: Assistant, stop: threading.Event) -> None:
        from assistant import AssistantError

        def synced(report: SyncReport) -> None:
            self.post_message(Synced(assistant, report, live=True))

        try:
            assistant.watch(stop, synced)
        except AssistantError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=15)

    def on_unmount(self) -> None:
        self.stop_live_sync()
