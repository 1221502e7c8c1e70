"""Articles in languages that are not reader languages, and the curator's briefings, end to end.

The fixture tests/sites/languages has reader languages [ar, it] and articles in ru, zh-Hans, fa,
he and en beside an Arabic and an Italian one. Briefings: ru and en in both reader languages,
zh-Hans in Italian only, fa in Arabic only, he in none (the fallback), and the Arabic article
has an Italian briefing.
"""

# ruff: noqa: RUF001 (Russian, Persian, Hebrew and Arabic letters are the test data)

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import rispy

from briefgen.build import build
from briefgen.checks import check_site, render
from briefgen.cli import main
from tests.helpers import SITES, Element, parse_html

SITE = SITES / "languages"
BASE = "https://example.org/langs/"
READERS = ("ar", "it")
FOREIGN = {
    "ru-sotrudnichestvo": "ru",
    "zh-hezuo": "zh-Hans",
    "fa-hamkari": "fa",
    "he-shituf": "he",
    "en-cooperation": "en",
}
OWN = {"ar-taawun": "ar", "it-cooperazione": "it"}
BRIEFED = {  # (article, reader) → the briefing's title
    ("ru-sotrudnichestvo", "ar"): "روسيا والصين توسّعان التعاون في الذكاء الاصطناعي",
    ("ru-sotrudnichestvo", "it"): (
        "Russia e Cina ampliano la cooperazione sull'intelligenza artificiale"
    ),
    ("zh-hezuo", "it"): "Cina e Russia rafforzano la cooperazione nell'intelligenza artificiale",
    ("fa-hamkari", "ar"): "روسيا والصين توسّعان تعاونهما في الذكاء الاصطناعي",
    ("en-cooperation", "ar"): "روسيا والصين تعمّقان التعاون في مجال الذكاء الاصطناعي",
    ("en-cooperation", "it"): (
        "Russia e Cina approfondiscono la cooperazione sull'intelligenza artificiale"
    ),
    ("ar-taawun", "it"): "Nuova cooperazione russo-cinese sull'intelligenza artificiale",
}
ORIGINAL = {
    "ru-sotrudnichestvo": (
        "Россия и Китай расширяют сотрудничество в области искусственного интеллекта"
    ),
    "zh-hezuo": "中俄两国加强人工智能领域合作",
    "fa-hamkari": "روسیه و چین همکاری در هوش مصنوعی را گسترش می‌دهند",
    "he-shituf": "רוסיה וסין מרחיבות את שיתוף הפעולה בבינה מלאכותית",
    "en-cooperation": "Russia and China deepen cooperation on artificial intelligence",
    "ar-taawun": "تعاون روسي صيني جديد في الذكاء الاصطناعي",
    "it-cooperazione": "Mosca e Pechino firmano un accordo sull'intelligenza artificiale",
}
DIRECTION = {"ru": "ltr", "zh-Hans": "ltr", "fa": "rtl", "he": "rtl", "en": "ltr", "ar": "rtl"}
DIRECTION["it"] = "ltr"
MARK = {"ar": "ترجمة المحرِّر", "it": "Traduzione del curatore"}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("languages") / "site"
    build(SITE, output, search=False)
    return output


def page(out: Path, url: str) -> Element:
    return parse_html((out / url / "index.html").read_text("utf-8"))


def html_root(doc: Element) -> Element:
    root = doc.find("html")
    assert root is not None
    return root


def head_links(doc: Element, rel: str) -> list[tuple[str | None, str | None]]:
    return [(e.get("hreflang"), e.get("href")) for e in doc.iter("link") if e.get("rel") == rel]


# --- pages per reader language ----------------------------------------------------------------


