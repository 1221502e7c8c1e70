"""Search as a reader uses it, in a real browser: the built fixture sites over a local server.

tests/sites/search holds five Arabic and three Italian articles cut from the seeds. QUERIES is
the table of what a reader types and the articles they must get (and nothing else), from either
search page: both pages must give the same results, which is what cross-language search means.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from briefgen.build import build
from tests.date_order_site import NEWEST_FIRST, make_site
from tests.helpers import SITES, VALID_SITE

SEARCH_SITE = SITES / "search"

AI = {"a1", "a2", "a3", "a4"}
RUSSIA = {"a1", "a2", "a3", "i1", "i2", "i3"}
SBERBANK = {"a1", "a2", "a3", "i1", "i2"}
GREF = {"a1", "a2", "a3", "i2"}
YEAR_2023 = {"a1", "a2", "a3", "i2"}
QUERIES: list[tuple[str, set[str], str]] = [
    # Arabic as readers type it
    ("الذكاء", AI, "plain"),
    ("والذكاء", AI, "و + ال"),
    ("بالذكاء", AI, "ب + ال"),
    ("للذكاء", AI, "لل"),
    ("وبالذكاء", AI, "و + ب + ال"),
    ("الذَّكَاءِ", AI, "diacritics"),
    ("الذكـــاء", AI, "tatweel"),
    ("الذکاء", AI, "Persian kaf"),
    ("کتاب", {"a5"}, "Persian kaf"),
    ("كتاب", {"a5"}, "plain"),
    ("تحالفات", AI, "ات plural"),
    ("تحالف", AI, "singular"),
    ("روسيا", RUSSIA, "plain, and the tag in every language"),
    ("لروسيا", RUSSIA, "ل + word"),
    ("روسیا", RUSSIA, "Persian yeh"),
    ("بوتين", {"a1", "a2", "a3", "i1", "i3"}, "plain, and the tag"),
    ("انجلترا", {"a5"}, "bare alef"),
    ("إنجلترا", {"a5"}, "hamza alef"),
    ("اوكرانيا", {"a1", "a2", "a3"}, "bare alef"),
    ("شبكه", {"a1", "a2"}, "ه for ة"),
    ("كبري", {"a2", "a4"}, "ي for ى"),
    ("٢٠٢٣", YEAR_2023, "Arabic-Indic digits"),
    ("2023", YEAR_2023, "Western digits"),
    # names across scripts (tag aliases)
    ("سبيربنك", SBERBANK, "alias"),
    ("سبير بنك", SBERBANK, "alias in two words"),
    ("Sberbank", SBERBANK, "alias in Latin script"),
    ("DeepSeek", {"a3"}, "alias in Latin script"),
    ("ديب سيك", {"a3"}, "alias in Arabic script"),
    ("جريف", GREF, "alias"),
    ("غريف", GREF, "alias with غ"),
    ("Gref", GREF, "alias in Latin script"),
    # Italian
    ("Ucraina", {"i1", "i3"}, "after an elision with ’"),
    ("dell’Ucraina", {"i1", "i3"}, "typed with ’"),
    ("alleanza", {"i1"}, "after an elision with ’"),
    ("intelligenza", {"i1", "i2"}, "plain"),
    ("sanzioni", {"i1", "i2"}, "plain"),
    ("Pechino", {"i1", "i3"}, "plain"),
    ("Cina", {"i1", "i2", "i3", "a1", "a2", "a3", "a4"}, "plain, and the tag"),
]

SEARCH_ALL = """async (queries) => {
  const module = await import(new URL("../../static/search/pagefind.js", location.href).href);
  const pf = module.createInstance();
  const out = {};
  for (const q of queries) {
    const res = await pf.search(q);
    const data = await Promise.all(res.results.map((r) => r.data()));
    out[q] = data.map((d) => d.url.split("/").filter(Boolean).pop());
  }
  return out;
}"""

RESULTS = "pagefind-results li.search-result"
FIRST = f"{RESULTS} .pf-result-link"


@pytest.fixture(scope="module")
def search_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/sites/search built once, under the /news/ path its base_url names."""
    served = tmp_path_factory.mktemp("search-site")
    build(SEARCH_SITE, served / "news")
    return served


@pytest.fixture
def base(search_output: Path, http_server: Callable[[Path], str]) -> str:
    return http_server(search_output) + "news/"


def search(page: Page, query: str, count: int | None = None) -> list[dict[str, str]]:
    """Type ``query`` into the search box, wait for the results and read them all."""
    box = page.locator("pagefind-input input")
    box.fill("")
    box.fill(query)
    page.wait_for_function(
        "(q) => document.querySelector('pagefind-summary')?.textContent.includes(q)", arg=query
    )
    if count is not None:
        page.wait_for_function(
            f"(n) => document.querySelectorAll('{RESULTS}').length === n", arg=count
        )
    return read_results(page)


