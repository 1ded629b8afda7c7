"""With API keys configured, the /stats CSV export asks for the key once and downloads the file."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Dialog

from tests.conftest import running_service

API_KEY = "shop-key-0123456789abcdef"


@pytest.fixture(scope="module")
def keyed_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_service(
        tmp_path_factory.mktemp("keyed_web"), {"HUASHU_API_KEYS": API_KEY}
    ) as base_url:
        yield base_url


def test_the_stats_page_shows_records_only_with_a_key(keyed_service: str) -> None:
    refused = httpx.get(f"{keyed_service}/stats", timeout=10)
    assert refused.status_code == 401
    assert "API Key" in refused.text
    assert "草稿使用情况" not in refused.text
    wrong = httpx.get(f"{keyed_service}/stats", cookies={"huashu_key": "not-the-key"}, timeout=10)
    assert wrong.status_code == 401
    shown = httpx.get(f"{keyed_service}/stats", cookies={"huashu_key": API_KEY}, timeout=10)
    assert shown.status_code == 200
    assert "草稿使用情况" in shown.text


def test_the_csv_export_asks_for_the_key_once_and_downloads(
    browser: Browser, keyed_service: str, tmp_path: Path
) -> None:
    headers = {"X-API-Key": API_KEY}
    drafts = httpx.post(
        f"{keyed_service}/v1/drafts", json={"text": "快递三天没动了"}, headers=headers, timeout=20
    ).json()
    sent = drafts["drafts"][0]["text"] + "我们24小时内给您答复。"
    stored = httpx.post(
        f"{keyed_service}/v1/replies",
        json={"text": sent, "draft_id": drafts["drafts"][0]["id"]},
        headers=headers,
        timeout=20,
    )
    assert stored.status_code == 201
    assert httpx.get(f"{keyed_service}/v1/replies.csv", timeout=10).status_code == 401

    context = browser.new_context(base_url=keyed_service, accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    prompts: list[str] = []

    def answer(dialog: Dialog) -> None:
        prompts.append(dialog.message)
        dialog.accept(API_KEY)

    page.on("dialog", answer)
    page.goto("/stats")
    page.fill("#stats-key", API_KEY)
    page.click("#stats-key-form button")
    page.wait_for_selector("#export-csv")
    # Forget the key the page stored, so the export has to ask for it (once).
    page.evaluate("localStorage.removeItem('huashu.apiKey')")
    with page.expect_download() as download_info:
        page.click("#export-csv")
    path = tmp_path / "replies.csv"
    download_info.value.save_as(path)
    content = path.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Chinese
    assert sent in content.decode("utf-8-sig")
    assert len(prompts) == 1
    assert "API Key" in prompts[0]
    # The key is remembered: a second export asks nothing.
    with page.expect_download():
        page.click("#export-csv")
    assert len(prompts) == 1
    context.close()
