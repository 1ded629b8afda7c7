"""The extension loaded into Debian's Chromium, the real service with API keys, a demo chat site."""

import functools
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, Worker, expect, sync_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium, save_screenshot
from tests.live import PROJECT_ROOT, ServiceProcess, free_port

EXTENSION = PROJECT_ROOT / "extension"
PAGES = Path(__file__).resolve().parent / "pages"
API_KEY = "hs_extension-test-key-0123456789"
PANEL_SIZE = {"width": 420, "height": 1100}
TIMEOUT_MS = 20_000


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def demo_site() -> Iterator[str]:
    """The demo chat pages (textarea and contenteditable) on a loopback HTTP server."""
    handler = functools.partial(QuietHandler, directory=str(PAGES))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def keyed_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    """The real service under uvicorn on loopback, requiring API_KEY."""
    log = tmp_path_factory.mktemp("keyed_service") / "uvicorn.log"
    service = ServiceProcess({"HUASHU_API_KEYS": API_KEY}, log)
    service.start()
    try:
        yield service
    finally:
        service.stop()


# Package scope: the sync driver runs an event loop on this thread, which must be closed before
# other packages' tests call asyncio.run().
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@dataclass
class Extension:
    """The browser with the unpacked extension loaded, and how to reach its pages."""

    context: BrowserContext
    worker: Worker
    id: str
    page_errors: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> Page:
        """Collect uncaught errors of an extension page; the fixture fails the test on any."""
        page.on("pageerror", lambda error: self.page_errors.append(f"{page.url}: {error}"))
        return page

    def url(self, page: str) -> str:
        return f"chrome-extension://{self.id}/{page}"

    def open_panel(self) -> Page:
        """The side panel page, opened in a tab of panel size (tests cannot click the toolbar)."""
        panel = self.watch(self.context.new_page())
        panel.set_viewport_size(PANEL_SIZE)
        panel.goto(self.url("sidepanel.html"))
        panel.wait_for_selector("body[data-ready='true']", timeout=TIMEOUT_MS)
        return panel

    def configure(self, server_url: str, api_key: str, timeout_s: int = 20) -> Page:
        """Fill in and save the options page as an agent would; returns the options page."""
        options = self.watch(self.context.new_page())
        options.goto(self.url("options.html"))
        options.wait_for_selector("body[data-ready='true']", timeout=TIMEOUT_MS)
        options.fill("#server-url", server_url)
        options.fill("#api-key", api_key)
        options.fill("#shop-name", "小棉袄旗舰店")
        options.fill("#agent-name", "小美")
        options.select_option("#mode", "auto")
        options.fill("#timeout", str(timeout_s))
        options.click("#save")
        expect(options.locator("#result")).to_contain_text("已保存", timeout=TIMEOUT_MS)
        return options


@pytest.fixture
def extension(playwright: Playwright, tmp_path: Path) -> Iterator[Extension]:
    """A fresh Chromium profile with the extension loaded unpacked, headless."""
    require_chromium()
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--headless=new",
            f"--disable-extensions-except={EXTENSION}",
            f"--load-extension={EXTENSION}",
            # Newer Chrome builds ignore --load-extension unless this feature is off.
            "--disable-features=DisableLoadExtensionCommandLineSwitch",
            *CHROMIUM_ARGS,
        ],
    )
    try:
        workers = context.service_workers
        worker = (
            workers[0] if workers else context.wait_for_event("serviceworker", timeout=TIMEOUT_MS)
        )
        extension_id = worker.url.split("/")[2]
        loaded = Extension(context=context, worker=worker, id=extension_id)
        yield loaded
        assert loaded.page_errors == [], "uncaught errors in the extension's pages"
    finally:
        context.close()


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under test-output/extension/ to look at."""
    return save_screenshot(page, "extension", name)
