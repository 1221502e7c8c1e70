"""The default theme in a real browser: accessible, readable at 320 px, right in both directions.

Every page kind is checked in Arabic (RTL) and Italian (LTR), in the light and the dark scheme:
axe-core (loaded from the installed ``axe-playwright-python`` wheel, never fetched at run time)
must find no WCAG 2.2 A/AA or best-practice violation, and nothing may scroll sideways on a
320 px phone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from briefgen.build import build
from tests.conftest import SITE_YML, MakeSite, article

ROOT = Path(__file__).resolve().parents[2]

AXE_JS = files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")
AXE_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

ARTICLES = {
    "ar": "ar/articles/chinese-ai-companies-form-alliances-against-us-restrictions/",
    "it": "it/articles/putin-orders-sberbank-ai-partnerships-with-china/",
}

PAGES = [
    (f"{lang}-{kind}", url)
    for lang in ("ar", "it")
    for kind, url in [
        ("home", f"{lang}/"),
        ("article", ARTICLES[lang]),
        ("tag", f"{lang}/tags/china/"),
        ("tag-one-language", f"{lang}/tags/china/it/"),
        ("tags-index", f"{lang}/tags/"),
        ("outlet", f"{lang}/outlets/meteoweb/"),
        ("outlets-index", f"{lang}/outlets/"),
        ("archive", f"{lang}/archive/"),
        ("month", f"{lang}/archive/2025/01/"),
        ("404", f"{lang}/404.html"),
        ("coverage", f"{lang}/coverage/"),
        ("data", f"{lang}/data/"),
        ("search", f"{lang}/search/"),
    ]
]
"""(language-page kind, URL): every kind of page the theme has templates for, in both languages.
The search page joins this list when the search feature lands."""
PAGE_IDS = [kind for kind, _ in PAGES]
SCHEMES = ["light", "dark"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own archive, built once for the module."""
    out = tmp_path_factory.mktemp("theme") / "site"
    build(ROOT, out)
    return out


@pytest.fixture
def base_url(site: Path, http_server: Callable[[Path], str]) -> str:
    return http_server(site)


@pytest.fixture
def open_page(browser: Browser, base_url: str) -> Iterator[Callable[..., Page]]:
    """``open_page(url, width=1280, scheme="light", media="screen")`` → a loaded page."""
    contexts = []

    def open_(url: str, *, width: int = 1280, scheme: str = "light", media: str = "screen") -> Page:
        context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)  # type: ignore[arg-type]
        contexts.append(context)
        page = context.new_page()
        page.emulate_media(media=media)  # type: ignore[arg-type]
        page.goto(base_url + url)
        return page

    yield open_
    for context in contexts:
        context.close()


def axe_violations(page: Page) -> list[str]:
    """axe-core's violations as ``rule (impact): selector`` lines."""
    page.evaluate(AXE_JS)
    result: dict[str, Any] = page.evaluate(
        "rules => axe.run(document, {runOnly: {type: 'tag', values: rules}})", AXE_RULES
    )
    return [
        f"{v['id']} ({v['impact']}): {' '.join(map(str, node['target']))}: {node['failureSummary']}"
        for v in result["violations"]
        for node in v["nodes"]
    ]


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize(("kind", "url"), PAGES, ids=PAGE_IDS)
def test_axe_finds_no_violation(
    open_page: Callable[..., Page], kind: str, url: str, scheme: str
) -> None:
    page = open_page(url, scheme=scheme)
    assert axe_violations(page) == []


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize(("kind", "url"), PAGES, ids=PAGE_IDS)
def test_nothing_scrolls_sideways_on_a_320px_phone(
    open_page: Callable[..., Page], kind: str, url: str, scheme: str
) -> None:
    page = open_page(url, width=320, scheme=scheme)
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], (
        f"{kind}: content is {widths[0]} px wide in a {widths[1]} px viewport"
    )


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("lang", ["ar", "it"])
def test_an_article_also_passes_axe_on_a_phone(
    open_page: Callable[..., Page], lang: str, scheme: str
) -> None:
    page = open_page(ARTICLES[lang], width=320, scheme=scheme)
    assert axe_violations(page) == []


def test_dark_scheme_follows_the_system_setting(open_page: Callable[..., Page]) -> None:
    background = "() => getComputedStyle(document.body).backgroundColor"
    light = open_page("it/", scheme="light").evaluate(background)
    dark = open_page("it/", scheme="dark").evaluate(background)
    assert light != dark


