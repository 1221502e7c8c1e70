"""Reader languages beyond Arabic and Italian in a real browser: Persian (RTL), Russian, English
and French (LTR), from the fixture sites tests/sites/readers-fa-ru and readers-en-fr, which use
the default theme's shipped strings only.

For each: home, an article, a topic page and the search page pass axe-core (WCAG 2.2 A/AA and
best practice, light and dark) and nothing scrolls sideways at 320 px. Each script is set in its
own faces and falls back cleanly to the Noto families Debian's fonts-noto-core installs (the CJK
faces are not installed: for Chinese the computed stack and style are checked, not the glyphs);
CJK and Arabic-script text get no faux italics, CJK no faux bold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from briefgen.build import build
from tests.browser.conftest import serve_directory
from tests.browser.test_theme import axe_violations
from tests.helpers import SITES

READERS = {
    "fa": "readers-fa-ru",
    "ru": "readers-fa-ru",
    "en": "readers-en-fr",
    "fr": "readers-en-fr",
}
ARTICLES = {
    "fa": "energy-cooperation",
    "ru": "energy-talks",
    "en": "energy-deal",
    "fr": "accord-energie",
}
PAGES = [
    (f"{lang}-{kind}", lang, url)
    for lang in READERS
    for kind, url in [
        ("home", ""),
        ("article", f"articles/{ARTICLES[lang]}/"),
        ("tag", "tags/energy/"),
        ("search", "search/"),
    ]
]
PAGE_IDS = [name for name, _, _ in PAGES]
SCHEMES = ["light", "dark"]


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Both fixture sites built (search index included) and served: base URL per site name."""
    servers = []
    urls = {}
    for name in sorted(set(READERS.values())):
        out = tmp_path_factory.mktemp(name) / "site"
        build(SITES / name, out)
        server, urls[name] = serve_directory(out)
        servers.append(server)
    yield urls
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def open_page(browser: Browser, sites: dict[str, str]) -> Iterator[Callable[..., Page]]:
    """``open_page(lang, url, width=1280, scheme="light")`` → a loaded page of the site that has
    ``lang`` as a reader language."""
    contexts = []

    def open_(lang: str, url: str, *, width: int = 1280, scheme: str = "light") -> Page:
        context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)  # type: ignore[arg-type]
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{sites[READERS[lang]]}{lang}/{url}")
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize(("name", "lang", "url"), PAGES, ids=PAGE_IDS)
def test_axe_finds_no_violation(
    open_page: Callable[..., Page], name: str, lang: str, url: str, scheme: str
) -> None:
    page = open_page(lang, url, scheme=scheme)
    assert page.evaluate("() => [document.documentElement.lang, document.documentElement.dir]") == [
        lang,
        "rtl" if lang == "fa" else "ltr",
    ]
    assert axe_violations(page) == []


@pytest.mark.parametrize(("name", "lang", "url"), PAGES, ids=PAGE_IDS)
def test_nothing_scrolls_sideways_on_a_320px_phone(
    open_page: Callable[..., Page], name: str, lang: str, url: str
) -> None:
    page = open_page(lang, url, width=320)
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{name}: content is {widths[0]} px wide in {widths[1]} px"
    assert axe_violations(page) == []


def test_search_results_count_in_french_in_the_page_font_and_fit_a_phone(
    open_page: Callable[..., Page],
) -> None:
    """The summary takes the French plural form and typography, in the page's own font stack
    (Pagefind's widgets reset theirs to a Latin system stack). axe-core is not run here: with
    results shown, Pagefind's own greys fail contrast on every search page, Italian included."""
    page = open_page("fr", "search/", width=320)
    page.locator("pagefind-input input").fill("livraisons")
    summary = "1 résultat pour «\u202f\u2068livraisons\u2069\u202f»"
    page.wait_for_function(
        "(s) => document.querySelector('pagefind-summary')?.textContent.trim() === s", arg=summary
    )
    page.wait_for_selector("pagefind-results li.search-result .pf-result-link")
    fonts = page.evaluate(
        """() => [document.documentElement, document.querySelector("pagefind-summary")]
            .map((e) => getComputedStyle(e).fontFamily)"""
    )
    assert fonts[0] == fonts[1]
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1]


@pytest.mark.parametrize("lang", ["fa", "ru"])
def test_search_works_on_a_site_with_persian_articles(
    open_page: Callable[..., Page], lang: str
) -> None:
    errors: list[str] = []
    page = open_page(lang, "search/")
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.locator("pagefind-input input").fill("тестовый" if lang == "ru" else "آزمایشی")
    page.wait_for_selector("pagefind-results li.search-result .pf-result-link", timeout=5000)
    assert errors == []


# Type: each script in its own faces


