"""The study screen's quiz, as ``notes-chat quiz`` runs it: questions from
the cards (on a topic, if one is given), answered one by one, graded at the
end with each wrong answer's right one and its source passage."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Static

if TYPE_CHECKING:
    from assistant.study.quiz import QuizQuestion, QuizResult
    from assistant.study.service import Study

QUIZ_SIZE = 5  # questions, as `notes-chat quiz` asks by default


def results_text(results: list[QuizResult]) -> str:
    """ "k/n right", then each wrong answer with the right one and its source."""
    lines = [f"{sum(r.right for r in results)}/{len(results)} right"]
    for r in results:
        if not r.right:
            card = r.question.card
            lines += [
                "",
                f"✗ {card.question}",
                f"  you: {r.reply or '—'}   answer: {card.answer}",
                f"  {card.location}  {' '.join(card.passage.split())}",
            ]
    return "\n".join(lines)


class QuizPanel(VerticalScroll):
    def __init__(self, study: Study, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.study = study
        self.questions: list[QuizQuestion] = []
        self.results: list[QuizResult] = []

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Quiz topic (enter: all your cards)", id="quiz-topic")
        yield Static("", id="quiz-question", markup=False)
        yield Input(id="quiz-reply", classes="hidden")
        yield Static("", id="quiz-note", markup=False)

    def start(self) -> None:
        """Ask for a topic; a quiz in progress is dropped."""
        self.questions, self.results = [], []
        self.query_one("#quiz-question", Static).update("")
        self.query_one("#quiz-note", Static).update("")
        self.query_one("#quiz-reply").add_class("hidden")
        topic = self.query_one("#quiz-topic", Input)
        topic.remove_class("hidden")
        topic.disabled = False
        topic.focus()

    @on(Input.Submitted, "#quiz-topic")
    def _topic_given(self, event: Input.Submitted) -> None:
        event.input.disabled = True
        topic = event.value.strip()
        self.query_one("#quiz-note", Static).update(
            f"Preparing a quiz on {topic}…" if topic else "Preparing a quiz…"
        )
        self.prepare(topic or None)

    @work(thread=True, exclusive=True, group="quiz", exit_on_error=False)
    def prepare(self, topic: str | None) -> None:
        """The questions; with a topic with too few cards, the model makes more
        first, unless the quiz is left (or restarted) meanwhile: Textual then
        cancels this worker, and no more cards are asked for."""
        from textual.worker import get_current_worker

        from assistant import AssistantError

        worker = get_current_worker()
        try:
            questions = self.study.quiz(topic, QUIZ_SIZE, stop=lambda: worker.is_cancelled)
        except AssistantError as exc:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._failed, str(exc))
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._begin, questions)

    def _failed(self, message: str) -> None:
        self.query_one("#quiz-note", Static).update(message)
        self.query_one("#quiz-topic", Input).disabled = False

    def _begin(self, questions: list[QuizQuestion]) -> None:
        self.questions = questions
        self.query_one("#quiz-topic").add_class("hidden")
        self.query_one("#quiz-note", Static).update("")
        self._ask()

    def _ask(self) -> None:
        n = len(self.results)
        question = self.questions[n]
        lines = [f"{n + 1}/{len(self.questions)}. {question.card.question}"]
        lines += [f"   {letter}) {c}" for letter, c in zip("abcd", question.choices, strict=False)]
        self.query_one("#quiz-question", Static).update("\n".join(lines))
        reply = self.query_one("#quiz-reply", Input)
        reply.value = ""
        reply.placeholder = "Your choice (a–d)" if question.choices else "Your answer"
        reply.remove_class("hidden")
        reply.focus()

    @on(Input.Submitted, "#quiz-reply")
    def _answered(self, event: Input.Submitted) -> None:
        from assistant.study.quiz import grade

        if len(self.results) >= len(self.questions):
            return  # a second enter queued before the last answer hid the field
        self.results.append(grade(self.questions[len(self.results)], event.value))
        if len(self.results) < len(self.questions):
            self._ask()
            return
        event.input.add_class("hidden")
        self.query_one("#quiz-question", Static).update("")
        self.query_one("#quiz-note", Static).update(
            results_text(self.results) + "\n\n(ctrl+t: another quiz, escape: back to the chat)"
        )
