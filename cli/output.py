"""What the commands share: the consoles, the error boundary, progress bars."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

    from assistant import Assistant


EXIT_USER_ERROR = 1
EXIT_NO_ANSWER = 3  # Ollama unreachable, model missing, timeout or a cut answer


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    # soft_wrap: never break a line inside a path or an error message; the
    # terminal wraps, and pipes get whole lines.
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


@contextmanager
def user_errors() -> Iterator[None]:
    """Show an ``AssistantError`` as its message on stderr and exit 1; any
    other exception is a bug and keeps its traceback."""
    from assistant import OllamaError
    from index import AssistantError

    try:
        yield
    except AssistantError as exc:
        console(stderr=True).print(f"[bold red]error:[/] {exc}", markup=True)
        code = EXIT_NO_ANSWER if isinstance(exc, OllamaError) else EXIT_USER_ERROR
        raise typer.Exit(code) from None


def escape(text: str) -> str:
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def not_blank(value: str) -> str:
    if not value.strip():
        raise typer.BadParameter("is empty: give some words to look for")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # Bytes that are not UTF-8 reach Python as lone surrogates (a GBK terminal).
        raise typer.BadParameter(
            "is not UTF-8 text: set the terminal to UTF-8 (e.g. LANG=C.UTF-8) and type it again"
        ) from None
    return value


def open_assistant() -> Assistant:
    from assistant import Assistant, load_settings

    return Assistant(load_settings())


def progress_bar() -> Progress:
    """A progress bar on stderr, shown only on a terminal: a label, the bar,
    done/total, time left and the item at hand (the ``current`` field)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    err = console(stderr=True)
    return Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("[dim]{task.fields[current]}"),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


@contextmanager
def count_progress(label: str, total: int) -> Iterator[Callable[[], None]]:
    bar = progress_bar()
    task = bar.add_task(label, total=total, current="")
    with bar:
        yield lambda: bar.advance(task)


def read_line(prompt: str) -> str | None:
    """A line from stdin, or None at its end (ctrl+d)."""
    try:
        return input(prompt)
    except EOFError:
        return None
