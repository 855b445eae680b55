"""The `notes-chat` command. The only module that uses typer and prints;
everything it does is a call on the ``assistant`` facade."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

    from assistant import Assistant, Done, Sources
    from assistant.evaluate import AnswerScores
    from ingest import SyncProgress, SyncReport

app = typer.Typer(
    name="notes-chat",
    help="A private, local study assistant over your notes folder. "
    "With no command, opens the chat app.",
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_USER_ERROR = 1
EXIT_NO_ANSWER = 3  # Ollama unreachable, model missing, timeout or a cut answer


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    # soft_wrap: never break a line inside a path or an error message; the
    # terminal wraps, and pipes get whole lines.
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


@contextmanager
def _user_errors() -> Iterator[None]:
    """Show an ``AssistantError`` as its message on stderr and exit 1; any
    other exception is a bug and keeps its traceback."""
    from assistant import OllamaError
    from index import AssistantError

    try:
        yield
    except AssistantError as exc:
        _console(stderr=True).print(f"[bold red]error:[/] {exc}", markup=True)
        code = EXIT_NO_ANSWER if isinstance(exc, OllamaError) else EXIT_USER_ERROR
        raise typer.Exit(code) from None


def _not_blank(value: str) -> str:
    if not value.strip():
        raise typer.BadParameter("is empty: give some words to look for")
    return value


def _assistant() -> Assistant:
    from assistant import Assistant, load_settings

    return Assistant(load_settings())


@app.callback(invoke_without_command=True)
def default(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand is None:
        chat()


@app.command()
def chat() -> None:
    """Open the chat app (also what `notes-chat` alone does)."""
    from assistant import load_settings

    with _user_errors():
        settings = load_settings()
    import tui  # Textual is imported only to run the app

    tui.run(settings)


@app.command()
def index(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Notes folders to index; none: re-sync the folders indexed before."),
    ] = None,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Forget the index and embed everything again.")
    ] = False,
    watch: Annotated[
        bool, typer.Option("--watch", help="Then keep syncing as files change (ctrl+c stops).")
    ] = False,
    forget: Annotated[
        Path | None,
        typer.Option("--forget", help="Stop indexing this folder and drop its chunks."),
    ] = None,
) -> None:
    """Index notes folders, or bring the index up to date with them."""
    with _user_errors():
        assistant = _assistant()
        if forget is not None:
            dropped = assistant.forget(forget)
            _console().print(f"Forgot {forget}: {dropped} chunks dropped.", highlight=False)
            return
        with _sync_progress() as progress:
            report = assistant.reindex(paths or [], rebuild=rebuild, progress=progress)
        _print_report(report)
        _print_card_check(assistant)
        if watch:
            _watch(assistant)


def _print_card_check(assistant: Assistant) -> None:
    check = assistant.card_check
    if check and (check.changed or check.retired):
        _console().print(
            f"Study cards: {check.changed} with a changed source "
            f"(`notes-chat cards list --changed`), {check.retired} retired (source gone)."
        )


def _watch(assistant: Assistant) -> None:
    import threading
    from contextlib import suppress

    _console(stderr=True).print("Watching for changes (ctrl+c stops)…")
    with suppress(KeyboardInterrupt):
        assistant.watch(threading.Event(), _print_report)


def _progress_bar() -> Progress:
    """A progress bar on stderr, shown only on a terminal: a label, the bar,
    done/total, time left and the item at hand (the ``current`` field)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    console = _console(stderr=True)
    return Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("[dim]{task.fields[current]}"),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


@contextmanager
def _sync_progress() -> Iterator[Callable[[SyncProgress], None]]:
    bar = _progress_bar()
    tasks: dict[str, Any] = {}

    def update(event: SyncProgress) -> None:
        if event.phase not in tasks:
            tasks[event.phase] = bar.add_task(event.label, total=event.total, current="")
        bar.update(
            tasks[event.phase], completed=event.done, total=event.total, current=event.current[-40:]
        )

    with bar:
        yield update


def _print_report(report: SyncReport) -> None:
    from index.types import printable

    err = _console(stderr=True)
    for skipped in report.skipped:
        path = printable(skipped.path)
        what = path if skipped.indexed else f"skipped {path}"
        err.print(f"[yellow]warning:[/] {escape(what)}: {escape(skipped.reason)}")
    _console().print(report.summary())


