"""Study commands: `notes-chat cards …`, `review` and `quiz`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from .output import console, escape, open_assistant, progress_bar, read_line, user_errors

cards_app = typer.Typer(help="Flashcards made from your notes: make, list, export.")


@cards_app.command("make")
def cards_make(
    path: Annotated[
        Path | None, typer.Argument(help="A notes file or folder (indexed); default: all.")
    ] = None,
    topic: Annotated[
        str | None, typer.Option("--topic", "-t", help="Make cards from the passages on TEXT.")
    ] = None,
    n: Annotated[int, typer.Option("-n", min=1, help="How many cards at most.")] = 10,
    model: Annotated[str | None, typer.Option("--model", "-m", help="The Ollama model.")] = None,
) -> None:
    """Ask the local model for question/answer cards from your notes."""
    from index import AssistantError

    with user_errors():
        study = open_assistant().study
        chunks = study.chunks_for(path=path, topic=topic, k=max(n, 5))
        before = {c.id for c in study.store.cards(("active", "changed", "retired"))}
        bar = progress_bar()
        task = bar.add_task("Cards", total=len(chunks), current="")
        last: Any = None

        def update(event: Any) -> None:
            nonlocal last
            last = event
            bar.update(task, completed=event.done, current=f"{event.kept} kept")

        failure: Exception | None = None
        try:
            with bar:
                study.make(chunks, n, model=model, progress=update)
        except KeyboardInterrupt:
            console(stderr=True).print("Stopped; the cards made so far are kept.")
        except AssistantError as exc:  # the model failed: show what was made first
            failure = exc
        made = [c for c in study.store.cards() if c.id not in before]
        out = console()
        for card in made:
            out.print(f"[bold]{card.id}.[/] {escape(card.question)}", markup=True)
            out.print(f"    → {escape(card.answer)}  [dim]{escape(card.location)}[/]", markup=True)
        dropped = last.dropped if last else 0
        out.print(
            f"{len(made)} cards made, {dropped} dropped "
            "(not flashcards, not supported by their passage, or duplicates)."
        )
        if last and last.unreadable:
            out.print(
                f"{last.unreadable} of the model's replies were not the JSON asked for "
                "and gave no cards; a larger model (--model) writes it more reliably."
            )
        if failure is not None:
            if made:
                out.print("The cards above are kept.")
            raise failure


@cards_app.command("list")
def cards_list(
    changed: Annotated[
        bool, typer.Option("--changed", help="Only cards whose source changed.")
    ] = False,
) -> None:
    """List the cards, with their source and status; a changed source shows its new text."""
    with user_errors():
        store = open_assistant().study.store
        cards = store.cards(("changed",) if changed else ("active", "changed", "retired"))
    out = console()
    for c in cards:
        mark = (
            ""
            if c.status == "active"
            else f" [yellow]({'source changed' if c.status == 'changed' else 'retired'})[/]"
        )
        out.print(
            f"[bold]{c.id}.[/] {escape(c.question)} → {escape(c.answer)}"
            f"  [dim]{escape(c.location)}[/]{mark}",
            markup=True,
        )
        if c.status == "changed" and c.new_text is not None:
            out.print(f"    was: {' '.join(c.passage.split())}", markup=False)
            out.print(f"    now: {' '.join(c.new_text.split())}", markup=False)
            out.print(
                f"    keep: notes-chat cards keep {c.id}   remake: notes-chat cards remake {c.id}"
            )
    if not cards:
        out.print("No cards.")


@cards_app.command("keep")
def cards_keep(card_id: Annotated[int, typer.Argument(help="The card's number.")]) -> None:
    """Keep a card whose source changed, pointing it at the new text."""
    with user_errors():
        study = open_assistant().study
        card = study.store.get(card_id)
        study.keep(card)
    if card.status != "changed":
        console().print(f"Card {card_id}'s source has not changed; nothing to keep.")
    else:
        console().print(f"Card {card_id} kept, pointing at its source's new text.")


@cards_app.command("remake")
def cards_remake(
    card_id: Annotated[int, typer.Argument(help="The card's number.")],
    model: Annotated[str | None, typer.Option("--model", "-m", help="The Ollama model.")] = None,
) -> None:
    """Retire a card whose source changed and make a new one from the new text."""
    with user_errors():
        study = open_assistant().study
        card = study.store.get(card_id)
        if card.status != "changed":
            console().print(f"Card {card_id}'s source has not changed; nothing to remake.")
            return
        made = study.remake(card, model=model)
    for card in made:
        console().print(
            f"{card.id}. {card.question} → {card.answer}  {card.location}", markup=False
        )
    if made:
        console().print(f"Card {card_id} replaced by {len(made)} made from the new text.")
    else:
        console().print(
            f"The model made no usable card from the new text; card {card_id} stays as it "
            f"was, flagged (`notes-chat cards keep {card_id}` accepts the new text)."
        )


@cards_app.command("export")
def cards_export(
    target: Annotated[Path, typer.Argument(help="FILE.apkg (or FILE.csv with --csv).")],
    csv: Annotated[
        bool, typer.Option("--csv", help="Write CSV instead of an Anki package.")
    ] = False,
) -> None:
    """Export the cards to Anki (one deck per notes folder) or CSV."""
    with user_errors():
        count = open_assistant().study.export(target, csv=csv)
    console().print(f"{count} cards written to {target}.")


def review(
    stats: Annotated[bool, typer.Option("--stats", help="Show review figures and exit.")] = False,
    grade: Annotated[
        bool, typer.Option("--grade/--no-grade", help="Let the model comment on typed answers.")
    ] = True,
) -> None:
    """Review the cards due today, rating each Again/Hard/Good/Easy (FSRS schedule)."""
    from assistant.study.review import stale

    with user_errors():
        study = open_assistant().study
        if stats:
            _print_review_stats(study)
            return
        due = study.due()
        later = None if due else study.next_due()
    out = console()
    if not due:
        if later is not None:
            out.print(f"No cards due now; the next comes due at {later.astimezone():%H:%M}.")
        else:
            out.print("No cards due today.")
        return
    for n, shown in enumerate(due, start=1):
        with user_errors():
            card = study.store.get(shown.id)
        if why := stale(shown, card):  # rated in another session meanwhile, or retired
            out.print(f"\n[yellow]{escape(why)}[/]", markup=True)
            continue
        out.print(f"\n[bold][{n}/{len(due)}] {escape(card.question)}[/]", markup=True)
        reply = read_line("Your answer (enter: reveal, q: stop): ")
        if reply is None or reply.strip().lower() == "q":
            break
        out.print(f"[green]Answer:[/] {escape(card.answer)}", markup=True)
        out.print(
            f"[dim]{escape(card.location)}[/]  {escape(' '.join(card.passage.split()))}",
            markup=True,
        )
        if card.status == "changed":
            out.print(
                "[yellow]Its source changed since:[/] see `notes-chat cards list --changed`.",
                markup=True,
            )
        if reply.strip() and grade:
            _print_grade(study, card, reply)
        if not _rate(study, card):
            break
    _print_review_stats(study)


_RATING_KEYS = {"a": 1, "h": 2, "g": 3, "e": 4}


def _rate(study: Any, card: Any) -> bool:
    """Ask for the rating of ``card`` and store it; False when the student
    stops (q or ctrl+d: the card stays due, unrated)."""
    from assistant.study.review import StaleCard
    from assistant.study.store import StudyStoreBusy

    out = console()
    while True:
        got = read_line("Rate 1 again, 2 hard, 3 good, 4 easy (q: stop): ")
        got = got.strip().lower() if got is not None else "q"
        if got == "q":
            return False
        rating = int(got) if got in ("1", "2", "3", "4") else _RATING_KEYS.get(got[:1])
        if rating is None:
            continue
        with user_errors():  # a card store that fails now: its message, not a traceback
            try:
                due_at = study.rate(card, rating)
            except StudyStoreBusy as exc:  # held by another program: ask again
                out.print(f"[yellow]{escape(str(exc))}[/]", markup=True)
                continue
            except StaleCard as exc:  # rated in another session meanwhile, or retired
                out.print(f"[yellow]{escape(str(exc))}[/]", markup=True)
                return True
        out.print(f"[dim]next: {due_at.astimezone():%Y-%m-%d %H:%M}[/]", markup=True)
        return True


def _print_grade(study: Any, card: Any, reply: str) -> None:
    """The model's comment on a typed answer; without a model, the review goes on."""
    from index import AssistantError

    try:
        with console(stderr=True).status("The model is reading your answer…"):
            verdict = study.grade(card, reply).strip()
    except AssistantError as exc:
        console(stderr=True).print(f"[yellow]No grading by the model:[/] {exc}", markup=True)
        return
    console().print(f"[cyan]Model:[/] {escape(verdict)}", markup=True)


