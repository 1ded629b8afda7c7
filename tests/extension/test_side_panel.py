"""The extension in a real Chromium against the real service and a demo chat page."""

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.extension.conftest import API_KEY, EXTENSION, TIMEOUT_MS, Extension, screenshot
from tests.live import ServiceProcess, free_port

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


def chat_tab(extension: Extension, url: str) -> dict[str, object]:
    tab: dict[str, object] = extension.worker.evaluate(
        "async (url) => (await chrome.tabs.query({})).find((tab) => (tab.url || '').startsWith(url))",
        url,
    )
    return tab


def test_context_menu_pick_up_to_edited_reply_in_a_rich_editor(
    extension: Extension, keyed_service: ServiceProcess, demo_site: str
) -> None:
    extension.configure(keyed_service.base_url, API_KEY).close()
    chat = extension.context.new_page()
    chat.goto(f"{demo_site}/chat_editable.html")
    message = chat.text_content("#newest") or ""
    panel = extension.open_panel()

    # What Chrome calls when the agent picks 用话术分析 on the selected text.
    extension.worker.evaluate(
        "([text, tab]) => huashu.handleMenuClick({menuItemId: 'huashu-analyze', selectionText: text}, tab)",
        [message, chat_tab(extension, f"{demo_site}/chat_editable.html")],
    )
    wait_for_drafts(panel)
    assert panel.input_value("#customer") == message
    assert "右键菜单" in (panel.text_content("#picked-from") or "")
    labels = panel.text_content("#labels") or ""
    assert "12315" in labels or "消协" in labels or "投诉" in labels
    assert "危机" in labels

    second = panel.locator("#drafts .draft textarea").nth(1)
    second.fill(EDITED_TEXT)
    panel.click("#insert")
    expect(panel.locator("#status")).to_contain_text("已插入", timeout=TIMEOUT_MS)
    screenshot(panel, "panel_editable_inserted")

    assert (chat.inner_text("#editor")).strip() == EDITED_TEXT
    framework = chat.evaluate("window.framework")
    assert framework["state"].strip() == EDITED_TEXT
    inputs = [event for event in framework["events"] if event["type"] == "input"]
    assert inputs
    # execCommand's input event is trusted, as a typed one is; editors that keep their model
    # from input events (ProseMirror, Draft.js, Vue bindings) see the new text.
    assert inputs[-1] == {"type": "input", "inputType": "insertText", "trusted": True}
    assert chat.input_value("#search") == ""
    screenshot(chat, "chat_editable_inserted")


def test_a_wrong_api_key_gives_a_clear_error_in_the_panel(
    extension: Extension, keyed_service: ServiceProcess
) -> None:
    extension.configure(keyed_service.base_url, "hs_not-the-right-key-000000").close()
    panel = extension.open_panel()
    panel.fill("#customer", "快递三天没动了，什么时候能到？")
    panel.click("#generate")
    expect(panel.locator("#error")).to_be_visible(timeout=TIMEOUT_MS)
    expect(panel.locator("#error-text")).to_contain_text("API 密钥错误")
    assert panel.input_value("#customer") == "快递三天没动了，什么时候能到？"
    screenshot(panel, "panel_wrong_key")


def test_a_missing_api_key_says_the_service_needs_one(
    extension: Extension, keyed_service: ServiceProcess
) -> None:
    extension.configure(keyed_service.base_url, "").close()
    panel = extension.open_panel()
    panel.fill("#customer", "快递三天没动了，什么时候能到？")
    panel.click("#generate")
    expect(panel.locator("#error-text")).to_contain_text("需要 API 密钥", timeout=TIMEOUT_MS)


def test_options_test_connection_tells_a_good_key_from_a_wrong_one(
    extension: Extension, keyed_service: ServiceProcess
) -> None:
    options = extension.configure(keyed_service.base_url, API_KEY)
    options.click("#test")
    expect(options.locator("#result")).to_contain_text("连接成功", timeout=TIMEOUT_MS)
    expect(options.locator("#result")).to_have_class("result ok")
    options.fill("#api-key", "hs_not-the-right-key-000000")
    options.click("#test")
    expect(options.locator("#result")).to_contain_text("API 密钥错误", timeout=TIMEOUT_MS)
    expect(options.locator("#result")).to_have_class("result error")
    screenshot(options, "options_wrong_key")


