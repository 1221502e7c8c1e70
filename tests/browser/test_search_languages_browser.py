"""Search across content languages in a real browser: tests/sites/search-languages (reader
languages Arabic and Italian; articles in Russian, Chinese, Persian, Hebrew and English beside
Arabic and Italian ones, some with the curator's briefings) built once and served."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route

from briefgen.build import build
from tests.browser.test_search_browser import RESULTS, read_results, search
from tests.helpers import SITES

SITE = SITES / "search-languages"

READ = """items => items.map((li) => {
  const title = li.querySelector(".pf-result-title");
  const original = li.querySelector(".search-original bdi");
  return {
    href: li.querySelector(".pf-result-link").getAttribute("href"),
    title: li.querySelector(".pf-result-link").textContent,
    titleLang: title.getAttribute("lang"), titleDir: title.getAttribute("dir"),
    mark: li.querySelector(".search-translation")?.textContent ?? null,
    original: original?.textContent ?? null,
    originalLang: original?.getAttribute("lang") ?? null,
    originalDir: original?.getAttribute("dir") ?? null,
    excerpt: li.querySelector(".pf-result-excerpt").textContent,
    date: li.querySelector("time").textContent,
  };
})"""


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    served = tmp_path_factory.mktemp("search-languages")
    build(SITE, served / "multi")
    return served


@pytest.fixture
def page(
    browser: Browser, output: Path, http_server: Callable[[Path], str]
) -> Iterator[tuple[Page, str]]:
    context = browser.new_context(viewport={"width": 1000, "height": 3000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page, http_server(output) + "multi/"
    context.close()
    assert not errors, errors


def results(page: Page, query: str, count: int) -> list[dict[str, str | None]]:
    search(page, query, count)
    return list(page.eval_on_selector_all(RESULTS, READ))


def slugs(found: list[dict[str, str | None]]) -> list[str]:
    return [str(r["href"]).rstrip("/").rsplit("/", 1)[1] for r in found]


def test_an_arabic_word_only_in_a_russian_articles_briefing_finds_it_once(
    page: tuple[Page, str],
) -> None:
    tab, base = page
    tab.goto(f"{base}ar/search/")
    (found,) = results(tab, "سيبيريا", 1)
    assert found["href"] == "/multi/ar/articles/ru-sotrudnichestvo/"
    # The briefing's title, marked as the curator's translation, the original beside it.
    assert found["title"] == "روسيا والصين توسّعان التعاون في مختبرات سيبيريا"
    assert (found["titleLang"], found["titleDir"]) == ("ar", "rtl")
    assert found["mark"] == "ترجمة المحرِّر"
    assert found["original"].startswith("Россия и Китай расширяют")  # type: ignore[union-attr]
    assert (found["originalLang"], found["originalDir"]) == ("ru", "ltr")


def test_the_italian_page_links_to_the_italian_page_of_a_foreign_article(
    page: tuple[Page, str],
) -> None:
    tab, base = page
    tab.goto(f"{base}it/search/")
    (found,) = results(tab, "siberiani", 1)
    assert found["href"] == "/multi/it/articles/ru-sotrudnichestvo/"
    assert found["mark"] == "Traduzione del curatore"


def test_a_russian_inflected_query_finds_the_russian_article_once(page: tuple[Page, str]) -> None:
    tab, base = page
    tab.goto(f"{base}ar/search/")
    # The text has «сотрудничества»; the Russian stemmer meets them. The Arabic briefing of the
    # same article is not a second result.
    found = results(tab, "сотрудничество", 1)
    assert slugs(found) == ["ru-sotrudnichestvo"]
    assert found[0]["title"] == "روسيا والصين توسّعان التعاون في مختبرات سيبيريا"


def test_a_word_inside_a_chinese_sentence_is_found(page: tuple[Page, str]) -> None:
    tab, base = page
    tab.goto(f"{base}ar/search/")
    assert slugs(results(tab, "人工智能", 1)) == ["zh-hezuo"]
    assert slugs(results(tab, "研究中心", 1)) == ["zh-hezuo"]


@pytest.mark.parametrize("query", ["کارگاه", "كارگاه"])
def test_a_persian_query_finds_persian_articles_typed_with_either_keyboard(
    page: tuple[Page, str], query: str
) -> None:
    tab, base = page
    tab.goto(f"{base}ar/search/")
    found = results(tab, query, 2)
    assert sorted(slugs(found)) == ["fa-arabic-letters", "fa-kargah"]
    # Excerpts keep the Persian letters (the Persian bundle is indexed with them).
    assert all("ك" not in str(r["excerpt"]) for r in found), found


def test_a_hebrew_word_is_found(page: tuple[Page, str]) -> None:
    tab, base = page
    tab.goto(f"{base}it/search/")
    (found,) = results(tab, "במחשוב", 1)
    assert slugs([found]) == ["he-mihshuv"]
    assert found["title"] == "Russia e Cina estendono la cooperazione nel calcolo"
    assert (found["originalLang"], found["originalDir"]) == ("he", "rtl")


def test_without_a_briefing_the_original_title_is_shown_unmarked(page: tuple[Page, str]) -> None:
    tab, base = page
    tab.goto(f"{base}ar/search/")
    (found,) = results(tab, "Новосибирске", 1)
    assert found["title"] == "Новые лаборатории откроются в Новосибирске"
    assert (found["titleLang"], found["titleDir"]) == ("ru", "ltr")
    assert found["mark"] is None and found["original"] is None
    assert found["href"] == "/multi/ar/articles/ru-laboratorii/"


def test_a_tag_alias_finds_every_language_once_and_filters_count_articles(
    page: tuple[Page, str],
) -> None:
    tab, base = page
    tab.goto(f"{base}ar/search/")
    found = results(tab, "الصين", 6)  # the tag china: six articles, however many records
    assert len(set(slugs(found))) == 6


def test_a_tag_alias_reads_a_foreign_bundles_table_and_fragments_not_its_pagefind(
    page: tuple[Page, str],
) -> None:
    # «الصين» is in no script the English, Hebrew, Russian and Chinese articles use: it finds
    # theirs through the tag china alone, from each bundle's filter table, its list of the tag's
    # pages and their fragments, without loading that bundle's Pagefind (WASM, metadata, index).
    tab, base = page
    fetched: list[str] = []
    tab.on("requestfinished", lambda request: fetched.append(request.url))
    tab.goto(f"{base}it/search/")
    found = results(tab, "الصين", 6)
    assert sorted(slugs(found)) == [
        "ar-taawun",
        "en-chips",
        "he-mihshuv",
        "it-cooperazione",
        "ru-sotrudnichestvo",
        "zh-hezuo",
    ]
    assert all(r["title"] and r["excerpt"] and "‿" not in str(r["excerpt"]) for r in found)
    for lang in ("en", "he", "ru", "zh-Hans"):
        files = [u.split(f"/pagefind/{lang}/", 1)[1] for u in fetched if f"/pagefind/{lang}/" in u]
        assert {"briefgen-filters.json", "briefgen-tag-china.json"} <= set(files), files
        assert not any(
            name.startswith(("wasm.", "pagefind.", "index/")) or name.endswith(".pf_meta")
            for name in files
        ), files
    # The Arabic query's script is the Persian articles': that bundle is searched by Pagefind.
    assert any("/pagefind/fa/wasm." in u for u in fetched)


def test_a_bundle_loaded_for_a_query_adds_its_results_after_the_first(
    browser: Browser, http_server: Callable[[Path], str], tmp_path: Path
) -> None:
    # An Arabic-script word is in the Persian articles' script too: the Arabic bundle, loaded
    # with the page, answers first; the Persian one, loaded for the query (here held back until
    # the first result is on screen), adds its article once it has loaded.
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    arabic = site / "content/articles/ar-taawun.md"
    arabic.write_text(arabic.read_text("utf-8") + "\nوحضر دانشجويان من طهران.\n", "utf-8")
    build(site, tmp_path / "out/multi")
    tab = browser.new_page(viewport={"width": 1000, "height": 3000})
    held: list[Route] = []
    tab.route("**/pagefind/fa/wasm.*", lambda route: held.append(route))
    tab.goto(http_server(tmp_path / "out") + "multi/ar/search/")
    tab.wait_for_load_state("networkidle")
    assert slugs(results(tab, "دانشجويان", 1)) == ["ar-taawun"]
    assert held  # the Persian bundle is still loading
    for route in held:
        route.continue_()
    tab.wait_for_function(f"document.querySelectorAll('{RESULTS}').length === 2")
    assert sorted(slugs(read_results(tab))) == ["ar-taawun", "fa-arabic-letters"]  # type: ignore[arg-type]
    tab.close()


def test_persian_dates_are_gregorian_as_on_the_pages(
    browser: Browser, http_server: Callable[[Path], str], tmp_path: Path
) -> None:
    # The browser's Persian default is the Solar Hijri calendar; the pages write Babel's
    # Gregorian dates with Western digits, and so does the search page.
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    yml = site / "site.yml"
    text = yml.read_text("utf-8").replace("languages: [ar, it]", "languages: [fa, ar, it]")
    yml.write_text(text.replace("title:\n", "title:\n  fa: بایگانی جستجو\n"), "utf-8")
    tags = site / "content/tags.yml"
    tags.write_text(tags.read_text("utf-8").replace("{ar: ", "{fa: برچسب, ar: "), "utf-8")
    build(site, tmp_path / "out/multi")
    tab = browser.new_page()
    tab.goto(http_server(tmp_path / "out") + "multi/fa/search/")
    found = results(tab, "Новосибирске", 1)
    article = (tmp_path / "out/multi/fa/articles/ru-laboratorii/index.html").read_text("utf-8")
    assert found[0]["date"], found
    assert found[0]["date"] in article, found
    tab.close()
