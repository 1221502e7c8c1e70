"""Direction and language, checked in the HTML (tests/browser/ checks what a browser makes of it).

Every page says its language and direction on ``<html>``; anything in another language inside
it says so again (``lang`` and ``dir``), outlet names sit in ``<bdi>``, and dates keep the
precision the source gave, written the way each language writes them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC
from pathlib import Path

import pytest

from tests.helpers import Element, html_files, parse_html

DIRECTION = {"ar": "rtl", "it": "ltr"}
OUTLETS = {"MeteoWeb": "it", "الأخبار": "ar", "بوابة الشرق الأوسط": "ar"}
ARTICLE_LINK = re.compile(r"^/archive/(ar|it)/articles/[^/]+/$")


def page_language(rel: str) -> str:
    """The language a page is in: its first path segment, or the default (Arabic) at the top."""
    first = rel.split("/", 1)[0]
    return first if first in DIRECTION else "ar"


def html_element(doc: Element) -> Element:
    html = doc.find("html")
    assert html is not None
    return html


def test_every_page_declares_its_language_and_direction(valid_output: Path) -> None:
    pages = 0
    for rel, text in html_files(valid_output):
        html = html_element(parse_html(text))
        lang = page_language(rel)
        assert (html.get("lang"), html.get("dir")) == (lang, DIRECTION[lang]), rel
        pages += 1
    assert pages > 50


def test_list_items_in_another_language_say_so(valid_output: Path) -> None:
    mixed = 0
    for rel, text in html_files(valid_output):
        page_lang = page_language(rel)
        for item in parse_html(text).find_all("li", "item"):
            heading = item.find("h2", "item-title")
            link = heading.find("a") if heading else None
            assert link is not None, rel
            match = ARTICLE_LINK.match(link.get("href") or "")
            assert match, rel
            item_lang = match.group(1)
            if item_lang == page_lang:
                assert "lang" not in item.attrs and "dir" not in item.attrs, rel
                continue
            mixed += 1
            assert (item.get("lang"), item.get("dir")) == (item_lang, DIRECTION[item_lang]), rel
            # The page's own words inside the item (date, outlet, tag labels) switch back.
            meta = item.find("p", "item-meta")
            assert meta is not None
            assert (meta.get("lang"), meta.get("dir")) == (page_lang, DIRECTION[page_lang]), rel
            for tags in item.find_all("ul", "tag-list"):
                assert (tags.get("lang"), tags.get("dir")) == (page_lang, DIRECTION[page_lang])
    assert mixed > 20


def test_outlet_names_are_isolated_with_their_language(valid_output: Path) -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    for rel, text in html_files(valid_output):
        for bdi in parse_html(text).iter("bdi"):
            name = bdi.text
            if name in OUTLETS:
                lang = OUTLETS[name]
                assert (bdi.get("lang"), bdi.get("dir")) == (lang, DIRECTION[lang]), rel
                seen[name].add(page_language(rel))
            else:
                assert bdi.get("dir") == "auto" or bdi.get("lang"), rel
    # Every outlet name appears on pages of both languages, isolated each time.
    assert seen == {name: {"ar", "it"} for name in OUTLETS}


def test_an_outlet_name_in_another_language_never_appears_bare(valid_output: Path) -> None:
    for rel, text in html_files(valid_output):
        for element in parse_html(text).iter():
            if element.tag in ("bdi", "title", "meta", "script"):  # script: data, never shown
                continue
            for child in element.children:
                if isinstance(child, str):
                    for name, lang in OUTLETS.items():
                        if lang != page_language(rel):
                            assert name not in child, f"{rel}: bare {name!r} in <{element.tag}>"


EXPECTED_DATES = {
    "2025-01-02": {"ar": "2 يناير 2025", "it": "2 gennaio 2025"},
    "2025-01": {"ar": "يناير 2025", "it": "gennaio 2025"},
    "2024": {"ar": "2024", "it": "2024"},
    "2025-02-03T10:30:00+01:00": {
        "ar": "3 فبراير 2025 10:30 غرينتش+01:00",
        "it": "3 febbraio 2025 10:30 GMT+01:00",
    },
    "2025-01-03": {"ar": "3 يناير 2025"},  # the day putin-china-ai's source was accessed
}


def test_dates_keep_their_precision_and_speak_the_page_language(valid_output: Path) -> None:
    shown: dict[tuple[str, str], set[str]] = defaultdict(set)
    for rel, text in html_files(valid_output):
        lang = page_language(rel)
        for time in parse_html(text).iter("time"):
            datetime = time.get("datetime") or ""
            assert datetime in EXPECTED_DATES, f"{rel}: unexpected precision {datetime!r}"
            assert time.get("dir") == DIRECTION[lang], rel
            shown[(datetime, lang)].add(time.text)
    assert shown == {
        (iso, lang): {text} for iso, texts in EXPECTED_DATES.items() for lang, text in texts.items()
    }


@pytest.mark.parametrize(
    ("page", "heading"),
    [
        ("ar/archive/2025/01/index.html", "يناير 2025"),
        ("it/archive/2025/01/index.html", "gennaio 2025"),
    ],
)
def test_month_pages_are_titled_in_the_page_language(
    valid_output: Path, page: str, heading: str
) -> None:
    doc = parse_html((valid_output / page).read_text("utf-8"))
    h1 = doc.find("h1")
    assert h1 is not None and h1.text == heading


@pytest.mark.parametrize(
    ("lang", "undated"), [("ar", "تاريخ غير معروف"), ("it", "Data sconosciuta")]
)
def test_an_undated_article_says_so_without_a_time_element(
    valid_output: Path, lang: str, undated: str
) -> None:
    doc = parse_html((valid_output / lang / "archive/undated/index.html").read_text("utf-8"))
    (item,) = doc.find_all("li", "item")
    assert item.find("time") is None
    marker = item.find("span", "undated")
    assert marker is not None and marker.text == undated


def test_the_language_switcher_names_each_language_in_itself(valid_output: Path) -> None:
    for rel, text in html_files(valid_output):
        nav = parse_html(text).find("nav", "language-switcher")
        if nav is None:
            continue
        links = {(a.get("lang"), a.get("dir"), a.text) for a in nav.iter("a")}
        assert links == {("ar", "rtl", "العربية"), ("it", "ltr", "italiano")}, rel


def test_remembered_dates_keep_each_offset_and_precision() -> None:
    """The renderer keeps formatted dates, numbers and months; equal instants written with
    different offsets still show their own offset, and a cached value never leaks across
    precisions or languages."""
    from datetime import datetime, timedelta, timezone

    from briefgen.config import language
    from briefgen.model import PartialDate
    from briefgen.pages import I18n

    italian = language("it")
    assert italian is not None
    t = I18n(italian, {"undated": "senza data"})
    rome = datetime(2025, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    utc = rome.astimezone(UTC)
    assert rome == utc  # the same instant: a cache keyed on the value alone would mix them
    first = t.date(PartialDate(2025, 3, 2, rome))
    second = t.date(PartialDate(2025, 3, 2, utc))
    assert "10:00" in first and "GMT+01:00" in first
    assert "09:00" in second and "+01:00" not in second
    assert t.date(PartialDate(2025, 3)) == "marzo 2025"
    assert t.date(PartialDate(2025)) == "2025"
    assert t.date(PartialDate(2025, 3)) == "marzo 2025"  # the remembered value, unchanged
    assert (t.number(12345), t.number(12345)) == ("12.345", "12.345")
    arabic = language("ar")
    assert arabic is not None
    assert I18n(arabic, {}).number(12345) != "12.345"