@app.command()
def search(
    query: Annotated[
        str, typer.Argument(help="What to look for, in any language.", callback=_not_blank)
    ],
    k: Annotated[
        int | None, typer.Option("-k", "--top", min=1, max=100, help="How many passages.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Show the passages of your notes that best match QUERY."""
    with _user_errors():
        passages = _assistant().search(query, k)
    if as_json:
        print(json.dumps([p.to_json() for p in passages], ensure_ascii=False, indent=2))
        return
    out = _console()
    if not passages:
        out.print("No matching passages.")
    for n, p in enumerate(passages, start=1):
        ranks = f"dense #{p.dense_rank or '-'}, bm25 #{p.bm25_rank or '-'}"
        # escaped: a [tag] in a file name or heading is text, not Rich markup
        out.print(f"[bold]{n}. {escape(p.chunk.location)}[/]  [dim]{ranks}[/]", markup=True)
        if p.chunk.heading:
            out.print(f"   [italic]{escape(p.chunk.heading)}[/]", markup=True)
        snippet = " ".join(p.chunk.text.split())
        out.print(f"   {snippet[:240]}{'…' if len(snippet) > 240 else ''}", markup=False)


@app.command()
def ask(
    question: Annotated[
        str, typer.Argument(help="Your question, in any language.", callback=_not_blank)
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    model: Annotated[
        str | None, typer.Option("--model", "-m", help="Ollama model (default: setting).")
    ] = None,
    no_llm: Annotated[
        bool, typer.Option("--no-llm", help="Only retrieve and show passages; no model.")
    ] = False,
    k: Annotated[int | None, typer.Option("-k", min=1, max=50, help="Passages retrieved.")] = None,
    resume: Annotated[
        bool, typer.Option("--continue", "-c", help="Continue the latest conversation.")
    ] = False,
    conversation_id: Annotated[
        str | None, typer.Option("--conversation", help="Continue this conversation (id).")
    ] = None,
) -> None:
    """Answer QUESTION from your notes, citing them, streamed as it is written."""
    from assistant import AssistantError, Done, Sources, Token
    from assistant.events import answer_json

    with _user_errors():
        assistant = _assistant()
        store = assistant.conversations
        conversation = None
        if conversation_id:
            conversation = store.load(conversation_id)
        elif resume:
            conversation = store.latest()
        events = assistant.ask(
            question, conversation=conversation, model=model, use_llm=not no_llm, k=k
        )
        sources: Sources | None = None
        done: Done | None = None
        try:
            for event in events:
                if isinstance(event, Sources):
                    sources = event
                elif isinstance(event, Token) and not as_json:
                    sys.stdout.write(event.text)
                    sys.stdout.flush()
                elif isinstance(event, Done):
                    done = event
        except AssistantError as exc:
            # The passages were found before the model failed: still show them.
            if as_json:
                print(
                    json.dumps(answer_json(sources, done, str(exc)), ensure_ascii=False, indent=2)
                )
            elif sources is not None:
                _print_sources(sources, None)
            raise
    if as_json:
        print(json.dumps(answer_json(sources, done), ensure_ascii=False, indent=2))
    else:
        _print_answer_end(sources, done)
    if done is not None and done.cut:
        raise typer.Exit(EXIT_NO_ANSWER)


def _print_answer_end(sources: Sources | None, done: Done | None) -> None:
    out, err = _console(), _console(stderr=True)
    if done is not None and done.answer:
        print()
        _print_support(done)
    if sources is not None:
        _print_sources(sources, done)
    if done is None:
        return
    if done.cut:
        err.print(f"[yellow]warning:[/] the answer was cut off: {done.cut}")
    if done.invalid_citations:
        numbers = ", ".join(f"[{n}]" for n in done.invalid_citations)
        err.print(
            f"[yellow]warning:[/] dropped citations of passages that were not given: {numbers}"
        )
    for quote in done.unverified_quotes:
        err.print(f"[yellow]warning:[/] quote not found in the passages: “{quote}”")
    out.print(f"[dim]{done.stats.summary()}[/]", markup=True)


def _print_support(done: Done) -> None:
    """The sentences not found in the passages they cite, marked, and a count."""
    report = done.support
    if not report.unsupported:
        return
    out = _console()
    if report.mostly_unsupported:
        out.print(
            "\n[bold yellow]This answer is mostly not from your notes:[/] "
            "the sentences below are not in the passages they cite."
        )
    else:
        out.print()
    for sentence in report.sentences:
        if sentence.supported is False:
            out.print(f"  [yellow]⚠[/] {sentence.text}", highlight=False)
    out.print(f"[yellow]{report.summary()}[/]")


def _print_sources(sources: Sources, done: Done | None) -> None:
    out = _console()
    cited = done.citations if done else ()
    if cited:
        out.print("\nSources:")
        for c in cited:
            heading = f"  ({c.passage.chunk.heading})" if c.passage.chunk.heading else ""
            how = (
                "  [matched by wording]"
                if c.inferred
                else "  [named by the model when asked]"
                if c.asked
                else ""
            )
            out.print(f"  [{c.number}] {c.location}{heading}{how}", markup=False)
        return
    out.print("\nNearest passages:" if not sources.covered else "\nPassages:")
    for n, p in enumerate(sources.passages, start=1):
        snippet = " ".join(p.chunk.text.split())[:100]
        out.print(f"  [{n}] {p.chunk.location}  {snippet}", markup=False)


@app.command()
def conversations() -> None:
    """List saved conversations (newest first); continue one with `ask --conversation ID`."""
    with _user_errors():
        store = _assistant().conversations
        saved = store.list()
    out = _console()
    for why in store.skipped:
        _console(stderr=True).print(f"[yellow]warning:[/] skipped: {why}", highlight=False)
    if not saved:
        out.print("No saved conversations.")
    for c in saved:
        out.print(f"{c.id}  {len(c.turns)} turns  {c.title}", markup=False)


@app.command()
def doctor(
    repair: Annotated[
        bool, typer.Option("--repair", help="Rebuild what is inconsistent, then sync.")
    ] = False,
) -> None:
    """Check config, data dir, index and Ollama; say how to fix each problem."""
    from assistant.doctor import diagnose

    with _user_errors():
        assistant = _assistant()
        if repair:
            with _sync_progress() as progress:
                _print_report(assistant.repair(progress=progress))
        findings = diagnose(assistant)
    out = _console()
    for finding in findings:
        mark = "[green]ok[/]  " if finding.ok else "[red]FAIL[/]"
        fix = f"  →  run: [bold]{escape(finding.fix)}[/]" if finding.fix else ""
        out.print(f"{mark} {escape(finding.what)}{fix}", markup=True)
    if not all(f.ok for f in findings):
        raise typer.Exit(EXIT_USER_ERROR)


def escape(text: str) -> str:
    from rich.markup import escape as rich_escape

    return rich_escape(text)


@app.command()
def status() -> None:
    """Show what is indexed and where the data lives."""
    with _user_errors():
        assistant = _assistant()
        info = assistant.status()
    out = _console()
    out.print(f"Notes folders: {', '.join(info.roots) or '(none)'}")
    out.print(f"Files:         {info.files}")
    out.print(f"Chunks:        {info.chunks}")
    out.print(f"Embedder:      {info.embedder}")
    out.print(f"Data dir:      {assistant.settings.home}")
    out.print(f"Chroma:        {info.chroma}")
    out.print(f"Last sync:     {info.last_sync or 'never'}")
    out.print(f"Formats:       {_formats_line()}", markup=False)


def _formats_line() -> str:
    from ingest.formats import available

    on = [s for s, ok in available().items() if ok]
    off = [s for s, ok in available().items() if not ok]
    line = "text, Markdown, HTML, .pdf, " + " ".join(on)
    return line + (f" (off: {' '.join(off)}; pip install 'notes-chat[formats]')" if off else "")


@app.command("eval")
def evaluate(
    questions: Annotated[Path, typer.Argument(help="Questions, one JSON object a line.")],
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="Hits kept per question.")] = 10,
    mode: Annotated[
        str, typer.Option(help="Retriever: hybrid, dense (Chroma only) or bm25 (lexical only).")
    ] = "hybrid",
    run_out: Annotated[
        Path | None, typer.Option("--run-out", help="Write the ranked hits to this run file.")
    ] = None,
    answers: Annotated[
        bool, typer.Option("--answers", help="Also answer each question with the model.")
    ] = False,
    model: Annotated[
        str | None, typer.Option("--model", "-m", help="Ollama model for --answers.")
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Only the first N questions.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Measure retrieval on a question file (Recall@1/3/5/10, MRR); with
    --answers also refusal precision/recall and citation accuracy."""
    from assistant.evaluate import run_eval, score_run
    from assistant.questions import load_questions

    if mode not in ("hybrid", "dense", "bm25"):
        raise typer.BadParameter(f"{mode!r} is not one of hybrid, dense, bm25", param_hint="--mode")
    if run_out is not None and (run_out.is_dir() or not run_out.parent.is_dir()):
        # Checked first: an --answers run may take an hour.
        raise typer.BadParameter(
            f"{run_out} is a folder or its folder does not exist", param_hint="--run-out"
        )
    with _user_errors():
        items = load_questions(questions)[:limit]
        assistant = _assistant()
        run = partial(run_eval, assistant, items, k=k, mode=mode, answers=answers, model=model)
        if answers:
            with _count_progress("Answering", len(items)) as advance:
                lines = run(answered=advance)
        else:
            lines = run()
    if run_out:  # first: a long --answers run is kept whatever happens next
        run_out.write_text(
            "".join(json.dumps(line.to_json(), ensure_ascii=False) + "\n" for line in lines),
            encoding="utf-8",
        )
    scores = score_run(items, lines)
    if as_json:
        print(json.dumps(scores.to_json(), ensure_ascii=False, indent=2))
        return
    _print_scores(scores.retrieval, mode)
    if scores.answers:
        _print_answer_scores(scores.answers, scores.model_marked_accuracy)


@contextmanager
def _count_progress(label: str, total: int) -> Iterator[Callable[[], None]]:
    bar = _progress_bar()
    task = bar.add_task(label, total=total, current="")
    with bar:
        yield lambda: bar.advance(task)


def _print_answer_scores(s: AnswerScores, model_marked: float) -> None:
    _console().print(
        f"Refusal precision {s.refusal_precision:.3f}, recall {s.refusal_recall:.3f} "
        f"({s.refused} refused, {s.unanswerable} unanswerable); "
        f"citation accuracy {s.citation_accuracy:.3f} over {s.answered} answered questions "
        f"({model_marked:.3f} counting only the citations the model marked); "
        f"{s.answerable_refused} answerable questions refused."
    )
    for label, share in (
        ("answered answerable questions", s.supported_answerable),
        ("answered unanswerable questions", s.supported_unanswerable),
    ):
        if share is not None:
            _console().print(f"Answer sentences found in their passages, {label}: {share:.3f}")


def _print_scores(scores: Any, mode: str) -> None:
    from rich.table import Table

    table = Table(title=f"{mode} retrieval, {scores.n} answerable questions")
    for column in ("kind", "n", "R@1", "R@3", "R@5", "R@10", "MRR"):
        table.add_column(column, justify="left" if column == "kind" else "right")
    r = scores.recall
    table.add_row(
        "all",
        str(scores.n),
        *(f"{r[k]:.3f}" for k in (1, 3, 5, 10)),
        f"{scores.mrr:.3f}",
        style="bold",
    )
    for kind, row in scores.by_kind.items():
        table.add_row(
            kind, str(row["n"]), "", "", f"{row['recall@5']:.3f}", "", f"{row['mrr']:.3f}"
        )
    _console().print(table)


# -- study: cards, review, quiz -------------------------------------------

cards_app = typer.Typer(help="Flashcards made from your notes: make, list, export.")
app.add_typer(cards_app, name="cards")


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
    with _user_errors():
        study = _assistant().study
        chunks = study.chunks_for(path=path, topic=topic, k=max(n, 5))
        before = {c.id for c in study.store.cards(("active", "changed", "retired"))}
        bar = _progress_bar()
        task = bar.add_task("Cards", total=len(chunks), current="")
        dropped = 0

        def update(event: Any) -> None:
            nonlocal dropped
            dropped = event.dropped
            bar.update(task, completed=event.done, current=f"{event.kept} kept")

        try:
            with bar:
                study.make(chunks, n, model=model, progress=update)
        except KeyboardInterrupt:
            _console(stderr=True).print("Stopped; the cards made so far are kept.")
        made = [c for c in study.store.cards() if c.id not in before]
        out = _console()
        for card in made:
            out.print(f"[bold]{card.id}.[/] {escape(card.question)}", markup=True)
            out.print(f"    → {escape(card.answer)}  [dim]{escape(card.location)}[/]", markup=True)
        out.print(
            f"{len(made)} cards made, {dropped} dropped "
            "(not supported by their passage, or duplicates)."
        )


@cards_app.command("list")
def cards_list(
    changed: Annotated[
        bool, typer.Option("--changed", help="Only cards whose source changed.")
    ] = False,
) -> None:
    """List the cards, with their source and status; a changed source shows its new text."""
    with _user_errors():
        store = _assistant().study.store
        cards = store.cards(("changed",) if changed else ("active", "changed", "retired"))
    out = _console()
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
    with _user_errors():
        study = _assistant().study
        study.keep(study.store.get(card_id))
    _console().print(f"Card {card_id} kept with its new source.")


@cards_app.command("remake")
def cards_remake(card_id: Annotated[int, typer.Argument(help="The card's number.")]) -> None:
    """Retire a card whose source changed and make a new one from the new text."""
    with _user_errors():
        study = _assistant().study
        made = study.remake(study.store.get(card_id))
    for card in made:
        _console().print(
            f"{card.id}. {card.question} → {card.answer}  {card.location}", markup=False
        )
    _console().print(f"Card {card_id} retired; {len(made)} made.")


@cards_app.command("export")
def cards_export(
    target: Annotated[Path, typer.Argument(help="FILE.apkg (or FILE.csv with --csv).")],
    csv: Annotated[
        bool, typer.Option("--csv", help="Write CSV instead of an Anki package.")
    ] = False,
) -> None:
    """Export the cards to Anki (one deck per notes folder) or CSV."""
    with _user_errors():
        count = _assistant().study.export(target, csv=csv)
    _console().print(f"{count} cards written to {target}.")


def _read(prompt: str) -> str | None:
    """A line from stdin, or None at its end (ctrl+d)."""
    try:
        return input(prompt)
    except EOFError:
        return None


@app.command()
def review(
    stats: Annotated[bool, typer.Option("--stats", help="Show review figures and exit.")] = False,
    grade: Annotated[
        bool, typer.Option("--grade/--no-grade", help="Let the model comment on typed answers.")
    ] = True,
) -> None:
    """Review the cards due today, rating each Again/Hard/Good/Easy (FSRS schedule)."""
    with _user_errors():
        study = _assistant().study
        if stats:
            _print_review_stats(study.stats())
            return
        due = study.due()
    out = _console()
    if not due:
        out.print("No cards due today.")
        return
    for n, card in enumerate(due, start=1):
        out.print(f"\n[bold][{n}/{len(due)}] {escape(card.question)}[/]", markup=True)
        reply = _read("Your answer (enter: reveal, q: stop): ")
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
        rating = None
        while rating is None:
            got = _read("Rate 1 again, 2 hard, 3 good, 4 easy: ")
            if got is None:
                return
            got = got.strip().lower()
            rating = (
                int(got)
                if got in ("1", "2", "3", "4")
                else {"a": 1, "h": 2, "g": 3, "e": 4}.get(got[:1])
            )
        due_at = study.rate(study.store.get(card.id), rating)
        out.print(f"[dim]next: {due_at.astimezone():%Y-%m-%d %H:%M}[/]", markup=True)
    _print_review_stats(study.stats())


def _print_grade(study: Any, card: Any, reply: str) -> None:
    """The model's comment on a typed answer; without a model, the review goes on."""
    from index import AssistantError

    try:
        verdict = study.grade(card, reply).strip()
    except AssistantError as exc:
        _console(stderr=True).print(f"[yellow]No grading by the model:[/] {exc}", markup=True)
        return
    _console().print(f"[cyan]Model:[/] {escape(verdict)}", markup=True)


def _print_review_stats(s: Any) -> None:
    _console().print(s.summary())


@app.command()
def quiz(
    topic: Annotated[str | None, typer.Option("--topic", "-t", help="Quiz on this topic.")] = None,
    n: Annotated[int, typer.Option("-n", min=1, help="How many questions.")] = 5,
    model: Annotated[str | None, typer.Option("--model", "-m", help="The Ollama model.")] = None,
) -> None:
    """Multiple-choice and short-answer questions from your cards, graded at the end."""
    from assistant.study.quiz import grade as grade_reply

    with _user_errors():
        questions = _assistant().study.quiz(topic, n, model=model)
    out = _console()
    results = []
    for i, q in enumerate(questions, start=1):
        out.print(f"\n[bold]{i}. {escape(q.card.question)}[/]", markup=True)
        for letter, choice in zip("abcd", q.choices, strict=False):
            out.print(f"   {letter}) {choice}", markup=False)
        reply = _read("Your answer: " if not q.choices else "Your choice (a–d): ")
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


def main() -> None:
    app()


if __name__ == "__main__":
    sys.exit(main())
