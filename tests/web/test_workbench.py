"""The agent's workbench in a real Chromium against the real service (uvicorn, SQLite file)."""

import json
import re
import uuid

import httpx
from playwright.sync_api import Page, Route, expect

from tests.web.conftest import screenshot

COMPLAINT = "衣服有个破洞，质量太差了，我要退货！"
TRADITIONAL = "我買的外套收到就有破洞，品質太差了，請問可以退貨嗎？"
CRISIS = "孩子用了你们的面霜起了一脸红疹，我已经去医院了，要去12315投诉你们，还要找媒体曝光！"
BLAME = "是你自己弄坏的。"


def generate(page: Page, text: str) -> None:
    page.get_by_role("textbox", name="客户消息", exact=True).fill(text)
    page.get_by_role("button", name="生成回复").click()
    expect(page.locator(".draft").first).to_be_visible(timeout=20_000)


def test_paste_edit_guard_copy_and_mark_sent_records_the_reply(
    desktop: Page, live_server: str
) -> None:
    page = desktop
    generate(page, COMPLAINT)
    expect(page.locator("#category")).to_contain_text("质量问题")
    expect(page.locator("#highlighted mark").first).to_be_visible()
    assert page.locator(".draft").count() >= 2
    expect(page.locator(".draft").first.locator(".stage").first).to_be_visible()
    screenshot(page, "01-drafts-desktop")

    draft = page.locator(".draft").first
    editor = draft.locator("textarea.draft-text")
    original = editor.input_value()
    marker = uuid.uuid4().hex[:6]
    editor.press("End")
    editor.type(BLAME)
    finding = draft.locator(".finding", has_text="暗示客户有错误")
    expect(finding).to_be_visible(timeout=10_000)
    flagged = finding.locator("q").inner_text()
    assert flagged in BLAME
    expect(draft.locator(".backdrop mark", has_text=flagged)).to_have_count(1)
    screenshot(page, "02-guard-finding")

    finding.get_by_role("button", name="采用建议").click()
    expect(draft.locator(".finding", has_text="暗示客户有错误")).to_have_count(0, timeout=10_000)
    assert "自己弄坏" not in editor.input_value()
    editor.press("End")
    editor.type(f"编号{marker}")
    expect(draft.locator(".check-state")).to_have_text("未发现售后误区", timeout=10_000)

    draft.get_by_role("button", name="复制").click()
    expect(draft.locator(".draft-status")).to_contain_text("已复制")
    assert page.evaluate("navigator.clipboard.readText()") == editor.input_value()

    draft.get_by_role("button", name="标记已发送").click()
    expect(draft.locator(".draft-status")).to_contain_text("已记录为已发送", timeout=10_000)
    screenshot(page, "03-marked-sent")

    stored = httpx.get(f"{live_server}/v1/replies", params={"q": marker}, timeout=10).json()
    [reply] = stored["items"]
    assert reply["text"] == editor.input_value()
    assert reply["draft_text"] == original
    assert reply["draft_id"] == draft.get_attribute("data-draft-id")
    assert reply["outcome"] == "edited"
    assert "blaming_customer" in reply["caught"]


def test_a_second_click_on_mark_sent_does_not_store_twice(desktop: Page, live_server: str) -> None:
    page = desktop
    generate(page, "快递一直不更新，什么时候能到")
    draft = page.locator(".draft").first
    marker = uuid.uuid4().hex[:6]
    editor = draft.locator("textarea.draft-text")
    editor.press("End")
    editor.type(marker)
    button = draft.get_by_role("button", name="标记已发送")
    button.click()
    expect(draft.locator(".draft-status")).to_contain_text("已记录", timeout=10_000)
    button.click()
    expect(draft.locator(".draft-status")).to_contain_text("已记录", timeout=10_000)
    stored = httpx.get(f"{live_server}/v1/replies", params={"q": marker}, timeout=10).json()
    assert stored["total"] == 1


def test_a_traditional_message_gets_traditional_drafts(desktop: Page) -> None:
    page = desktop
    generate(page, TRADITIONAL)
    first = page.locator(".draft").first
    expect(first.locator(".draft-script")).to_have_text("繁體")
    text = first.locator("textarea.draft-text").input_value()
    assert re.search(r"[們這請您歉題貨]", text)
    assert not re.search(r"[们这请题货]", text)
    screenshot(page, "04-traditional")


