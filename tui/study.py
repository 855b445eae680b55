"""The study screen: today's review, as ``notes-chat review`` runs it, and a
quiz (``tui.quiz``). Cards, grading and the FSRS schedule are
``assistant.study``'s; this screen shows them and passes the student's
rating on. Escape goes back to the chat, as it was left."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, ContentSwitcher, Footer, Input, Label, Static

from .editor import editor_command_at, open_in_editor
from .quiz import QuizPanel

if TYPE_CHECKING:
    from datetime import datetime

    from assistant.study.service import Study
    from assistant.study.store import StudyCard

RATINGS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


def _cards(n: int) -> str:
    return f"{n} card{'s' if n != 1 else ''}"


class StudyScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "back", "Back to chat"),
        Binding("1", "rate(1)", "Again"),
        Binding("2", "rate(2)", "Hard"),
        Binding("3", "rate(3)", "Good"),
        Binding("4", "rate(4)", "Easy"),
        Binding("ctrl+g", "edit_source", "Edit source"),
        Binding("ctrl+t", "quiz", "Quiz"),
    ]

    def __init__(self, study: Study, *, grade: bool = True) -> None:
        super().__init__()
        self.study = study
        self.grade = grade  # let the model comment on a typed answer
        self.cards: list[StudyCard] = []
        self.position = 0
        self.revealed = False
        self.rated = 0
        self.quizzing = False

    def compose(self) -> ComposeResult:
        with Vertical(id="study"):
            yield Label("Study · counting the cards due today…", id="study-title")
            with ContentSwitcher(initial="review", id="study-modes"):
                with VerticalScroll(id="review"):
                    yield Static("", id="card-progress")
                    yield Static("", id="card-question", markup=False)
                    yield Input(
                        placeholder="Your answer (enter: reveal)", id="card-reply", classes="hidden"
                    )
                    with Vertical(id="card-back", classes="hidden"):
                        yield Static("", id="card-answer", markup=False)
                        yield Static("", id="card-source", markup=False)
                        yield Static("", id="card-grade", markup=False)
                        with Horizontal(id="card-ratings"):
                            for value, name in RATINGS.items():
                                yield Button(f"{value} {name}", id=f"rate-{value}")
                            yield Button("Edit source (ctrl+g)", id="card-edit")
                    yield Static("", id="review-note", markup=False)
                    yield Static("", id="review-done", markup=False)
                yield QuizPanel(self.study, id="quiz")
        yield Footer()

    def on_mount(self) -> None:
        self.load_due()

    # -- which keys apply now ---------------------------------------------

    @property
    def card(self) -> StudyCard | None:
        """The card on screen in the review, if any."""
        if self.quizzing or self.position >= len(self.cards):
            return None
        return self.cards[self.position]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "rate":
            return self.revealed and self.card is not None
        if action == "edit_source":
            return self.card is not None
        return True

    # -- the review ---------------------------------------------------------

    @work(thread=True, group="study-load", exit_on_error=False)
    def load_due(self) -> None:
        from assistant import AssistantError

        try:
            cards = self.study.due()
            later = None if cards else self.study.next_due()
        except AssistantError as exc:
            self.app.call_from_thread(self._note, str(exc))
            return
        self.app.call_from_thread(self._start, cards, later)

    def _start(self, cards: list[StudyCard], later: datetime | None = None) -> None:
        self.cards = cards
        self.query_one("#study-title", Label).update(f"Study · {_cards(len(cards))} to review now")
        if cards:
            self._show_card()
        elif later is not None:
            self._note(f"No cards due now; the next comes due at {later.astimezone():%H:%M}.")
        else:
            self._note("No cards due today. Make some with `notes-chat cards make PATH`.")

    def _show_card(self) -> None:
        card = self.cards[self.position]
        self.revealed = False
        self.query_one("#card-progress", Static).update(f"[{self.position + 1}/{len(self.cards)}]")
        self.query_one("#card-question", Static).update(card.question)
        reply = self.query_one("#card-reply", Input)
        reply.value = ""
        reply.disabled = False
        reply.remove_class("hidden")
        reply.focus()
        self.query_one("#card-back").add_class("hidden")
        self.refresh_bindings()

    @on(Input.Submitted, "#card-reply")
    def _reveal(self, event: Input.Submitted) -> None:
        card = self.card
        if card is None or self.revealed:
            return
        self.revealed = True
        event.input.disabled = True
        self.query_one("#card-answer", Static).update(f"Answer: {card.answer}")
        source = f"{card.location}  {' '.join(card.passage.split())}"
        if card.status == "changed":
            source += "\n(Its source changed since: see `notes-chat cards list --changed`.)"
        self.query_one("#card-source", Static).update(source)
        grading = bool(event.value.strip()) and self.grade
        self.query_one("#card-grade", Static).update("Asking the model…" if grading else "")
        if grading:
            self.grade_reply(card, event.value)
        self.query_one("#card-back").remove_class("hidden")
        self.query_one("#rate-3", Button).focus()
        self.refresh_bindings()

    @work(thread=True, exclusive=True, group="study-grade", exit_on_error=False)
    def grade_reply(self, card: StudyCard, reply: str) -> None:
        """The model's comment on a typed answer; without a model, the review goes on."""
        from assistant import AssistantError

        try:
            comment = "Model: " + self.study.grade(card, reply).strip()
        except AssistantError as exc:
            comment = f"No grading by the model: {exc}"
        self.app.call_from_thread(self._graded, card, comment)

    def _graded(self, card: StudyCard, comment: str) -> None:
        if self.is_attached and self.card == card:  # not a comment on an earlier card
            self.query_one("#card-grade", Static).update(comment)

    @on(Button.Pressed, "#card-ratings Button")
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "card-edit":
            self.action_edit_source()
        elif event.button.id:
            self.action_rate(int(event.button.id.removeprefix("rate-")))

    def action_rate(self, value: int) -> None:
        card = self.card
        if card is None or not self.revealed:
            return
        self.revealed = False  # one rating a card
        self.rate_card(card, value)

    @work(thread=True, group="study-rate", exit_on_error=False)
    def rate_card(self, card: StudyCard, value: int) -> None:
        from assistant import AssistantError
        from assistant.study.review import StaleCard

        try:
            due = self.study.rate(card, value)
            counted, note = True, f"Rated {RATINGS[value]}; next: {due.astimezone():%Y-%m-%d %H:%M}"
        except StaleCard as exc:
            counted, note = False, str(exc)
            self.app.call_from_thread(self.app.notify, note, severity="warning", timeout=10)
        except AssistantError as exc:
            self.app.call_from_thread(self.app.notify, str(exc), severity="error", timeout=15)
            self.app.call_from_thread(self._rating_failed)
            return
        position, passed_over = self._next_fresh(self.cards, self.position + 1)
        if len(passed_over) == 1:
            note += f"\n{passed_over[0]}"
        elif passed_over:
            note += f"\n{len(passed_over)} cards rated elsewhere or retired since were passed over."
        self.app.call_from_thread(self._rated, counted, note, position)

    def _next_fresh(self, cards: list[StudyCard], start: int) -> tuple[int, list[str]]:
        """The position of the next card still as this review loaded it
        (read in the rating's thread), and why the ones before it are not."""
        from assistant import AssistantError
        from assistant.study.review import stale

        passed_over: list[str] = []
        for position in range(start, len(cards)):
            try:
                why = stale(cards[position], self.study.store.get(cards[position].id))
            except AssistantError:
                why = ""  # shown as it is; rating it will say what is wrong
            if not why:
                return position, passed_over
            passed_over.append(why)
        return len(cards), passed_over

    def _rating_failed(self) -> None:
        self.revealed = True

    def _rated(self, counted: bool, note: str, position: int) -> None:
        if not self.is_attached:
            return
        self.rated += counted
        self._note(note)
        self.position = position
        if self.position < len(self.cards):
            self._show_card()
        else:
            self._finish()

    def _finish(self) -> None:
        for part in ("#card-progress", "#card-question"):
            self.query_one(part, Static).update("")
        self.query_one("#card-reply").add_class("hidden")
        self.query_one("#card-back").add_class("hidden")
        self.refresh_bindings()
        self.show_stats()

    @work(thread=True, group="study-load", exit_on_error=False)
    def show_stats(self) -> None:
        from assistant import AssistantError

        try:
            line = self.study.stats().summary()
        except AssistantError as exc:
            line = str(exc)
        self.app.call_from_thread(self._done, f"Review done: {_cards(self.rated)} rated.\n{line}")

    def _done(self, text: str) -> None:
        if self.is_attached:
            self.query_one("#review-done", Static).update(text)

    def _note(self, text: str) -> None:
        if self.is_attached:
            self.query_one("#review-note", Static).update(text)

    # -- source, quiz, back ---------------------------------------------------

    def action_edit_source(self) -> None:
        card = self.card
        if card is not None:
            path = Path(card.root) / card.path
            open_in_editor(self.app, editor_command_at(path, card.start_line))

    def action_quiz(self) -> None:
        self.quizzing = True
        self.query_one("#study-modes", ContentSwitcher).current = "quiz"
        self.query_one(QuizPanel).start()
        self.refresh_bindings()

    def action_back(self) -> None:
        self.dismiss(None)