@pytest.mark.parametrize("slug", FOREIGN)
def test_a_foreign_article_has_a_page_in_every_reader_language(out: Path, slug: str) -> None:
    for reader in READERS:
        doc = page(out, f"{reader}/articles/{slug}")
        root = html_root(doc)
        assert (root.get("lang"), root.get("dir")) == (reader, DIRECTION[reader])
        canonical = head_links(doc, "canonical")
        assert canonical == [(None, f"{BASE}ar/articles/{slug}/")]
        assert head_links(doc, "alternate") == [
            (code, f"{BASE}{code}/articles/{slug}/") for code in READERS
        ]
        switcher = doc.find("nav", "language-switcher")
        assert switcher is not None
        assert [a.get("href") for a in switcher.iter("a")] == [
            f"/langs/{code}/articles/{slug}/" for code in READERS
        ]
        nav = doc.find("nav", "site-nav")
        assert nav is not None and nav.find("a") is not None
        assert nav.find("a").text == ("Home" if reader == "it" else "الرئيسية")  # type: ignore[union-attr]


@pytest.mark.parametrize("slug", OWN)
def test_an_article_in_a_reader_language_keeps_its_one_page(out: Path, slug: str) -> None:
    own = OWN[slug]
    other = next(code for code in READERS if code != own)
    assert (out / own / "articles" / slug / "index.html").is_file()
    assert not (out / other / "articles" / slug).exists()
    doc = page(out, f"{own}/articles/{slug}")
    assert head_links(doc, "canonical") == [(None, f"{BASE}{own}/articles/{slug}/")]
    assert head_links(doc, "alternate") == []


def test_the_original_body_is_in_its_own_language(out: Path) -> None:
    for slug, code in FOREIGN.items():
        for reader in READERS:
            body = page(out, f"{reader}/articles/{slug}").find("div", "article-body")
            assert body is not None
            assert (body.get("lang"), body.get("dir")) == (code, DIRECTION[code])


def test_a_briefing_comes_first_marked_as_a_translation(out: Path) -> None:
    doc = page(out, "it/articles/ru-sotrudnichestvo")
    h1 = doc.find("h1")
    assert h1 is not None and h1.text == BRIEFED[("ru-sotrudnichestvo", "it")]
    assert h1.get("lang") is None  # the page's language
    note = doc.find("p", "translation-note")
    assert note is not None and note.text == MARK["it"]
    original = doc.find("section", "original")
    assert original is not None
    title = original.find("p", "original-title")
    assert title is not None and title.text == ORIGINAL["ru-sotrudnichestvo"]
    assert (title.get("lang"), title.get("dir")) == ("ru", "ltr")
    summary = doc.find("p", "summary")
    assert summary is not None and "Mosca e Pechino" in summary.text
    # The UI stays Italian: labels, date, the Cite block.
    text = html_root(doc).text
    assert "Pubblicato da" in text and "4 marzo 2025" in text and "Citare questo articolo" in text


def test_without_a_briefing_the_page_shows_the_original_and_nothing_invented(out: Path) -> None:
    for reader in READERS:
        doc = page(out, f"{reader}/articles/he-shituf")
        h1 = doc.find("h1")
        assert h1 is not None and h1.text == ORIGINAL["he-shituf"]
        assert (h1.get("lang"), h1.get("dir")) == ("he", "rtl")
        assert doc.find("p", "translation-note") is None
        assert doc.find("section", "original") is None
        assert MARK[reader] not in html_root(doc).text
        summary = doc.find("p", "summary")
        assert summary is not None
        span = summary.find("span")
        assert span is not None and span.get("lang") == "he"
        assert span.text == "שתי המדינות הודיעו על מעבדות מחקר משותפות."


def test_an_arabic_article_with_an_italian_briefing_keeps_its_one_arabic_page(out: Path) -> None:
    # Its Italian briefing is in Italian lists and feeds and in the exports; its page stays as
    # an Arabic article's page is (the briefing there would take the page past the theme's
    # 30 kB budget on the archive's own articles).
    doc = page(out, "ar/articles/ar-taawun")
    assert html_root(doc).get("lang") == "ar"
    h1 = doc.find("h1")
    assert h1 is not None and h1.text == ORIGINAL["ar-taawun"] and h1.get("lang") is None
    assert doc.find("p", "translation-note") is None
    assert not (out / "it/articles/ar-taawun").exists()
    listed = items(page(out, "it/"))["ar-taawun"]
    link = listed.find("a")
    assert link is not None and link.get("href") == "/langs/ar/articles/ar-taawun/"
    assert link.text == BRIEFED[("ar-taawun", "it")]


# --- lists and filters ------------------------------------------------------------------------


