"""Articles in other languages in a real browser (tests/sites/languages: readers ar and it,
articles in ru, zh-Hans, fa, he, en, ar and it).

On the home page, a foreign article's page (with a briefing, and without: the fallback) and a
tag page, in Arabic (RTL) and Italian (LTR), light and dark: axe-core finds no violation and
nothing scrolls sideways at 320 px. The language switcher on a foreign article's page leads to
its page in the other reader language, which keeps that reader's interface.
"""

# ruff: noqa: RUF001 (Hebrew and Arabic letters are the test data)

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page

from briefgen.build import build
from tests.browser.conftest import serve_directory
from tests.browser.test_theme import axe_violations
from tests.helpers import SITES

PAGES = [
    (f"{lang}-{kind}", lang, url)
    for lang in ("ar", "it")
    for kind, url in [
        ("home", ""),
        ("foreign-article", "articles/ru-sotrudnichestvo/"),
        ("foreign-article-fallback", "articles/he-shituf/"),
        ("tag", "tags/china/"),
    ]
]
PAGE_IDS = [name for name, _, _ in PAGES]
SCHEMES = ["light", "dark"]


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("languages")
    build(SITES / "languages", root / "langs", search=False)  # base_url's path is /langs/
    server, url = serve_directory(root)
    yield url + "langs/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def open_page(browser: Browser, site_url: str) -> Iterator[Callable[..., Page]]:
    """``open_page(url, width=1280, scheme="light")`` → a loaded page of the fixture site."""
    contexts = []

    def open_(url: str, *, width: int = 1280, scheme: str = "light") -> Page:
        context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)  # type: ignore[arg-type]
        contexts.append(context)
        page = context.new_page()
        page.goto(site_url + url)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize(("name", "lang", "url"), PAGES, ids=PAGE_IDS)
def test_axe_finds_no_violation(
    open_page: Callable[..., Page], name: str, lang: str, url: str, scheme: str
) -> None:
    page = open_page(f"{lang}/{url}", scheme=scheme)
    assert page.evaluate("() => [document.documentElement.lang, document.documentElement.dir]") == [
        lang,
        "rtl" if lang == "ar" else "ltr",
    ]
    assert axe_violations(page) == []


@pytest.mark.parametrize(("name", "lang", "url"), PAGES, ids=PAGE_IDS)
def test_nothing_scrolls_sideways_on_a_320px_phone(
    open_page: Callable[..., Page], name: str, lang: str, url: str
) -> None:
    page = open_page(f"{lang}/{url}", width=320)
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{name}: content is {widths[0]} px wide in {widths[1]} px"
    assert axe_violations(page) == []


def test_the_switcher_leads_to_the_article_in_the_other_reader_language(
    open_page: Callable[..., Page], site_url: str
) -> None:
    page = open_page("it/articles/ru-sotrudnichestvo/")
    assert page.locator("h1").inner_text().startswith("Russia e Cina ampliano")
    page.locator(".language-switcher a[hreflang='ar']").click()
    page.wait_for_url(site_url + "ar/articles/ru-sotrudnichestvo/")
    assert page.evaluate("() => document.documentElement.lang") == "ar"
    assert page.locator("h1").inner_text() == "روسيا والصين توسّعان التعاون في الذكاء الاصطناعي"
    assert page.locator(".site-nav a").first.inner_text() == "الرئيسية"  # the Arabic interface
    body = page.locator(".article-body")
    assert body.get_attribute("lang") == "ru"
    assert body.evaluate("(e) => getComputedStyle(e).direction") == "ltr"
    page.locator(".language-switcher a[hreflang='it']").click()
    page.wait_for_url(site_url + "it/articles/ru-sotrudnichestvo/")
    assert page.locator(".site-nav a").first.inner_text() == "Home"


def test_without_a_briefing_the_original_shows_in_its_own_direction(
    open_page: Callable[..., Page],
) -> None:
    page = open_page("it/articles/he-shituf/")
    h1 = page.locator("h1")
    assert h1.inner_text() == "רוסיה וסין מרחיבות את שיתוף הפעולה בבינה מלאכותית"
    assert h1.evaluate("(e) => [e.lang, getComputedStyle(e).direction]") == ["he", "rtl"]
    assert page.locator(".translation-note").count() == 0
    assert "Traduzione del curatore" not in page.locator("main").inner_text()
    # The Italian interface around it stays left to right.
    dt = page.locator(".article-meta dt").first
    assert dt.evaluate("(e) => getComputedStyle(e).direction") == "ltr"
    # In an Arabic list, a briefed Persian article shows the Arabic briefing, marked, and its
    # original title right to left; the Hebrew one its original title.
    home = open_page("ar/")
    item = home.locator("li.item", has=home.locator("a[href$='/fa-hamkari/']"))
    assert item.locator(".badge.translation").inner_text() == "ترجمة المحرِّر"
    assert item.locator("cite").evaluate("(e) => [e.lang, getComputedStyle(e).direction]") == [
        "fa",
        "rtl",
    ]
    hebrew = home.locator("li.item", has=home.locator("a[href$='/he-shituf/']"))
    assert hebrew.locator(".badge.translation").count() == 0
