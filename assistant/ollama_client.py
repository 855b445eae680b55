"""Talking to Ollama: the one module that calls the ``ollama`` package.

Every failure becomes an ``AssistantError`` saying what to do. Two traps of
the client: a streamed call connects lazily, so connection errors arrive on
the first iteration, not at ``chat()``; and a streaming request raises
``httpx.ConnectError`` itself (only the non-streaming path turns it into
``ConnectionError``). So the whole loop is wrapped.

Every request of one client carries the same ``num_ctx``: Ollama reloads
the model when a request's runner options differ from those it was loaded
with (``needsReload`` in its scheduler compares them, ``num_ctx`` among
them), so a short call that left it out (a citation request, a rewritten
follow-up) would cost a model load and the prompt cache, twice: once for
itself and once for the next answer.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from index import AssistantError

DEFAULT_HOST = "http://127.0.0.1:11434"
DEFAULT_CONTEXT = 4096


class OllamaError(AssistantError):
    """Ollama could not give an answer; the passages are still worth showing."""


class OllamaUnreachable(OllamaError):
    pass


class ModelMissing(OllamaError):
    pass


class OllamaTimeout(OllamaError):
    pass


class StreamCut(OllamaError):
    """The answer stopped half-way; ``partial`` holds what arrived."""

    def __init__(self, message: str, partial: str) -> None:
        super().__init__(message)
        self.partial = partial


@dataclass(frozen=True, slots=True)
class ChatStats:
    """From Ollama's closing line: token counts and generation time."""

    prompt_tokens: int
    output_tokens: int
    eval_seconds: float


class OllamaChat:
    def __init__(
        self,
        host: str = "",
        model: str = "qwen2.5:3b",
        timeout: float = 120.0,
        context_cap: int = DEFAULT_CONTEXT,
    ) -> None:
        self.host = host or os.environ.get("OLLAMA_HOST") or DEFAULT_HOST
        if "://" not in self.host:
            self.host = f"http://{self.host}"
        self.model = model
        self._timeout = timeout
        self._context_cap = context_cap
        self._num_ctx: dict[str, int] = {}
        self._client: Any = None

    def _ollama(self) -> Any:
        if self._client is None:
            import ollama

            self._client = ollama.Client(host=self.host, timeout=self._timeout)
        return self._client

    def installed_models(self) -> list[str]:
        with self._translated(self.model):
            return sorted(m.model for m in self._ollama().list().models if m.model)

    def has_model(self, installed: list[str], model: str | None = None) -> bool:
        """Whether ``model`` (default: this client's) is among ``installed``;
        a name without a tag means its ``:latest``, as in ``ollama pull``."""
        model = model or self.model
        return model in installed or f"{model}:latest" in installed

    def context_window(self, model: str | None = None) -> int:
        """The model's context length as ``/api/show`` reports it, else 4096."""
        model = model or self.model
        with self._translated(model):
            try:
                info = self._ollama().show(model).modelinfo or {}
            except ValueError:  # not JSON, or not the shape Ollama sends
                return DEFAULT_CONTEXT
        lengths = [v for k, v in info.items() if k.endswith(".context_length") and v]
        try:
            length = int(lengths[0]) if lengths else DEFAULT_CONTEXT
        except (TypeError, ValueError):  # "lots": a server that is not quite Ollama
            return DEFAULT_CONTEXT
        return length if length > 0 else DEFAULT_CONTEXT

    def num_ctx(self, model: str | None = None) -> int:
        """The context every request for ``model`` is sent with: its window
        (``/api/show``, asked once), at most the client's cap."""
        model = model or self.model
        if model not in self._num_ctx:
            self._num_ctx[model] = min(self.context_window(model), self._context_cap)
        return self._num_ctx[model]

    def stream(
        self,
        messages: Sequence[Mapping[str, str]],
        *,
        model: str | None = None,
        options: Mapping[str, Any] | None = None,
        format: str | None = None,
    ) -> Generator[str | ChatStats, None, None]:
        """The answer's text pieces as they arrive, then one ``ChatStats``.
        ``format="json"`` asks Ollama for a JSON reply."""
        model = model or self.model
        options = {"num_ctx": self.num_ctx(model), **(options or {})}
        received: list[str] = []
        with self._translated(model, received):
            parts = self._ollama().chat(
                model=model,
                messages=list(messages),
                stream=True,
                options=options,
                format=format,
            )
            for part in parts:
                if text := part.message.content:
                    received.append(text)
                    yield text
                if part.done:
                    yield ChatStats(
                        prompt_tokens=part.prompt_eval_count or 0,
                        output_tokens=part.eval_count or 0,
                        eval_seconds=(part.eval_duration or 0) / 1e9,
                    )
                    return
            raise StreamCut(
                f"Ollama at {self.host} closed the answer before it was complete.",
                "".join(received),
            )

    def complete(
        self,
        messages: Sequence[Mapping[str, str]],
        *,
        model: str | None = None,
        options: Mapping[str, Any] | None = None,
        format: str | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> str:
        """The whole answer at once (for short internal calls). ``stop`` is
        asked as each piece arrives: when it says so, the request is dropped
        (closing the stream closes the connection, and Ollama stops
        generating) and the text so far is returned."""
        parts = self.stream(messages, model=model, options=options, format=format)
        received: list[str] = []
        try:
            for part in parts:
                if isinstance(part, str):
                    received.append(part)
                if stop is not None and stop():
                    break
        finally:
            parts.close()
        return "".join(received)

    @contextmanager
    def _translated(self, model: str, received: list[str] | None = None) -> Iterator[None]:
        """Turn the client's exceptions into ours; ``received`` is the text
        streamed so far, kept in a ``StreamCut``."""
        import httpx
        import ollama

        try:
            yield
        except ollama.ResponseError as exc:
            partial = "".join(received or [])
            if exc.status_code == 404:
                raise ModelMissing(self._missing_message(model)) from exc
            if partial or exc.status_code == -1:  # -1: an error line mid-stream
                raise StreamCut(f"Ollama stopped the answer: {exc.error}", partial) from exc
            raise OllamaError(f"Ollama at {self.host} answered: {exc.error}") from exc
        except httpx.TimeoutException as exc:
            raise OllamaTimeout(
                f"Ollama at {self.host} did not answer within {self._timeout:.0f} s. "
                "The model may still be loading: try again, or use a smaller model."
            ) from exc
        except (ConnectionError, httpx.ConnectError) as exc:
            raise OllamaUnreachable(
                f"Cannot reach Ollama at {self.host}. Start it with `ollama serve` "
                "(or set the ollama_host setting, NOTES_CHAT_OLLAMA_HOST, to where it runs)."
            ) from exc
        except httpx.TransportError as exc:
            partial = "".join(received or [])
            raise StreamCut(
                f"The connection to Ollama at {self.host} broke: {exc}", partial
            ) from exc

    def _missing_message(self, model: str) -> str:
        try:
            installed = self.installed_models()
        except AssistantError:
            installed = []
        have = f" Installed: {', '.join(installed)}." if installed else ""
        return f"{model} is not installed. Run `ollama pull {model}`.{have}"