@pytest.mark.parametrize("lang", ["ar", "it"])
def test_the_skip_link_is_the_first_tab_stop_and_becomes_visible(
    open_page: Callable[..., Page], lang: str
) -> None:
    page = open_page(f"{lang}/")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.className")
    assert focused == "skip-link"
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["y"] >= 0 and box["x"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"


@pytest.mark.parametrize("lang", ["ar", "it"])
def test_focus_is_visible(open_page: Callable[..., Page], lang: str) -> None:
    page = open_page(f"{lang}/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")


LONG = "[https://example.org/" + "averylongpathwithnobreak" * 8 + "](https://example.org/x)"
"""A link whose text is one 200-character word: it must wrap on a phone, not push the page wider."""


@pytest.fixture
def small_site(make_site: MakeSite, http_server: Callable[[Path], str]) -> str:
    """Three articles per language, built and served at the root of a local server (base URL), so
    the site's base URL is the server's root too. Article pages link newer and
    older, lists paginate (two per page), and the middle article of each language cites its
    source, an agency and the outlet it was taken from, and links out from its body."""
    files = {"site.yml": SITE_YML.replace("https://example.org/archive/", "https://example.org/")}
    for lang in ("ar", "it"):
        for day in (1, 2, 3):
            extra = {}
            if day == 2:
                extra = {
                    "source_url": f"https://example.org/{lang}/source-{day}",
                    "via": "al-akhbar",
                    "agency": "ANSA",
                    "summary": "Sommario. ملخص.",
                    "body": f"Testo [link](https://example.org/link).\n\n## Titolo\n\n{LONG}\n",
                }
            files[f"content/articles/{lang}/{lang}-{day}.md"] = article(
                title=f"{lang} {day}",
                date=f"2025-01-0{day}",
                outlet="meteoweb",
                language=lang,
                tags="[china, russia]",
                **extra,
            )
    root = make_site(files)
    build(root, root / "_site")
    return http_server(root / "_site")


@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("it", "ltr")])
def test_arrows_point_forwards_in_the_reading_direction(
    browser: Browser, small_site: str, lang: str, direction: str
) -> None:
    """ "Older" goes forward: rightwards in Italian, leftwards in Arabic; "newer" the other way."""
    base = small_site
    forward, back = ("→", "←") if direction == "ltr" else ("←", "→")
    page = browser.new_page()
    try:
        for url in (f"{lang}/articles/{lang}-2/", f"{lang}/page/2/"):
            page.goto(base + url)
            nav = page.locator(".article-nav, .pagination").first
            older = nav.locator("a[rel=next]").evaluate(
                "a => getComputedStyle(a, '::after').content"
            )
            newer = nav.locator("a[rel=prev]").evaluate(
                "a => getComputedStyle(a, '::before').content"
            )
            assert older.startswith(f'"{forward}"'), (url, older)
            assert newer.startswith(f'"{back}"'), (url, newer)
    finally:
        page.close()


@pytest.mark.parametrize("lang", ["ar", "it"])
def test_print_hides_navigation_and_prints_link_targets(
    browser: Browser, small_site: str, lang: str
) -> None:
    page = browser.new_page()
    page.emulate_media(media="print")
    page.goto(f"{small_site}{lang}/articles/{lang}-2/")
    for selector in (".site-nav", ".language-switcher", ".skip-link", ".site-footer"):
        assert page.locator(selector).evaluate("e => getComputedStyle(e).display") == "none", (
            selector
        )
    source = page.locator(".source-link a")
    printed = source.evaluate("a => getComputedStyle(a, '::after').content")
    assert source.get_attribute("href") in printed
    header = page.locator(".article-header")
    assert header.evaluate("e => getComputedStyle(e).breakInside") == "avoid"
    body_link = page.locator(".article-body a").first
    assert "https://example.org/link" in body_link.evaluate(
        "a => getComputedStyle(a, '::after').content"
    )
    page.close()


@pytest.mark.parametrize("lang", ["ar", "it"])
def test_an_article_with_every_field_fits_a_320px_phone(
    browser: Browser, small_site: str, lang: str
) -> None:
    page = browser.new_page(viewport={"width": 320, "height": 640})
    page.goto(f"{small_site}{lang}/articles/{lang}-2/")
    assert page.locator(".article-body a").count() == 2
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1]
    page.close()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("lang", ["ar", "it"])
def test_an_article_with_every_field_passes_axe(
    browser: Browser, small_site: str, lang: str, scheme: str
) -> None:
    page = browser.new_page(color_scheme=scheme)  # type: ignore[arg-type]
    page.goto(f"{small_site}{lang}/articles/{lang}-2/")
    assert page.locator(".source-link").count() == 1
    assert axe_violations(page) == []
    page.close()