def read_results(page: Page) -> list[dict[str, str]]:
    """Every result shown, once its data has loaded.

    A result waits in a placeholder until it scrolls into view and its data loads; counting the
    loaded ones before that undercounts (a test that took 5 of 6 for the total then waited for
    5 forever). So each placeholder left is scrolled into view, one a frame, until none is.
    """
    page.wait_for_function(
        """() => {
            const waiting = [...document.querySelectorAll("pagefind-results ul > li")]
                .find((li) => !li.querySelector(".pf-result-link"));
            waiting?.scrollIntoView();
            return !waiting;
        }"""
    )
    return list(
        page.eval_on_selector_all(
            RESULTS,
            """items => items.map((li) => ({
                lang: li.getAttribute("lang"), dir: li.getAttribute("dir"),
                href: li.querySelector(".pf-result-link").getAttribute("href"),
                title: li.querySelector(".pf-result-link").textContent,
                date: li.querySelector("time").getAttribute("datetime"),
                meta: li.querySelector(".search-meta").textContent.replace(/\\s+/g, " ").trim(),
                mark: li.querySelector(".pf-result-excerpt mark")?.textContent ?? "",
            }))""",
        )
    )


def summary_line(page: Page, expected: str) -> str:
    """The summary once it has settled ("Searching for …" names the query too)."""
    final = "(s) => document.querySelector('pagefind-summary').textContent.trim() === s"
    with contextlib.suppress(PlaywrightTimeout):  # the caller's comparison shows what was shown
        page.wait_for_function(final, arg=expected, timeout=5000)
    return page.inner_text("pagefind-summary")


def slug(href: str) -> str:
    return href.rstrip("/").rsplit("/", 1)[1]


@pytest.mark.parametrize("lang", ["ar", "it"])
def test_every_query_finds_its_articles_from_either_page(page: Page, base: str, lang: str) -> None:
    page.goto(f"{base}{lang}/search/")
    found = page.evaluate(SEARCH_ALL, [q for q, _, _ in QUERIES])
    wrong = {
        f"{q} ({case})": {
            "missing": sorted(expected - set(found[q])),
            "extra": sorted(set(found[q]) - expected),
        }
        for q, expected, case in QUERIES
        if set(found[q]) != expected
    }
    assert not wrong
    assert all(len(found[q]) == len(set(found[q])) for q, _, _ in QUERIES), "a result listed twice"


def test_native_and_cross_language_results_on_the_arabic_page(page: Page, base: str) -> None:
    page.goto(f"{base}ar/search/")
    assert page.eval_on_selector("html", "e => [e.lang, e.dir]") == ["ar", "rtl"]
    for component in ("pagefind-input", "pagefind-summary", "pagefind-results"):
        assert page.eval_on_selector(component, "e => getComputedStyle(e).direction") == "rtl"
    results = search(page, "بوتين", 5)
    expected = "5 نتائج لـ«\u2068بوتين\u2069»"
    assert summary_line(page, expected) == expected
    by_slug = {slug(r["href"]): r for r in results}
    assert set(by_slug) == {"a1", "a2", "a3", "i1", "i3"}
    assert (by_slug["a1"]["lang"], by_slug["a1"]["dir"]) == ("ar", "rtl")
    assert (by_slug["i1"]["lang"], by_slug["i1"]["dir"]) == ("it", "ltr")
    italian = page.locator(f'{RESULTS}[lang="it"] .pf-result-title').first
    assert italian.evaluate("e => getComputedStyle(e).direction") == "ltr"
    assert by_slug["a1"]["href"] == "/news/ar/articles/a1/"
    assert by_slug["a1"]["mark"].startswith("بوتين")  # Pagefind marks the word with its punctuation
    # date in the page's language, the outlet, the article's language in the page's language
    assert by_slug["a1"]["meta"] == "2 يناير 2025 · المصدر · العربية"
    assert by_slug["i1"]["meta"] == "2 يناير 2025 · MeteoWeb · الإيطالية"
    outlet = page.locator(f'{RESULTS}[lang="it"] .search-meta bdi').first
    assert (outlet.get_attribute("lang"), outlet.get_attribute("dir")) == ("it", "ltr")


def test_the_summary_shows_the_query_as_typed(page: Page, base: str) -> None:
    # The count goes into the sentence before the query does, so a query that looks like the
    # count's placeholder, or like a replacement pattern, is shown as it was typed.
    page.goto(f"{base}it/search/")
    query = "[COUNT] $& [SEARCH_TERM]"
    search(page, query)
    expected = f"0 risultati per «\u2068{query}\u2069»"
    assert summary_line(page, expected) == expected


def test_native_and_cross_language_results_on_the_italian_page(page: Page, base: str) -> None:
    page.goto(f"{base}it/search/")
    assert page.eval_on_selector("pagefind-results", "e => getComputedStyle(e).direction") == "ltr"
    results = search(page, "Ucraina", 2)
    assert {slug(r["href"]) for r in results} == {"i1", "i3"}
    expected = "2 risultati per «\u2068Ucraina\u2069»"
    assert summary_line(page, expected) == expected
    results = search(page, "الذكاء", 4)
    assert {(r["lang"], r["dir"]) for r in results} == {("ar", "rtl")}
    assert all(r["mark"].startswith("الذكاء") for r in results)
    assert "Arabo" in results[0]["meta"]