def test_an_api_error_is_shown_to_the_agent_in_chinese(desktop: Page) -> None:
    page = desktop
    page.get_by_role("textbox", name="客户消息", exact=True).fill("太差了" * 1500)
    page.get_by_role("button", name="生成回复").click()
    error = page.get_by_role("alert").filter(has_text="超过上限")
    expect(error).to_be_visible(timeout=10_000)
    expect(error).to_contain_text("text_too_long")
    screenshot(page, "05-api-error")


def test_a_crisis_shows_004s_crisis_steps(desktop: Page) -> None:
    page = desktop
    generate(page, CRISIS)
    banner = page.locator("#escalation")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("危机")
    expect(banner.locator("li")).to_have_count(4)
    expect(banner).to_contain_text("第一时间主动沟通")
    expect(page.locator("#risks .chip-risk").first).to_be_visible()
    screenshot(page, "06-crisis")


def test_ctrl_enter_generates(desktop: Page) -> None:
    page = desktop
    page.get_by_role("textbox", name="客户消息", exact=True).fill("尺码小了一码，能换大一码吗")
    page.get_by_role("textbox", name="客户消息", exact=True).press("Control+Enter")
    expect(page.locator(".draft").first).to_be_visible(timeout=20_000)


def test_the_workbench_fits_a_360_px_phone(phone: Page) -> None:
    page = phone
    generate(page, COMPLAINT)
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 360
    box = page.locator(".draft").first.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 360
    screenshot(page, "07-phone-360")


def test_streamed_llm_drafts_appear_as_they_arrive(desktop: Page, live_server: str) -> None:
    """The page reads the stream contract of /v1/drafts/stream (served here from real drafts)."""
    page = desktop
    answer = httpx.post(f"{live_server}/v1/drafts", json={"text": COMPLAINT}, timeout=20).json()
    llm_draft = {**answer["drafts"][0], "source": "llm", "id": "d_llm_stream", "text": ""}
    events = [
        ("analysis", answer["analysis"]),
        ("drafts", {"source": "template", "drafts": answer["drafts"], "agent_notes": []}),
        ("drafts", {"source": "llm", "drafts": [llm_draft], "agent_notes": []}),
        ("delta", {"index": 0, "style": "standard", "text": "亲，非常抱歉"}),
        ("delta", {"index": 0, "style": "standard", "text": "让您收到有问题的衣服。"}),
        ("done", {"fallback_reason": None}),
    ]
    body = "".join(
        f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n" for name, data in events
    )

    def stream(route: Route) -> None:
        route.fulfill(status=200, headers={"content-type": "text/event-stream"}, body=body)

    page.route("**/v1/drafts/stream", stream)
    generate(page, COMPLAINT)
    draft = page.locator(".draft")
    expect(draft).to_have_count(1)
    expect(draft.locator(".draft-source")).to_have_text("大模型")
    expect(draft.locator("textarea.draft-text")).to_have_value("亲，非常抱歉让您收到有问题的衣服。")
    expect(page.locator("#category")).to_contain_text("质量问题")


def test_a_401_asks_for_the_api_key_once_and_sends_it(desktop: Page) -> None:
    page = desktop
    sent_keys: list[str | None] = []

    def guarded(route: Route) -> None:
        key = route.request.headers.get("x-api-key")
        sent_keys.append(key)
        if key != "secret-key":
            error = {
                "error": {
                    "code": "api_key_required",
                    "message": "需要 API Key",
                    "message_en": "API key required",
                }
            }
            route.fulfill(status=401, content_type="application/json", body=json.dumps(error))
        else:
            route.fallback()

    page.route("**/v1/drafts/stream", guarded)
    page.get_by_role("textbox", name="客户消息", exact=True).fill(COMPLAINT)
    page.get_by_role("button", name="生成回复").click()
    expect(page.locator("#key-bar")).to_be_visible()
    screenshot(page, "08-api-key")
    page.locator("#api-key").fill("secret-key")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".draft").first).to_be_visible(timeout=20_000)
    assert sent_keys == [None, "secret-key"]
    assert page.evaluate("localStorage.getItem('huashu.apiKey')") == "secret-key"


