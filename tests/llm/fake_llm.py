"""A scripted OpenAI-compatible chat server on loopback, for the real `openai` client to talk to.

Each test queues the answers it wants (`FakeLLM.script`) and then reads what the server received.
It speaks the wire format of `/v1/chat/completions`: a JSON completion, or server-sent chunks
ending in `data: [DONE]`, with usage; it can also answer slowly, with an error status, or drop the
connection in the middle of a stream.
"""

import asyncio
import json
import socket
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

Kind = Literal["json", "stream", "status", "drop"]


@dataclass
class Step:
    """One scripted answer."""

    kind: Kind
    content: str = ""
    chunk_size: int = 8
    chunk_delay_s: float = 0.0
    delay_s: float = 0.0
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    refusal: str | None = None


def answer(**drafts: str) -> str:
    """The JSON text of an answer with one draft per style."""
    return json.dumps(
        {"drafts": [{"style": style, "text": text} for style, text in drafts.items()]},
        ensure_ascii=False,
    )


@dataclass
class FakeLLM:
    """The server's script and what it has seen."""

    base_url: str = ""
    steps: deque[Step] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    streams_cancelled: int = 0
    streams_finished: int = 0
    in_flight: int = 0
    most_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def script(self, *steps: Step) -> None:
        """Replace the queue of answers; what was received before is forgotten."""
        with self.lock:
            self.steps = deque(steps)
            self.requests = []
            self.streams_cancelled = 0
            self.streams_finished = 0
            self.most_in_flight = 0

    def prompt_text(self, index: int = 0) -> str:
        """Every message of the `index`-th request, joined."""
        return "\n".join(m["content"] for m in self.requests[index]["messages"])

    def next_step(self, body: dict[str, Any]) -> Step | None:
        with self.lock:
            self.requests.append(body)
            return self.steps.popleft() if self.steps else None


def build_app(fake: FakeLLM) -> FastAPI:
    """The chat-completions endpoint, answering from the script."""
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def completions(request: Request) -> Response:
        body = await request.json()
        step = fake.next_step(body)
        if step is None:
            return JSONResponse({"error": {"message": "nothing scripted"}}, status_code=500)
        if step.delay_s:
            fake.in_flight += 1
            fake.most_in_flight = max(fake.most_in_flight, fake.in_flight)
            try:
                await asyncio.sleep(step.delay_s)
            finally:
                fake.in_flight -= 1
        if step.kind == "status":
            return JSONResponse(
                {"error": {"message": f"scripted {step.status}", "type": "scripted"}},
                status_code=step.status,
                headers=step.headers,
            )
        if body.get("stream"):
            return StreamingResponse(_chunks(fake, step, body), media_type="text/event-stream")
        message: dict[str, Any] = {"role": "assistant", "content": step.content}
        if step.refusal:
            message = {"role": "assistant", "content": None, "refusal": step.refusal}
        return JSONResponse(
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "fake"),
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                "usage": _usage(body, step.content),
            }
        )

    return app


async def _chunks(fake: FakeLLM, step: Step, body: dict[str, Any]) -> AsyncIterator[bytes]:
    pieces = [
        step.content[i : i + step.chunk_size] for i in range(0, len(step.content), step.chunk_size)
    ]
    if step.kind == "drop":
        pieces = pieces[: max(1, len(pieces) // 2)]
    try:
        for piece in pieces:
            yield _event(body, {"index": 0, "delta": {"content": piece}, "finish_reason": None})
            if step.chunk_delay_s:
                await asyncio.sleep(step.chunk_delay_s)
        if step.kind == "drop":
            raise ConnectionAbortedError("scripted: connection dropped mid-stream")
        yield _event(body, {"index": 0, "delta": {}, "finish_reason": "stop"})
        usage_chunk = _chunk_body(body, [])
        usage_chunk["usage"] = _usage(body, step.content)
        yield f"data: {json.dumps(usage_chunk)}\n\n".encode()
        yield b"data: [DONE]\n\n"
        fake.streams_finished += 1
    except asyncio.CancelledError:
        fake.streams_cancelled += 1
        raise


def _event(body: dict[str, Any], choice: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(_chunk_body(body, [choice]), ensure_ascii=False)}\n\n".encode()


def _chunk_body(body: dict[str, Any], choices: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": choices,
    }


def _usage(body: dict[str, Any], content: str) -> dict[str, int]:
    prompt = sum(len(m.get("content") or "") for m in body.get("messages", []))
    return {
        "prompt_tokens": prompt,
        "completion_tokens": len(content),
        "total_tokens": prompt + len(content),
    }


@contextmanager
def serve_fake_llm() -> Iterator[FakeLLM]:
    """The fake server in a thread on a free loopback port, until the block ends."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fake = FakeLLM(base_url=f"http://127.0.0.1:{port}/v1")
    config = uvicorn.Config(build_app(fake), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the fake LLM server did not start")
        time.sleep(0.02)
    try:
        yield fake
    finally:
        server.should_exit = True
        thread.join(timeout=10)
