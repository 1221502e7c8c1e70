"""A search a reader can share, bookmark and come back to, in a real browser.

The search fixture (tests/sites/search, built under /news/) in its Arabic (RTL) and Italian (LTR)
pages: the search in the address (``?q=…&tag=…&sort=newest``) opens with its results; typing,
filtering and sorting write the address, back and forward restore it; tag and outlet pages link
to the search within them; each reader language has an OpenSearch description; results are set
like the list pages and pass axe-core in both colour schemes; the article opened from a result
marks the searched words, and only then; bad addresses are shown as typed or ignored.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from playwright.sync_api import Browser, Page

from briefgen.build import build
from tests.browser.test_search_browser import (
    RESULTS,
    pick_filter,
    read_results,
    search,
    slug,
    summary_line,
)
from tests.browser.test_theme import axe_violations
from tests.helpers import SITES

OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
BASE_URL = "https://example.org/news/"
"""The fixture's base_url: OpenSearch templates are absolute."""
SETTLED = 1.6
"""Seconds after which a new query is a new history entry (page.js waits 1.5 s)."""

RUSSIA = {"a1", "a2", "a3", "i1", "i2", "i3"}
RUSSIA_IN_CHINA = {"a1", "a2", "a3", "i1", "i3"}
WITHIN_TAG_AR = "ابحث في مقالات هذا الوسم"


@pytest.fixture(scope="module")
def search_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/sites/search built once, under the /news/ path its base_url names."""
    served = tmp_path_factory.mktemp("search-url-site")
    build(SITES / "search", served / "news")
    return served


@pytest.fixture
def base(search_output: Path, http_server: Callable[[Path], str]) -> str:
    return http_server(search_output) + "news/"


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """``open_page(url, scheme="light", width=1000, scripts=True)``: a page that fails the test
    on any script error or dialog (an ``alert`` smuggled in through the address)."""
    contexts = []
    pages: list[Page] = []
    errors: list[str] = []

    def open_(url: str, *, scheme: str = "light", width: int = 1000, scripts: bool = True) -> Page:
        context = browser.new_context(
            viewport={"width": width, "height": 1200},
            color_scheme=scheme,  # type: ignore[arg-type]
            java_script_enabled=scripts,
        )
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("dialog", lambda dialog: errors.append("dialog: " + dialog.message))
        page.goto(url)
        pages.append(page)
        return page

    yield open_
    # A search page loads the bundles as it opens, then a second worker per bundle: closing it
    # mid-load aborts those fetches, which is no error of the page. The errors that count are
    # those seen before the pages close.
    for page in pages:
        if urlsplit(page.url).path.endswith("/search/"):
            page.evaluate(
                """import(new URL("../../static/search/pagefind.js", location.href).href)
                    .then((m) => m.init()).then(() => true, () => false)"""
            )
    seen = list(errors)
    for context in contexts:
        context.close()
    assert not seen, seen


def address(page: Page) -> dict[str, list[str]]:
    """The page address's parameters, decoded."""
    return parse_qs(urlsplit(page.url).query)


def shown(page: Page, count: int) -> set[str]:
    """The slugs of the results once ``count`` are shown."""
    page.wait_for_function(f"(n) => document.querySelectorAll('{RESULTS}').length === n", arg=count)
    return {slug(r["href"]) for r in read_results(page)}


def checked(page: Page) -> list[str]:
    """The filter values ticked in the pane."""
    page.wait_for_selector("pagefind-filter-pane input", state="attached")
    return sorted(
        page.eval_on_selector_all(
            "pagefind-filter-pane input:checked", "l => l.map((i) => i.value)"
        )
    )


def box(page: Page) -> str:
    return page.input_value("pagefind-input input")


def history_length(page: Page) -> int:
    return int(page.evaluate("history.length"))


# The address round trip, in both directions of reading.


