"""Bundles per content language (tests/sites/search-languages): a bundle per language tag with
the WASM its entry names, the curator's briefings indexed in their reader language's bundle and
tied to their article's own record, result links per reader language, Persian letters kept in
a Persian bundle. What a reader finds is tested in tests/browser/test_search_languages_browser.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefgen import search
from briefgen.build import build
from briefgen.config import load_config
from briefgen.content import load_site
from briefgen.search.records import used_wasm
from tests.helpers import SITES, parse_html
from tests.test_search import filter_table, fragments, page_urls

SITE = SITES / "search-languages"


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("search-languages") / "site"
    build(SITE, out)
    return out


def records(bundle: Path) -> dict[str, dict[str, object]]:
    """The bundle's records by record URL (``/<slug>.html``)."""
    return {str(r["url"]): r for r in fragments(bundle)}


def test_one_bundle_per_content_language_reader_languages_first() -> None:
    site = load_site(load_config(SITE)).site
    assert search.bundle_languages(site) == ("ar", "it", "en", "fa", "he", "ru", "zh-Hans")


def test_each_bundle_has_one_language_and_the_wasm_it_loads(output: Path) -> None:
    for lang, wasm in {
        "ar": "ar",
        "it": "it",
        "en": "en",
        "ru": "ru",
        # Pagefind 1.5.2 has no stemmer for these: its entry says "wasm": null, and pagefind.js
        # loads wasm.unknown.pagefind.
        "fa": "unknown",
        "he": "unknown",
        "zh-Hans": "unknown",
    }.items():
        bundle = output / "pagefind" / lang
        entry = json.loads((bundle / "pagefind-entry.json").read_text("utf-8"))
        assert list(entry["languages"]) == [lang.lower()]  # one <html lang> per bundle
        assert sorted(p.name for p in bundle.glob("wasm.*")) == [f"wasm.{wasm}.pagefind"]
        assert used_wasm(bundle) == {f"wasm.{wasm}.pagefind"}


def test_briefings_are_indexed_in_their_reader_languages_bundle(output: Path) -> None:
    ar = records(output / "pagefind/ar")
    assert set(ar) == {"/ar-taawun.html", "/ru-sotrudnichestvo.html", "/zh-hezuo.html"}
    briefing = ar["/ru-sotrudnichestvo.html"]
    assert str(briefing["content"]).startswith("روسيا والصين توسّعان التعاون في مختبرات سيبيريا.")
    assert briefing["meta"] == {
        "title": "Россия и Китай расширяют сотрудничество в области искусственного интеллекта",
        "lang": "ru",
        "href": "/multi/ar/articles/ru-sotrudnichestvo/",
        "href_it": "/multi/it/articles/ru-sotrudnichestvo/",
        "title_ar": "روسيا والصين توسّعان التعاون في مختبرات سيبيريا",
        "title_it": "Russia e Cina ampliano la cooperazione nei laboratori siberiani",
        "date": "2025-03-01",
        "sort": briefing["meta"]["sort"],  # type: ignore[index]
        "outlet": "tass",
    }
    # The Hebrew article's Italian briefing is in the Italian bundle; it has no Arabic one.
    assert "/he-mihshuv.html" in records(output / "pagefind/it")
    assert "/he-mihshuv.html" not in ar
    # The article's own text is in its own language's bundle, with the same meta but no lang.
    own = records(output / "pagefind/ru")["/ru-sotrudnichestvo.html"]["meta"]
    assert own == {k: v for k, v in briefing["meta"].items() if k != "lang"}  # type: ignore[union-attr]


def test_a_briefings_page_names_its_articles_own_page(output: Path) -> None:
    table = json.loads((output / "pagefind/ar/briefgen-filters.json").read_text("utf-8"))
    rows = {
        lang: {url: row for row, url in enumerate(page_urls(output / "pagefind" / lang))}
        for lang in ("ar", "ru", "zh-Hans")
    }
    # Per bundle of the originals: the briefing's row here, then the original's row there.
    assert table["same"] == {
        "ru": [rows["ar"]["/ru-sotrudnichestvo.html"], rows["ru"]["/ru-sotrudnichestvo.html"]],
        "zh-Hans": [rows["ar"]["/zh-hezuo.html"], rows["zh-Hans"]["/zh-hezuo.html"]],
    }
    # Only briefings have one: the bundles of the archive's own languages are as they were.
    assert "same" not in json.loads((output / "pagefind/ru/briefgen-filters.json").read_text())


