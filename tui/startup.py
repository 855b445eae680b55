"""What the app finds out as it starts, in its load worker (a thread): how
many chunks the index holds, or why it cannot be opened; then whether
Ollama serves the model, and if it does, the model reads the answer's
instructions ahead of the first question (setting ``warm_up``).

Each is reported as soon as it is known, as a message (``messages.py``):
the chat can be used while Ollama, which may take a connect timeout to
answer, is looked for.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from .messages import OllamaChecked, Opened

if TYPE_CHECKING:
    from textual.message import Message

    from assistant import Assistant


def check_readiness(assistant: Assistant, report: Callable[[Message], object]) -> None:
    """Open ``assistant``'s index, then look for Ollama, and ``report`` each.
    When the index fails for another reason than being missing or built
    with another embedder, nothing can be used: Ollama is not looked for."""
    from assistant import AssistantError, IndexMismatch, NothingIndexed

    try:
        chunks = assistant.status().chunks
    except (NothingIndexed, IndexMismatch) as exc:
        report(Opened(assistant, problem=exc))  # and Ollama is looked for
    except AssistantError as exc:
        report(Opened(assistant, problem=exc))
        return
    else:
        report(Opened(assistant, chunks))
    state = ollama_state(assistant)
    report(OllamaChecked(state))
    if state == "ok" and assistant.settings.warm_up:
        # In a thread of its own that quitting does not wait for: a worker
        # would hold the app open until the model has read it all (seconds,
        # more if Ollama must load the model first).
        threading.Thread(target=warm_model, args=(assistant,), name="warm-up", daemon=True).start()


def warm_model(assistant: Assistant) -> None:
    """Have the model read the answer's instructions while the student
    types the first question (measured in docs/benchmarks.md). Nothing is
    shown: a failure here is found again, and said, by the first question."""
    from assistant import AssistantError

    with contextlib.suppress(AssistantError):
        assistant.warm_up()


def ollama_state(assistant: Assistant) -> str:
    """What the status line says of Ollama: "ok" when it serves the model,
    else what is wrong and the command that mends it."""
    from assistant import OllamaError

    try:
        chat = assistant.chat_client()
        model = assistant.settings.model
        present = chat.has_model(chat.installed_models(), model)
        return "ok" if present else f"{model} missing (ollama pull {model})"
    except OllamaError:
        return "unreachable (start it with `ollama serve`)"
