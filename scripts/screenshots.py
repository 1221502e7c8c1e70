"""Regenerate the README screenshots: the archive in Arabic and Italian, desktop and phone.

Usage (from the repository root)::

    python scripts/screenshots.py [--output docs/screenshots] [--chromium /usr/bin/chromium]

Builds the archive into a temporary directory, serves it on a loopback port, and drives Debian's
Chromium through Playwright (no browser is downloaded). Each shot is one viewport, not the whole
page, so the PNGs stay small: 1280x800 for desktop, 390x844 for a phone.
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Literal

from playwright.sync_api import Browser, ViewportSize, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefgen.build import build  # noqa: E402

DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}
ARTICLES = {
    "ar": "ar/articles/chinese-ai-companies-form-alliances-against-us-restrictions/",
    "it": "it/articles/putin-orders-sberbank-ai-partnerships-with-china/",
}


@dataclass(frozen=True)
class Shot:
    """One screenshot: a file name, a page and how the browser is set up."""

    name: str
    path: str
    viewport: ViewportSize
    scheme: Literal["light", "dark"] = "light"


def shots() -> list[Shot]:
    """The set shown in the README: each language on a desktop and a phone, light and dark."""
    return [
        Shot("ar-home-desktop.png", "ar/", DESKTOP),
        Shot("it-article-desktop.png", ARTICLES["it"], DESKTOP),
        Shot("ar-article-phone.png", ARTICLES["ar"], PHONE),
        Shot("it-home-phone.png", "it/", PHONE),
        Shot("ar-article-desktop-dark.png", ARTICLES["ar"], DESKTOP, "dark"),
        Shot("it-home-phone-dark.png", "it/", PHONE, "dark"),
    ]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def take(browser: Browser, base: str, shot: Shot, output: Path) -> Path:
    context = browser.new_context(
        viewport=shot.viewport,
        device_scale_factor=1,
        color_scheme=shot.scheme,
        is_mobile=shot.viewport is PHONE,
        has_touch=shot.viewport is PHONE,
    )
    try:
        page = context.new_page()
        page.goto(base + shot.path, wait_until="networkidle")
        target = output / shot.name
        page.screenshot(path=str(target), full_page=False)
        return target
    finally:
        context.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--chromium", type=Path, default=Path("/usr/bin/chromium"))
    args = parser.parse_args(argv)
    args.output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        build(ROOT, site)
        handler = functools.partial(_Quiet, directory=str(site))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=str(args.chromium),
                    args=["--headless", "--no-sandbox", "--disable-gpu"],
                )
                try:
                    for shot in shots():
                        target = take(browser, base, shot, args.output)
                        print(target)  # noqa: T201 (a script's report)
                finally:
                    browser.close()
        finally:
            server.shutdown()
            server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
