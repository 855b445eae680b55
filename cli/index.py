"""`notes-chat index`, `doctor` and `status`: the index and its health."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .output import EXIT_USER_ERROR, console, escape, open_assistant, progress_bar, user_errors

if TYPE_CHECKING:
    from assistant import Assistant
    from ingest import SyncProgress, SyncReport


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
    with user_errors():
        assistant = open_assistant()
        if forget is not None:
            dropped = assistant.forget(forget)
            console().print(f"Forgot {forget}: {dropped} chunks dropped.", highlight=False)
            return
        with _sync_progress() as progress:
            report = assistant.reindex(paths or [], rebuild=rebuild, progress=progress)
        _print_report(report)
        _print_card_check(assistant)
        if watch:
            _watch(assistant)


def _print_card_check(assistant: Assistant) -> None:
    check = assistant.card_check
    if check and check.problem:
        console(stderr=True).print(
            f"[yellow]warning:[/] study cards not checked: {escape(check.problem)}"
        )
    if check and (check.changed or check.retired):
        console().print(
            f"Study cards: {check.changed} with a changed source "
            f"(`notes-chat cards list --changed`), {check.retired} retired (source gone)."
        )
    if check and check.moved:
        console().print(f"Study cards: {check.moved} followed their passage to its new place.")


def _watch(assistant: Assistant) -> None:
    import threading
    from contextlib import suppress

    console(stderr=True).print("Watching for changes (ctrl+c stops)…")
    with suppress(KeyboardInterrupt):
        assistant.watch(threading.Event(), _print_report)


@contextmanager
def _sync_progress() -> Iterator[Callable[[SyncProgress], None]]:
    bar = progress_bar()
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

    err = console(stderr=True)
    for skipped in report.skipped:
        path = printable(skipped.path)
        what = path if skipped.indexed else f"skipped {path}"
        err.print(f"[yellow]warning:[/] {escape(what)}: {escape(skipped.reason)}")
    console().print(report.summary())


def doctor(
    repair: Annotated[
        bool, typer.Option("--repair", help="Rebuild what is inconsistent, then sync.")
    ] = False,
) -> None:
    """Check config, data dir, index and Ollama; say how to fix each problem."""
    from assistant.doctor import diagnose

    with user_errors():
        assistant = open_assistant()
        if repair:
            with _sync_progress() as progress:
                _print_report(assistant.repair(progress=progress))
        findings = diagnose(assistant)
    out = console()
    for finding in findings:
        mark = "[green]ok[/]  " if finding.ok else "[red]FAIL[/]"
        fix = f"  →  run: [bold]{escape(finding.fix)}[/]" if finding.fix else ""
        out.print(f"{mark} {escape(finding.what)}{fix}", markup=True)
    if not all(f.ok for f in findings):
        raise typer.Exit(EXIT_USER_ERROR)


def status() -> None:
    """Show what is indexed and where the data lives."""
    with user_errors():
        assistant = open_assistant()
        info = assistant.status()
    out = console()
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
