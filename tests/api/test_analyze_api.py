"""The v1 HTTP contract of `POST /v1/analyze` and `GET /healthz`, errors included (DESIGN.md)."""

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

CJK = re.compile(r"[\u4e00-\u9fff]")
LABEL_KEYS = {"code", "label", "confidence", "evidence"}
ANALYSIS_KEYS = {
    "script", "category", "secondary", "emotion", "risks", "demands", "escalation", "facts",
}  # fmt: skip
JSON = {"content-type": "application/json"}
ONE_MB = 1_000_000


def assert_label(label: dict[str, Any], text: str) -> None:
    assert set(label) >= LABEL_KEYS
    assert isinstance(label["code"], str)
    assert label["code"]
    assert isinstance(label["label"], str)
    assert CJK.search(label["label"])
    assert 0.0 <= label["confidence"] <= 1.0
    for span in label["evidence"]:
        assert set(span) >= {"start", "end", "text"}
        assert text[span["start"] : span["end"]] == span["text"]


def assert_error(response: httpx.Response, status: int | None = None) -> dict[str, str]:
    """The contract's error: a 4xx with {"error": {code, message (中文), message_en}}."""
    assert 400 <= response.status_code < 500, response.text
    if status is not None:
        assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, str] = body["error"]
    assert set(error) >= {"code", "message", "message_en"}
    assert isinstance(error["code"], str)
    assert error["code"]
    assert isinstance(error["message"], str)
    assert CJK.search(error["message"]), error
    assert isinstance(error["message_en"], str)
    assert re.search(r"[A-Za-z]{3}", error["message_en"])
    return error


# --- 200 answers --------------------------------------------------------------------------


def test_healthz_says_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_analysis_has_every_key_of_the_contract(client: TestClient) -> None:
    text = "订单号 260412345678901234，衣服色差太大了，我要退款，不然就给差评！"
    response = client.post("/v1/analyze", json={"text": text})
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= ANALYSIS_KEYS
    assert body["script"] in ("simplified", "traditional")
    assert body["escalation"] in ("none", "supervisor", "crisis")
    assert isinstance(body["facts"], dict)


def test_every_label_has_code_label_confidence_and_evidence(client: TestClient) -> None:
    text = "衣服色差太大了，我要退款，不然就给差评！我要去12315投诉你们"
    body = client.post("/v1/analyze", json={"text": text}).json()
    labels = [body["category"], body["emotion"], *body["risks"], *body["demands"]]
    if body["secondary"] is not None:
        labels.append(body["secondary"])
    assert body["risks"]
    assert body["demands"]
    for label in labels:
        assert_label(label, text)


def test_emotion_has_an_intensity_from_zero_to_three(client: TestClient) -> None:
    emotion = client.post("/v1/analyze", json={"text": "你们这群傻逼"}).json()["emotion"]
    assert isinstance(emotion["intensity"], int)
    assert 0 <= emotion["intensity"] <= 3


def test_context_of_earlier_messages_is_accepted(client: TestClient) -> None:
    context = [
        {"role": "customer", "text": "我的快递怎么还没到"},
        {"role": "agent", "text": "亲，我帮您查一下"},
    ]
    response = client.post("/v1/analyze", json={"text": "查到了吗？", "context": context})
    assert response.status_code == 200


def test_text_of_exactly_4000_characters_is_accepted(client: TestClient) -> None:
    response = client.post("/v1/analyze", json={"text": "色差" * 2000})
    assert response.status_code == 200


def test_text_with_newlines_and_tabs_is_accepted(client: TestClient) -> None:
    text = "衣服色差\n太大了\t我要退货\r\n"
    response = client.post("/v1/analyze", json={"text": text})
    assert response.status_code == 200
    assert_label(response.json()["category"], text)


# --- bad input: 4xx in the error shape ----------------------------------------------------


def test_empty_text_is_refused(client: TestClient) -> None:
    assert_error(client.post("/v1/analyze", json={"text": ""}))


def test_whitespace_only_text_is_refused(client: TestClient) -> None:
    assert_error(client.post("/v1/analyze", json={"text": " \u3000\n\t "}))


def test_text_of_4001_characters_is_refused(client: TestClient) -> None:
    assert_error(client.post("/v1/analyze", json={"text": "色" * 4001}))


def test_text_as_a_number_is_refused(client: TestClient) -> None:
    assert_error(client.post("/v1/analyze", json={"text": 12315}))


def test_text_as_a_list_is_refused(client: TestClient) -> None:
    assert_error(client.post("/v1/analyze", json={"text": ["色差"]}))


def test_missing_text_is_refused(client: TestClient) -> None:
    assert_error(client.post("/v1/analyze", json={"context": []}))


def test_context_that_is_not_a_list_is_refused(client: TestClient) -> None:
    assert_error(client.post("/v1/analyze", json={"text": "色差", "context": "之前说过了"}))


def test_context_role_other_than_customer_or_agent_is_refused(client: TestClient) -> None:
    context = [{"role": "manager", "text": "先别退"}]
    assert_error(client.post("/v1/analyze", json={"text": "色差", "context": context}))


def test_context_message_with_a_control_character_is_refused(client: TestClient) -> None:
    context = [{"role": "customer", "text": "色差\x00"}]
    assert_error(client.post("/v1/analyze", json={"text": "色差", "context": context}))


def test_invalid_json_is_refused(client: TestClient) -> None:
    assert_error(client.post("/v1/analyze", content='{"text": "色差"'.encode(), headers=JSON))


def test_missing_body_is_refused(client: TestClient) -> None:
    assert_error(client.post("/v1/analyze"))


def test_json_array_body_is_refused(client: TestClient) -> None:
    assert_error(client.post("/v1/analyze", json=[{"text": "色差"}]))


def test_binary_junk_body_is_refused(client: TestClient) -> None:
    assert_error(client.post("/v1/analyze", content=b"\xff\xfe\x00\x81", headers=JSON))


@pytest.mark.parametrize("control", ["\x00", "\x07"], ids=["nul", "bell"])
def test_control_character_in_text_is_refused(client: TestClient, control: str) -> None:
    assert_error(client.post("/v1/analyze", json={"text": f"色差{control}太大"}))


def test_lone_surrogate_sent_as_a_json_escape_is_refused(client: TestClient) -> None:
    body = b'{"text": "\\u8272\\u5dee\\ud800"}'
    assert_error(client.post("/v1/analyze", content=body, headers=JSON))


def test_body_over_one_megabyte_is_refused_with_413(client: TestClient) -> None:
    body = b'{"text": "' + b"a" * (ONE_MB + 1) + b'"}'
    assert_error(client.post("/v1/analyze", content=body, headers=JSON), 413)


def test_streamed_body_over_one_megabyte_is_refused_with_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(ONE_MB // 10_000 + 1):
            yield b"a" * 10_000
        yield b'"}'

    assert_error(client.post("/v1/analyze", content=chunks(), headers=JSON), 413)


def test_unknown_path_is_404_in_the_error_shape(client: TestClient) -> None:
    assert_error(client.get("/v1/no-such-endpoint"), 404)


def test_get_on_analyze_is_405_in_the_error_shape(client: TestClient) -> None:
    assert_error(client.get("/v1/analyze"), 405)