@pytest.mark.parametrize(("lang", "pane_side"), [("ar", "right"), ("it", "left")])
def test_the_layout_follows_the_reading_direction(
    page: Page, base: str, lang: str, pane_side: str
) -> None:
    page.set_viewport_size({"width": 1000, "height": 1200})
    page.goto(f"{base}{lang}/search/")
    search(page, "روسيا", 6)
    pane = page.locator("pagefind-filter-pane").bounding_box()
    results = page.locator("pagefind-results").bounding_box()
    assert pane is not None and results is not None
    # The filters come first in the reading direction: on the right in Arabic.
    assert (pane["x"] > results["x"]) is (pane_side == "right")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize(
    ("query", "count", "summary"),
    [
        ("زززز", 0, "لا توجد نتائج لـ«\u2068زززز\u2069»"),
        ("كتاب", 1, "نتيجة واحدة لـ«\u2068كتاب\u2069»"),
        ("شبكه", 2, "نتيجتان لـ«\u2068شبكه\u2069»"),
        ("الذكاء", 4, "4 نتائج لـ«\u2068الذكاء\u2069»"),
    ],
)
def test_arabic_result_counts_take_their_cldr_plural_form(
    page: Page, base: str, query: str, count: int, summary: str
) -> None:
    page.goto(f"{base}ar/search/")
    search(page, query, count)
    assert summary_line(page, summary) == summary


def pick_filter(page: Page, group: str, value: str) -> None:
    """Tick (or untick) a filter value as a reader does: open its group, click the box."""
    details = page.locator(f'pagefind-filter-pane details[data-filter-name="{group}"]')
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    details.locator(f'input[value="{value}"]').click()


def filter_values(page: Page) -> dict[str, list[str]]:
    """Every filter group and its values, as the pane offers them."""
    page.wait_for_selector("pagefind-filter-pane input", state="attached")
    return dict(
        page.eval_on_selector_all(
            "pagefind-filter-pane details",
            """groups => groups.map((g) => [g.dataset.filterName,
                [...g.querySelectorAll("input")].map((i) => i.value)])""",
        )
    )


FILTER_LABELS = {
    "ar": {
        "اللغة": ["العربية", "الإيطالية"],
        "وسيلة الإعلام": ["الأخبار", "المصدر", "الشرق", "MeteoWeb"],
        "الوسم": [
            "الذكاء الاصطناعي",
            "بريكس",
            "الصين",
            "ديب سيك",
            "اقتصاد",
            "غريف",
            "بوتين",
            "روسيا",
            "سبيربنك",
        ],
        "السنة": ["2024", "2025"],
    },
    "it": {
        "Lingua": ["Arabo", "Italiano"],
        "Testata": ["الأخبار", "المصدر", "الشرق", "MeteoWeb"],
        "Tema": [
            "Intelligenza artificiale",
            "BRICS",
            "Cina",
            "DeepSeek",
            "Economia",
            "Gref",
            "Putin",
            "Russia",
            "Sberbank",
        ],
        "Anno": ["2024", "2025"],
    },
}
"""Filter groups and values on each page: ids in the index, labels in the page's language."""


@pytest.mark.parametrize(
    ("lang", "query", "language", "other", "year"),
    [("ar", "روسيا", "اللغة", "الإيطالية", "السنة"), ("it", "Russia", "Lingua", "Arabo", "Anno")],
)
def test_filters_are_labelled_in_the_page_language_and_narrow(
    page: Page, base: str, lang: str, query: str, language: str, other: str, year: str
) -> None:
    page.goto(f"{base}{lang}/search/")
    assert len(search(page, query, 6)) == 6
    offered = filter_values(page)
    assert {k: sorted(v) for k, v in offered.items()} == {
        k: sorted(v) for k, v in FILTER_LABELS[lang].items()
    }
    pick_filter(page, language, other)  # from either page, narrow to the other language
    page.wait_for_function(f"document.querySelectorAll('{RESULTS}').length === 3")
    assert {r["lang"] for r in read_results(page)} == ({"it"} if lang == "ar" else {"ar"})
    pick_filter(page, language, other)
    page.wait_for_function(f"document.querySelectorAll('{RESULTS}').length === 6")
    pick_filter(page, year, "2024")
    page.wait_for_function(f"document.querySelectorAll('{RESULTS}').length === 2")
    assert {slug(r["href"]) for r in read_results(page)} == {"a2", "i3"}


def filter_counts(page: Page, group: str) -> dict[str, int]:
    """The counts the pane shows for one filter group's values."""
    page.wait_for_selector("pagefind-filter-pane input", state="attached")
    return dict(
        page.eval_on_selector_all(
            f'pagefind-filter-pane details[data-filter-name="{group}"] label',
            """labels => labels.map((l) => [l.querySelector("input").value,
                Number(l.querySelector(".pf-filter-checkbox-count")?.textContent ?? "0")])""",
        )
    )