@pytest.mark.parametrize(
    ("lang", "query", "language", "summary"),
    [
        ("ar", "روسيا", "الإيطالية", "3 نتائج لـ«\u2068روسيا\u2069»"),
        ("it", "Russia", "Italiano", "3 risultati per «\u2068Russia\u2069»"),
    ],
)
def test_an_address_opens_with_its_results(
    open_page: Callable[..., Page], base: str, lang: str, query: str, language: str, summary: str
) -> None:
    # Non-Latin queries travel percent-encoded, as a browser or a chat app sends them.
    page = open_page(f"{base}{lang}/search/?q={quote(query)}&lang=it&sort=newest")
    assert shown(page, 3) == {"i1", "i2", "i3"}
    assert box(page) == query  # shown decoded, as typed
    assert summary_line(page, summary) == summary
    assert checked(page) == [language]
    assert page.input_value("#search-sort") == "desc"
    dates = [r["date"] for r in read_results(page)]
    assert dates == sorted(dates, reverse=True)
    assert address(page) == {"q": [query], "lang": ["it"], "sort": ["newest"]}


@pytest.mark.parametrize(("lang", "query"), [("ar", "روسيا"), ("it", "Russia")])
def test_typing_writes_the_address_without_an_entry_per_key(
    open_page: Callable[..., Page], base: str, lang: str, query: str
) -> None:
    page = open_page(f"{base}{lang}/search/")
    before = history_length(page)
    page.locator("pagefind-input input").press_sequentially(query, delay=60)
    assert shown(page, 6) == RUSSIA
    page.wait_for_function("(q) => new URLSearchParams(location.search).get('q') === q", arg=query)
    assert address(page) == {"q": [query]}
    # One entry for the query, however many keys and searches it took.
    assert history_length(page) <= before + 1
    # A filter ticked is a committed change: an entry of its own.
    typed = history_length(page)
    pick_filter(page, {"ar": "الوسم", "it": "Tema"}[lang], {"ar": "الصين", "it": "Cina"}[lang])
    page.wait_for_function("() => new URLSearchParams(location.search).get('tag') === 'china'")
    assert history_length(page) == typed + 1
    assert address(page) == {"q": [query], "tag": ["china"]}
    assert shown(page, 5) == RUSSIA_IN_CHINA


@pytest.mark.parametrize(
    ("lang", "first", "second"), [("ar", "روسيا", "كتاب"), ("it", "Russia", "sanzioni")]
)
def test_back_and_forward_restore_the_search(
    open_page: Callable[..., Page], base: str, lang: str, first: str, second: str
) -> None:
    page = open_page(f"{base}{lang}/search/")
    search(page, first, 6)
    page.wait_for_timeout(SETTLED * 1000)  # the reader reads the results: the query is settled
    second_count = {"كتاب": 1, "sanzioni": 2}[second]
    search(page, second, second_count)
    page.wait_for_function("(q) => new URLSearchParams(location.search).get('q') === q", arg=second)
    page.locator("#search-sort").select_option("asc")
    page.wait_for_function("() => location.search.includes('sort=oldest')")

    page.go_back()  # the sort undone
    page.wait_for_function("() => !location.search.includes('sort=')")
    assert page.input_value("#search-sort") == ""
    assert box(page) == second
    page.go_back()  # the first query
    page.wait_for_function("(q) => new URLSearchParams(location.search).get('q') === q", arg=first)
    assert shown(page, 6) == RUSSIA
    assert box(page) == first
    page.go_back()  # the empty search page it opened as
    page.wait_for_function("() => location.search === ''")
    assert box(page) == ""
    page.go_forward()
    page.go_forward()
    page.wait_for_function("(q) => new URLSearchParams(location.search).get('q') === q", arg=second)
    assert box(page) == second
    assert len(shown(page, second_count)) == second_count


# From a tag or outlet page, in the reader's language.


