"""The coverage chart and the Cite block as a reader sees them, in a real browser."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from briefgen.build import build

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def site_url(tmp_path: Path, http_server: Callable[[Path], str]) -> str:
    build(ROOT, tmp_path / "out")
    return http_server(tmp_path / "out")


@pytest.mark.parametrize("lang", ["ar", "it"])
def test_time_runs_with_the_reading_direction(browser: Browser, site_url: str, lang: str) -> None:
    page = browser.new_page(viewport={"width": 900, "height": 900})
    page.goto(f"{site_url}{lang}/coverage/")
    dated = page.locator("svg.coverage-chart .bucket-month rect").first.bounding_box()
    undated = page.locator("svg.coverage-chart .bucket-undated rect").first.bounding_box()
    assert dated is not None and undated is not None
    # Undated articles come after every date: at the end of the reading direction.
    assert (undated["x"] < dated["x"]) if lang == "ar" else (undated["x"] > dated["x"])
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 900  # the chart scales to the column, no horizontal scrolling
    page.close()


def test_cite_downloads_are_served(browser: Browser, site_url: str) -> None:
    page = browser.new_page()
    page.goto(f"{site_url}it/articles/putin-orders-sberbank-ai-partnerships-with-china/")
    assert "MeteoWeb" in page.locator(".cite .reference").inner_text()
    for link in page.locator(".cite-downloads a").all():
        href = link.get_attribute("href")
        assert href is not None
        response = page.request.get(site_url.rstrip("/") + href)
        assert response.ok and response.body()
    page.close()
