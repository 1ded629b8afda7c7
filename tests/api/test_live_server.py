"""End to end: the real service, started with uvicorn as it is deployed, answers over HTTP."""

import re
from collections.abc import Iterator

import httpx

CJK = re.compile(r"[\u4e00-\u9fff]")
ONE_MB = 1_000_000


def test_live_server_is_healthy(live_server: str) -> None:
    response = httpx.get(f"{live_server}/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_live_server_analyses_a_complaint_with_spans_into_the_sent_text(live_server: str) -> None:
    text = "😡订单号 260412345678901234，衣服顏色跟圖片不一樣，色差太大了！我要退款，不然就给差评"
    response = httpx.post(f"{live_server}/v1/analyze", json={"text": text}, timeout=10)
    assert response.status_code == 200
    body = response.json()
    assert [span["text"] for span in body["facts"]["order_ids"]] == ["260412345678901234"]
    labels = [body["category"], body["emotion"], *body["risks"], *body["demands"]]
    spans = [span for label in labels for span in label["evidence"]]
    spans += body["facts"]["order_ids"]
    assert spans
    for span in spans:
        assert 0 <= span["start"] < span["end"] <= len(text)
        assert text[span["start"] : span["end"]] == span["text"]


def test_live_server_answers_a_bad_request_in_the_error_shape(live_server: str) -> None:
    response = httpx.post(f"{live_server}/v1/analyze", json={"text": "   "}, timeout=10)
    assert 400 <= response.status_code < 500
    error = response.json()["error"]
    assert set(error) >= {"code", "message", "message_en"}
    assert CJK.search(error["message"])
    assert error["message_en"]


def test_live_server_refuses_invalid_json_in_the_error_shape(live_server: str) -> None:
    response = httpx.post(
        f"{live_server}/v1/analyze",
        content=b"\xff\xfe\x00\x81",
        headers={"content-type": "application/json"},
        timeout=10,
    )
    assert 400 <= response.status_code < 500
    assert CJK.search(response.json()["error"]["message"])


def test_live_server_refuses_a_streamed_body_over_one_megabyte(live_server: str) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(ONE_MB // 10_000 + 1):
            yield b"a" * 10_000
        yield b'"}'

    response = httpx.post(
        f"{live_server}/v1/analyze",
        content=chunks(),
        headers={"content-type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"]