def _print_review_stats(study: Any) -> None:
    with user_errors():  # a card store failing now: its message, not a traceback
        figures = study.stats()
    console().print(figures.summary())


def quiz(
    topic: Annotated[str | None, typer.Option("--topic", "-t", help="Quiz on this topic.")] = None,
    n: Annotated[int, typer.Option("-n", min=1, help="How many questions.")] = 5,
    model: Annotated[str | None, typer.Option("--model", "-m", help="The Ollama model.")] = None,
) -> None:
    """Multiple-choice and short-answer questions from your cards, graded at the end."""
    from assistant.study.quiz import grade as grade_reply

    with user_errors(), console(stderr=True).status("Preparing the quiz…"):
        # With a topic that has too few cards, the model writes some first.
        questions = open_assistant().study.quiz(topic, n, model=model)
    out = console()
    results = []
    for i, q in enumerate(questions, start=1):
        out.print(f"\n[bold]{i}. {escape(q.card.question)}[/]", markup=True)
        for letter, choice in zip("abcd", q.choices, strict=False):
            out.print(f"   {letter}) {choice}", markup=False)
        reply = read_line("Your answer: " if not q.choices else "Your choice (a–d): ")
        if reply is None:
            break
        results.append(grade_reply(q, reply))
    right = sum(r.right for r in results)
    out.print(f"\n[bold]{right}/{len(results)} right[/]", markup=True)
    for r in results:
        if not r.right:
            c = r.question.card
            out.print(f"\n✗ {escape(c.question)}", markup=True)
            out.print(f"  you: {r.reply or '—'}   answer: {c.answer}", markup=False)
            out.print(f"  {c.location}  {' '.join(c.passage.split())}", markup=False)