def test_a_bundle_loaded_on_demand_lists_each_tags_pages(output: Path) -> None:
    # A query naming a tag finds a foreign bundle's articles with it from these files and the
    # filter table, without loading that bundle's Pagefind; reader-language bundles have none.
    for lang in ("ru", "zh-Hans", "fa", "he", "en"):
        bundle = output / "pagefind" / lang
        urls = dict(zip(search.records.meta_pages(bundle), page_urls(bundle), strict=True))
        table = filter_table(bundle)
        for path in bundle.glob("briefgen-tag-*.json"):
            word = path.stem.removeprefix("briefgen-tag-")
            pages = json.loads(path.read_text("utf-8"))
            assert [
                url
                for url in urls.values()
                if word in {t.replace("-", "") for t in table[url]["tag"]}
            ] == [urls[p] for p in pages]
        carried = {t for values in table.values() for t in values["tag"]}
        assert {
            p.stem.removeprefix("briefgen-tag-") for p in bundle.glob("briefgen-tag-*.json")
        } == {t.replace("-", "") for t in carried}
    assert not list((output / "pagefind/ar").glob("briefgen-tag-*"))


def test_result_links_go_to_the_readers_page_of_a_foreign_article(output: Path) -> None:
    en = records(output / "pagefind/en")["/en-chips.html"]["meta"]
    assert en["href"] == "/multi/ar/articles/en-chips/"  # type: ignore[index]
    assert en["href_it"] == "/multi/it/articles/en-chips/"  # type: ignore[index]
    assert not any(k.startswith("title_") for k in en)  # type: ignore[union-attr]  # no briefing
    it = records(output / "pagefind/it")["/it-cooperazione.html"]["meta"]
    assert it["href"] == "/multi/it/articles/it-cooperazione/"  # type: ignore[index]
    assert "href_ar" not in it  # type: ignore[operator]  # its one page, from either page


def test_a_persian_bundle_keeps_persian_letters(output: Path) -> None:
    fa = records(output / "pagefind/fa")
    # Typed with the Arabic keyboard's ك and ي: indexed (and shown) with Persian ک and ی.
    text = str(fa["/fa-arabic-letters.html"]["content"])
    assert "کارگاه" in text and "این" in text and "ك" not in text and "ي" not in text
    # Elsewhere, Persian letters are folded to the Arabic ones as before.
    assert search.fold_index("کتاب ایران") == "كتاب ايران"
    assert search.fold_index("كتاب ايران ۲۰", "fa") == "کتاب ایران 20"


def test_the_search_page_knows_every_bundle_before_loading_it(output: Path) -> None:
    doc = parse_html((output / "ar/search/index.html").read_text("utf-8"))
    script = next(s for s in doc.find_all("script") if s.get("id") == "briefgen-search")
    config = json.loads(script.text)
    bundles = {b["lang"]: b for b in config["bundles"]}
    assert [lang for lang, b in bundles.items() if b["home"]] == ["ar", "it"]
    assert {lang: b["scripts"] for lang, b in bundles.items()} == {
        "ar": ["arab"],
        "it": ["latn"],
        "en": ["latn"],
        "fa": ["arab"],
        "he": ["hebr"],
        "ru": ["cyrl"],
        "zh-Hans": ["hani"],
    }
    assert bundles["zh-Hans"].get("segment") and bundles["fa"].get("persian")
    assert bundles["he"]["tags"] == ["\u203fchina", "\u203frussia"]
    # The language filter's values: the articles' languages, each article counted once.
    assert config["totals"]["lang"] == {
        "ar": 1,
        "en": 1,
        "fa": 2,
        "he": 1,
        "it": 1,
        "ru": 2,
        "zh-Hans": 1,
    }
    assert config["totals"]["tag"]["china"] == 6
    assert config["translation"] == "ترجمة المحرِّر"
