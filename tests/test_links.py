"""Every internal link resolves, and pagination walks each list exactly once, newest first."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Element, html_files, parse_html

BASE_PATH = "/archive/"


def target(output: Path, href: str) -> Path:
    """The file a root-relative link of the site is served from (a query, such as the search a
    tag page links to, ``search/?tag=china``, is for the page's script: the file is the path's)."""
    path = href.split("#", 1)[0].split("?", 1)[0].removeprefix(BASE_PATH)
    return output / (path + "index.html" if path == "" or path.endswith("/") else path)


def in_article_body(element: Element) -> bool:
    """Links the writer put in a Markdown body are theirs, not the site's."""
    parent = element.parent
    while parent is not None:
        if "article-body" in parent.classes:
            return True
        parent = parent.parent
    return False


def test_every_internal_link_resolves(valid_output: Path) -> None:
    broken: list[str] = []
    checked = 0
    for rel, text in html_files(valid_output):
        for element in parse_html(text).iter():
            if in_article_body(element):
                continue
            for name in ("href", "src"):
                href = element.get(name)
                if not href or href.startswith(("https://", "http://", "#", "mailto:")):
                    continue
                assert href.startswith(BASE_PATH), f"{rel}: {href} ignores the base path"
                checked += 1
                if not target(valid_output, href).is_file():
                    broken.append(f"{rel} → {href}")
    assert broken == []
    assert checked > 1000


def item_links(doc: Element) -> list[str]:
    return [
        a.get("href") or "" for h2 in doc.find_all("h2", "item-title") for a in h2.find_all("a")
    ]


def walk(output: Path, first: str) -> list[str]:
    """The article links of a list, following rel=next from its first page."""
    seen: list[str] = []
    href: str | None = first
    pages = 0
    while href:
        doc = parse_html(target(output, href).read_text("utf-8"))
        links = item_links(doc)
        assert 1 <= len(links) <= 2, f"{href}: per_page is 2"
        seen += links
        nexts = [a.get("href") for a in doc.iter("a") if a.get("rel") == "next"]
        href = nexts[0] if nexts else None
        pages += 1
        assert pages < 10
    return seen


ALL = [
    "/archive/it/articles/sberbank/",
    "/archive/ar/articles/putin-china-ai/",
    "/archive/ar/articles/alliance-month/",
    "/archive/it/articles/escaping/",
    "/archive/ar/articles/undated-note/",
]


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        ("/archive/ar/", ALL),
        ("/archive/it/", ALL),
        ("/archive/it/ar/", [a for a in ALL if "/ar/" in a]),
        ("/archive/ar/it/", [a for a in ALL if "/it/" in a]),
        ("/archive/ar/tags/china/", [ALL[0], ALL[1], ALL[2]]),
        ("/archive/ar/tags/china/it/", [ALL[0]]),
        ("/archive/it/outlets/al-akhbar/", [ALL[1], ALL[4]]),  # its own article and one via it
        ("/archive/it/archive/2025/", ALL[:3]),
        ("/archive/it/archive/undated/", [ALL[4]]),
    ],
)
def test_a_list_is_newest_first_across_its_pages(
    valid_output: Path, first: str, expected: list[str]
) -> None:
    assert walk(valid_output, first) == expected
