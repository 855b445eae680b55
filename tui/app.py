"""The terminal chat app (Textual): the App itself.

It wires widgets to the ``Assistant`` facade and does nothing else: loading
the index, answering and re-indexing run in workers, so the app paints at
once and stays responsive; no retrieval, prompting or storage happens here.
Workers report through messages (``messages.py``); the status line
(``status.py``) follows its reactive fields; the keys and the command
palette's entries are in ``commands.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, ListView

if TYPE_CHECKING:
    from assistant import Assistant, Conversation, Settings

from .chatlog import ChatLog
from .commands import BINDINGS, CHAT_ACTIONS, chat_commands
from .editor import editor_command, open_in_editor
from .indexing import IndexBar
from .messages import DueCounted, OllamaChecked, Opened, Synced
from .screens import ConfirmScreen, ConversationsScreen, HelpScreen
from .startup import check_readiness
from .status import StatusLine
from .widgets import FolderPrompt, HistoryInput, SourceItem, SourcesPane


class NotesChatApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "notes-chat"
    BINDINGS = BINDINGS

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__()
        self._settings = settings
        self.assistant: Assistant | None = None
        self.conversation: Conversation | None = None

    # -- layout ------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            with Vertical(id="chat"):
                yield ChatLog(id="messages")
                yield FolderPrompt(id="setup", classes="hidden")
                yield IndexBar(id="indexing")
                yield HistoryInput(placeholder="Loading the index…", id="question", disabled=True)
            yield SourcesPane(id="side")
        yield StatusLine("Loading index…", id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @property
    def chat_screen(self) -> Screen[Any]:
        """The chat's own screen, whichever screen is on top of it: workers
        finishing under another screen update the chat (``self.query_one``
        would look in the screen on top)."""
        return self.screen_stack[0]

    @property
    def chat_log(self) -> ChatLog:
        return self.chat_screen.query_one(ChatLog)

    @property
    def index_bar(self) -> IndexBar:
        return self.chat_screen.query_one(IndexBar)

    @property
    def sources(self) -> SourcesPane:
        return self.chat_screen.query_one(SourcesPane)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action not in CHAT_ACTIONS or self.screen is self.chat_screen

    @property
    def status(self) -> StatusLine:
        return self.chat_screen.query_one(StatusLine)

    # -- loading -----------------------------------------------------------

    @work(thread=True, group="load", exit_on_error=False)
    def load(self) -> None:
        """Import the core, open the index and look for Ollama, off the UI thread."""
        from assistant import Assistant, AssistantError, load_settings

        try:
            settings = self._settings or load_settings()
            assistant = Assistant(settings)
        except AssistantError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error", timeout=15)
            return
        check_readiness(assistant, self.post_message)

    @on(Opened)
    def _opened(self, message: Opened) -> None:
        from assistant import IndexMismatch, NothingIndexed

        match message.problem:
            case None:
                self._use(message.assistant)
                self.status.chunks = message.chunks
                self._enable_asking()
            case NothingIndexed():
                self._use(message.assistant)
                self.chat_screen.query_one(FolderPrompt).ask("Nothing indexed yet.")
            case IndexMismatch() as exc:
                self._use(message.assistant)
                self._offer_rebuild(str(exc))
            case exc:  # not open: the status line keeps saying it is loading
                self.assistant = message.assistant
                self.notify(str(exc), severity="error", timeout=15)

    def _use(self, assistant: Assistant) -> None:
        from assistant import Conversation

        self.assistant = assistant
        self.status.model = assistant.settings.model
        self.conversation = self.conversation or Conversation.new()

    @on(OllamaChecked)
    def _ollama_checked(self, message: OllamaChecked) -> None:
        self.status.ollama_state = message.state

    def _enable_asking(self) -> None:
        question = self.chat_screen.query_one("#question", HistoryInput)
        question.disabled = False
        question.placeholder = "Ask about your notes…  (F1: help)"
        question.focus()
        self.chat_screen.query_one(FolderPrompt).add_class("hidden")
        self.count_due()

    def _offer_rebuild(self, message: str) -> None:
        self.notify(message, severity="warning", timeout=20)

        def decided(yes: bool | None) -> None:
            if yes:
                self.reindex(rebuild=True)

        self.push_screen(
            ConfirmScreen("Re-embed all notes with the configured embedder now?"), decided
        )

    @on(FolderPrompt.Given)
    def _folder_given(self, message: FolderPrompt.Given) -> None:
        self.reindex(paths=[message.folder])

    # -- asking ------------------------------------------------------------

    @on(Input.Submitted, "#question")
    def _question_asked(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if not question or self.assistant is None:
            return
        field = self.chat_screen.query_one("#question", HistoryInput)
        field.remember(question)
        field.value = ""
        self.chat_log.ask(self.assistant, self.conversation, question)

    @on(ChatLog.SourcesFound)
    def _sources_found(self, message: ChatLog.SourcesFound) -> None:
        self.sources.show(message.passages)

    @on(ChatLog.Answered)
    def _answered(self, message: ChatLog.Answered) -> None:
        done = message.done
        self.sources.mark_cited(c.number for c in done.citations)
        report = done.support
        unsupported = f"{report.unsupported}/{report.judged} sentences not in notes"
        parts = [done.stats.short_summary(), unsupported if report.unsupported else ""]
        self.status.last_stats = " · ".join(p for p in parts if p)
        if done.cut:
            self.notify(f"The answer was cut off: {done.cut}", severity="warning", timeout=10)
        if done.repeated:
            self.notify(
                "The model began writing its answer again; the repetition is left out.",
                severity="warning",
            )
        if done.invalid_citations:
            numbers = ", ".join(f"[{n}]" for n in done.invalid_citations)
            self.notify(f"Dropped citations of passages not given: {numbers}", severity="warning")

    def action_stop(self) -> None:
        if self.chat_log.stop():
            self.notify("Answer stopped.")

    # -- sources -----------------------------------------------------------

    @on(ListView.Highlighted, "#sources")
    def _source_picked(self, event: ListView.Highlighted) -> None:
        if isinstance(event.item, SourceItem) and self.assistant is not None:
            self.sources.show_context(self.assistant.context_lines(event.item.passage))

    def action_edit_source(self) -> None:
        passage = self.sources.picked
        if passage is None:
            self.notify("Pick a source first (tab, then up/down).")
            return
        open_in_editor(self, editor_command(passage))

    # -- study -------------------------------------------------------------

    @work(thread=True, exclusive=True, group="due", exit_on_error=False)
    def count_due(self) -> None:
        """The cards due today, for the status line (no store: none, and none made)."""
        from assistant import AssistantError

        if self.assistant is None:
            return
        try:
            self.post_message(DueCounted(len(self.assistant.study.due())))
        except AssistantError as exc:
            self.call_from_thread(self.notify, str(exc), severity="warning", timeout=10)

    @on(DueCounted)
    def _due_counted(self, message: DueCounted) -> None:
        self.status.due = message.due

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
        self.chat_log.remove_children()
        self.sources.show([])
        self.notify("New conversation.")

    def action_open_conversation(self) -> None:
        if self.assistant is None:
            return
        saved = self.assistant.conversations.list()

        def opened(conversation_id: str | None) -> None:
            if conversation_id and self.assistant is not None:
                self.conversation = self.assistant.conversations.load(conversation_id)
                self.chat_log.show(self.conversation)

        self.push_screen(ConversationsScreen(saved), opened)

    # -- re-indexing -------------------------------------------------------

    def action_reindex(self) -> None:
        self.reindex()

    def reindex(self, paths: list[Path] | None = None, rebuild: bool = False) -> None:
        self.index_bar.sync(self.assistant, self._settings, paths, rebuild)

    @on(Synced)
    def _synced(self, message: Synced) -> None:
        self.status.chunks = message.report.chunks_total
        if not message.live:
            self._use(message.assistant)
            self._enable_asking()

    def action_toggle_watch(self) -> None:
        if self.index_bar.live:
            self.index_bar.stop_live_sync()
            self.notify("Live sync off.")
        elif self.assistant is not None:
            self.index_bar.start_live_sync(self.assistant)
            self.notify("Live sync on: the index follows changes to your notes.")
        self.status.live_sync = self.index_bar.live

    # -- help and commands -------------------------------------------------

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if screen is self.chat_screen:  # the chat's commands act on the chat
            yield from chat_commands(self)


def run(settings: Settings | None = None) -> None:
    NotesChatApp(settings).run()
