"""CORS as a browser enforces it: a web console calls /v1/ with a key from its own origin."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.extension.conftest import API_KEY
from tests.live import running_service

CALL = """async ([url, key]) => {
    try {
        const response = await fetch(url + '/v1/analyze', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + key },
            body: JSON.stringify({ text: '快递三天没动了' }),
        });
        return { status: response.status, body: await response.json() };
    } catch (error) {
        return { failed: String(error) };
    }
}"""


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
    )
    try:
        yield launched
    finally:
        launched.close()


@pytest.mark.parametrize("allowed", [True, False])
def test_only_a_configured_web_origin_may_call_the_api(
    browser: Browser, demo_site: str, tmp_path: Path, allowed: bool
) -> None:
    settings = {"HUASHU_API_KEYS": API_KEY}
    if allowed:
        settings["HUASHU_CORS_ORIGINS"] = demo_site
    with running_service(settings, tmp_path / "uvicorn.log") as service:
        page = browser.new_page()
        page.goto(f"{demo_site}/chat_textarea.html")
        result = page.evaluate(CALL, [service.base_url, API_KEY])
        page.close()
    if allowed:
        assert result["status"] == 200
        assert result["body"]["category"]["code"] == "delivery_delay"
    else:
        assert "failed" in result
        assert "Failed to fetch" in result["failed"]
