"""Streaming drafts: the panel's SSE reader, and the panel against a server that streams."""

import http.server
import json
import threading
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from app.drafting.schemas import DraftRequest
from app.services import Services
from tests.extension.conftest import API_KEY, TIMEOUT_MS, Extension, screenshot
from tests.live import free_port

LLM_CHUNKS = ["亲，", "非常抱歉让您", "久等了。", "我马上为您催促快递。"]
MESSAGE = "快递三天没动了，什么时候能到？"


def test_the_sse_reader_handles_split_lines_crlf_comments_and_split_characters(
    extension: Extension,
) -> None:
    panel = extension.open_panel()
    raw = (
        'event: analysis\r\ndata: {"a": 1}\r\n\r\n'
        ": keep-alive comment\n\n"
        "data: line one\ndata: line two\n\n"
        "event: delta\rdata: 色差太大\r\r"
        "event: done\ndata: {}"
    ).encode()
    # Cut everywhere, including inside "\r\n" and inside the UTF-8 bytes of 色.
    cut = raw.index(b"\r\n\r\n") + 1
    middle = raw.index("色".encode()) + 1
    chunks = [list(raw[:cut]), list(raw[cut:middle]), list(raw[middle:])]
    events = panel.evaluate(
        """async (chunks) => {
            const { readEvents } = await import('./lib/sse.js');
            const body = new ReadableStream({
                start(controller) {
                    for (const chunk of chunks) controller.enqueue(new Uint8Array(chunk));
                    controller.close();
                },
            });
            const events = [];
            for await (const event of readEvents(body)) events.push(event);
            return events;
        }""",
        chunks,
    )
    assert events == [
        {"event": "analysis", "data": '{"a": 1}'},
        {"event": "message", "data": "line one\nline two"},
        {"event": "delta", "data": "色差太大"},
        {"event": "done", "data": "{}"},
    ]


class StreamingHandler(http.server.BaseHTTPRequestHandler):
    """Streams /v1/drafts/stream as DESIGN.md says, and guards with /v1/check; real services."""

    services: Services
    requests: list[dict[str, object]]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})
        if self.path == "/v1/check":
            checked = self.services.check(body["text"], body.get("customer_text"))
            payload = checked.model_dump_json().encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        if self.path != "/v1/drafts/stream":
            self.send_error(404)
            return
        result = self.services.template_drafts(DraftRequest(text=body["text"]), [])
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.end_headers()
        self.emit("analysis", result.analysis.model_dump_json())
        drafts = [draft.model_dump(mode="json") for draft in result.drafts]
        self.emit("drafts", json.dumps({"source": "template", "drafts": drafts, "agent_notes": []}))
        for chunk in LLM_CHUNKS:
            time.sleep(0.05)
            self.emit("delta", json.dumps({"index": 0, "style": "standard", "text": chunk}))
        self.emit("done", json.dumps({"fallback_reason": None}))

    def emit(self, event: str, data: str) -> None:
        self.wfile.write(f"event: {event}\r\ndata: {data}\r\n\r\n".encode())
        self.wfile.flush()


@pytest.fixture
def streaming_server(services: Services) -> Iterator[tuple[str, list[dict[str, object]]]]:
    requests: list[dict[str, object]] = []
    handler = type("Handler", (StreamingHandler,), {"services": services, "requests": requests})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()


def test_streamed_llm_text_fills_its_slot_over_the_template_draft(
    extension: Extension, streaming_server: tuple[str, list[dict[str, object]]]
) -> None:
    base_url, requests = streaming_server
    extension.configure(base_url, API_KEY).close()
    panel = extension.open_panel()
    panel.fill("#customer", MESSAGE)
    panel.click("#generate")
    expect(panel.locator("#status")).to_contain_text("草稿已生成", timeout=TIMEOUT_MS)
    first = panel.locator("#drafts .draft").first
    assert first.locator("textarea").input_value() == "".join(LLM_CHUNKS)
    expect(first.locator("header")).to_contain_text("大模型")
    assert panel.locator("#drafts .draft").count() >= 2
    expect(panel.locator("#labels")).to_contain_text("快递")
    assert requests[0]["path"] == "/v1/drafts/stream"
    assert requests[0]["auth"] == f"Bearer {API_KEY}"
    assert requests[0]["text"] == MESSAGE
    assert requests[0]["shop_name"] == "小棉袄旗舰店"
    expect(first.locator("#findings")).to_contain_text("话术检查", timeout=TIMEOUT_MS)
    assert requests[-1]["path"] == "/v1/check"
    assert requests[-1]["text"] == "".join(LLM_CHUNKS)
    screenshot(panel, "panel_streamed")
