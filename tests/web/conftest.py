"""Debian's Chromium driven by Playwright (it cannot download browsers here)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium, save_screenshot


# Package scope: the sync driver runs an event loop on this thread, which must be closed before
# other packages' tests call asyncio.run() or start their own driver.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for the web tests."""
    require_chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def desktop(browser: Browser, live_server: str) -> Iterator[Page]:
    """A desktop-sized page that may use the clipboard, opened on the workbench."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale="zh-CN",
        base_url=live_server,
        permissions=["clipboard-read", "clipboard-write"],
    )
    page = context.new_page()
    page.goto("/")
    yield page
    context.close()


@pytest.fixture
def phone(browser: Browser, live_server: str) -> Iterator[Page]:
    """A 360 px wide phone page opened on the workbench."""
    context = browser.new_context(
        viewport={"width": 360, "height": 760},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        base_url=live_server,
    )
    page = context.new_page()
    page.goto("/")
    yield page
    context.close()


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under test-output/web/ for a person to look at."""
    return save_screenshot(page, "web", name)
