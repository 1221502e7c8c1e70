"""In a real browser, a page served by ``briefgen serve`` reloads itself after an edit."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Browser

from briefgen.serve import Preview
from tests.conftest import MakeSite, article

ARTICLE = article(
    title="المقال الأول",
    date="2025-01-02",
    outlet="al-akhbar",
    language="ar",
    tags="[russia]",
    body="النص الأصلي.",
)


def save(path: Path, text: str) -> None:
    """An editor's atomic save."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def test_the_page_reloads_itself_and_shows_errors_over_the_last_good_build(
    browser: Browser, make_site: MakeSite
) -> None:
    root = make_site({"content/articles/ar/one.md": ARTICLE})
    path = root / "content/articles/ar/one.md"
    with Preview(root, port=0) as preview:
        url = preview.start()
        page = browser.new_page()
        try:
            page.goto(url + "ar/articles/one/")
            assert "النص الأصلي." in page.inner_text(".article-body")
            page.wait_for_function("() => performance.getEntriesByType('navigation').length === 1")
            page.evaluate("window.__notReloaded = true")

            save(path, ARTICLE.replace("النص الأصلي.", "نص جديد بعد التعديل."))
            page.wait_for_function(
                "() => window.__notReloaded === undefined"
                " && document.querySelector('.article-body')?.innerText"
                ".includes('نص جديد بعد التعديل.')",
                timeout=20_000,
            )

            # Broken front matter: the error shows over the page, left to right, without a reload.
            page.evaluate("window.__notReloaded = true")
            save(path, ARTICLE.replace("date: 2025-01-02", "date: 2025-02-30"))
            box = page.wait_for_selector("#briefgen-error", timeout=20_000)
            assert box is not None
            assert box.get_attribute("dir") == "ltr"
            assert (
                "content/articles/ar/one.md:3: date: '2025-02-30' is impossible" in box.inner_text()
            )
            assert page.evaluate("window.__notReloaded") is True
            assert "نص جديد بعد التعديل." in page.inner_text(".article-body")  # the last good build

            # Fixed: the page reloads and the error is gone.
            save(path, ARTICLE.replace("النص الأصلي.", "نص مصحّح."))
            page.wait_for_function(
                "() => window.__notReloaded === undefined"
                " && !document.getElementById('briefgen-error')"
                " && document.querySelector('.article-body')?.innerText.includes('نص مصحّح.')",
                timeout=20_000,
            )
        finally:
            page.close()
