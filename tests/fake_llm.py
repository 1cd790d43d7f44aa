"""A scripted chat server on loopback speaking the OpenAI-compatible protocol
(/v1/chat/completions, server-sent events) and Ollama's (/api/chat, JSON lines), so the
real client code is tested without a model: each request takes the next scripted reply.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Reply:
    content: str = ""
    pieces: int = 1  # streamed in this many parts when the client asks for a stream
    pause_s: float = 0.0  # before each part (before the headers when not streamed)
    malformed: bool = False  # the body is not JSON


class FakeLLM:
    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[dict] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def script(self, *replies: Reply) -> None:
        self.replies.clear()
        self.replies.extend(replies)
        self.requests.clear()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path.startswith("/api/show"):  # Ollama clients ask the model's context length first
                    data = json.dumps({"model_info": {"scripted.context_length": 8192}, "capabilities": ["completion"]}).encode()
                    self._headers("application/json", len(data))
                    self.wfile.write(data)
                    return
                fake.requests.append(body)
                reply = fake.replies.popleft() if fake.replies else Reply("The procedures I hold don't cover this.")
                try:
                    if self.path.startswith("/api/chat"):
                        self._ollama(reply, body)
                    elif body.get("stream"):
                        self._stream(reply, body["model"])
                    else:
                        self._whole(reply, body["model"])
                except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting
                    pass

            def _whole(self, reply: Reply, model: str) -> None:
                time.sleep(reply.pause_s)
                message = {"role": "assistant", "content": reply.content}
                payload = {"id": "r", "object": "chat.completion", "created": 0, "model": model,
                           "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                           "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
                data = b"{not json" if reply.malformed else json.dumps(payload).encode()
                self._headers("application/json", len(data))
                self.wfile.write(data)

            def _stream(self, reply: Reply, model: str) -> None:
                self._headers("text/event-stream")
                for part in _parts(reply):
                    time.sleep(reply.pause_s)
                    chunk = {"id": "r", "object": "chat.completion.chunk", "created": 0, "model": model,
                             "choices": [{"index": 0, "delta": {"role": "assistant", "content": part}, "finish_reason": None}]}
                    event = "{not json" if reply.malformed else json.dumps(chunk)
                    self.wfile.write(f"data: {event}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")

            def _ollama(self, reply: Reply, body: dict) -> None:
                parts = _parts(reply) if body.get("stream", True) else [reply.content]
                self._headers("application/x-ndjson")
                for n, part in enumerate(parts, 1):
                    time.sleep(reply.pause_s)
                    line = {"model": body["model"], "message": {"role": "assistant", "content": part}, "done": n == len(parts)}
                    self.wfile.write(b"{not json\n" if reply.malformed else json.dumps(line).encode() + b"\n")
                    self.wfile.flush()

            def _headers(self, kind: str, length: int | None = None) -> None:
                self.send_response(200)
                self.send_header("Content-Type", kind)
                if length is not None:
                    self.send_header("Content-Length", str(length))
                self.end_headers()

        return Handler

    @property
    def base(self) -> str:
        """The server's address without the OpenAI-style /v1 (what Ollama clients take)."""
        return self.url.removesuffix("/v1")

    def user_prompt(self, n: int = -1) -> str:
        return self.requests[n]["messages"][-1]["content"]


def _parts(reply: Reply) -> list[str]:
    size = max(1, -(-len(reply.content) // reply.pieces))
    return [reply.content[i : i + size] for i in range(0, len(reply.content), size)] or [""]


@contextmanager
def fake_llm() -> Iterator[FakeLLM]:
    fake = FakeLLM()
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.server.shutdown()
        fake.server.server_close()
