"""Debian's Chromium for the browser tests (Playwright cannot download browsers here)."""

from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.live import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
# Quiet, sandbox-free headless runs: no background downloads, updates, sync or first-run pages.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_chromium() -> None:
    """Fail with the fix when the Debian package is not installed."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/system_deps.sh (test.sh does)")


def save_screenshot(page: Page, folder: str, name: str) -> Path:
    """A full-page screenshot under test-output/<folder>/ for a person to look at."""
    directory = PROJECT_ROOT / "test-output" / folder
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