@pytest.mark.parametrize(
    ("start", "link", "ticked", "query", "expected"),
    [
        ("ar/tags/china/", WITHIN_TAG_AR, ["الصين"], "روسيا", RUSSIA_IN_CHINA),
        ("it/tags/china/", "Cerca in questo tema", ["Cina"], "Russia", RUSSIA_IN_CHINA),
        ("ar/tags/china/it/", WITHIN_TAG_AR, ["الإيطالية", "الصين"], "روسيا", {"i1", "i3"}),
        ("it/outlets/meteoweb/", "Cerca in questa testata", ["MeteoWeb"], "sanzioni", {"i1", "i2"}),
    ],
)
def test_a_tag_or_outlet_page_opens_the_search_within_it(
    open_page: Callable[..., Page],
    base: str,
    start: str,
    link: str,
    ticked: list[str],
    query: str,
    expected: set[str],
) -> None:
    page = open_page(base + start)
    page.get_by_role("link", name=link).click()
    page.wait_for_url("**/search/?*")
    assert urlsplit(page.url).path == f"/news/{start[:2]}/search/"
    assert checked(page) == sorted(ticked)
    # The reader is sent to type: the box has the focus.
    assert page.evaluate("document.activeElement?.classList.contains('pf-input')")
    page.keyboard.type(query)
    assert shown(page, len(expected)) == expected
    assert address(page)["q"] == [query]


# OpenSearch.


@pytest.mark.parametrize(
    ("lang", "title", "short"),
    [("ar", "أرشيف البحث", "أرشيف البحث"), ("it", "Archivio di ricerca", "Archivio di…")],
)
def test_each_reader_language_has_an_opensearch_description(
    open_page: Callable[..., Page], base: str, lang: str, title: str, short: str
) -> None:
    page = open_page(f"{base}{lang}/")
    link = page.locator('link[rel="search"]')
    assert link.get_attribute("type") == "application/opensearchdescription+xml"
    href = link.get_attribute("href")
    assert href == f"/news/{lang}/opensearch.xml"
    response = page.request.get(base.removesuffix("news/") + href.lstrip("/"))
    assert response.ok
    doc = ET.fromstring(response.body())  # well-formed XML
    assert doc.tag == f"{OPENSEARCH}OpenSearchDescription"
    # The site title in the page's language: whole as the LongName (48 characters at most), cut
    # at a word to OpenSearch's 16 characters as the ShortName, the name a browser shows.
    assert doc.findtext(f"{OPENSEARCH}ShortName") == short
    assert doc.findtext(f"{OPENSEARCH}LongName") == title
    assert doc.findtext(f"{OPENSEARCH}Language") == lang
    assert title in (doc.findtext(f"{OPENSEARCH}Description") or "")
    assert doc.findtext(f"{OPENSEARCH}InputEncoding") == "UTF-8"
    urls = {u.get("type"): u.get("template") for u in doc.iter(f"{OPENSEARCH}Url")}
    template = urls["text/html"]
    assert template == f"{BASE_URL}{lang}/search/?q={{searchTerms}}"
    assert urls["application/opensearchdescription+xml"] == f"{BASE_URL}{lang}/opensearch.xml"
    # The template, filled in as a browser does (the words percent-encoded), opens the results.
    query = {"ar": "روسيا", "it": "Russia"}[lang]
    filled = template.replace("{searchTerms}", quote(query)).replace(BASE_URL, base)
    page.goto(filled)
    assert shown(page, 6) == RUSSIA
    assert box(page) == query


def test_every_page_links_the_opensearch_description_of_its_language(search_output: Path) -> None:
    site = search_output / "news"
    for path in site.rglob("*.html"):
        lang = path.relative_to(site).parts[0]
        if lang not in ("ar", "it"):
            continue  # the root redirect and 404
        text = path.read_text(encoding="utf-8")
        assert 'type="application/opensearchdescription+xml"' in text, path
        assert f'href="/news/{lang}/opensearch.xml"' in text, path


# Results set like the rest of the site.


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("lang", "query", "count"), [("ar", "روسيا", 6), ("it", "Cina", 7)])
def test_the_search_page_with_results_passes_axe(
    open_page: Callable[..., Page], base: str, lang: str, query: str, count: int, scheme: str
) -> None:
    page = open_page(f"{base}{lang}/search/?q={quote(query)}", scheme=scheme)
    shown(page, count)
    assert axe_violations(page) == []