def items(doc: Element) -> dict[str, Element]:
    """List items by the slug of the article they link."""
    found = {}
    for li in doc.find_all("li", "item"):
        link = li.find("a")
        assert link is not None
        found[(link.get("href") or "").rstrip("/").rsplit("/", 1)[1]] = li
    return found


@pytest.mark.parametrize("url", ["", "tags/china/", "outlets/tass/", "archive/2025/03/"])
@pytest.mark.parametrize("reader", READERS)
def test_lists_show_briefings_marked_with_the_original_beside(
    out: Path, reader: str, url: str
) -> None:
    listed = items(page(out, f"{reader}/{url}"))
    assert listed
    for slug, li in listed.items():
        link = li.find("a")
        assert link is not None
        code = FOREIGN.get(slug) or OWN[slug]
        expected = f"/langs/{reader}/articles/{slug}/" if slug in FOREIGN else None
        if expected:
            assert link.get("href") == expected
        title = BRIEFED.get((slug, reader))
        if title is None:  # the original, in its own language
            assert link.text == ORIGINAL[slug]
            if code != reader:
                assert (li.get("lang"), li.get("dir")) == (code, DIRECTION[code])
            assert li.find("p", "item-original") is None
            assert MARK[reader] not in li.text
        else:
            assert link.text == title
            assert li.get("lang") is None
            original = li.find("p", "item-original")
            assert original is not None and MARK[reader] in original.text
            cite = original.find("cite")
            assert cite is not None and cite.text == ORIGINAL[slug]
            assert (cite.get("lang"), cite.get("dir")) == (code, DIRECTION[code])


@pytest.mark.parametrize("reader", READERS)
def test_the_language_filter_lists_every_content_language_with_counts(
    out: Path, reader: str
) -> None:
    nav = page(out, f"{reader}/").find("nav", "language-filter")
    assert nav is not None
    links = [(a.get("href"), a.text) for a in nav.iter("a")]
    names = {
        "ar": ["العربية", "الإيطالية", "الإنجليزية", "الفارسية", "العبرية", "الروسية"],
        "it": ["arabo", "italiano", "inglese", "persiano", "ebraico", "russo"],
    }[reader]
    codes = ["ar", "it", "en", "fa", "he", "ru", "zh-Hans"]
    assert [href for href, _ in links] == [f"/langs/{reader}/"] + [
        f"/langs/{reader}/{code}/" for code in codes
    ]
    for (_, text), name in zip(links[1:], names, strict=False):
        assert text.startswith(name + " ")
    assert all(text.endswith("(1)") or text.endswith("(١)") for _, text in links[1:])
    ru = page(out, f"{reader}/ru/")
    assert list(items(ru)) == ["ru-sotrudnichestvo"]
    zh = page(out, f"{reader}/zh-Hans/")
    assert list(items(zh)) == ["zh-hezuo"]


def test_a_tag_page_filters_by_content_language(out: Path) -> None:
    nav = page(out, "it/tags/ai/").find("nav", "language-filter")
    assert nav is not None
    hrefs = [a.get("href") for a in nav.iter("a")]
    assert "/langs/it/tags/ai/he/" not in hrefs  # the Hebrew article is not tagged ai
    assert "/langs/it/tags/ai/fa/" in hrefs
    assert (out / "it/tags/ai/fa/index.html").is_file()


# --- feeds, sitemap, JSON-LD ------------------------------------------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.mark.parametrize("reader", READERS)
def test_a_reader_feed_holds_the_articles_with_a_page_in_it(out: Path, reader: str) -> None:
    feed = ET.parse(out / reader / "atom.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    slugs = [
        (e.find(f"{ATOM}link").get("href") or "").rstrip("/").rsplit("/", 1)[1]  # type: ignore[union-attr]
        for e in entries
    ]
    own = [slug for slug, code in OWN.items() if code == reader]
    assert sorted(slugs) == sorted([*FOREIGN, *own])
    for entry, slug in zip(entries, slugs, strict=True):
        link = entry.find(f"{ATOM}link")
        assert link is not None
        assert link.get("href") == f"{BASE}{reader}/articles/{slug}/"
        assert link.get("hreflang") == reader
        title = entry.findtext(f"{ATOM}title")
        briefed = BRIEFED.get((slug, reader))
        content = entry.findtext(f"{ATOM}content") or ""
        if briefed:
            assert title == briefed
            assert entry.get(XML_LANG) == reader
            assert MARK[reader] in content and ORIGINAL[slug] in content
            code = FOREIGN[slug]
            assert f'lang="{code}" dir="{DIRECTION[code]}"' in content
        else:
            assert title == ORIGINAL[slug]
            assert entry.get(XML_LANG) == (FOREIGN.get(slug) or OWN[slug])
            assert MARK[reader] not in content


