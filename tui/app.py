"""The terminal chat app (Textual). The only module that imports Textual.

It wires widgets to the ``Assistant`` facade and does nothing else: loading
the index, answering and re-indexing run in workers, so the app paints at
once and stays responsive; no retrieval, prompting or storage happens here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    Footer,
    Input,
    Label,
    ListView,
    Markdown,
    ProgressBar,
    Static,
)
from textual.widgets.markdown import MarkdownStream
from textual.worker import get_current_worker

if TYPE_CHECKING:
    from assistant import Assistant, Conversation, Done, Settings
    from index import Passage
    from ingest import SyncProgress

from .editor import editor_command, open_in_editor
from .screens import ConfirmScreen, ConversationsScreen, HelpScreen
from .widgets import HistoryInput, SourceItem

# The chat's own actions: off (and out of the footer) while another screen,
# such as the study screen, is on top of the chat.
_CHAT_ACTIONS = frozenset(
    {"stop", "new_conversation", "open_conversation", "reindex", "edit_source", "toggle_watch",
     "study", "help"}
)  # fmt: skip


class NotesChatApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "notes-chat"
    BINDINGS = [
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

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__()
        self._settings = settings
        self.assistant: Assistant | None = None
        self.conversation: Conversation | None = None
        self.ollama_state = "checking…"
        self.chunks = 0
        self.due = 0  # study cards due today
        self.last_stats = ""
        self._answer: Markdown | None = None
        self._watch_stop: threading.Event | None = None

    # -- layout ------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            with Vertical(id="chat"):
                yield VerticalScroll(id="messages")
                with Vertical(id="setup", classes="hidden"):
                    yield Label("", id="setup-label")
                    yield Input(placeholder="~/notes", id="folder")
                with Horizontal(id="indexing", classes="hidden"):
                    yield Label("Indexing", id="indexing-label")
                    yield ProgressBar(id="index-progress", show_eta=False)
                yield HistoryInput(placeholder="Loading the index…", id="question", disabled=True)
            with Vertical(id="side"):
                yield Label("Sources", id="sources-title")
                yield ListView(id="sources")
                yield Static("", id="context")
        yield Static("Loading index…", id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @property
    def chat_screen(self) -> Screen[Any]:
        """The chat's own screen, whichever screen is on top of it: workers
        finishing under another screen update the chat (``self.query_one``
        would look in the screen on top)."""
        return self.screen_stack[0]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action not in _CHAT_ACTIONS or self.screen is self.chat_screen

    # -- loading -----------------------------------------------------------

    @work(thread=True, group="load", exit_on_error=False)
    def load(self) -> None:
        """Import the core, open the index and look for Ollama, off the UI thread."""
        from assistant import (
            Assistant,
            AssistantError,
            Conversation,
            IndexMismatch,
            NothingIndexed,
            OllamaError,
            load_settings,
        )

        try:
            settings = self._settings or load_settings()
            self.assistant = Assistant(settings)
            self.conversation = Conversation.new()
            self.chunks = self.assistant.status().chunks
        except NothingIndexed:
            self.call_from_thread(self._ask_for_folder, "Nothing indexed yet.")
        except IndexMismatch as exc:
            self.call_from_thread(self._offer_rebuild, str(exc))
        except AssistantError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error", timeout=15)
            return
        else:
            self.call_from_thread(self._enable_asking)
        if self.assistant is None:
            return
        try:
            chat = self.assistant.chat_client()
            installed = chat.installed_models()
            model = settings.model
            present = chat.has_model(installed, model)
            self.ollama_state = "ok" if present else f"{model} missing (ollama pull {model})"
        except OllamaError:
            self.ollama_state = "unreachable (start it with `ollama serve`)"
        self.call_from_thread(self._show_status)

    def _enable_asking(self) -> None:
        question = self.chat_screen.query_one("#question", HistoryInput)
        question.disabled = False
        question.placeholder = "Ask about your notes…  (F1: help)"
        question.focus()
        self.chat_screen.query_one("#setup").add_class("hidden")
        self._show_status()
        self.count_due()

    def _ask_for_folder(self, why: str) -> None:
        self.chat_screen.query_one("#setup-label", Label).update(
            f"{why} Type the folder of your notes and press enter:"
        )
        self.chat_screen.query_one("#setup").remove_class("hidden")
        self.chat_screen.query_one("#folder", Input).focus()
        self._show_status()

    def _offer_rebuild(self, message: str) -> None:
        self.notify(message, severity="warning", timeout=20)

        def decided(yes: bool | None) -> None:
            if yes:
                self.reindex(rebuild=True)

        self.push_screen(
            ConfirmScreen("Re-embed all notes with the configured embedder now?"), decided
        )

    @on(Input.Submitted, "#folder")
    def _folder_given(self, event: Input.Submitted) -> None:
        folder = Path(event.value.strip()).expanduser()
        if not folder.is_dir():
            self.notify(f"{folder} is not a folder.", severity="error")
            return
        self.reindex(paths=[folder])

    def _show_status(self) -> None:
        settings = self.assistant.settings if self.assistant else None
        model = settings.model if settings else "?"
        parts = [f"model {model}", f"Ollama {self.ollama_state}", f"{self.chunks} chunks"]
        if self.due:
            parts.append(f"{self.due} card{'s' if self.due != 1 else ''} due")
        if self._watch_stop is not None:
            parts.append("live sync")
        if self.last_stats:
            parts.append(self.last_stats)
        self.chat_screen.query_one("#status", Static).update(" · ".join(parts))

    # -- asking ------------------------------------------------------------

    @on(Input.Submitted, "#question")
    def _question_asked(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if not question or self.assistant is None:
            return
        field = self.chat_screen.query_one("#question", HistoryInput)
        field.remember(question)
        field.value = ""
        messages = self.chat_screen.query_one("#messages", VerticalScroll)
        messages.mount(Static(question, classes="question", markup=False))
        self._answer = Markdown("", classes="answer")
        messages.mount(self._answer)
        messages.anchor()
        # The stream runs a task on the event loop, so it is made here, not
        # in the worker's thread.
        self.answer(question, Markdown.get_stream(self._answer))

    @work(thread=True, exclusive=True, group="answer", exit_on_error=False)
    def answer(self, question: str, stream: MarkdownStream) -> None:
        """Stream the answer into ``stream``; sources go to the side panel."""
        from assistant import AssistantError, Done, Sources, Token

        assert self.assistant is not None
        worker = get_current_worker()
        try:
            for event in self.assistant.ask(question, conversation=self.conversation):
                if worker.is_cancelled:
                    break
                match event:
                    case Sources(passages=passages):
                        self.call_from_thread(self._show_sources, passages, ())
                    case Token(text=text):
                        self.call_from_thread(stream.write, text)
                    case Done():
                        self.call_from_thread(self._finish_answer, event)
        except AssistantError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error", timeout=15)
        finally:
            self.call_from_thread(stream.stop)

    def _show_sources(self, passages: Iterable[Passage], cited: Iterable[int]) -> None:
        cited_numbers = set(cited)
        sources = self.chat_screen.query_one("#sources", ListView)
        sources.clear()
        for number, passage in enumerate(passages, start=1):
            sources.append(SourceItem(number, passage, number in cited_numbers))
        self.chat_screen.query_one("#context", Static).update("")

    def _finish_answer(self, done: Done) -> None:
        items = list(self.chat_screen.query("#sources SourceItem").results(SourceItem))
        self._show_sources([i.passage for i in items], [c.number for c in done.citations])
        parts = [done.stats.short_summary()]
        report = done.support
        if report.unsupported:
            parts.append(f"{report.unsupported}/{report.judged} sentences not in notes")
            self._flag_unsupported(done)
        self.last_stats = " · ".join(p for p in parts if p)
        self._show_status()
        if done.cut:
            self.notify(f"The answer was cut off: {done.cut}", severity="warning", timeout=10)
        if done.invalid_citations:
            numbers = ", ".join(f"[{n}]" for n in done.invalid_citations)
            self.notify(f"Dropped citations of passages not given: {numbers}", severity="warning")

    def _flag_unsupported(self, done: Done) -> None:
        """Under the answer, the sentences not found in the passages they
        cite, dimmed with a ⚠; said plainly when that is most of the answer."""
        report = done.support
        lines = [f"⚠ {s.text}" for s in report.sentences if s.supported is False]
        if report.mostly_unsupported:
            lines.insert(0, "This answer is mostly not from your notes:")
        lines.append(report.summary())
        messages = self.chat_screen.query_one("#messages", VerticalScroll)
        messages.mount(Static("\n".join(lines), classes="unsupported", markup=False))

    def action_stop(self) -> None:
        for worker in self.workers:
            if worker.group == "answer" and worker.is_running:
                worker.cancel()
                if self._answer is not None:
                    self._answer.append("\n\n*(stopped)*")
                self.notify("Answer stopped.")

    # -- sources -----------------------------------------------------------

    @on(ListView.Highlighted, "#sources")
    def _source_picked(self, event: ListView.Highlighted) -> None:
        if isinstance(event.item, SourceItem) and self.assistant is not None:
            self.chat_screen.query_one("#context", Static).update(
                self.assistant.context_lines(event.item.passage)
            )

    def action_edit_source(self) -> None:
        item = self.chat_screen.query_one("#sources", ListView).highlighted_child
        if not isinstance(item, SourceItem):
            self.notify("Pick a source first (tab, then up/down).")
            return
        open_in_editor(self, editor_command(item.passage))

    # -- study -------------------------------------------------------------

    @work(thread=True, exclusive=True, group="due", exit_on_error=False)
    def count_due(self) -> None:
        """The cards due today, for the status line (no store: none, and none made)."""
        from assistant import AssistantError

        if self.assistant is None:
            return
        try:
            self.due = len(self.assistant.study.due())
        except AssistantError as exc:
            self.call_from_thread(self.notify, str(exc), severity="warning", timeout=10)
            return
        self.call_from_thread(self._show_status)

    def action_study(self) -> None:
        if self.assistant is None:
            self.notify("The index is still loading.")
            return
        from .study import StudyScreen

        def closed(_: None) -> None:
            self.count_due()  # reviews change what is due

        self.push_screen(StudyScreen(self.assistant.study), closed)

    # -- conversations -----------------------------------------------------

    def action_new_conversation(self) -> None:
        from assistant import Conversation

        self.action_stop()
        self.conversation = Conversation.new()
        self.chat_screen.query_one("#messages", VerticalScroll).remove_children()
        self._show_sources([], [])
        self.notify("New conversation.")

    def action_open_conversation(self) -> None:
        if self.assistant is None:
            return
        saved = self.assistant.conversations.list()

        def opened(conversation_id: str | None) -> None:
            if conversation_id and self.assistant is not None:
                self._show_conversation(self.assistant.conversations.load(conversation_id))

        self.push_screen(ConversationsScreen(saved), opened)

    def _show_conversation(self, conversation: Conversation) -> None:
        self.conversation = conversation
        messages = self.chat_screen.query_one("#messages", VerticalScroll)
        messages.remove_children()
        for turn in conversation.turns:
            messages.mount(Static(turn.question, classes="question", markup=False))
            messages.mount(Markdown(turn.answer or f"*{turn.error}*", classes="answer"))
        messages.anchor()

    # -- re-indexing -------------------------------------------------------

    def action_reindex(self) -> None:
        self.reindex()

    @work(thread=True, group="index", exit_on_error=False)
    def reindex(self, paths: list[Path] | None = None, rebuild: bool = False) -> None:
        from assistant import Assistant, AssistantError, load_settings, printable

        self.call_from_thread(self._indexing, True)
        try:
            if self.assistant is None:
                self.assistant = Assistant(self._settings or load_settings())
            report = self.assistant.reindex(
                paths or [], rebuild=rebuild, progress=self._progress_from_thread
            )
        except AssistantError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error", timeout=15)
            return
        finally:
            self.call_from_thread(self._indexing, False)
        for skipped in report.skipped:
            path = printable(skipped.path)  # a newline in a name would break the line
            what = path if skipped.indexed else f"Skipped {path}"
            # markup off: a file name or a pypdf message may hold [brackets]
            self.call_from_thread(
                self.notify, f"{what}: {skipped.reason}", severity="warning", markup=False
            )
        self.chunks = report.chunks_total
        self.call_from_thread(self.notify, report.summary(), title="Index up to date", timeout=8)
        if self.conversation is None:
            from assistant import Conversation

            self.conversation = Conversation.new()
        self.call_from_thread(self._enable_asking)

    def _progress_from_thread(self, event: SyncProgress) -> None:
        self.call_from_thread(self._show_progress, event)

    def _show_progress(self, event: SyncProgress) -> None:
        label = f"{event.label} {event.current[-30:]}"
        self.chat_screen.query_one("#indexing-label", Label).update(label)
        self.chat_screen.query_one("#index-progress", ProgressBar).update(
            total=event.total, progress=event.done
        )

    def _indexing(self, running: bool) -> None:
        self.chat_screen.query_one("#indexing").set_class(not running, "hidden")

    def action_toggle_watch(self) -> None:
        if self._watch_stop is not None:
            self._watch_stop.set()
            self._watch_stop = None
            self.notify("Live sync off.")
        elif self.assistant is not None:
            self._watch_stop = threading.Event()
            self.watch_notes(self._watch_stop)
            self.notify("Live sync on: the index follows changes to your notes.")
        self._show_status()

    @work(thread=True, group="watch", exit_on_error=False)
    def watch_notes(self, stop: threading.Event) -> None:
        from assistant import AssistantError

        assert self.assistant is not None

        def synced(report: Any) -> None:
            self.chunks = report.chunks_total
            self.call_from_thread(self.notify, report.short_summary(), title="Live sync")
            self.call_from_thread(self._show_status)

        try:
            self.assistant.watch(stop, synced)
        except AssistantError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error", timeout=15)

    def on_unmount(self) -> None:
        if self._watch_stop is not None:
            self._watch_stop.set()

    # -- help and commands -------------------------------------------------

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if screen is not self.chat_screen:  # the chat's commands act on the chat
            return
        yield SystemCommand("Study", "Review today's cards, or take a quiz", self.action_study)
        yield SystemCommand("Re-index notes", "Bring the index up to date", self.action_reindex)
        yield SystemCommand("New conversation", "Start over", self.action_new_conversation)
        yield SystemCommand(
            "Open conversation", "Resume a saved one", self.action_open_conversation
        )
        yield SystemCommand("Live sync", "Turn live sync on or off", self.action_toggle_watch)
        yield SystemCommand("Help", "Keys and what they do", self.action_help)


def run(settings: Settings | None = None) -> None:
    NotesChatApp(settings).run()
