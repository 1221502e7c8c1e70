"""In a real browser, a page served by ``briefgen serve`` reloads itself after an edit."""

from __future__ import annotations

import os
import time
from itertools import pairwise
from pathlib import Path

from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError

from briefgen.serve import Preview
from tests.browser.test_search_browser import read_results, slug
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


ITALIAN = article(
    title="Secondo articolo",
    date="2025-02",
    outlet="meteoweb",
    language="it",
    tags="[china]",
    body="Testo originale.",
)


def answer(page: Page, query: str) -> tuple[str, list[str]]:
    """Search the open search page for ``query``: the summary once settled, and the slugs found.
    Asked again when the page reloads meanwhile (it does after an edit, and after the index)."""
    settled = """(q) => {
        if (window.__asked !== q) return true;  // reloaded: ask again
        const text = document.querySelector("pagefind-summary")?.textContent ?? "";
        return /^\\s*\\d+ risultat[oi] per «/.test(text) && text.includes(q);
    }"""
    while True:
        try:
            box = page.locator("pagefind-input input")
            box.fill("")
            page.evaluate("(q) => { window.__asked = q; }", query)
            box.fill(query)
            page.wait_for_function(settled, arg=query)
            slugs = [slug(result["href"]) for result in read_results(page)]
            summary = page.inner_text("pagefind-summary")
            if page.evaluate("(q) => window.__asked === q", query):
                return summary, slugs
        except PlaywrightError as exc:  # the page went away under a call
            if "context was destroyed" not in str(exc) and "navigat" not in str(exc):
                raise


def test_the_search_page_answers_with_each_edit(browser: Browser, make_site: MakeSite) -> None:
    """Edit after edit, the open search page finds the word the last edit put in, and not the one
    it took out. The index is refreshed after the pages, which reload at once: the search page,
    which reads the index as it loads, loads again once the refreshed index is in place."""
    root = make_site({"content/articles/ar/one.md": ARTICLE, "content/articles/it/due.md": ITALIAN})
    path = root / "content/articles/it/due.md"
    with Preview(root, port=0) as preview:
        url = preview.start()
        page = browser.new_page()
        try:
            page.goto(url + "it/search/")
            assert answer(page, "originale")[1] == ["due"]
            for old, new in pairwise(("originale", "zanzara", "farfalla", "libellula")):
                save(path, path.read_text("utf-8").replace(old, new))
                deadline = time.monotonic() + 30
                while (found := answer(page, new))[1] != ["due"]:
                    assert time.monotonic() < deadline, f"never found {new!r}: {found}"
                    time.sleep(0.2)
                summary, slugs = answer(page, old)
                assert summary.strip().startswith("0 risultati") and slugs == [], summary
        finally:
            page.close()