def test_options_test_connection_reports_a_server_that_is_down(extension: Extension) -> None:
    options = extension.configure(f"http://127.0.0.1:{free_port()}", API_KEY)
    options.click("#test")
    expect(options.locator("#result")).to_contain_text("无法连接到话术服务", timeout=TIMEOUT_MS)


def test_a_stopped_server_gives_a_clear_error_and_keeps_the_edit(
    extension: Extension, tmp_path: Path
) -> None:
    service = ServiceProcess({"HUASHU_API_KEYS": API_KEY}, tmp_path / "uvicorn.log")
    service.start()
    try:
        extension.configure(service.base_url, API_KEY).close()
        panel = extension.open_panel()
        panel.fill("#customer", "收到的杯子是碎的，怎么办？")
        panel.click("#generate")
        wait_for_drafts(panel)
        panel.locator("#drafts .draft textarea").first.fill(EDITED_TEXT)
    finally:
        service.stop()

    panel.click("#mark-sent")
    expect(panel.locator("#error-text")).to_contain_text("无法连接到话术服务", timeout=TIMEOUT_MS)
    assert panel.locator("#drafts .draft textarea").first.input_value() == EDITED_TEXT
    panel.click("#generate")
    expect(panel.locator("#error-text")).to_contain_text("无法连接到话术服务", timeout=TIMEOUT_MS)
    assert panel.locator("#drafts .draft textarea").first.input_value() == EDITED_TEXT
    screenshot(panel, "panel_server_stopped")

    panel.reload()
    panel.wait_for_selector("body[data-ready='true']", timeout=TIMEOUT_MS)
    assert panel.locator("#drafts .draft textarea").first.input_value() == EDITED_TEXT
    assert panel.input_value("#customer") == "收到的杯子是碎的，怎么办？"
    expect(panel.locator("#status")).to_contain_text("已恢复")


def test_mark_sent_records_the_edited_reply_with_its_draft(
    extension: Extension, keyed_service: ServiceProcess
) -> None:
    extension.configure(keyed_service.base_url, API_KEY).close()
    panel = extension.open_panel()
    panel.fill("#customer", "快递三天没动了，什么时候能到？")
    panel.click("#generate")
    wait_for_drafts(panel)
    panel.locator("#drafts .draft textarea").first.fill(EDITED_TEXT)
    panel.click("#mark-sent")
    expect(panel.locator("#drafts .badge.sent")).to_have_count(1, timeout=TIMEOUT_MS)
    replies = httpx.get(
        f"{keyed_service.base_url}/v1/replies",
        params={"q": EDITED_TEXT[:8]},
        headers={"X-API-Key": API_KEY},
        timeout=10,
    ).json()["items"]
    assert [reply["text"] for reply in replies] == [EDITED_TEXT]
    assert replies[0]["draft_id"]
    assert panel.locator("#drafts .draft textarea").first.input_value() == EDITED_TEXT


def test_the_shortcut_reads_the_selection_of_the_chat_tab(
    extension: Extension, keyed_service: ServiceProcess, demo_site: str
) -> None:
    extension.configure(keyed_service.base_url, API_KEY).close()
    chat = extension.context.new_page()
    chat.goto(f"{demo_site}/chat_textarea.html")
    select_text(chat, "#messages .message:first-child")
    panel = extension.open_panel()
    tab = chat_tab(extension, f"{demo_site}/chat_textarea.html")
    # What Chrome calls when the agent presses the shortcut (Alt+Shift+H) on the chat tab.
    extension.worker.evaluate("(tab) => huashu.handleCommand('analyze-selection', tab)", tab)
    wait_for_drafts(panel)
    assert panel.input_value("#customer") == "你好，在吗？"
    expect(panel.locator("#picked-from")).to_contain_text("选中文字")


def test_without_a_selection_the_newest_customer_message_is_read(
    extension: Extension, keyed_service: ServiceProcess, demo_site: str
) -> None:
    extension.configure(keyed_service.base_url, API_KEY).close()
    chat = extension.context.new_page()
    chat.goto(f"{demo_site}/chat_editable.html")
    panel = extension.open_panel()
    panel.click("#pick")
    wait_for_drafts(panel)
    assert panel.input_value("#customer") == chat.text_content("#newest")
    expect(panel.locator("#picked-from")).to_contain_text("页面最新消息")


