"""Streaming, rewrite and summary without an LLM: templates and rules answer at once."""

import json

import pytest
from fastapi.testclient import TestClient

AGENT_REPLY = "亲~你好哦，这个不行的，你必须先寄回来。我们收到后给你退款哈～ 有问题再联系"
POLITE_REPLY = (
    "亲亲您好！非常抱歉给您带来不便，真的非常抱歉。我们已经为您安排补发，预计明天发出，"
    "单号稍后发给您。感谢您的耐心，祝您生活愉快！"
)


def _events(body: str) -> list[tuple[str, dict[str, object]]]:
    found = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        found.append((lines["event"], json.loads(lines["data"])))
    return found


def test_the_stream_without_an_llm_is_analysis_template_drafts_done(client: TestClient) -> None:
    response = client.post("/v1/drafts/stream", json={"text": "快递三天没动了，怎么回事"})
    assert response.status_code == 200
    events = _events(response.text)
    assert [name for name, _ in events] == ["analysis", "drafts", "done"]
    assert events[0][1]["category"]["code"] == "delivery_delay"  # type: ignore[index]
    assert events[1][1]["source"] == "template"
    assert events[1][1]["drafts"]
    assert events[2][1] == {"fallback_reason": None}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"text": "  "}, "text_empty"),
        ({"text": "色差", "mode": "llm"}, "llm_not_configured"),
        ({"text": "色差", "variants": 9}, "invalid_field"),
    ],
)
def test_bad_stream_requests_are_refused_before_the_stream_starts(
    client: TestClient, body: dict[str, object], code: str
) -> None:
    response = client.post("/v1/drafts/stream", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["code"] == code


def test_softer_keeps_the_facts_addresses_politely_and_adds_empathy(client: TestClient) -> None:
    body = client.post("/v1/rewrite", json={"text": AGENT_REPLY, "tone": "softer"}).json()
    assert body["source"] == "rules"
    assert body["tone"] == "softer"
    text = body["text"]
    assert "你" not in text.replace("你们", "")
    assert "不行" not in text
    assert "必须" not in text
    assert "寄回来" in text
    assert "退款" in text
    assert any(word in text for word in ("抱歉", "理解", "对不起"))
    assert text.startswith("亲")


def test_shorter_drops_pleasantries_and_repeats_but_keeps_every_promise(
    client: TestClient,
) -> None:
    body = client.post("/v1/rewrite", json={"text": POLITE_REPLY, "tone": "shorter"}).json()
    text = body["text"]
    assert len(text) < len(POLITE_REPLY) * 0.8
    for kept in ("补发", "明天", "单号"):
        assert kept in text
    assert "祝您生活愉快" not in text
    assert text.count("抱歉") == 1
    assert body["ok"] is True


def test_more_formal_has_no_pet_names_particles_or_tildes(client: TestClient) -> None:
    text = client.post("/v1/rewrite", json={"text": AGENT_REPLY, "tone": "more_formal"}).json()[
        "text"
    ]
    assert text.startswith("您好")
    for informal in ("亲", "～", "~", "哈", "哦"):
        assert informal not in text
    assert "退款" in text


def test_more_apologetic_puts_an_apology_after_the_greeting(client: TestClient) -> None:
    text = client.post(
        "/v1/rewrite", json={"text": "亲，您的包裹明天补发。", "tone": "more_apologetic"}
    ).json()["text"]
    assert text.startswith("亲，")
    assert text.index("抱歉") < text.index("补发")


def test_a_rewrite_is_checked_by_the_guard(client: TestClient) -> None:
    body = client.post(
        "/v1/rewrite",
        json={"text": "是你自己没看清楚尺码表，这不是我们的问题。", "tone": "shorter"},
    ).json()
    assert body["ok"] is False
    assert {f["code"] for f in body["findings"]} & {"blaming_customer", "insisting_right"}


def test_a_traditional_customer_gets_a_traditional_rewrite(client: TestClient) -> None:
    body = client.post(
        "/v1/rewrite",
        json={
            "text": "亲，这个不行的，您先寄回来吧",
            "tone": "softer",
            "customer_text": "我要退貨",
        },
    ).json()
    assert "寄回來" in body["text"]


def test_an_unknown_tone_is_a_clear_error(client: TestClient) -> None:
    response = client.post("/v1/rewrite", json={"text": "好的", "tone": "angrier"})
    assert response.status_code == 422
    assert response.json()["error"]["message_en"]


def test_the_summary_names_the_problem_the_promise_and_what_is_pending(client: TestClient) -> None:
    context = [
        {"role": "customer", "text": "我的快递三天没动了，单号SF1234567890"},
        {
            "role": "agent",
            "text": "亲，我马上帮您联系快递核实，24小时内给您回复。请问您方便收货吗？",
        },
        {"role": "customer", "text": "都过了两天了还没回复！我要投诉！"},
    ]
    body = client.post("/v1/summarize", json={"context": context}).json()
    assert body["source"] == "rules"
    assert body["category"] == "delivery_delay"
    assert "三天没动" in body["problem"]
    assert body["promised"] == ["亲，我马上帮您联系快递核实，24小时内给您回复。"]
    assert any("都过了两天" in item for item in body["pending"])
    assert any("投诉" in item for item in body["pending"])
    assert body["text"].startswith("问题：")


def test_a_summary_needs_a_customer_message(client: TestClient) -> None:
    response = client.post("/v1/summarize", json={"context": [{"role": "agent", "text": "您好"}]})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "no_customer_message"
    assert client.post("/v1/summarize", json={"context": []}).status_code == 422


def test_usage_is_empty_without_an_llm(client: TestClient) -> None:
    body = client.get("/v1/llm/usage").json()
    assert body["calls"] == 0
    assert body["recent"] == []