def test_the_stats_page_shows_charts_after_work(desktop: Page) -> None:
    page = desktop
    generate(page, COMPLAINT)
    page.locator(".draft").first.get_by_role("button", name="标记已发送").click()
    expect(page.locator(".draft").first.locator(".draft-status")).to_contain_text(
        "已记录", timeout=10_000
    )
    page.goto("/stats")
    expect(page.locator("svg.chart").first).to_be_visible()
    expect(page.locator("#prev-title")).to_be_visible()
    expect(page.locator(".advice dd", has_text="严把进货质量关")).to_be_visible()
    screenshot(page, "09-stats")


def test_feedback_and_a_saved_shop_phrase_are_recorded(desktop: Page, live_server: str) -> None:
    page = desktop
    page.get_by_role("textbox", name="客户消息", exact=True).fill("鞋子开胶了，才穿了两天")
    page.get_by_text("更多信息（可选）").click()
    page.get_by_label("客户称呼").fill("王先生")
    page.get_by_role("button", name="生成回复").click()
    draft = page.locator(".draft").first
    expect(draft).to_be_visible(timeout=20_000)
    assert "王先生" in draft.locator("textarea.draft-text").input_value()

    draft.get_by_role("button", name="标记已发送").click()
    expect(draft.locator(".draft-status")).to_contain_text("已记录", timeout=10_000)
    reply_id = int(re.findall(r"#(\d+)", draft.locator(".draft-status").inner_text())[0])

    draft.get_by_role("button", name="没帮助").click()
    draft.get_by_placeholder("哪里不好？").fill("太长了")
    draft.get_by_role("button", name="提交").click()
    expect(draft.locator(".draft-status")).to_contain_text("谢谢反馈", timeout=10_000)

    marker = "".join(chr(0x4E00 + int(c, 16)) for c in uuid.uuid4().hex[:3])
    phrase = f"王先生，给您添麻烦了，开胶的鞋我们马上为您换一双新的{marker}。"
    draft.get_by_text("存为店铺话术").click()
    draft.locator(".phrase-stage").select_option("solution")
    draft.locator(".phrase-text").fill(phrase)
    draft.get_by_role("button", name="保存话术").click()
    expect(draft.locator(".draft-status")).to_contain_text("已存为店铺话术", timeout=10_000)
    screenshot(page, "10-feedback-and-phrase")

    listed = httpx.get(f"{live_server}/v1/phrases", params={"q": marker}, timeout=10).json()
    assert [(p["origin"], p["stage"], p["text"]) for p in listed] == [("shop", "solution", phrase)]
    reply = httpx.get(f"{live_server}/v1/replies/{reply_id}", timeout=10).json()
    assert [(f["helpful"], f["reason"]) for f in reply["feedback"]] == [(False, "太长了")]


def test_a_promise_due_soon_is_listed_and_can_be_marked_done(
    desktop: Page, live_server: str
) -> None:
    page = desktop
    marker = uuid.uuid4().hex[:6]
    text = f"亲，我们半小时内给您回复物流结果（{marker}）。"
    reply = httpx.post(
        f"{live_server}/v1/replies", json={"text": text, "customer_text": "快递呢"}, timeout=10
    )
    assert reply.status_code == 201
    page.reload()
    row = page.locator("#followup-list li", has_text=marker)
    expect(row).to_be_visible(timeout=10_000)
    expect(row).to_contain_text("半小时内")
    screenshot(page, "11-followups")
    row.get_by_role("button", name="完成").click()
    expect(row).to_have_count(0, timeout=10_000)
    pending = httpx.get(
        f"{live_server}/v1/followups", params={"due": "2100-01-01T00:00:00Z"}, timeout=10
    ).json()
    assert reply.json()["id"] not in [item["reply_id"] for item in pending["items"]]


def test_the_stats_page_fits_a_360_px_phone(phone: Page, live_server: str) -> None:
    page = phone
    for text in (COMPLAINT, "快递三天了还没到", "尺码小了一码能换吗"):
        httpx.post(f"{live_server}/v1/drafts", json={"text": text}, timeout=20)
    caught = {"text": "亲，已为您登记，我们尽快处理。", "customer_text": COMPLAINT,
              "caught": ["insisting_right", "blaming_customer"]}  # fmt: skip
    httpx.post(f"{live_server}/v1/replies", json=caught, timeout=20)
    page.goto("/stats")
    expect(page.locator("svg.chart text", has_text="强调自己正确、不承认错误")).to_be_visible()
    expect(page.locator("svg.chart").first).to_be_visible()
    expect(page.locator("#prev-title")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "12-stats-phone-360")
