"""`notes-chat eval`: retrieval (and answer) scores on a question file."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any, cast

import typer

from .output import console, count_progress, open_assistant, user_errors

if TYPE_CHECKING:
    from assistant.evaluate import AnswerScores
    from assistant.run_file import RunLine, RunSoFar
    from index import SearchMode


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
    resume: Annotated[
        bool,
        typer.Option(
            "--resume", help="With --answers: keep the answers already in --run-out, ask the rest."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Measure retrieval on a question file (Recall@1/3/5/10, MRR); with
    --answers also refusal precision/recall and citation accuracy."""
    from assistant.evaluate import run_eval, score_run
    from assistant.questions import load_questions
    from assistant.run_file import RunSoFar, run_so_far

    if mode not in ("hybrid", "dense", "bm25"):
        raise typer.BadParameter(f"{mode!r} is not one of hybrid, dense, bm25", param_hint="--mode")
    if run_out is not None and (
        run_out.is_dir() or not run_out.parent.is_dir() or run_out.is_fifo()
    ):
        # Checked first: an --answers run may take an hour.
        raise typer.BadParameter(
            f"{run_out} is a folder or a pipe, or its folder does not exist",
            param_hint="--run-out",
        )
    if resume and (not answers or run_out is None):
        raise typer.BadParameter("give --answers and --run-out too", param_hint="--resume")
    with user_errors():
        items = load_questions(questions)[:limit]
        so_far = run_so_far(run_out) if resume and run_out and run_out.is_file() else RunSoFar()
        resumed = so_far.resumable(items, run_out) if run_out else {}
        if resume:
            console(stderr=True).print(
                f"{len(resumed)} of {len(items)} questions already answered in {run_out}.",
                markup=False,
                highlight=False,
            )
        assistant = open_assistant()
        searched = cast("SearchMode", mode)  # one of them, checked above
        run = partial(run_eval, assistant, items, k=k, mode=searched, answers=answers, model=model)
        if answers:
            with (
                _kept(run_out, so_far, len(resumed)) as keep,
                count_progress("Answering", len(items) - len(resumed)) as advance,
            ):

                def answered(line: RunLine) -> None:
                    keep(line)
                    advance()

                lines = run(answered=answered, done_before=resumed)
        else:
            lines = run()
            with _kept(run_out) as keep:
                for line in lines:
                    keep(line)
    scores = score_run(items, lines)
    if as_json:
        print(json.dumps(scores.to_json(), ensure_ascii=False, indent=2))
        return
    _print_scores(scores.retrieval, mode)
    if scores.answers:
        _print_answer_scores(scores.answers, scores.model_marked_accuracy)


@contextmanager
def _kept(
    run_out: Path | None, so_far: RunSoFar | None = None, kept: int = 0
) -> Iterator[Callable[[RunLine], None]]:
    """Where each line of the run goes as it is made: ``run_out``, cut to
    what ``so_far`` keeps of it (a run resumed: the ``kept`` questions it
    had answered, without a line a kill cut short; nothing for a new run),
    then line by line, so that an --answers run the model fails in, or that
    is stopped, keeps what it answered, and says so. The file is locked
    while the run writes it: a second run on it would lose one run's lines."""
    from index import AssistantError, IndexBusy, StoreError

    if run_out is None:
        yield lambda line: None
        return
    try:
        out = run_out.open("a", encoding="utf-8")
    except OSError as exc:
        raise typer.BadParameter(f"cannot write {run_out}: {exc}", param_hint="--run-out") from exc
    written = kept
    try:
        _lock(out, run_out)
        if run_out.is_file():  # not /dev/full
            if so_far and so_far.size and run_out.stat().st_size != so_far.size:
                raise IndexBusy(f"{run_out} changed while it was read (another run?); run again.")
            out.truncate(so_far.whole_bytes if so_far else 0)

        def keep(line: RunLine) -> None:
            nonlocal written
            try:
                out.write(json.dumps(line.to_json(), ensure_ascii=False) + "\n")
                out.flush()
            except OSError as exc:  # a full disk: said as the other errors are
                raise StoreError(f"Cannot write the run file {run_out}: {exc}") from exc
            written += 1

        try:
            yield keep
        except (AssistantError, KeyboardInterrupt) as stop:
            if written:
                why = "the stop" if isinstance(stop, KeyboardInterrupt) else "the error below"
                console(stderr=True).print(
                    f"{run_out} holds the {written} questions answered before {why}; "
                    "`--resume` goes on from there.",
                    markup=False,
                    highlight=False,
                )
            raise
    finally:
        # Each line was flushed as it was written; what a failed write left
        # in the buffer would fail the close again, and was said already.
        with suppress(OSError):
            out.close()


def _lock(out: IO[str], run_out: Path) -> None:
    from index import IndexBusy

    try:
        import fcntl
    except ImportError:  # not on Windows
        return
    try:
        fcntl.flock(out.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise IndexBusy(
            f"Another `notes-chat eval` is writing {run_out}; wait for it to finish "
            "or give another --run-out."
        ) from None


def _print_answer_scores(s: AnswerScores, model_marked: float) -> None:
    console().print(
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
            console().print(f"Answer sentences found in their passages, {label}: {share:.3f}")


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
    console().print(table)
