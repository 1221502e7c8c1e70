"""Precision: a rare word finds its articles and not the rest of the archive.

Pagefind matches a query word to the indexed words it begins and, when there is none, to the
longest indexed word that begins it; its Arabic stemmer gives some nouns a function word's stem.
Before function words were indexed weightless (docs/search.md, "Precision"), «منغوليا» typed
with ل found every article with «لم», «عليا» every article with «على», «عنكبوت» every article
with «عن», and «lapide» every Italian article with «la». The site here is tests/sites/search
with three articles added, each the only one with its rare word.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from briefgen.build import build
from tests.helpers import SITES

ARTICLES = {
    "ar/mongolia.md": """---
title: "منغوليا توقّع اتفاقًا مع روسيا لتوريد الكهرباء"
date: 2025-01-20
outlet: masdar
language: ar
tags: [russia]
---
وقّعت منغوليا اتفاقًا مع روسيا يقضي بتوريد الكهرباء إلى العاصمة خلال الشتاء، في خطوة قال \
المسؤولون إنها تخفف الضغط على الشبكة التي تعاني من نقص في القدرة منذ سنوات، ولم تُعلن قيمة \
الاتفاق.
""",
    "ar/court.md": """---
title: "المحكمة العليا ترفض طعن شركة الاتصالات في قرار الغرامة"
date: 2025-01-21
outlet: akhbar
language: ar
tags: [economy]
---
رفضت المحكمة العليا الطعن الذي قدّمته شركة الاتصالات على قرار الغرامة، وقالت في حكمها إن \
الهيئة التي فرضت الغرامة لم تتجاوز صلاحياتها، وإن على الشركة أن تدفع المبلغ خلال شهر من \
تاريخ الحكم.
""",
    "it/delfino.md": """---
title: "Un delfino nel porto di Genova"
date: 2025-01-22
outlet: meteoweb
language: it
tags: [genova]
---
Un delfino è stato avvistato nel porto di Genova, dove i pescatori lo hanno seguito per un'ora \
con le barche. La capitaneria ha chiesto a tutti di rallentare e di non avvicinarsi all'animale.
""",
}

AI = {"a1", "a2", "a3", "a4"}
RUSSIA = {"a1", "a2", "a3", "i1", "i2", "i3", "mongolia"}

# (query, the articles it must find and nothing else, why it used to find more)
RARE: list[tuple[str, set[str], str]] = [
    ("منغوليا", {"mongolia"}, "in one article"),
    ("لمنغوليا", {"mongolia"}, "typed with ل: the word as typed fell back to «لم»"),
    ("ومنغوليا", {"mongolia"}, "typed with و"),
    ("بمنغوليا", {"mongolia"}, "typed with ب"),
    ("عليا", {"court"}, "its stem is «على»'s: علي"),
    ("العليا", {"court"}, "with the article"),
    ("والعليا", {"court"}, "typed with و"),
    ("delfino", {"delfino"}, "in one Italian article"),
    ("delfini", {"delfino"}, "the plural, by the Italian stemmer"),
]
# Words in no article: each used to find every article with the function word that begins it.
ABSENT = [
    "عنكبوت",  # عن
    "منارة",  # من
    "معكرونة",  # مع
    "أنغولا",  # أن
    "لاهاي",  # لا
    "كانبرا",  # كان, and its expansion انبرا: أن
    "dimora",  # di
    "lapide",  # la
]
# A function word alone is in nearly every article: it finds only longer words it begins (في finds
# فيديو), and these have none in the site.
FUNCTION_WORDS = ["إلى", "التي", "nel", "per"]
# Recall: real words and phrases with function words still find what they did.
COMMON: list[tuple[str, set[str]]] = [
    ("روسيا", RUSSIA),
    ("لروسيا", RUSSIA),
    ("الذكاء", AI),
    ("والذكاء", AI),
    ("الذكاء في مجال", {"a1", "a2", "a3"}),
    ("كتاب", {"a5"}),
    ("Russia", RUSSIA),
    ("intelligenza", {"i1", "i2"}),
    ("Cina", {"i1", "i2", "i3", "a1", "a2", "a3", "a4"}),
    ("sanzioni", {"i1", "i2"}),
    ("alleanza di Mosca", {"i1"}),
    ("nel porto di Genova", {"delfino"}),
]

SEARCH_ALL = """async ([queries, sort]) => {
  const module = await import(new URL("../../static/search/pagefind.js", location.href).href);
  if (sort) module.setSort(sort);
  const pf = module.createInstance();
  const out = {};
  for (const q of queries) {
    const res = await pf.search(q);
    const data = await Promise.all(res.results.map((r) => r.data()));
    out[q] = data.map((d) => d.url.split("/").filter(Boolean).pop());
  }
  return out;
}"""


@pytest.fixture(scope="module")
def precision_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/sites/search plus the three articles, built once under /news/."""
    source = tmp_path_factory.mktemp("precision-source") / "site"
    shutil.copytree(SITES / "search", source)
    for name, text in ARTICLES.items():
        (source / "content" / "articles" / name).write_text(text, "utf-8")
    with (source / "content" / "tags.yml").open("a", encoding="utf-8") as tags:
        tags.write("genova:\n  label: {ar: جنوة, it: Genova}\n")
    served = tmp_path_factory.mktemp("precision-site")
    build(source, served / "news")
    return served