def test_selectors_edited_in_the_options_page_pick_the_message(
    extension: Extension, keyed_service: ServiceProcess, demo_site: str
) -> None:
    options = extension.configure(keyed_service.base_url, API_KEY)
    options.fill("#sites-json", "{ not json")
    options.click("#sites-save")
    expect(options.locator("#sites-result")).to_contain_text("JSON 格式错误")
    sites = json.loads((EXTENSION / "sites.json").read_text(encoding="utf-8"))
    sites["sites"].insert(
        0,
        {
            "id": "demo",
            "name": "演示客服台",
            "hosts": ["127.0.0.1"],
            "customer_message": ["#messages .msg-left:first-child p"],
            "reply_box": ["#search"],
        },
    )
    options.fill("#sites-json", json.dumps(sites, ensure_ascii=False))
    options.click("#sites-save")
    expect(options.locator("#sites-result")).to_contain_text("已保存")
    chat = extension.context.new_page()
    chat.goto(f"{demo_site}/chat_editable.html")
    panel = extension.open_panel()
    panel.click("#pick")
    wait_for_drafts(panel)
    assert panel.input_value("#customer") == "快递显示签收了，但我根本没收到！"
    expect(panel.locator("#picked-from")).to_contain_text("演示客服台")
    panel.locator("#drafts .draft textarea").first.fill(EDITED_TEXT)
    panel.click("#insert")
    expect(panel.locator("#status")).to_contain_text("已插入", timeout=TIMEOUT_MS)
    assert chat.input_value("#search") == EDITED_TEXT


def test_an_invalid_selector_is_refused_naming_it(extension: Extension) -> None:
    options = extension.context.new_page()
    options.goto(extension.url("options.html"))
    options.wait_for_selector("body[data-ready='true']", timeout=TIMEOUT_MS)
    sites = json.loads((EXTENSION / "sites.json").read_text(encoding="utf-8"))
    sites["generic"]["reply_box"] = ["textarea[[["]
    options.fill("#sites-json", json.dumps(sites, ensure_ascii=False))
    options.click("#sites-save")
    expect(options.locator("#sites-result")).to_contain_text("选择器无效：textarea[[[")


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
                held.append(connection)
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=2)
        for connection in held:
            connection.close()
        listener.close()


def test_a_server_that_does_not_answer_times_out_with_a_clear_error(
    extension: Extension, silent_server: str
) -> None:
    extension.configure(silent_server, API_KEY, timeout_s=2).close()
    panel = extension.open_panel()
    panel.fill("#customer", "快递三天没动了，什么时候能到？")
    panel.click("#generate")
    expect(panel.locator("#error-text")).to_contain_text("超时", timeout=TIMEOUT_MS)
    expect(panel.locator("#error-text")).to_contain_text("2 秒")
    assert panel.input_value("#customer") == "快递三天没动了，什么时候能到？"
    expect(panel.locator("#generate")).to_be_enabled()
    screenshot(panel, "panel_timeout")


def test_the_toolbar_side_panel_opens_the_panel_page(extension: Extension, demo_site: str) -> None:
    chat = extension.context.new_page()
    chat.goto(f"{demo_site}/chat_textarea.html")
    options = extension.watch(extension.context.new_page())
    options.goto(extension.url("options.html"))
    # The same call the toolbar button makes (openPanelOnActionClick), from an extension page.
    options.evaluate(
        "async () => chrome.sidePanel.open({windowId: (await chrome.windows.getCurrent()).id})"
    )
    browser = extension.context.browser
    assert browser is not None
    session = browser.new_browser_cdp_session()
    urls: list[str] = []
    for _ in range(50):
        urls = [target["url"] for target in session.send("Target.getTargets")["targetInfos"]]
        if extension.url("sidepanel.html") in urls:
            break
        chat.wait_for_timeout(100)
    assert extension.url("sidepanel.html") in urls
    # The panel's context can be listed a moment before its document URL is committed.
    contexts: list[str] = []
    for _ in range(50):
        contexts = options.evaluate(
            "async () => (await chrome.runtime.getContexts({contextTypes: ['SIDE_PANEL']})).map((c) => c.documentUrl)"
        )
        if contexts and all(contexts):
            break
        chat.wait_for_timeout(100)
    assert contexts == [extension.url("sidepanel.html")]
