"""`notes-chat search`, `ask` and `conversations`: finding and answering."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from .output import EXIT_NO_ANSWER, console, escape, not_blank, open_assistant, user_errors

if TYPE_CHECKING:
    from assistant import Done, Sources


def search(
    query: Annotated[
        str, typer.Argument(help="What to look for, in any language.", callback=not_blank)
    ],
    k: Annotated[
        int | None, typer.Option("-k", "--top", min=1, max=100, help="How many passages.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Show the passages of your notes that best match QUERY."""
    from assistant.plain import plain_text

    with user_errors():
        passages = open_assistant().search(query, k)
    if as_json:
        print(json.dumps([p.to_json() for p in passages], ensure_ascii=False, indent=2))
        return
    out = console()
    if not passages:
        out.print("No matching passages.")
    for n, p in enumerate(passages, start=1):
        ranks = f"dense #{p.dense_rank or '-'}, bm25 #{p.bm25_rank or '-'}"
        # escaped: a [tag] in a file name or heading is text, not Rich markup
        out.print(f"[bold]{n}. {escape(p.chunk.location)}[/]  [dim]{ranks}[/]", markup=True)
        if p.chunk.heading:
            out.print(f"   [italic]{escape(p.chunk.heading)}[/]", markup=True)
        snippet = plain_text(p.chunk.text)
        out.print(f"   {snippet[:240]}{'…' if len(snippet) > 240 else ''}", markup=False)


def ask(
    question: Annotated[
        str, typer.Argument(help="Your question, in any language.", callback=not_blank)
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

    with user_errors():
        assistant = open_assistant()
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
    out, err = console(), console(stderr=True)
    if done is not None and done.answer:
        print()
        _print_support(done)
    if sources is not None:
        _print_sources(sources, done)
    if done is None:
        return
    if done.cut:
        err.print(f"[yellow]warning:[/] the answer was cut off: {done.cut}")
    if done.repeated:
        err.print(
            "[yellow]warning:[/] the model began writing its answer again; "
            "the repetition is left out of the answer"
        )
    if done.invalid_citations:
        numbers = ", ".join(f"[{n}]" for n in done.invalid_citations)
        err.print(
            f"[yellow]warning:[/] dropped citations of passages that were not given: {numbers}"
        )
    for quote in done.unverified_quotes:
        err.print(f"[yellow]warning:[/] quote not found in the passages: “{quote}”")
    out.print(f"[dim]{done.stats.summary()}[/]", markup=True)


def _print_support(done: Done) -> None:
    """The sentences not found in the passages they cite, marked, and a count;
    above them, whether the answer is mostly not from the notes at all."""
    report = done.support
    if not report.unsupported:
        return
    out = console()
    if report.from_memory:
        out.print(f"\n{report.from_memory_summary()}", style="bold red", highlight=False)
        return
    if report.mostly_unsupported:
        out.print(
            "\n[bold yellow]This answer is mostly not from your notes:[/] "
            "most of its sentences are in none of the passages it was given."
        )
    else:
        out.print()
    for sentence in report.sentences:
        if sentence.supported is False:
            out.print(f"  [yellow]⚠[/] {sentence.text}", highlight=False)
    out.print(f"[yellow]{report.summary()}[/]")


def _print_sources(sources: Sources, done: Done | None) -> None:
    from assistant.plain import plain_text

    out = console()
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
        snippet = plain_text(p.chunk.text)[:100]
        out.print(f"  [{n}] {p.chunk.location}  {snippet}", markup=False)


def conversations() -> None:
    """List saved conversations (newest first); continue one with `ask --conversation ID`."""
    from assistant.plain import plain_text

    with user_errors():
        store = open_assistant().conversations
        saved = store.list()
    out = console()
    for why in store.skipped:
        console(stderr=True).print(f"[yellow]warning:[/] skipped: {why}", highlight=False)
    if not saved:
        out.print("No saved conversations.")
    for c in saved:
        out.print(f"{c.id}  {len(c.turns)} turns  {plain_text(c.title)}", markup=False)
