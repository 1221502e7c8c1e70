"""Atom feeds and the sitemap are well-formed XML with absolute URLs from base_url."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import pytest

from briefgen.build import build
from tests.conftest import MakeSite, article
from tests.helpers import VALID_SITE, html_files, parse_html

BASE = "https://example.org/archive/"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def feeds(output: Path) -> list[Path]:
    return sorted(output.rglob("atom.xml"))


def moment(text: str | None) -> datetime:
    """An RFC 3339 timestamp, which must carry its offset."""
    assert text is not None
    value = datetime.fromisoformat(text)
    assert value.tzinfo is not None, f"{text} has no offset"
    return value


def local_path(output: Path, url: str) -> Path:
    """The file an absolute URL of the site is served from."""
    assert url.startswith(BASE), f"{url} is not under base_url"
    rel = url.removeprefix(BASE)
    return output / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)


def test_every_language_and_tag_has_a_feed(valid_output: Path) -> None:
    """Per reader language: the whole archive, each tag, and (the archive being written in
    two languages) each content language."""
    names = [p.relative_to(valid_output).as_posix() for p in feeds(valid_output)]
    assert names == sorted(
        f"{lang}/{where}atom.xml"
        for lang in ("ar", "it")
        for where in ("", "ar/", "it/", "tags/ai/", "tags/china/", "tags/russia/")
    )


@pytest.mark.parametrize("reader", ["ar", "it"])
def test_a_content_language_has_its_feed_beside_its_narrowed_home(
    valid_output: Path, reader: str
) -> None:
    """A reader who follows only the Italian coverage subscribes to ``/<reader>/it/atom.xml``:
    its entries are the Italian articles of the reader's archive, and the home page narrowed to
    Italian links that feed (the unnarrowed home links the whole feed)."""
    for content in ("ar", "it"):
        feed = ET.parse(valid_output / reader / content / "atom.xml").getroot()
        whole = ET.parse(valid_output / reader / "atom.xml").getroot()
        links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
        assert links["alternate"] == f"{BASE}{reader}/{content}/"
        entries = feed.findall(f"{ATOM}entry")
        assert entries, f"{reader}/{content}/atom.xml is empty"
        for entry in entries:
            page = entry.find(f"{ATOM}link")
            assert page is not None
            html = local_path(valid_output, page.get("href", "")).read_text("utf-8")
            assert f'<html lang="{content}"' in html  # the article is written in ``content``
        if content == reader:  # what the reader's whole feed holds in that language
            same = [e for e in whole.findall(f"{ATOM}entry") if e.get(XML_LANG) == content]
            assert [e.findtext(f"{ATOM}id") for e in entries] == [
                e.findtext(f"{ATOM}id") for e in same
            ]
        narrowed = (valid_output / reader / content / "index.html").read_text("utf-8")
        assert f'href="/archive/{reader}/{content}/atom.xml"' in narrowed
    home = (valid_output / reader / "index.html").read_text("utf-8")
    assert 'type="application/atom+xml" title="' in home
    assert f'href="/archive/{reader}/atom.xml"' in home


@pytest.mark.parametrize("lang", ["ar", "it"])
def test_a_feed_is_atom_with_language_ids_and_dates(valid_output: Path, lang: str) -> None:
    for path in (valid_output / lang).rglob("atom.xml"):
        feed = ET.parse(path).getroot()
        rel = path.relative_to(valid_output).as_posix()
        assert feed.tag == f"{ATOM}feed"
        assert feed.get(XML_LANG) == lang
        assert feed.findtext(f"{ATOM}id") == BASE + rel
        assert feed.findtext(f"{ATOM}title")
        links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
        assert links["self"] == BASE + rel
        assert local_path(valid_output, links["alternate"] or "").is_file()
        updated = moment(feed.findtext(f"{ATOM}updated"))
        entries = feed.findall(f"{ATOM}entry")
        assert entries, f"{rel} is empty"
        ids = [entry.findtext(f"{ATOM}id") for entry in entries]
        assert len(set(ids)) == len(ids)
        for entry in entries:
            entry_lang = entry.get(XML_LANG)
            assert entry_lang in ("ar", "it")
            url = entry.findtext(f"{ATOM}id") or ""
            assert url.startswith(f"{BASE}{entry_lang}/articles/")
            assert local_path(valid_output, url).is_file()
            (link,) = entry.findall(f"{ATOM}link")
            assert (link.get("rel"), link.get("hreflang"), link.get("href")) == (
                "alternate",
                entry_lang,
                url,
            )
            assert moment(entry.findtext(f"{ATOM}updated")) <= updated
            moment(entry.findtext(f"{ATOM}published"))
            assert entry.findtext(f"{ATOM}title")
            assert entry.findtext(f"{ATOM}author/{ATOM}name")
            content = entry.find(f"{ATOM}content")
            assert content is not None and content.get("type") == "html"
            parse_html(content.text or "")  # the escaped body is HTML again once unescaped


def test_a_language_feed_lists_that_language_newest_first(valid_output: Path) -> None:
    ids = {
        lang: [
            e.findtext(f"{ATOM}id")
            for e in ET.parse(valid_output / lang / "atom.xml").getroot().findall(f"{ATOM}entry")
        ]
        for lang in ("ar", "it")
    }
    assert ids == {
        # The undated article cannot be an Atom entry; the draft is not published.
        "ar": [BASE + "ar/articles/putin-china-ai/", BASE + "ar/articles/alliance-month/"],
        "it": [BASE + "it/articles/sberbank/", BASE + "it/articles/escaping/"],
    }


def test_a_tag_feed_mixes_languages(valid_output: Path) -> None:
    feed = ET.parse(valid_output / "it/tags/china/atom.xml").getroot()
    langs = [e.get(XML_LANG) for e in feed.findall(f"{ATOM}entry")]
    assert langs == ["it", "ar", "ar"]


def test_drafts_are_nowhere(valid_output: Path) -> None:
    # "inedito" is the draft's slug and appears in its title and body, nowhere else.
    assert (VALID_SITE / "content/articles/it/inedito.md").is_file()
    for path in valid_output.rglob("*"):
        if path.is_file():
            assert b"inedito" not in path.read_bytes().lower(), path


def sitemap(output: Path) -> list[ET.Element]:
    root = ET.parse(output / "sitemap.xml").getroot()
    assert root.tag == f"{SITEMAP}urlset"
    return root.findall(f"{SITEMAP}url")


def test_the_sitemap_lists_every_page_once_with_absolute_urls(valid_output: Path) -> None:
    locs = [url.findtext(f"{SITEMAP}loc") or "" for url in sitemap(valid_output)]
    assert len(set(locs)) == len(locs)
    listed = {local_path(valid_output, loc) for loc in locs}
    pages = {
        valid_output / rel
        for rel, _ in html_files(valid_output)
        if rel != "index.html" and not rel.endswith("404.html")  # the redirect and error pages
    }
    assert listed == pages


def test_sitemap_alternates_are_reciprocal_and_exist(valid_output: Path) -> None:
    alternates: dict[str, dict[str, str]] = {}
    for url in sitemap(valid_output):
        loc = url.findtext(f"{SITEMAP}loc") or ""
        links = url.findall(f"{XHTML}link")
        if "/articles/" in loc:
            assert links == [], "an article exists in one language only"
            continue
        found = {link.get("hreflang") or "": link.get("href") or "" for link in links}
        assert set(found) == {"ar", "it", "x-default"}
        assert found["x-default"] == found["ar"]  # the default language
        assert loc in found.values()
        for href in found.values():
            assert local_path(valid_output, href).is_file(), href
        alternates[loc] = found
    for loc, found in alternates.items():
        for code in ("ar", "it"):
            assert alternates[found[code]] == found, f"{loc} and {found[code]} disagree"


def test_pages_declare_canonical_and_alternate_urls(valid_output: Path) -> None:
    for rel, text in html_files(valid_output):
        head = parse_html(text).find("head")
        assert head is not None
        links = head.find_all("link")
        canonical = [link.get("href") for link in links if link.get("rel") == "canonical"]
        if rel.endswith("404.html"):
            continue
        assert len(canonical) == 1 and (canonical[0] or "").startswith(BASE), rel
        assert local_path(valid_output, canonical[0] or "").is_file()
        for link in links:
            if link.get("rel") == "alternate" and link.get("hreflang"):
                assert local_path(valid_output, link.get("href") or "").is_file(), rel


def test_absolute_urls_are_percent_encoded(make_site: MakeSite, tmp_path: Path) -> None:
    """Sitemap locations and feed ids are RFC 3986 URLs even for an Arabic slug."""
    root = make_site(
        {
            "content/articles/ar/روسيا-والصين.md": article(
                title="روسيا", date="2025-01-02", outlet="unknown", language="ar", tags="[russia]"
            )
        }
    )
    build(root, tmp_path / "out")
    locs = [url.findtext(f"{SITEMAP}loc") or "" for url in sitemap(tmp_path / "out")]
    slug = quote("روسيا-والصين")
    assert f"https://example.org/archive/ar/articles/{slug}/" in locs
    assert all(loc.isascii() for loc in locs)
    feed = ET.parse(tmp_path / "out/ar/atom.xml").getroot()
    assert all((e.text or "").isascii() for e in feed.iter(f"{ATOM}id"))