@pytest.fixture
def base(precision_output: Path, http_server: Callable[[Path], str]) -> str:
    return http_server(precision_output) + "news/"


def found(page: Page, base: str, lang: str, queries: list[str], sort: object = None) -> dict:
    page.goto(f"{base}{lang}/search/")
    result: dict[str, list[str]] = page.evaluate(SEARCH_ALL, [queries, sort])
    return {query: set(result[query]) for query in queries}


@pytest.mark.parametrize("lang", ["ar", "it"])
def test_a_rare_word_finds_its_articles_and_not_the_rest(page: Page, base: str, lang: str) -> None:
    got = found(page, base, lang, [q for q, _, _ in RARE])
    assert got == {query: expected for query, expected, _ in RARE}


@pytest.mark.parametrize("lang", ["ar", "it"])
def test_a_word_in_no_article_finds_nothing_not_everything(
    page: Page, base: str, lang: str
) -> None:
    assert found(page, base, lang, ABSENT) == {query: set() for query in ABSENT}


def test_a_function_word_alone_finds_nothing(page: Page, base: str) -> None:
    assert found(page, base, "ar", FUNCTION_WORDS) == {q: set() for q in FUNCTION_WORDS}


@pytest.mark.parametrize("lang", ["ar", "it"])
def test_common_words_and_phrases_keep_their_articles(page: Page, base: str, lang: str) -> None:
    got = found(page, base, lang, [q for q, _ in COMMON])
    assert got == dict(COMMON)


SORTED = {"لمنغوليا": {"mongolia"}, "عليا": {"court"}, "عنكبوت": set(), "روسيا": RUSSIA}


def test_sorted_by_date_a_rare_word_still_finds_only_its_articles(page: Page, base: str) -> None:
    """Sorting asks Pagefind for another order (with ranks for scores): the same results."""
    assert found(page, base, "ar", list(SORTED), {"date": "desc"}) == SORTED


def test_sorting_after_searching_keeps_the_same_results(page: Page, base: str) -> None:
    """The usual order of things: search, then sort (the scores of the search are reused)."""
    page.goto(f"{base}ar/search/")
    got = page.evaluate(
        """async (queries) => {
          const url = new URL("../../static/search/pagefind.js", location.href);
          const module = await import(url.href);
          const pf = module.createInstance();
          const names = async (q) => {
            const res = await pf.search(q);
            const data = await Promise.all(res.results.map((r) => r.data()));
            return data.map((d) => d.url.split("/").filter(Boolean).pop());
          };
          const out = {};
          for (const q of queries) out[q] = [await names(q)];
          module.setSort({ date: "asc" });
          for (const q of queries) out[q].push(await names(q));
          return out;
        }""",
        list(SORTED),
    )
    assert {q: [set(ids) for ids in lists] for q, lists in got.items()} == {
        q: [expected, expected] for q, expected in SORTED.items()
    }


@pytest.mark.parametrize(("lang", "query", "expected"), [("ar", "لمنغوليا", 1), ("it", "عليا", 1)])
def test_the_page_shows_the_rare_words_article_alone(
    page: Page, base: str, lang: str, query: str, expected: int
) -> None:
    """As a reader sees it: typed into the box, one result, and the summary says one."""
    page.goto(f"{base}{lang}/search/")
    box = page.locator("pagefind-input input")
    box.fill(query)
    page.wait_for_function(
        "(q) => document.querySelector('pagefind-summary')?.textContent.includes(q)", arg=query
    )
    results = page.locator("pagefind-results li.search-result")
    page.wait_for_function(
        "(n) => document.querySelectorAll('pagefind-results li.search-result').length === n",
        arg=expected,
    )
    assert results.count() == expected
    link = results.first.locator(".pf-result-link")
    link.wait_for()
    assert ("منغوليا" if query == "لمنغوليا" else "العليا") in link.inner_text()