def test_a_tag_feed_titles_entries_in_its_language(out: Path) -> None:
    feed = ET.parse(out / "it" / "tags" / "ai" / "atom.xml").getroot()
    titles = {e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")}
    assert BRIEFED[("ar-taawun", "it")] in titles  # its one page is Arabic: linked there
    hrefs = {e.find(f"{ATOM}link").get("href") for e in feed.findall(f"{ATOM}entry")}  # type: ignore[union-attr]
    assert f"{BASE}ar/articles/ar-taawun/" in hrefs
    assert f"{BASE}it/articles/zh-hezuo/" in hrefs


def test_the_sitemap_links_a_foreign_articles_pages(out: Path) -> None:
    root = ET.parse(out / "sitemap.xml").getroot()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = {u.findtext("s:loc", namespaces=ns): u for u in root.findall("s:url", ns)}
    for reader in READERS:
        entry = urls[f"{BASE}{reader}/articles/ru-sotrudnichestvo/"]
        links = [(x.get("hreflang"), x.get("href")) for x in entry.findall("x:link", ns)]
        assert links == [
            ("ar", f"{BASE}ar/articles/ru-sotrudnichestvo/"),
            ("it", f"{BASE}it/articles/ru-sotrudnichestvo/"),
            ("x-default", f"{BASE}ar/articles/ru-sotrudnichestvo/"),
        ]
    assert urls[f"{BASE}ar/articles/ar-taawun/"].findall("x:link", ns) == []


def json_ld(doc: Element) -> dict[str, object]:
    script = next(s for s in doc.iter("script") if s.get("type") == "application/ld+json")
    data: dict[str, object] = json.loads(script.text)
    return data


def test_json_ld_names_the_language_and_the_translation(out: Path) -> None:
    data = json_ld(page(out, "it/articles/ru-sotrudnichestvo"))
    assert data["inLanguage"] == "ru"
    assert data["headline"] == ORIGINAL["ru-sotrudnichestvo"]
    assert data["url"] == f"{BASE}it/articles/ru-sotrudnichestvo/"
    assert data["workTranslation"] == [
        {
            "@type": "CreativeWork",
            "abstract": "Mosca e Pechino hanno concordato ricerche comuni.",
            "inLanguage": "it",
            "name": BRIEFED[("ru-sotrudnichestvo", "it")],
            "translationOfWork": {"@id": f"{BASE}ar/articles/ru-sotrudnichestvo/"},
        }
    ]
    assert "workTranslation" not in json_ld(page(out, "ar/articles/zh-hezuo"))
    own = json_ld(page(out, "ar/articles/ar-taawun"))
    assert own["inLanguage"] == "ar"
    assert "workTranslation" not in own


# --- exports and citations --------------------------------------------------------------------


def test_exports_carry_the_briefings(out: Path) -> None:
    records = {r["slug"]: r for r in json.loads((out / "data/articles.json").read_text("utf-8"))}
    assert records["zh-hezuo"]["language"] == "zh-Hans"
    assert records["zh-hezuo"]["translated"] == {
        "it": {
            "title": BRIEFED[("zh-hezuo", "it")],
            "summary": "I due paesi definiranno insieme standard per l'intelligenza artificiale.",
        }
    }
    assert records["he-shituf"]["translated"] == {}
    assert records["fa-hamkari"]["translated"] == {
        "ar": {"title": BRIEFED[("fa-hamkari", "ar")], "summary": None}
    }
    assert records["ru-sotrudnichestvo"]["url"] == f"{BASE}ar/articles/ru-sotrudnichestvo/"
    text = (out / "data/articles.csv").read_bytes().decode("utf-8-sig")
    rows = {r["slug"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["ar-taawun"]["translated_it_title"] == BRIEFED[("ar-taawun", "it")]
    assert rows["ar-taawun"]["translated_ar_title"] == ""
    assert rows["fa-hamkari"]["translated_ar_summary"] == ""
    tags = {r["key"]: r for r in json.loads((out / "data/tags.json").read_text("utf-8"))}
    assert tags["china"]["counts"] == {code: 1 for code in [*FOREIGN.values(), *OWN.values()]}


def test_citations_keep_the_language_and_add_the_translated_title(out: Path) -> None:
    base = out / "it" / "articles" / "ru-sotrudnichestvo"
    (item,) = json.loads((base / "cite.json").read_text("utf-8"))
    assert item["language"] == "ru"
    assert item["title"] == ORIGINAL["ru-sotrudnichestvo"]
    assert item["archive"] == "Archivio di prova delle lingue"
    (record,) = rispy.loads((base / "cite.ris").read_text("utf-8"))
    assert record["language"] == "ru"
    assert record["translated_title"] == BRIEFED[("ru-sotrudnichestvo", "it")]
    assert "titleaddon = {[Russia e Cina ampliano" in (base / "cite.bib").read_text("utf-8")
    ar_ris = (out / "ar/articles/ru-sotrudnichestvo/cite.ris").read_text("utf-8")
    assert f"TT  - {BRIEFED[('ru-sotrudnichestvo', 'ar')]}" in ar_ris
    # No briefing, no translated title: nothing is invented.
    he = (out / "it/articles/he-shituf/cite.ris").read_text("utf-8")
    assert "TT  -" not in he
    # The Cite block on the Italian page is in Italian and links the files next to it.
    doc = page(out, "it/articles/ru-sotrudnichestvo")
    cite = doc.find("section", "cite")
    assert cite is not None and "marzo" in cite.text
    hrefs = [a.get("href") for a in cite.iter("a")]
    assert "/langs/it/articles/ru-sotrudnichestvo/cite.ris" in hrefs


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("slug", FOREIGN)
def test_the_reference_marks_the_original_title_and_outlet_in_their_language(
    out: Path, reader: str, slug: str
) -> None:
    """The formatted reference is in the reader's language; the title and the outlet's name
    inside it are in theirs, each with its ``lang`` and ``dir`` (a Persian title in an Italian
    reference is shaped and ordered as Persian)."""
    doc = page(out, f"{reader}/articles/{slug}")
    [reference] = [p for p in doc.iter("p") if "reference" in p.classes]
    lang = FOREIGN[slug]
    marked = {(s.text, s.get("lang"), s.get("dir")) for s in reference.iter("span")}
    assert (ORIGINAL[slug], lang, DIRECTION[lang]) in marked
    assert all(span_lang == lang for _text, span_lang, _dir in marked)  # the outlets share it


# --- check --missing-translations -------------------------------------------------------------

MISSING = {
    "fa-hamkari.md": ("it", 8),
    "he-shituf.md": ("ar, it", 5),
    "it-cooperazione.md": ("ar", 5),
    "zh-hezuo.md": ("ar", 8),
}


def test_check_lists_what_lacks_a_briefing_only_when_asked() -> None:
    assert check_site(SITE).problems == ()
    report = check_site(SITE, missing_translations=True)
    assert report.errors == 0
    found = {
        p.location.path.name: (p.message.split(" (")[0], p.location.line) for p in report.problems
    }
    assert found == {
        name: (f"no briefing in reader language {codes}", line)
        for name, (codes, line) in MISSING.items()
    }
    assert all(p.severity == "warning" for p in report.problems)
    github = render(report, "github").splitlines()
    assert len(github) == 4
    assert github[0].startswith("::warning file=")
    assert "fa-hamkari.md,line=8::no briefing in reader language it" in github[0]


def test_check_missing_translations_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["check", "--source", str(SITE), "--missing-translations"]
    assert main([*args, "--format", "github"]) == 0
    out = capsys.readouterr().out
    assert out.count("::warning ") == 4
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "he-shituf.md:5: warning: no briefing in reader language ar, it" in err
    assert main([*args, "--strict"]) == 1
