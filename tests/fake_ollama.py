"""A small Ollama stand-in speaking the real HTTP/NDJSON protocol on
127.0.0.1, scriptable to misbehave the ways a real server can."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Script:
    """What the server does. ``behaviour``: "ok", "error_midstream" (an error
    line after the first tokens), "cut" (connection closed before done), or
    "slow" (waits ``delay`` seconds before answering)."""

    models: dict[str, int] = field(default_factory=lambda: {"qwen2.5:3b": 32768})
    reply: list[str] = field(default_factory=lambda: ["GAN ", "由生成器", "和判别器组成", " [1]。"])
    # Replies for the next chats, in turn; a string instead of tokens is an
    # error answered as Ollama answers a failed model run (HTTP 500).
    queued: list[list[str] | str] = field(default_factory=list)
    behaviour: str = "ok"
    delay: float = 0.0
    token_delay: float = 0.0  # seconds between streamed tokens
    # The chat (counted from 1) that stalls for ``stall`` seconds after its
    # first token, as a model that hangs midway.
    stall_chat: int = 0
    stall: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path == "/api/version":
                self._json(200, {"version": "0.12.6"})
            elif self.path == "/api/tags":
                self._json(200, {"models": [{"name": m, "model": m} for m in script.models]})
            else:
                self._json(404, {"error": "404 page not found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            script.requests.append({"path": self.path, **body})
            model = body.get("model") or body.get("name", "")
            if self.path not in ("/api/chat", "/api/show"):
                self._json(404, {"error": "404 page not found"})
            elif model not in script.models:
                self._json(404, {"error": f"model '{model}' not found"})
            elif self.path == "/api/show":
                self._json(200, {"model_info": {"qwen2.context_length": script.models[model]},
                                 "details": {"family": "qwen2"}})  # fmt: skip
            else:
                self._chat(model, body)

        def _chat(self, model: str, body: dict[str, Any]) -> None:
            if script.behaviour == "slow":
                time.sleep(script.delay)
            reply = script.queued.pop(0) if script.queued else script.reply
            chats = sum(r["path"] == "/api/chat" for r in script.requests)
            if isinstance(reply, str):
                self._json(500, {"error": reply})
                return
            if body.get("stream") is False:
                self._json(200, self._line(model, "".join(reply), done=True))
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for n, token in enumerate(reply):
                if n == 2 and script.behaviour == "error_midstream":
                    self._chunk({"error": "an error was encountered while running the model"})
                    break
                if n == 2 and script.behaviour == "cut":
                    self.wfile.flush()
                    self.close_connection = True
                    return  # no terminating chunk: the client sees a broken stream
                self._chunk(self._line(model, token, done=False))
                time.sleep(script.token_delay)
                if n == 0 and chats == script.stall_chat:
                    time.sleep(script.stall)
            else:
                self._chunk(self._line(model, "", done=True, count=len(reply)))
            self.wfile.write(b"0\r\n\r\n")

        def _line(self, model: str, text: str, *, done: bool, count: int = 0) -> dict[str, Any]:
            line: dict[str, Any] = {
                "model": model, "created_at": "2026-11-23T00:00:00Z",
                "message": {"role": "assistant", "content": text}, "done": done,
            }  # fmt: skip
            if done:
                line.update(done_reason="stop", prompt_eval_count=42, eval_count=count,
                            eval_duration=500_000_000, total_duration=900_000_000)  # fmt: skip
            return line

        def _chunk(self, obj: dict[str, Any]) -> None:
            # As Ollama's Go encoder writes it: U+2028 and U+2029 escaped.
            text = json.dumps(obj, ensure_ascii=False)
            text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
            data = (text + "\n").encode()
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

    return Handler


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gives up (the timeout tests) breaks the pipe; that is
        # the point of those tests, not an error of the server.
        pass


@contextmanager
def serve(script: Script) -> Iterator[str]:
    """Run the fake server in a thread; yields its base URL."""
    server = _QuietServer(("127.0.0.1", 0), _handler(script))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
