"""The Ollama client against a fake server over real HTTP: every failure
becomes a message that says what to do."""

from __future__ import annotations

import socket

import pytest

from assistant.ollama_client import (
    ChatStats,
    ModelMissing,
    OllamaChat,
    OllamaTimeout,
    OllamaUnreachable,
    StreamCut,
)
from tests.fake_ollama import Script

MESSAGES = [{"role": "user", "content": "GAN 由什么组成？"}]


def test_streams_tokens_in_order_then_stats(ollama: str, script: Script) -> None:
    events = list(OllamaChat(ollama).stream(MESSAGES, options={"temperature": 0.1}))
    assert events[:-1] == script.reply
    assert events[-1] == ChatStats(prompt_tokens=42, output_tokens=4, eval_seconds=0.5)
    [sent] = [r for r in script.requests if r["path"] == "/api/chat"]
    assert sent["messages"] == MESSAGES
    # The model's window (32768 here) capped by the client's (4096 by default).
    assert sent["options"] == {"temperature": 0.1, "num_ctx": 4096}


def test_a_stopped_completion_drops_the_request_and_keeps_what_came(
    ollama: str, script: Script
) -> None:
    script.reply = [f"片段{n} " for n in range(40)]
    script.token_delay = 0.05  # two seconds for the whole reply
    pieces: list[str] = []

    def stop() -> bool:
        pieces.append("")
        return len(pieces) >= 3  # wanted no more after the third piece

    text = OllamaChat(ollama).complete(MESSAGES, stop=stop)
    assert text == "片段0 片段1 片段2 "
    # Without a stop the whole reply comes.
    script.token_delay = 0.0
    assert OllamaChat(ollama).complete(MESSAGES) == "".join(script.reply)


def test_context_window_comes_from_show(ollama: str, script: Script) -> None:
    script.models["small:1b"] = 2048
    assert OllamaChat(ollama).context_window() == 32768
    assert OllamaChat(ollama, model="small:1b").context_window() == 2048


def test_refused_connection_names_the_url_and_the_fix() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    chat = OllamaChat(f"127.0.0.1:{port}")
    with pytest.raises(OllamaUnreachable, match=f"127.0.0.1:{port}.*ollama serve"):
        list(chat.stream(MESSAGES))
    with pytest.raises(OllamaUnreachable):
        chat.context_window()


def test_missing_model_says_pull_and_lists_installed(ollama: str) -> None:
    with pytest.raises(ModelMissing, match=r"Run `ollama pull llama9:70b`. Installed: qwen2.5:3b"):
        list(OllamaChat(ollama, model="llama9:70b").stream(MESSAGES))


def test_error_line_mid_stream_keeps_what_arrived(ollama: str, script: Script) -> None:
    script.behaviour = "error_midstream"
    received: list[str] = []
    with pytest.raises(StreamCut) as cut:
        for event in OllamaChat(ollama).stream(MESSAGES):
            received.append(str(event))
    assert cut.value.partial == "".join(script.reply[:2]) == "".join(received)


def test_connection_closed_mid_stream_is_a_cut_stream(ollama: str, script: Script) -> None:
    script.behaviour = "cut"
    with pytest.raises(StreamCut) as cut:
        list(OllamaChat(ollama).stream(MESSAGES))
    assert cut.value.partial == "".join(script.reply[:2])


def test_slow_server_times_out_with_advice(ollama: str, script: Script) -> None:
    script.behaviour, script.delay = "slow", 3.0
    with pytest.raises(OllamaTimeout, match="did not answer within 1 s"):
        list(OllamaChat(ollama, timeout=1.0).stream(MESSAGES))


def test_ollama_host_environment_is_honoured(ollama: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLLAMA_HOST", ollama.removeprefix("http://"))
    assert OllamaChat().host == ollama
    assert OllamaChat().installed_models() == ["qwen2.5:3b"]


@pytest.mark.parametrize("length", ["lots", -5, 0])
def test_an_odd_context_length_falls_back_to_the_default(
    ollama: str, script: Script, length: object
) -> None:
    script.models["qwen2.5:3b"] = length  # type: ignore[assignment]
    assert OllamaChat(ollama).context_window() == 4096
