"""`/v1/replies`, `/v1/feedback`, `/v1/followups`, `/v1/phrases`, `/v1/stats` and the CSV export."""

import csv
import io
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from app.replies import service as replies_service
from app.replies.schemas import ReplyCreate

CJK = re.compile(r"[\u4e00-\u9fff]")


def drafts_for(client: TestClient, text: str) -> list[dict[str, Any]]:
    response = client.post("/v1/drafts", json={"text": text})
    assert response.status_code == 200
    drafts: list[dict[str, Any]] = response.json()["drafts"]
    return drafts


def assert_error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert CJK.search(error["message"])
    assert error["message_en"]


def replies_matching(client: TestClient, text: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get("/v1/replies", params={"q": text}).json()["items"]
    return items


def test_a_draft_offered_by_the_api_can_be_recorded_as_sent(client: TestClient) -> None:
    draft = drafts_for(client, "鞋子开胶了才穿两天，质量太差")[0]
    marker = uuid.uuid4().hex[:8]
    sent = f"{draft['text']}（{marker}）"
    response = client.post("/v1/replies", json={"text": sent, "draft_id": draft["id"]})
    assert response.status_code == 201
    reply = response.json()
    assert reply["draft_text"] == draft["text"]
    assert reply["edit_distance"] == len(marker) + 2
    assert reply["outcome"] == "edited"
    assert [item["id"] for item in replies_matching(client, marker)] == [reply["id"]]
    assert client.get(f"/v1/replies/{reply['id']}").json()["text"] == sent


def test_a_retry_with_the_same_idempotency_key_returns_the_stored_reply(client: TestClient) -> None:
    draft = drafts_for(client, "快递一直不更新，到底什么时候到")[0]
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = client.post(
        "/v1/replies", json={"text": draft["text"], "draft_id": draft["id"]}, headers=key
    )
    again = client.post(
        "/v1/replies", json={"text": draft["text"], "draft_id": draft["id"]}, headers=key
    )
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    other = client.post(
        "/v1/replies", json={"text": "另一条", "draft_id": draft["id"]}, headers=key
    )
    assert_error(other, 409, "idempotency_key_reused")


def test_an_unknown_draft_id_is_a_404_and_stores_nothing(client: TestClient) -> None:
    marker = uuid.uuid4().hex
    response = client.post(
        "/v1/replies", json={"text": f"您好 {marker}", "draft_id": "d_000000000000"}
    )
    assert_error(response, 404, "draft_not_found")
    assert replies_matching(client, marker) == []


def test_oversize_sent_text_is_refused_and_stores_nothing(client: TestClient) -> None:
    marker = uuid.uuid4().hex
    response = client.post("/v1/replies", json={"text": marker + "好" * 4000})
    assert_error(response, 422, "text_too_long")
    assert replies_matching(client, marker) == []


def test_empty_sent_text_is_refused(client: TestClient) -> None:
    assert_error(client.post("/v1/replies", json={"text": "  "}), 422, "text_empty")


def test_an_unknown_pitfall_code_is_refused(client: TestClient) -> None:
    response = client.post("/v1/replies", json={"text": "您好", "caught": ["not_a_pitfall"]})
    assert_error(response, 422, "invalid_field")


def test_feedback_for_a_missing_reply_is_a_404(client: TestClient) -> None:
    response = client.post("/v1/feedback", json={"reply_id": 987654, "helpful": False})
    assert_error(response, 404, "reply_not_found")


def test_feedback_needs_a_reply_or_a_draft(client: TestClient) -> None:
    assert_error(
        client.post("/v1/feedback", json={"helpful": True}), 422, "feedback_target_missing"
    )


def test_feedback_is_kept_with_its_reply(client: TestClient) -> None:
    draft = drafts_for(client, "颜色和图片差太多了")[0]
    reply = client.post("/v1/replies", json={"text": draft["text"], "draft_id": draft["id"]}).json()
    response = client.post(
        "/v1/feedback", json={"reply_id": reply["id"], "helpful": False, "reason": "太长"}
    )
    assert response.status_code == 201
    feedback = client.get(f"/v1/replies/{reply['id']}").json()["feedback"]
    assert [(f["helpful"], f["reason"]) for f in feedback] == [(False, "太长")]


def test_a_missing_reply_is_a_404(client: TestClient) -> None:
    assert_error(client.get("/v1/replies/987654"), 404, "reply_not_found")


def test_a_promise_in_a_sent_reply_becomes_a_followup(client: TestClient) -> None:
    marker = uuid.uuid4().hex[:8]
    text = f"亲，已经为您催促快递，我们48小时内给您回复（{marker}）。"
    reply = client.post("/v1/replies", json={"text": text, "customer_text": "快递没到"}).json()
    [commitment] = reply["commitments"]
    assert commitment["promise"]["text"] == "48小时内"
    due = client.get("/v1/followups", params={"due": "2100-01-01T00:00:00Z"}).json()
    assert reply["id"] in [item["reply_id"] for item in due["items"]]
    due_now = client.get("/v1/followups").json()["items"]  # due by now: not yet
    assert reply["id"] not in [item["reply_id"] for item in due_now]
    done = client.post(f"/v1/followups/{commitment['id']}/done")
    assert done.status_code == 200
    assert done.json()["done_at"]


def test_a_bad_due_time_is_a_clear_422(client: TestClient) -> None:
    assert_error(client.get("/v1/followups", params={"due": "tomorrow-ish"}), 422, "invalid_field")


def test_the_csv_export_opens_in_excel(client: TestClient) -> None:
    marker = uuid.uuid4().hex[:8]
    client.post("/v1/replies", json={"text": f'=HYPERLINK("x") 您好{marker}'})
    response = client.get("/v1/replies.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "编号 id"
    [row] = [r for r in rows[1:] if marker in r[9]]
    assert row[9].startswith("'=")  # a formula is text in Excel, never run


def test_a_saved_shop_phrase_is_listed_with_the_phrasebook(client: TestClient) -> None:
    marker = "".join(chr(0x4E00 + int(c, 16)) for c in uuid.uuid4().hex[:4])
    text = f"亲，给您添麻烦了，我们马上为您安排换新{marker}。"
    response = client.post("/v1/phrases", json={"text": text, "stage": "solution"})
    assert response.status_code == 201
    phrase = response.json()
    assert phrase["origin"] == "shop"
    assert phrase["source"]["doc"] == "shop"
    listed = client.get("/v1/phrases", params={"q": marker}).json()
    assert [p["id"] for p in listed] == [phrase["id"]]


def test_a_shop_phrase_with_a_pitfall_is_refused(client: TestClient) -> None:
    response = client.post(
        "/v1/phrases", json={"text": "不退，你自己弄坏的。", "stage": "solution"}
    )
    assert_error(response, 422, "phrase_has_pitfalls")


def test_a_shop_phrase_with_a_stray_brace_is_refused(client: TestClient) -> None:
    response = client.post(
        "/v1/phrases", json={"text": "您好{名字}，马上为您处理。", "stage": "greet"}
    )
    assert_error(response, 422, "phrase_invalid")


def test_stats_count_what_was_offered_and_sent(client: TestClient) -> None:
    before = client.get("/v1/stats", params={"days": 7}).json()
    drafts_for(client, "发错颜色了，我买的黑色收到白色")
    after = client.get("/v1/stats", params={"days": 7}).json()
    assert after["messages"] == before["messages"] + 1
    assert after["categories"].get("wrong_item", 0) == before["categories"].get("wrong_item", 0) + 1
    assert {"unedited", "edited", "discarded"} <= set(after["outcomes"])


def test_stats_refuse_an_impossible_window(client: TestClient) -> None:
    assert_error(client.get("/v1/stats", params={"days": 0}), 422, "invalid_field")


def test_the_stats_page_draws_svg_charts_and_004_advice(client: TestClient) -> None:
    drafts_for(client, "衣服有个破洞，质量太差了，我要退货")
    page = client.get("/stats")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<svg" in page.text
    assert "预防措施" in page.text
    assert "严把进货质量关" in page.text
    assert client.get("/stats", params={"days": "abc"}).status_code == 200


def test_the_workbench_page_and_its_assets_are_served_locally(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "客户消息" in page.text
    assert "生成回复" in page.text
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
    assert len(assets) == 2
    for asset in assets:
        assert client.get(asset).status_code == 200
    assert "http://" not in page.text
    assert "https://" not in page.text


def test_the_stats_page_lists_overdue_followups(client: TestClient) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    marker = uuid.uuid4().hex[:8]
    two_days_ago = datetime.now(UTC) - timedelta(days=2)
    with services.database.transaction() as session:
        replies_service.record_reply(
            session=session,
            keeper=services.records,
            reply_in=ReplyCreate(
                text=f"亲，24小时内给您回复（{marker}）。", customer_text="还没发货"
            ),
            idempotency_key=None,
            now=two_days_ago,
        )
    page = client.get("/stats")
    assert page.status_code == 200
    assert marker in page.text
    assert "已逾期" in page.text


def test_replies_are_paginated_newest_first_and_filtered(client: TestClient) -> None:
    marker = uuid.uuid4().hex[:8]
    ids = []
    for n in range(5):
        body = {"text": f"您好，已为您处理（{marker}-{n}）", "customer_text": "在吗"}
        ids.append(client.post("/v1/replies", json=body).json()["id"])
    first = client.get("/v1/replies", params={"q": marker, "limit": 2}).json()
    second = client.get("/v1/replies", params={"q": marker, "limit": 2, "offset": 2}).json()
    assert first["total"] == second["total"] == 5
    assert [r["id"] for r in first["items"] + second["items"]] == ids[::-1][:4]
    written = client.get("/v1/replies", params={"q": marker, "outcome": "written"}).json()
    assert written["total"] == 5
    edited = client.get("/v1/replies", params={"q": marker, "outcome": "edited"}).json()
    assert edited["total"] == 0
    future = client.get("/v1/replies", params={"q": marker, "since": "2100-01-01"}).json()
    assert future["total"] == 0
    assert_error(client.get("/v1/replies", params={"limit": 1000}), 422, "invalid_field")
    assert_error(client.get("/v1/replies", params={"outcome": "lost"}), 422, "invalid_field")
