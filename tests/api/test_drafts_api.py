"""`POST /v1/drafts`, `POST /v1/check`, `GET /v1/phrases`: contract shapes and clear errors."""

import pytest
from fastapi.testclient import TestClient


def assert_error(response: object, status: int, code: str | None = None) -> None:
    assert response.status_code == status  # type: ignore[attr-defined]
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert error["message"]
    assert error["message_en"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])
    if code:
        assert error["code"] == code


def test_drafts_answer_in_the_contract_shape(client: TestClient) -> None:
    response = client.post("/v1/drafts", json={"text": "快递三天没动了，什么时候能到？"})
    assert response.status_code == 200
    body = response.json()
    assert {"analysis", "drafts", "fallback_reason"} <= body.keys()
    assert body["fallback_reason"] is None
    for draft in body["drafts"]:
        assert {"id", "style", "text", "script", "source", "stages", "findings"} <= draft.keys()
        assert draft["source"] == "template"
        for stage in draft["stages"]:
            assert {"stage", "text", "phrase_id"} <= stage.keys()


@pytest.mark.parametrize(
    "body",
    [
        {"text": "你好", "mode": "magic"},
        {"text": "你好", "purpose": "sell_more"},
        {"text": "你好", "variants": 0},
        {"text": "你好", "variants": 4},
        {"text": "你好", "variants": "three"},
        {"text": "   "},
        {"text": "你好", "customer_name": "王" * 50},
    ],
)
def test_bad_draft_requests_are_refused_clearly(
    client: TestClient, body: dict[str, object]
) -> None:
    assert_error(client.post("/v1/drafts", json=body), 422)


def test_llm_mode_without_an_llm_says_so(client: TestClient) -> None:
    assert_error(
        client.post("/v1/drafts", json={"text": "你好", "mode": "llm"}), 422, "llm_not_configured"
    )


def test_check_flags_a_pitfall_with_its_span(client: TestClient) -> None:
    body = client.post("/v1/check", json={"text": "肯定是你自己弄坏的"}).json()
    assert body["ok"] is False
    finding = body["findings"][0]
    assert {"code", "label", "severity", "span", "suggestion"} <= finding.keys()
    assert finding["code"] == "blaming_customer"


def test_check_passes_a_good_reply(client: TestClient) -> None:
    body = client.post("/v1/check", json={"text": "非常抱歉给您添麻烦了，我马上为您补发。"}).json()
    assert body == {"ok": True, "findings": []}


@pytest.mark.parametrize(
    "body", [{"text": ""}, {"text": "好", "customer_text": 5}, {"reply": "好"}, {"text": "a\x00b"}]
)
def test_bad_check_requests_are_refused_clearly(
    client: TestClient, body: dict[str, object]
) -> None:
    assert_error(client.post("/v1/check", json=body), 422)


def test_phrases_can_be_filtered(client: TestClient) -> None:
    greet = client.get("/v1/phrases", params={"stage": "greet"}).json()
    assert greet
    assert all(p["stage"] == "greet" for p in greet)
    colour = client.get(
        "/v1/phrases", params={"stage": "solution", "category": "color_mismatch"}
    ).json()
    assert colour
    assert all("color_mismatch" in p["when"]["categories"] for p in colour)
    assert all(p["source"]["doc"] in {"000", "001", "002", "003", "004"} for p in greet)


def test_unknown_stage_filter_is_refused(client: TestClient) -> None:
    assert_error(client.get("/v1/phrases", params={"stage": "dance"}), 422)
