"""The workbench against the real service with an LLM: a scripted OpenAI-compatible server streams."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.llm.fake_llm import FakeLLM, Step, answer
from tests.web.conftest import screenshot

COMPLAINT = "衣服色差太大了，跟图片完全两个颜色！要退货！"
STANDARD = "亲，非常抱歉衣服的颜色和图片有差别，给您添麻烦了。您可以申请退货，退货运费由我们承担，您看可以吗？"
SOOTHING = "亲，真的很抱歉让您失望了，您的心情我完全理解。衣服颜色和图片不一样，是我们没有做好，您可以申请退货，运费我们来承担，您看这样可以吗？"
CONCISE = "亲，抱歉色差给您添麻烦了，您可以申请退货，运费由我们承担。"
EDIT = "（客服改过的话）"


@pytest.fixture
def workbench(browser: Browser, llm_service: str) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", base_url=llm_service
    )
    page = context.new_page()
    page.goto("/")
    yield page
    context.close()


def test_llm_text_streams_in_and_the_agents_edit_is_kept(
    workbench: Page, fake_llm: FakeLLM
) -> None:
    page = workbench
    written = answer(standard=STANDARD, soothing=SOOTHING, concise=CONCISE)
    # Slow enough to see the first LLM words before the end, within HUASHU_LLM_TIMEOUT_S.
    fake_llm.script(Step("stream", written, chunk_size=8, chunk_delay_s=0.03))
    page.fill("#message", COMPLAINT)
    page.click("#generate")
    drafts = page.locator(".draft")
    expect(drafts.first).to_be_visible(timeout=10_000)
    # The agent starts editing the last template draft at once.
    last = drafts.last.locator("textarea.draft-text")
    expect(last).not_to_have_value("")
    last.press("End")
    last.type(EDIT)
    edited_text = last.input_value()
    # LLM text arrives in slots of its own source while it streams.
    llm_sources = page.locator(".draft .draft-source.source-llm")
    expect(llm_sources.first).to_be_visible(timeout=10_000)
    screenshot(page, "llm-streaming")
    # At the end: the LLM's three checked drafts, and the agent's edited draft still there.
    # Checked LLM drafts carry their ids ("l_…"); the streamed previews had none.
    expect(page.locator('.draft[data-draft-id^="l_"]')).to_have_count(3, timeout=15_000)
    texts = page.locator(".draft textarea.draft-text")
    expect(texts).to_have_count(4)
    values = [texts.nth(i).input_value() for i in range(4)]
    assert sorted(values[:3]) == sorted([STANDARD, SOOTHING, CONCISE])
    assert values[3] == edited_text
    assert page.locator(".draft .draft-source.source-llm").count() == 3
    screenshot(page, "llm-done")
    assert fake_llm.streams_finished == 1
    assert "13812345678" not in fake_llm.prompt_text()


def test_the_stats_page_shows_llm_usage(workbench: Page, fake_llm: FakeLLM) -> None:
    page = workbench
    fake_llm.script(Step("json", answer(standard=STANDARD, soothing=SOOTHING, concise=CONCISE)))
    page.request.post("/v1/drafts", data={"text": COMPLAINT})
    page.goto("/stats")
    usage = page.locator("#llm-usage")
    expect(usage).to_contain_text("调用")
    expect(usage).to_contain_text("成功")
    expect(page.locator("#llm-title")).to_contain_text("fake-model")
