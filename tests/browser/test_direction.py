"""What a real browser makes of the markup: mixed-direction lists lay out the right way round."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, Page

from briefgen.build import build
from tests.helpers import VALID_SITE

DIRECTION = "el => getComputedStyle(el).direction"


def item_title(page: Page, href: str) -> str:
    """The computed direction of the list item title linking to ``href``."""
    return str(page.eval_on_selector(f'.item-title a[href="{href}"]', DIRECTION))


def test_mixed_language_lists_in_a_browser(
    browser: Browser, http_server: Callable[[Path], str], tmp_path: Path
) -> None:
    output = tmp_path / "site"
    build(VALID_SITE, output)
    # base_url's path is /archive/: serve the parent so the site's root-relative links resolve.
    served = tmp_path / "served"
    served.mkdir()
    (served / "archive").symlink_to(output)
    base = http_server(served) + "archive/"
    page = browser.new_page()
    try:
        page.goto(base + "ar/tags/china/")
        assert page.eval_on_selector("html", DIRECTION) == "rtl"
        assert page.eval_on_selector("h1", DIRECTION) == "rtl"
        assert item_title(page, "/archive/it/articles/sberbank/") == "ltr"
        assert item_title(page, "/archive/ar/articles/putin-china-ai/") == "rtl"

        page.goto(base + "it/")
        assert page.eval_on_selector("html", DIRECTION) == "ltr"
        assert item_title(page, "/archive/it/articles/sberbank/") == "ltr"
        assert item_title(page, "/archive/ar/articles/putin-china-ai/") == "rtl"
        # The Arabic item's date and outlet line is Italian again, so left to right.
        meta = page.eval_on_selector(
            '.item:has(a[href="/archive/ar/articles/putin-china-ai/"]) .item-meta', DIRECTION
        )
        assert meta == "ltr"
    finally:
        page.close()