def platform_fonts(page: Page, selector: str) -> set[str]:
    """The font families Chromium actually drew the text of ``selector`` with."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {font["familyName"] for font in fonts}


@pytest.mark.parametrize(
    ("lang", "selector", "family"),
    [
        ("fa", ".article-body p", "Noto Naskh Arabic"),  # no Vazirmatn here: Naskh next
        ("fa", ".site-nav a", "Noto Sans Arabic"),
        ("ru", ".article-body p", "Noto Serif"),  # Cyrillic text in one face, digits included
        ("ru", ".site-nav a", "Noto Sans"),
    ],
)
def test_each_script_falls_back_to_its_noto_face(
    open_page: Callable[..., Page], lang: str, selector: str, family: str
) -> None:
    page = open_page(lang, f"articles/{ARTICLES[lang]}/")
    assert platform_fonts(page, selector) == {family}


MIXED = """
<p id="he" lang="he" dir="rtl">כתבה על <em>שיתוף פעולה</em></p>
<p id="zh" lang="zh">中俄<em>合作</em><i>斜体</i><cite>新华社</cite><b>粗体</b>
  <span id="zh-en" lang="en">an <em>English</em> aside</span></p>
<p id="ja" lang="ja">日本語の<em>強調</em></p>
"""
"""Text in other languages inside a page: a curator's quotation, a source's name."""


def styles(page: Page, selectors: list[str]) -> dict[str, dict[str, Any]]:
    return dict(
        page.evaluate(
            """([html, selectors]) => {
                document.querySelector("main").insertAdjacentHTML("beforeend", html);
                return selectors.map((s) => {
                    const c = getComputedStyle(document.querySelector(s));
                    return [s, {family: c.fontFamily, style: c.fontStyle, weight: c.fontWeight,
                        synthesisWeight: c.fontSynthesisWeight,
                        synthesisStyle: c.fontSynthesisStyle,
                        emphasis: c.textEmphasisStyle, emphasisSide: c.textEmphasisPosition,
                        leading: parseFloat(c.lineHeight) / parseFloat(c.fontSize)}];
                });
            }""",
            [MIXED, selectors],
        )
    )


@pytest.mark.parametrize("lang", ["ru", "fa"])
def test_chinese_gets_its_noto_stack_no_faux_bold_or_italics_and_room_between_lines(
    open_page: Callable[..., Page], lang: str
) -> None:
    page = open_page(lang, "")
    outlet = page.locator('bdi[lang="zh"]').first  # 新华社, an outlet named in Chinese
    assert outlet.evaluate("e => getComputedStyle(e).fontFamily").startswith('"Noto Sans CJK SC"')
    found = styles(page, ["#zh", "#zh em", "#zh i", "#zh cite", "#zh b", "#ja", "#ja em"])
    for selector, style in found.items():
        assert style["style"] == "normal", selector
        assert (style["synthesisWeight"], style["synthesisStyle"]) == ("none", "none"), selector
        assert 1.7 <= style["leading"] <= 1.8, selector
    assert found["#zh"]["family"].split(",")[0] == '"Noto Sans CJK SC"'
    assert found["#zh"]["family"].endswith("sans-serif")
    assert found["#ja"]["family"] == "sans-serif"  # resolved by lang to Japanese faces
    assert found["#zh em"]["emphasis"] == found["#ja em"]["emphasis"] == "dot"
    assert found["#zh em"]["emphasisSide"].startswith("under")


def test_a_latin_aside_in_chinese_keeps_its_italics(open_page: Callable[..., Page]) -> None:
    found = styles(open_page("en", ""), ["#zh-en", "#zh-en em"])
    assert found["#zh-en em"]["style"] == "italic"
    assert found["#zh-en"]["synthesisStyle"] == "auto"


def test_hebrew_is_set_in_noto_sans_hebrew_without_faux_italics(
    open_page: Callable[..., Page],
) -> None:
    page = open_page("en", "")
    found = styles(page, ["#he", "#he em"])
    assert platform_fonts(page, "#he") == {"Noto Sans Hebrew"}
    assert found["#he em"]["style"] == "normal"
    assert found["#he em"]["weight"] == "700"
    assert found["#he"]["synthesisStyle"] == "none"


@pytest.mark.parametrize(
    ("lang", "style", "weight"), [("fa", "normal", "700"), ("ru", "italic", "400")]
)
def test_emphasis_is_bold_in_persian_and_italic_in_russian(
    open_page: Callable[..., Page], lang: str, style: str, weight: str
) -> None:
    page = open_page(lang, f"articles/{ARTICLES[lang]}/")
    em = page.locator(".article-body em")
    assert em.evaluate("e => getComputedStyle(e).fontStyle") == style
    assert em.evaluate("e => getComputedStyle(e).fontWeight") == weight


@pytest.mark.parametrize(("lang", "colon"), [("fr", '"\u00a0:"'), ("en", '":"'), ("ru", '":"')])
def test_a_label_ends_with_the_colon_its_language_writes(
    open_page: Callable[..., Page], lang: str, colon: str
) -> None:
    page = open_page(lang, f"articles/{ARTICLES[lang]}/")
    shown = page.locator(".article-meta dt").evaluate_all(
        "dts => dts.map((dt) => getComputedStyle(dt, '::after').content)"
    )
    assert shown and set(shown) == {colon}
