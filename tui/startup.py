"""What the app finds out as it starts, in its load worker (a thread): how
many chunks the index holds, or why it cannot be opened; then whether
Ollama serves the model.

Each is reported as soon as it is known, as a message (``messages.py``):
the chat can be used while Ollama, which may take a connect timeout to
answer, is looked for.
"""

from __future__ import annotations

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
    report(OllamaChecked(ollama_state(assistant)))


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