@pytest.mark.parametrize(("query", "group"), [("والذكاء", "الوسم"), ("روسيا", "وسيلة الإعلام")])
def test_filter_counts_are_exact_for_an_expanded_query(
    page: Page, base: str, query: str, group: str
) -> None:
    # Each count is the number of results a reader gets by ticking the value, also when the
    # query is searched in several forms (والذكاء and الذكاء) and the results are their union.
    page.goto(f"{base}ar/search/")
    search(page, query)
    page.wait_for_selector(FIRST)
    total = len(read_results(page))
    counts = filter_counts(page, group)
    assert sum(counts.values()) >= total > 0
    for value, count in counts.items():
        if not count:
            continue
        pick_filter(page, group, value)
        expected = f"document.querySelectorAll('{RESULTS}').length === {count}"
        page.wait_for_function(expected)
        pick_filter(page, group, value)
        page.wait_for_function(f"document.querySelectorAll('{RESULTS}').length === {total}")


def test_ticking_a_filter_leaves_the_filter_pane_as_the_reader_left_it(
    page: Page, base: str
) -> None:
    # روسيا has 6 results ("6 نتائج", CLDR "few"); ticking الأخبار leaves one ("نتيجة واحدة",
    # "one"). The summary's new form must not make the Component UI draw the pane again: that
    # closed the group the reader had opened and replaced the box under the pointer, so the next
    # click could land on nothing.
    page.goto(f"{base}ar/search/")
    search(page, "روسيا", 6)
    group = "وسيلة الإعلام"
    details = page.locator(f'pagefind-filter-pane details[data-filter-name="{group}"]')
    details.locator("summary").click()
    page.eval_on_selector_all(
        "pagefind-filter-pane input", "(inputs) => inputs.forEach((i) => (i.dataset.seen = '1'))"
    )
    box = details.locator('input[value="الأخبار"]')
    box.click()
    expected = "نتيجة واحدة لـ«\u2068روسيا\u2069»"
    page.wait_for_function(f"document.querySelectorAll('{RESULTS}').length === 1")
    assert summary_line(page, expected) == expected
    assert details.get_attribute("open") is not None
    assert box.get_attribute("data-seen") == "1" and box.is_checked()
    box.click()
    page.wait_for_function(f"document.querySelectorAll('{RESULTS}').length === 6")
    expected = "6 نتائج لـ«\u2068روسيا\u2069»"
    assert summary_line(page, expected) == expected
    assert details.get_attribute("open") is not None
    assert page.locator("pagefind-filter-pane input:not([data-seen])").count() == 0


def test_tag_and_outlet_filters(page: Page, base: str) -> None:
    page.goto(f"{base}it/search/")
    search(page, "Cina", 7)
    pick_filter(page, "Tema", "BRICS")
    page.wait_for_function(f"document.querySelectorAll('{RESULTS}').length === 3")
    assert {slug(r["href"]) for r in read_results(page)} == {"a1", "a2", "i2"}
    pick_filter(page, "Tema", "BRICS")
    pick_filter(page, "Testata", "MeteoWeb")
    page.wait_for_function(f"document.querySelectorAll('{RESULTS}').length === 3")
    assert {slug(r["href"]) for r in read_results(page)} == {"i1", "i2", "i3"}


@pytest.mark.parametrize("lang", ["ar", "it"])
def test_results_sort_by_date_across_languages(page: Page, base: str, lang: str) -> None:
    page.goto(f"{base}{lang}/search/")
    query = "روسيا" if lang == "ar" else "Russia"
    search(page, query, 6)
    page.select_option("#search-sort", "desc")
    newest = ["a3", "a1", "i1", "i2", "a2", "i3"]  # i1 and a1 share 2025-01-02: either order
    page.wait_for_function(
        f"document.querySelector('{FIRST}')?.getAttribute('href').endsWith('/a3/')"
    )
    dates = [r["date"] for r in read_results(page)]
    assert dates == sorted(dates, reverse=True) and len(dates) == 6
    assert [slug(r["href"]) for r in read_results(page)][:1] == newest[:1]
    page.select_option("#search-sort", "asc")
    page.wait_for_function(
        f"['/i3/', '/a2/'].some((s) => document.querySelector('{FIRST}')?.href.endsWith(s))"
    )
    dates = [r["date"] for r in read_results(page)]
    assert dates == sorted(dates) and len(dates) == 6


@pytest.mark.parametrize("lang", ["ar", "it"])
def test_search_page_sorts_dates_like_the_lists(
    page: Page,
    tmp_path: Path,
    http_server: Callable[[Path], str],
    lang: str,
) -> None:
    """Newest first is the lists' order (tests/test_date_order.py): the day as shown, then the
    instant, across both bundles. The page sorted by UTC text, so an article shown as 2 January
    (00:30+02:00) came after one of 1 January 23:00 UTC."""
    root = make_site(tmp_path / "site")
    build(root)
    base = http_server(root / "_site")
    page.goto(f"{base}{lang}/search/")
    search(page, "روسيا" if lang == "ar" else "Russia", len(NEWEST_FIRST))
    page.select_option("#search-sort", "desc")
    page.wait_for_function(
        f"document.querySelector('{FIRST}')?.getAttribute('href').endsWith('/late/')"
    )
    assert [slug(r["href"]) for r in read_results(page)] == NEWEST_FIRST
    page.select_option("#search-sort", "asc")
    page.wait_for_function(
        f"document.querySelector('{FIRST}')?.getAttribute('href').endsWith('/undated/')"
    )
    assert [slug(r["href"]) for r in read_results(page)] == NEWEST_FIRST[::-1]