@pytest.mark.parametrize("lang", ["ar", "it"])
def test_results_are_set_like_the_list_pages(
    open_page: Callable[..., Page], base: str, lang: str
) -> None:
    page = open_page(f"{base}{lang}/search/?q={quote('روسيا')}")
    shown(page, 6)
    style = page.evaluate(
        """(lang) => {
            const title = document.querySelector(
                `pagefind-results li.search-result[lang="${lang}"] .pf-result-title`);
            const link = title.querySelector("a");
            const heading = document.querySelector(".page-header h1");
            const footerLink = document.querySelector(".site-footer a");
            const excerpt = document.querySelector("pagefind-results .pf-result-excerpt");
            const css = (e) => getComputedStyle(e);
            return {
                title: css(title).fontFamily, heading: css(heading).fontFamily,
                underline: css(link).textDecorationLine, color: css(link).color,
                linkColor: css(footerLink).color, wrap: css(excerpt).whiteSpace,
            };
        }""",
        lang,
    )
    # The theme's text face (the page heading's), not Pagefind's system sans-serif.
    assert style["title"] == style["heading"]
    assert "system-ui" not in style["title"].split(",")[0]
    # Clearly a link: underlined, in the theme's link colour.
    assert style["underline"] == "underline"
    assert style["color"] == style["linkColor"]
    assert style["wrap"] == "normal"  # excerpts wrap, never cut with an ellipsis


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("lang", ["ar", "it"])
def test_results_read_at_320_px_in_both_directions(
    open_page: Callable[..., Page], base: str, lang: str, scheme: str
) -> None:
    page = open_page(f"{base}{lang}/search/?q={quote('روسيا')}", width=320, scheme=scheme)
    shown(page, 6)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    excerpts = page.eval_on_selector_all(
        f"{RESULTS} .pf-result-excerpt",
        "l => l.map((e) => [e.scrollWidth <= e.clientWidth, e.getBoundingClientRect().height])",
    )
    assert all(fits for fits, _ in excerpts)
    assert all(height > 40 for _, height in excerpts)  # several lines, not one cut short
    # Each result in its own direction: Arabic right to left, Italian left to right.
    directions = page.eval_on_selector_all(
        RESULTS, "l => l.map((li) => [li.lang, getComputedStyle(li).direction])"
    )
    assert {(code, d) for code, d in directions} == {("ar", "rtl"), ("it", "ltr")}
    assert axe_violations(page) == []


# Highlight on arrival.


def marks(page: Page) -> list[str]:
    return list(page.eval_on_selector_all("main article mark", "l => l.map((m) => m.textContent)"))


@pytest.mark.parametrize(
    ("lang", "query", "words"),
    [("ar", "والذكاء", {"الذكاء", "والذكاء"}), ("it", "sanzioni", {"sanzioni", "Sanzioni"})],
)
def test_a_result_opened_from_the_search_marks_the_searched_words(
    open_page: Callable[..., Page], base: str, lang: str, query: str, words: set[str]
) -> None:
    page = open_page(f"{base}{lang}/search/?q={quote(query)}")
    target = shown(page, {"ar": 4, "it": 2}[lang])
    first = page.locator(f"{RESULTS} .pf-result-link").first
    plain = first.get_attribute("href") or ""
    assert "#" not in plain  # the link as shown and copied is the article's own address
    first.click()
    page.wait_for_url("**/articles/**")
    assert slug(urlsplit(page.url).path) in target
    assert urlsplit(page.url).fragment.startswith("highlight=")
    page.wait_for_selector("main article mark")
    found = marks(page)
    assert set(found) <= words and len(found) >= 2
    # Only marked: the article reads as before.
    direct = open_page(base.removesuffix("news/") + plain.lstrip("/"))
    text = "() => document.querySelector('main article').textContent"
    assert page.evaluate(text) == direct.evaluate(text)


