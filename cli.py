"""The `notes-chat` command. The only module that uses typer and prints;
everything it does is a call on the ``assistant`` facade."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from assistant import Assistant
    from index import Passage
    from ingest import SyncProgress, SyncReport

app = typer.Typer(
    name="notes-chat",
    help="A private, local study assistant over your notes folder.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_USER_ERROR = 1


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    # soft_wrap: never break a line inside a path or an error message; the
    # terminal wraps, and pipes get whole lines.
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


@contextmanager
def _user_errors() -> Iterator[None]:
    """Show an ``AssistantError`` as its message on stderr and exit 1; any
    other exception is a bug and keeps its traceback."""
    from index import AssistantError

    try:
        yield
    except AssistantError as exc:
        _console(stderr=True).print(f"[bold red]error:[/] {exc}", markup=True)
        raise typer.Exit(EXIT_USER_ERROR) from None


def _assistant() -> Assistant:
    from assistant import Assistant, load_settings

    return Assistant(load_settings())


@app.command()
def index(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Notes folders to index; none: re-sync the folders indexed before."),
    ] = None,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Forget the index and embed everything again.")
    ] = False,
) -> None:
    """Index notes folders, or bring the index up to date with them."""
    with _user_errors():
        assistant = _assistant()
        with _sync_progress() as progress:
            report = assistant.reindex(paths or [], rebuild=rebuild, progress=progress)
        _print_report(report)


@contextmanager
def _sync_progress() -> Iterator[Callable[[SyncProgress], None]]:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    console = _console(stderr=True)
    bar = Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("[dim]{task.fields[current]}"),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    tasks: dict[str, Any] = {}

    def update(event: SyncProgress) -> None:
        if event.phase not in tasks:
            label = "Reading" if event.phase == "scan" else "Embedding"
            tasks[event.phase] = bar.add_task(label, total=event.total, current="")
        bar.update(
            tasks[event.phase], completed=event.done, total=event.total, current=event.current[-40:]
        )

    with bar:
        yield update


def _print_report(report: SyncReport) -> None:
    err = _console(stderr=True)
    for skipped in report.skipped:
        err.print(f"[yellow]warning:[/] skipped {skipped.path}: {skipped.reason}")
    _console().print(
        f"{report.added} added, {report.changed} changed, {report.removed} removed, "
        f"{report.unchanged} unchanged files; {report.chunks_embedded} chunks embedded, "
        f"{report.chunks_removed} removed, {report.chunks_total} in the index "
        f"({report.seconds:.1f} s)."
    )


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for, in any language.")],
    k: Annotated[
        int | None, typer.Option("-k", "--top", min=1, max=100, help="How many passages.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Show the passages of your notes that best match QUERY."""
    with _user_errors():
        passages = _assistant().search(query, k)
    if as_json:
        print(json.dumps([_passage_json(p) for p in passages], ensure_ascii=False, indent=2))
        return
    out = _console()
    if not passages:
        out.print("No matching passages.")
    for n, p in enumerate(passages, start=1):
        ranks = f"dense #{p.dense_rank or '-'}, bm25 #{p.bm25_rank or '-'}"
        out.print(f"[bold]{n}. {p.chunk.location}[/]  [dim]{ranks}[/]", markup=True)
        if p.chunk.heading:
            out.print(f"   [italic]{p.chunk.heading}[/]", markup=True)
        snippet = " ".join(p.chunk.text.split())
        out.print(f"   {snippet[:240]}{'…' if len(snippet) > 240 else ''}", markup=False)


def _passage_json(p: Passage) -> dict[str, Any]:
    return {
        "path": p.chunk.path,
        "start_line": p.chunk.start_line,
        "end_line": p.chunk.end_line,
        "page": p.chunk.page,
        "heading": p.chunk.heading,
        "text": p.chunk.text,
        "score": round(p.score, 6),
        "dense_rank": p.dense_rank,
        "bm25_rank": p.bm25_rank,
    }


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
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Measure retrieval on a question file: Recall@1/3/5/10 and MRR."""
    from assistant.evaluate import load_questions, run_line, score

    if mode not in ("hybrid", "dense", "bm25"):
        raise typer.BadParameter(f"{mode!r} is not one of hybrid, dense, bm25", param_hint="--mode")
    with _user_errors():
        items = load_questions(questions)
        assistant = _assistant()
        lines = [run_line(q, assistant.search(q.question, k, mode=mode)) for q in items]  # type: ignore[arg-type]
    hits = {line["id"]: [h["text"] for h in line["hits"]] for line in lines}
    scores = score(items, hits)
    if run_out:
        run_out.write_text(
            "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines),
            encoding="utf-8",
        )
    if as_json:
        print(json.dumps(scores.to_json(), ensure_ascii=False, indent=2))
        return
    _print_scores(scores, mode)


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


def main() -> None:
    app()


if __name__ == "__main__":
    sys.exit(main())
