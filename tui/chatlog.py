"""The conversation pane: each question, its answer streamed in as Markdown,
and under it the sentences not found in the passages they cite.

The answer is written in a thread worker; the pane posts ``SourcesFound``
as soon as the passages are retrieved and ``Answered`` when the answer is
complete, for the app to show the sources and the figures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Markdown, Static
from textual.widgets.markdown import MarkdownStream
from textual.worker import get_current_worker

if TYPE_CHECKING:
    from assistant import Assistant, Conversation, Done
    from index import Passage


class ChatLog(VerticalScroll):
    class SourcesFound(Message):
        """The passages retrieved for the question, before the model writes."""

        def __init__(self, passages: tuple[Passage, ...]) -> None:
            super().__init__()
            self.passages = passages

    class Answered(Message):
        """The answer is complete (or was cut): its citations, checks and figures."""

        def __init__(self, done: Done) -> None:
            super().__init__()
            self.done = done

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._answer: Markdown | None = None  # the answer being written, or the last one

    def ask(self, assistant: Assistant, conversation: Conversation | None, question: str) -> None:
        """Show ``question`` and stream its answer under it (an answer still
        being written is cancelled)."""
        self.mount(Static(question, classes="question", markup=False))
        self._answer = Markdown("", classes="answer")
        self.mount(self._answer)
        self.anchor()
        # The stream runs a task on the event loop, so it is made here, not
        # in the worker's thread.
        self._write(assistant, conversation, question, Markdown.get_stream(self._answer))

    @work(thread=True, exclusive=True, group="answer", exit_on_error=False)
    def _write(
        self,
        assistant: Assistant,
        conversation: Conversation | None,
        question: str,
        stream: MarkdownStream,
    ) -> None:
        from assistant import AssistantError, Done, Sources, Token

        worker = get_current_worker()
        done: Done | None = None
        try:
            for event in assistant.ask(question, conversation=conversation):
                if worker.is_cancelled:
                    break
                match event:
                    case Sources(passages=passages):
                        self.post_message(self.SourcesFound(passages))
                    case Token(text=text):
                        # (Textual's annotation makes mypy infer Never for a coroutine here.)
                        self.app.call_from_thread(stream.write, text)  # type: ignore[arg-type]
                    case Done():
                        done = event
                        self.post_message(self.Answered(event))
        except AssistantError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=15)
        finally:
            self.app.call_from_thread(stream.stop)  # type: ignore[arg-type]
        if done is not None and done.repeated and self._answer is not None:
            # The model began its answer again; the answer is what came before.
            self.app.call_from_thread(self._answer.update, done.answer)

    def stop(self) -> bool:
        """Stop the answer being written, marking it; whether one was."""
        stopped = False
        for worker in self.app.workers:
            if worker.group == "answer" and worker.is_running:
                worker.cancel()
                if self._answer is not None:
                    self._answer.append("\n\n*(stopped)*")
                stopped = True
        return stopped

    @on(Answered)
    def _flag_unsupported(self, message: Answered) -> None:
        """Under the answer, the sentences not found in the passages they
        cite, dimmed with a ⚠; said plainly when most of the answer is in
        none of the passages the model was given."""
        report = message.done.support
        if not report.unsupported:
            return
        if report.from_memory:
            self.mount(Static(report.from_memory_summary(), classes="unsupported", markup=False))
            return
        lines = [f"⚠ {s.text}" for s in report.sentences if s.supported is False]
        if report.mostly_unsupported:
            lines.insert(0, "This answer is mostly not from your notes:")
        lines.append(report.summary())
        self.mount(Static("\n".join(lines), classes="unsupported", markup=False))

    def show(self, conversation: Conversation) -> None:
        """The turns of a saved conversation, in place of what is shown."""
        self.remove_children()
        for turn in conversation.turns:
            self.mount(Static(turn.question, classes="question", markup=False))
            self.mount(Markdown(turn.answer or f"*{turn.error}*", classes="answer"))
        self.anchor()
