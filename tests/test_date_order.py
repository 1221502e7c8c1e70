"""One date order everywhere: lists, feeds, exports and the search index agree.

An article dated ``2025-01-02T00:30+02:00`` is shown as 2 January, though its instant is earlier
than ``2025-01-01T23:00Z``'s. Every list sorts by the day as shown, then by the instant; the
search page sorted UTC text and put them the other way round. The browser side of the search
page is tests/browser/test_search_browser.py::test_search_page_sorts_dates_like_the_lists.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from briefgen.build import build
from briefgen.config import load_config
from briefgen.content import load_site
from briefgen.search.index import record
from tests.date_order_site import DATES, NEWEST_FIRST, make_site


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_site(tmp_path_factory.mktemp("order"))
    build(root, search=False)
    return root / "_site"


def slugs_in(text: str) -> list[str]:
    """The article slugs linked from a page or feed, in document order, each once."""
    found = re.findall(r"/articles/([a-z]+)/", text)
    return list(dict.fromkeys(found))


@pytest.mark.parametrize("lang", ["ar", "it"])
def test_the_home_list_is_newest_first_by_the_day_shown(built: Path, lang: str) -> None:
    assert slugs_in((built / lang / "index.html").read_text("utf-8")) == NEWEST_FIRST


def test_the_data_export_has_the_same_order(built: Path) -> None:
    rows = json.loads((built / "data" / "articles.json").read_text("utf-8"))
    assert [row["slug"] for row in rows] == NEWEST_FIRST


@pytest.mark.parametrize("lang", ["ar", "it"])
def test_each_feed_has_the_same_order(built: Path, lang: str) -> None:
    feed = (built / lang / "atom.xml").read_text("utf-8")
    entries = re.findall(r"<entry[ >].*?</entry>", feed, re.S)
    order = [slugs_in(entry)[0] for entry in entries]
    dated_here = [s for i, s in enumerate(DATES) if ("ar" if i % 2 else "it") == lang]
    assert order == [s for s in NEWEST_FIRST if s in dated_here and DATES[s] != "unknown"]


def test_the_search_records_sort_as_the_lists(tmp_path: Path) -> None:
    site = load_site(load_config(make_site(tmp_path))).site
    records = {a.slug: record(a, "/") for a in site.articles}
    by_sort = sorted(records, key=lambda slug: records[slug].sort, reverse=True)
    assert by_sort == NEWEST_FIRST == [a.slug for a in site.articles]
