"""A real browser (Debian's Chromium driven by Playwright) and a local server for built sites.

Playwright never downloads a browser here: it drives /usr/bin/chromium, which .ci/run installs
with Debian's fonts-noto-core. Without that binary these tests fail rather than skip, so a CI
machine that lacks it cannot pass silently.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-core")
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # A browser that closes a page or context mid-response is no error of the server's.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def serve_directory(root: Path) -> tuple[ThreadingHTTPServer, str]:
    """Serve ``root`` on a free loopback port; returns the server and its base URL."""
    handler = functools.partial(_Quiet, directory=str(root))
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture
def http_server() -> Iterator[object]:
    """``start(root) -> base URL``; every server started is shut down after the test."""
    servers: list[ThreadingHTTPServer] = []

    def start(root: Path) -> str:
        server, url = serve_directory(root)
        servers.append(server)
        return url

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def page(browser: Browser, http_server: object) -> Iterator[Page]:
    """A page 1000 by 3000 pixels whose servers outlive it, failing the test on a script error
    or a dialog; a search page may finish loading its bundles before it closes."""
    context = browser.new_context(viewport={"width": 1000, "height": 3000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: errors.append("dialog: " + dialog.message))
    yield page
    # The page loads the bundles as it opens: closing it mid-load is not an error of the page.
    if page.url.endswith("/search/"):
        page.evaluate(
            """import(new URL("../../static/search/pagefind.js", location.href).href)
                .then((m) => m.init()).then(() => true, () => false)"""
        )
    context.close()
    assert not errors, errors