def test_markup_quotes_and_direction_controls_in_a_query_stay_text(page: Page, base: str) -> None:
    page.goto(f"{base}it/search/")
    for query in ("<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>', "\u202eRussia\u202c"):
        box = page.locator("pagefind-input input")
        box.fill(query)
        page.wait_for_function(
            "(q) => document.querySelector('pagefind-summary')?.textContent.includes(q)", arg=query
        )
        assert page.evaluate("document.querySelectorAll('main img, main svg').length") == 0
        assert query in page.inner_text("pagefind-summary")


def test_a_title_with_markup_is_shown_as_text(
    browser: Browser, http_server: Callable[[Path], str], tmp_path: Path
) -> None:
    build(VALID_SITE, tmp_path / "archive")
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    page.goto(http_server(tmp_path) + "archive/it/search/")
    results = search(page, "Mosca", 1)
    assert results[0]["title"] == "<script>alert(1)</script> \"Mosca\" & 'Pechino' </script>"
    scripts = "[...document.querySelectorAll('pagefind-results script')].map((s) => s.type)"
    assert page.evaluate(scripts) == ["text/pagefind-template"] * 2  # the result and placeholder
    assert not dialogs
    page.close()


@pytest.mark.parametrize("lang", ["ar", "it"])
def test_without_javascript_the_page_says_so_and_links_elsewhere(
    browser: Browser, base: str, lang: str
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}{lang}/search/")
    notice = page.locator(".search-nojs")
    assert notice.is_visible()
    assert "JavaScript" in notice.inner_text()
    hrefs = notice.locator("a").evaluate_all("links => links.map((a) => a.getAttribute('href'))")
    assert hrefs == [f"/news/{lang}/tags/", f"/news/{lang}/archive/"]
    context.close()


EXPANSIONS = [
    ("والذكاء", ["والذكاء", "الذكاء"]),
    ("وبالذكاء", ["وبالذكاء", "بالذكاء", "الذكاء"]),
    ("للذكاء", ["للذكاء", "الذكاء"]),
    ("لروسيا", ["لروسيا", "روسيا"]),
    ("تحالفات", ["تحالفات", "تحالف"]),
    ("لجنة", ["لجنة"]),  # short words keep their first letter: لجنة is not ل + جنة
    ("الذَّكَـاء", ["الذكاء"]),
    ("الذکاء ۲۰۲۳", ["الذكاء 2023"]),
    ("\u202eRussia\u202c", ["Russia"]),
    ("dell’Ucraina", ["dell'Ucraina", "Ucraina"]),
]


def test_query_expansion_rules(page: Page, base: str) -> None:
    page.goto(f"{base}it/search/")
    got = page.evaluate(
        """async (queries) => {
          const m = await import(new URL("../../static/search/normalize.js", location.href).href);
          return queries.map((q) => m.expandQuery(q));
        }""",
        [q for q, _ in EXPANSIONS],
    )
    assert dict(zip([q for q, _ in EXPANSIONS], got, strict=True)) == dict(EXPANSIONS)


# (query form, scripts of a bundle's articles, whether that bundle is searched for it)
SCRIPT_CASES = [
    ("الذكاء", ["latn"], False),
    ("الذكاء", ["arab", "latn"], True),
    ("Cina", ["arab"], False),
    ("Cina", ["latn"], True),
    ("perché", ["latn"], True),  # Latin letters with accents are Latin
    ("DeepSeek ديب", ["latn"], False),  # every word must be able to match
    ("DeepSeek ديب", ["arab", "latn"], True),
    ("2024", [], True),  # digits are in no script: searched everywhere
    ("Москва", ["arab", "latn"], True),  # a script not told apart: searched
]


def test_a_bundle_is_searched_only_for_words_in_scripts_its_articles_use(
    page: Page, base: str
) -> None:
    page.goto(f"{base}it/search/")
    got = page.evaluate(
        """async (cases) => {
          const m = await import(new URL("../../static/search/normalize.js", location.href).href);
          return cases.map(([query, scripts]) => m.canMatch(query, scripts));
        }""",
        [[q, scripts] for q, scripts, _ in SCRIPT_CASES],
    )
    assert got == [expected for _, _, expected in SCRIPT_CASES]


def test_more_results_show_the_next_page_and_tag_words_never_show(
    browser: Browser,
    http_server: Callable[[Path], str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("briefgen.search.PAGE_SIZE", 2)
    build(SEARCH_SITE, tmp_path / "news")
    page = browser.new_page(viewport={"width": 1000, "height": 3000})
    page.goto(http_server(tmp_path) + "news/it/search/")
    more = page.locator("#search-more")
    assert len(search(page, "Russia", 2)) == 2
    assert page.inner_text("pagefind-summary").startswith("6 ")
    for shown in (4, 6):
        assert more.is_visible()
        more.click()
        count = f"(n) => document.querySelectorAll('{RESULTS}').length === n"
        page.wait_for_function(count, arg=shown)
    page.wait_for_function("document.getElementById('search-more').hidden")
    # Alias matches come from a word each record carries per tag: it is never shown.
    search(page, "غريف", 4)  # "more" raised the page to six results
    assert "bgtag" not in page.inner_text("pagefind-results")
    page.close()


@pytest.mark.parametrize("query", ["b", "bg", "bgt", "bgtag"])
def test_a_short_latin_query_does_not_match_every_article_through_tag_words(
    page: Page, base: str, query: str
) -> None:
    page.goto(f"{base}it/search/")
    found = page.evaluate(SEARCH_ALL, [query])
    assert len(found[query]) < 8  # the fixture has eight articles, each with tags


def kinds_of(urls: list[str]) -> list[str]:
    return [u.split("?")[0].rsplit(".", 1)[1] for u in urls]


def test_the_first_search_fetches_chunks_and_shown_fragments_only(page: Page, base: str) -> None:
    """Bundles, filter tables and the warm-up search's index chunk load with the page; the first
    search fetches index chunks and the fragments of the results on screen, nothing else."""
    fetched: list[str] = []
    page.on("requestfinished", lambda request: fetched.append(request.url))
    page.set_viewport_size({"width": 1000, "height": 400})
    page.goto(f"{base}ar/search/")
    page.wait_for_load_state("networkidle")
    for lang in ("ar", "it"):
        loaded = [u.rsplit(".", 1)[1] for u in fetched if f"/pagefind/{lang}/" in u]
        assert any(u.endswith(f"/pagefind/{lang}/wasm.{lang}.pagefind") for u in fetched)
        assert any(u.endswith(f"/pagefind/{lang}/briefgen-filters.json") for u in fetched)
        assert "pf_index" in loaded  # the chunk of the warm-up search (a tag's word)
    assert not any(".pf_fragment" in u or ".pf_filter" in u for u in fetched)
    fetched.clear()
    page.locator("pagefind-input input").fill("روسيا")
    page.wait_for_selector(FIRST)
    page.wait_for_selector("pagefind-filter-pane input", state="attached")
    page.wait_for_load_state("networkidle")
    # The search is written in the page's address, and on a change of address the browser asks
    # its cache for the page's icon again (nothing goes over the wire): that is not the search's.
    fetched = [u for u in fetched if not u.endswith("/static/favicon.svg")]
    assert not any(
        "wasm." in u or ".pf_meta" in u or "pagefind.js" in u or ".json" in u for u in fetched
    )
    assert set(kinds_of(fetched)) <= {"pf_index", "pf_fragment"}  # a small index is one chunk
    kinds = [u.rsplit(".", 1)[1] for u in fetched]
    shown = page.eval_on_selector_all(FIRST, "links => links.length")
    assert 0 < kinds.count("pf_fragment") == shown < 6  # six results: only those on screen load


def workers_started(page: Page, at_least: int = 4) -> int:
    """How many workers the page runs, once it runs ``at_least`` (or after five seconds)."""
    for _ in range(50):
        if len(page.workers) >= at_least:
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(200)  # and no more start after them
    return len(page.workers)


def searches_sent(page: Page) -> list[tuple[str, list[str]]]:
    """The bundle searches the page has run, as (bundle, terms searched): User Timing measures,
    one per bundle and query."""
    return [
        (name.removeprefix("briefgen search "), terms)
        for name, terms in page.evaluate(
            """performance.getEntriesByType("measure")
                .filter((m) => m.name.startsWith("briefgen search"))
                .map((m) => [m.name, m.detail])"""
        )
    ]


def test_the_search_runs_while_typing_stops_and_filters_search_nothing_again(
    page: Page, base: str
) -> None:
    # The page starts searching on input, in the bundles' workers; the search the Component UI
    # asks for once typing stops is that one, and ticking a filter reuses its results.
    fetched: list[str] = []
    page.on("requestfinished", lambda request: fetched.append(request.url))
    page.goto(f"{base}ar/search/")
    page.wait_for_load_state("networkidle")
    assert workers_started(page) == 4  # two per bundle: the second starts once the first is ready
    assert sum(u.endswith("/static/search/worker.js") for u in fetched) == 4
    search(page, "روسيا", 6)
    sent = searches_sent(page)
    # The Italian articles have no Arabic word: that bundle is searched for the alias's tag word
    # alone (false: a form it is not searched for).
    assert sorted((bundle.rsplit("/", 2)[1], terms) for bundle, terms in sent) == [
        ("ar", ["روسيا", "‿russia"]),
        ("it", [False, "‿russia"]),
    ], sent
    pick_filter(page, "اللغة", "الإيطالية")
    page.wait_for_function(f"document.querySelectorAll('{RESULTS}').length === 3")
    assert searches_sent(page) == sent


def search_delays(page: Page, typing: Callable[[], None], typed: str) -> list[float]:
    """Milliseconds from the last input event to each bundle search ``typing`` started, once
    the summary tells the results for ``typed``."""
    page.evaluate(
        """document.addEventListener("input", (e) => { window.lastInput = e.timeStamp; }, true);
           performance.clearMeasures()"""
    )
    typing()
    page.wait_for_function(
        "(q) => document.querySelector('pagefind-summary')?.textContent.includes(q)", arg=typed
    )
    return page.evaluate(
        """performance.getEntriesByType("measure")
            .filter((m) => m.name.startsWith("briefgen search"))
            .map((m) => m.startTime - window.lastInput)"""
    )


def stretch(page: Page, url_glob: str, before: str, after: str) -> None:
    """Serve the files matching ``url_glob`` with ``before`` replaced by ``after``: timing
    constants lengthened, so that tests tell them apart with wide margins on a busy machine."""

    def edit(route: Route) -> None:
        response = route.fetch()
        body = response.text()
        assert before in body, f"{before!r} is no longer in {route.request.url}"
        route.fulfill(response=response, body=body.replace(before, after))

    page.route(url_glob, edit)


def test_a_pasted_query_is_searched_at_once_and_typed_keys_after_a_pause(
    page: Page, base: str
) -> None:
    stretch(page, "**/static/search/page.js", "AHEAD_PAUSE = 25;", "AHEAD_PAUSE = 400;")
    stretch(page, "**/ar/search/", 'debounce="120"', 'debounce="1000"')  # the Component UI's
    page.goto(f"{base}ar/search/")
    page.wait_for_load_state("networkidle")
    box = page.locator("pagefind-input input")
    box.click()
    # Text that arrives whole (Playwright's fill inserts it in one input event) starts at once.
    delays = search_delays(page, lambda: box.fill("العقوبات"), "العقوبات")
    assert len(delays) == 2 and all(0 <= d < 200 for d in delays), delays
    box.fill("")
    page.wait_for_function("!document.querySelector('pagefind-results .pf-result-link')")
    # Keys typed quickly are searched once, AHEAD_PAUSE after the last.
    delays = search_delays(page, lambda: box.press_sequentially("الرقائق", delay=1), "الرقائق")
    assert len(delays) == 2 and all(399 <= d < 1000 for d in delays), delays


@pytest.mark.parametrize(
    ("typed", "ahead"),
    [
        ("Rus", True),
        ("Ru", False),  # two letters match most words: left to the Component UI
        ("الذ", False),  # the article and one letter: searched as ذ would be
        ("وال", False),
        ("الرقا", True),
        ("للت", False),
    ],
)
def test_short_words_and_arabic_articles_are_not_searched_ahead(
    page: Page, base: str, typed: str, ahead: bool
) -> None:
    stretch(page, "**/ar/search/", 'debounce="120"', 'debounce="1000"')
    page.goto(f"{base}ar/search/")
    page.wait_for_load_state("networkidle")
    box = page.locator("pagefind-input input")
    box.click()
    delays = search_delays(page, lambda: box.press_sequentially(typed, delay=1), typed)
    # Searched ahead: 25 ms after the last key. Otherwise by the Component UI, 1 s after.
    assert delays and all((d < 500) == ahead for d in delays), delays


SLOW_WORKER = """
// As if Pagefind's WASM took 3 s for this word: the worker's thread is held, as it would be.
const answer = self.onmessage;
self.onmessage = (event) => {
  const { method, args } = event.data;
  if (method === "search" && args[1].includes("Pechino")) {
    const end = performance.now() + 3000;
    while (performance.now() < end);
  }
  return answer(event);
};
"""


def test_a_search_typed_while_another_runs_is_answered_by_the_second_worker(
    page: Page, base: str
) -> None:
    # A search cannot be stopped; what the reader types next is searched beside it, in the
    # bundle's second worker, and its results and excerpts come from that worker.
    def slow_worker(route: Route) -> None:
        response = route.fetch()
        route.fulfill(response=response, body=response.text() + SLOW_WORKER)

    page.route("**/static/search/worker.js", slow_worker)
    page.goto(f"{base}it/search/")
    assert workers_started(page) == 4
    box = page.locator("pagefind-input input")
    box.fill("Pechino")
    page.wait_for_function("""performance.getEntriesByType("measure").length === 0""")
    started = page.evaluate("performance.now()")
    results = search(page, "Sberbank", len(SBERBANK))
    took = page.evaluate("performance.now()") - started
    assert {slug(r["href"]) for r in results} == SBERBANK
    assert all(r["title"] and r["meta"] for r in results), results  # their data loaded
    assert took < 2000, took  # not after the 3 s search of Pechino
    assert not any("Pechino" in str(terms) for _, terms in searches_sent(page))  # still running


def test_a_bundle_is_searched_for_a_word_in_a_script_its_articles_use(
    browser: Browser, http_server: Callable[[Path], str], tmp_path: Path
) -> None:
    # The Italian bundle is skipped for Arabic words only while no Italian article has one: an
    # Italian article quoting الرقائق (chips) is found from either page, beside the Arabic ones.
    site = tmp_path / "site"
    shutil.copytree(SEARCH_SITE, site)
    quoting = site / "content/articles/it/i2.md"
    quoting.write_text(quoting.read_text("utf-8") + "\nI microchip, in arabo الرقائق.\n", "utf-8")
    build(site, tmp_path / "out/news")
    page = browser.new_page(viewport={"width": 1000, "height": 3000})
    for lang in ("ar", "it"):
        page.goto(http_server(tmp_path / "out") + f"news/{lang}/search/")
        found = {slug(r["href"]) for r in search(page, "الرقائق", 3)}
        assert found == {"a2", "a4", "i2"}, found
        assert sorted(
            (bundle.rsplit("/", 2)[1], terms) for bundle, terms in searches_sent(page)
        ) == [
            ("ar", ["الرقائق"]),
            ("it", ["الرقائق"]),
        ]
    page.close()


def test_without_web_workers_the_page_searches_on_its_own(browser: Browser, base: str) -> None:
    context = browser.new_context()
    context.add_init_script("delete window.Worker")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{base}it/search/")
        assert {slug(r["href"]) for r in search(page, "Pechino", 2)} == {"i1", "i3"}
        assert page.evaluate("typeof Worker") == "undefined"
    finally:
        context.close()
    assert not errors, errors


def test_a_bundle_that_fails_to_load_leaves_no_worker_and_the_next_search_retries(
    page: Page, base: str
) -> None:
    missing = "**/pagefind/it/briefgen-filters.json"
    page.route(missing, lambda route: route.fulfill(status=404, body="gone"))
    page.goto(f"{base}ar/search/")
    loaded = page.evaluate(
        """import(new URL("../../static/search/pagefind.js", location.href).href)
            .then((m) => m.init()).then(() => "loaded", (error) => String(error))"""
    )
    assert "briefgen-filters.json: 404" in loaded
    page.wait_for_load_state("networkidle")
    assert page.workers == []  # the Arabic bundle's worker, loaded fine, was stopped too
    page.unroute(missing)
    assert {slug(r["href"]) for r in search(page, "Pechino", 2)} == {"i1", "i3"}
    assert workers_started(page) == 4  # two per bundle


@pytest.mark.parametrize(
    ("lang", "first", "rest", "expected"),
    [
        ("it", "Pec", "hino", {"i1", "i3"}),
        ("ar", "الذ", "كاء", AI),
    ],
)
def test_typing_on_after_results_appear_keeps_the_input_and_its_keys(
    page: Page, base: str, lang: str, first: str, rest: str, expected: set[str]
) -> None:
    # The summary's plural form changes as results appear (الذ and الذكاء count differently):
    # the input must keep the reader's focus and caret, or the keys typed next are lost (they
    # were, when the form was handed over as new translations and the input drawn again).
    page.goto(f"{base}{lang}/search/")
    page.locator("pagefind-input input").click()
    page.keyboard.type(first, delay=30)
    page.wait_for_function(
        "(q) => document.querySelector('pagefind-summary')?.textContent.includes(q)", arg=first
    )
    page.wait_for_selector(FIRST)
    page.keyboard.type(rest, delay=30)
    page.wait_for_function(
        "(q) => document.querySelector('pagefind-summary')?.textContent.includes(q)",
        arg=first + rest,
    )
    box = page.locator("pagefind-input input")
    assert box.input_value() == first + rest
    assert box.evaluate("(input) => document.activeElement === input")
    assert box.evaluate("(input) => input.selectionStart") == len(first + rest)
    assert {slug(r["href"]) for r in read_results(page)} == expected


def test_results_on_screen_still_load_after_many_searches_ahead(page: Page, base: str) -> None:
    # Bundles keep the results of their last eight searches for the excerpts; the ones on
    # screen are kept however many searches were started ahead while the reader typed on.
    page.set_viewport_size({"width": 1000, "height": 400})
    page.goto(f"{base}it/search/")
    page.locator("pagefind-input input").fill("Cina")
    page.wait_for_selector(FIRST)
    total = page.locator("pagefind-results ul > li").count()  # placeholders until loaded
    assert total > page.locator(FIRST).count()  # the results below the fold are not loaded
    page.evaluate(
        """async () => {
          const m = await import(new URL("../../static/search/pagefind.js", location.href).href);
          for (const term of ["Mosca", "Pechino", "sanzioni", "Russia", "alleanza", "Ucraina",
                              "intelligenza", "Sberbank", "Gref", "tecnologia"]) {
            await m.searchAhead(term);
          }
        }"""
    )
    page.evaluate(
        """async () => {  // one result after the other, each on screen for two frames
          for (const li of document.querySelectorAll("pagefind-results ul > li")) {
            li.scrollIntoView();
            await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
          }
        }"""
    )
    page.wait_for_function(f"document.querySelectorAll('{FIRST}').length === {total}")


def test_results_wait_in_plain_placeholders_without_animation(page: Page, base: str) -> None:
    # The Component UI's own placeholder is six elements with an endless shimmer animation:
    # styling a page of them took 25 ms of the main thread on the way to the first result.
    page.set_viewport_size({"width": 1000, "height": 400})
    page.goto(f"{base}it/search/")
    page.locator("pagefind-input input").fill("Cina")
    page.wait_for_selector(FIRST)
    waiting = page.locator("pagefind-results ul > li.search-placeholder")
    assert waiting.count() > 0  # the results below the fold
    assert waiting.first.get_attribute("aria-hidden") == "true"
    assert waiting.first.evaluate("(li) => li.childElementCount") == 0
    assert waiting.first.evaluate("(li) => li.getBoundingClientRect().height") > 50
    assert page.locator("pagefind-results .pf-skeleton").count() == 0
    running = "document.querySelector('pagefind-results').getAnimations({subtree: true}).length"
    assert page.evaluate(running) == 0
