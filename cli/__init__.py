"""The `notes-chat` command (typer). The only package that uses typer and
prints; everything it does is a call on the ``assistant`` facade. Each
module holds a few commands; they are registered here, in the order
`--help` lists them. Heavy modules (the core, rich, Textual) are imported
inside the commands, so that `--help` stays fast."""

from __future__ import annotations

import typer

from .ask import ask, conversations, search
from .eval import evaluate
from .index import doctor, index, status
from .output import EXIT_NO_ANSWER, EXIT_USER_ERROR, user_errors
from .study import cards_app, quiz, review

__all__ = ["EXIT_NO_ANSWER", "EXIT_USER_ERROR", "app", "main"]

app = typer.Typer(
    name="notes-chat",
    help="A private, local study assistant over your notes folder. "
    "With no command, opens the chat app.",
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback(invoke_without_command=True)
def default(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand is None:
        chat()


@app.command()
def chat() -> None:
    """Open the chat app (also what `notes-chat` alone does)."""
    from assistant import load_settings

    with user_errors():
        settings = load_settings()
    import tui  # Textual is imported only to run the app

    tui.run(settings)


app.command()(index)
app.command()(search)
app.command()(ask)
app.command()(conversations)
app.command()(doctor)
app.command()(status)
app.command("eval")(evaluate)
app.add_typer(cards_app, name="cards")
app.command()(review)
app.command()(quiz)


def main() -> None:
    app()
