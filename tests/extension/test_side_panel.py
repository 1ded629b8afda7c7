"""The extension in a real Chromium against the real service and a demo chat page."""

from playwright.sync_api import Page, expect

from tests.extension.conftest import API_KEY, TIMEOUT_MS, Extension, screenshot
from tests.live import ServiceProcess

EDITED_TEXT = "亲，非常抱歉让您收到色差这么大的衣服，我特别理解您的心情。麻烦您拍一张实物照片给我，我马上为您处理退换。"


def wait_for_drafts(panel: Page) -> None:
    expect(panel.locator("#status")).to_contain_text("草稿已生成", timeout=TIMEOUT_MS)


def select_text(page: Page, selector: str) -> None:
    page.evaluate(
        """(selector) => {
            const range = document.createRange();
            range.selectNodeContents(document.querySelector(selector));
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }""",
        selector,
    )


def test_selected_message_to_edited_reply_in_a_react_style_textarea(
    extension: Extension, keyed_service: ServiceProcess, demo_site: str
) -> None:
    extension.configure(keyed_service.base_url, API_KEY).close()
    chat = extension.context.new_page()
    chat.goto(f"{demo_site}/chat_textarea.html")
    select_text(chat, "#newest")
    panel = extension.open_panel()

    panel.click("#pick")
    wait_for_drafts(panel)
    assert panel.locator("#error").is_hidden(), panel.text_content("#error-text")
    assert "色差" in panel.input_value("#customer")
    labels = panel.text_content("#labels") or ""
    assert "色差" in labels
    assert "差评" in labels
    assert panel.locator("#highlighted mark.ev-risk").count() >= 1
    assert panel.locator("#drafts .draft").count() >= 2

    first = panel.locator("#drafts .draft textarea").first
    first.fill(EDITED_TEXT)
    panel.wait_for_selector("#drafts .draft.selected .badge.edited", timeout=TIMEOUT_MS)
    panel.wait_for_selector("#findings p.ok, #findings li", timeout=TIMEOUT_MS)
    panel.click("#insert")
    expect(panel.locator("#status")).to_contain_text("已插入", timeout=TIMEOUT_MS)
    screenshot(panel, "panel_textarea_inserted")

    assert chat.input_value("#reply") == EDITED_TEXT
    framework = chat.evaluate("window.framework")
    assert framework["state"] == EDITED_TEXT
    assert framework["changes"] == [EDITED_TEXT]
    assert {"type": "input", "inputType": "insertText"} in framework["events"]
    screenshot(chat, "chat_textarea_inserted")