def test_a_result_followed_from_the_keyboard_marks_the_words_too(
    open_page: Callable[..., Page], base: str
) -> None:
    page = open_page(f"{base}it/search/?q=sanzioni")
    shown(page, 2)
    page.locator(f"{RESULTS} .pf-result-link").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/articles/**")
    assert urlsplit(page.url).fragment == "highlight=sanzioni"
    page.wait_for_selector("main article mark")
    assert {m.lower() for m in marks(page)} == {"sanzioni"}


def test_an_article_reached_any_other_way_is_unchanged(
    open_page: Callable[..., Page], base: str
) -> None:
    fetched: list[str] = []
    page = open_page("about:blank")
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(f"{base}it/articles/i2/")
    page.wait_for_load_state("networkidle")
    assert marks(page) == []
    assert not any(url.endswith("/highlight.js") for url in fetched)  # not even downloaded
    page.goto(f"{base}it/articles/i2/#i-legami")  # an ordinary fragment
    assert marks(page) == []
    # Without scripts, a link from the search changes nothing either.
    off = open_page(f"{base}it/articles/i2/#highlight=sanzioni", scripts=False)
    assert marks(off) == []
    assert "sanzioni" in off.inner_text("main article").lower()


@pytest.mark.parametrize(
    "fragment",
    [
        "#highlight=" + quote("<img src=x onerror=alert(1)>"),
        "#highlight=%E0%A4%A",  # not valid percent-encoding
        "#highlight=" + quote("a ( [ \\ .* ) x"),  # regular-expression syntax, one-letter words
    ],
)
def test_a_bad_highlight_fragment_changes_nothing(
    open_page: Callable[..., Page], base: str, fragment: str
) -> None:
    page = open_page(f"{base}it/articles/i2/{fragment}")
    page.wait_for_load_state("networkidle")
    assert page.locator("main article img").count() == 0
    assert all(m in {"<img", "src=x", "onerror=alert(1)>"} for m in marks(page))


# Bad input in the address: shown as typed or ignored, never executed, never a broken page.


def assert_intact(page: Page) -> None:
    assert page.locator("main h1").count() == 1
    assert page.locator("pagefind-input input").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_query_of_10000_characters_is_ignored(open_page: Callable[..., Page], base: str) -> None:
    long = ("روسيا Cina " * 1000)[:10_000]
    page = open_page(f"{base}ar/search/?q={quote(long)}&tag=china")
    page.wait_for_selector("pagefind-filter-pane input:checked", state="attached")
    assert box(page) == ""
    assert checked(page) == ["الصين"]  # the rest of the address still applies
    assert address(page) == {"tag": ["china"]}
    assert page.locator(RESULTS).count() == 0
    assert_intact(page)


def test_control_characters_are_spaces(open_page: Callable[..., Page], base: str) -> None:
    page = open_page(f"{base}it/search/?q=%00%01dell%E2%80%99Ucraina%0A%1F%7F%C2%85%09")
    assert shown(page, 2) == {"i1", "i3"}
    assert box(page) == "dell’Ucraina"
    assert address(page) == {"q": ["dell’Ucraina"]}
    assert_intact(page)


def test_unknown_filter_names_and_values_are_ignored(
    open_page: Callable[..., Page], base: str
) -> None:
    page = open_page(
        f"{base}it/search/?q=Russia&colour=red&tag=nowhere&tag=china&year=abcd&year=2024"
        "&lang=xx&outlet=%3Cb%3E&sort=sideways"
    )
    assert shown(page, 2) == {"a2", "i3"}  # Russia (the word or the tag), tagged china, from 2024
    assert checked(page) == ["2024", "Cina"]
    assert page.input_value("#search-sort") == ""
    # The address keeps what it applied, in the same history entry: no more entries than a
    # page opened at that address.
    assert address(page) == {"q": ["Russia"], "tag": ["china"], "year": ["2024"]}
    clean = open_page(page.url)
    shown(clean, 2)
    assert history_length(page) == history_length(clean)
    assert_intact(page)


HTML_QUERY = '<img src=x onerror=alert(1)><script>alert(2)</script>"&amp;'


@pytest.mark.parametrize(
    ("lang", "summary"),
    [
        ("ar", f"لا توجد نتائج لـ«\u2068{HTML_QUERY}\u2069»"),
        ("it", f"0 risultati per «\u2068{HTML_QUERY}\u2069»"),
    ],
)
def test_html_in_the_query_is_shown_as_typed(
    open_page: Callable[..., Page], base: str, lang: str, summary: str
) -> None:
    query = HTML_QUERY
    page = open_page(f"{base}{lang}/search/?q={quote(query)}")
    # The summary as text, once the search is done (its words match nothing).
    assert summary_line(page, summary) == summary
    assert box(page) == query
    assert page.locator(".search img, .search script:not([type])").count() == 0
    assert address(page) == {"q": [query]}
    assert_intact(page)
