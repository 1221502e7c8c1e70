"""Front-matter text is escaped wherever it lands; Markdown cannot inject HTML or script links.

The valid site's ``it/escaping.md`` has a title, summary and agency full of markup and quotes,
and a body that tries raw HTML and every common way of smuggling a ``javascript:`` link.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from briefgen import markdown
from tests.helpers import Element, html_files, parse_html, url_scheme

TITLE = "<script>alert(1)</script> \"Mosca\" & 'Pechino' </script>"
SUMMARY = "Riassunto con <b>tag</b>, \"virgolette\", 'apici' & </script>"
AGENCY = "A&B <Agenzia>"
APOSTROPHE = "L'alleanza di Sberbank con la Cina"
PAGE = "it/articles/escaping/index.html"
UNSAFE_SCHEMES = {"javascript", "vbscript", "data", "file"}
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)
ATOM = "{http://www.w3.org/2005/Atom}"


def meta(doc: Element, key: str) -> str | None:
    for element in doc.iter("meta"):
        if key in (element.get("name"), element.get("property")):
            return element.get("content")
    raise AssertionError(f"no <meta> {key}")


def test_front_matter_text_is_escaped_in_html_text_and_attributes(valid_output: Path) -> None:
    doc = parse_html((valid_output / PAGE).read_text("utf-8"))
    title, h1 = doc.find("title"), doc.find("h1")
    assert title is not None and title.text == f"{TITLE} · Archivio di prova"
    assert h1 is not None and h1.text == TITLE
    assert meta(doc, "og:title") == TITLE
    assert meta(doc, "description") == SUMMARY
    assert meta(doc, "og:description") == SUMMARY
    assert AGENCY in [bdi.text for bdi in doc.iter("bdi")]
    summary = doc.find("p", "summary")
    assert summary is not None and summary.text.endswith(SUMMARY)


def test_the_title_is_escaped_in_every_list_that_shows_it(valid_output: Path) -> None:
    seen = 0
    for rel, text in html_files(valid_output):
        for heading in parse_html(text).find_all("h2", "item-title"):
            link = heading.find("a")
            assert link is not None
            if link.get("href") == "/archive/it/articles/escaping/":
                assert link.text == TITLE, rel
                seen += 1
    assert seen >= 10


SEARCH_SCRIPTS = {
    ("application/json", None),
    ("text/pagefind-template", None),
    ("module", "page.js"),
    (None, "pagefind-component-ui.js"),
}
"""(type, file name of src) of the scripts only the search pages may have."""
ARTICLE_SCRIPTS = {("application/ld+json", None), ("module", None)}
"""(type, file name of src) of an article page's scripts: its JSON-LD and the line that imports
static/highlight.js when the reader comes from the search page (``#highlight=…``)."""


def test_only_json_ld_scripts_exist_and_nothing_closes_them_early(valid_output: Path) -> None:
    for rel, text in html_files(valid_output):
        scripts = parse_html(text).find_all("script")
        kinds = {(s.get("type"), (s.get("src") or "").rsplit("/")[-1] or None) for s in scripts}
        if rel.endswith("/search/index.html"):  # the one page with JavaScript of its own
            assert kinds == SEARCH_SCRIPTS, rel
        elif "/articles/" in rel:
            assert kinds == ARTICLE_SCRIPTS, rel
        else:
            assert all(s.get("type") == "application/ld+json" for s in scripts), rel
        assert text.lower().count("<script") == len(scripts), rel
        assert text.lower().count("</script") == len(scripts), rel


def test_json_ld_parses_and_keeps_the_text(valid_output: Path) -> None:
    (raw,) = JSON_LD.findall((valid_output / PAGE).read_text("utf-8"))
    assert "</script" not in raw.lower()
    assert "<" not in raw and ">" not in raw
    data = json.loads(raw)
    assert data["headline"] == TITLE
    assert data["description"] == SUMMARY
    assert data["sourceOrganization"]["name"] == AGENCY
    assert data["inLanguage"] == "it"


def test_every_article_has_valid_json_ld(valid_output: Path) -> None:
    pages = sorted(valid_output.glob("*/articles/*/index.html"))
    assert len(pages) == 5
    for page in pages:
        (raw,) = JSON_LD.findall(page.read_text("utf-8"))
        assert json.loads(raw)["@type"] == "NewsArticle"


def test_feeds_stay_valid_xml_and_keep_the_text(valid_output: Path) -> None:
    feed = ET.parse(valid_output / "it/atom.xml").getroot()
    entries = {e.findtext(f"{ATOM}id"): e for e in feed.findall(f"{ATOM}entry")}
    tricky = entries["https://example.org/archive/it/articles/escaping/"]
    assert tricky.findtext(f"{ATOM}title") == TITLE
    assert tricky.findtext(f"{ATOM}summary") == SUMMARY
    plain = entries["https://example.org/archive/it/articles/sberbank/"]
    assert plain.findtext(f"{ATOM}title") == APOSTROPHE


def test_an_apostrophe_is_escaped_once(valid_output: Path) -> None:
    text = (valid_output / "it/articles/sberbank/index.html").read_text("utf-8")
    h1 = parse_html(text).find("h1")
    assert h1 is not None and h1.text == APOSTROPHE
    for rel, page in html_files(valid_output):
        for double in ("&amp;#", "&amp;amp;", "&amp;lt;", "&amp;gt;", "&amp;quot;"):
            assert double not in page, f"{rel} escapes twice: {double}"


def test_raw_html_in_markdown_is_shown_as_text(valid_output: Path) -> None:
    body = parse_html((valid_output / PAGE).read_text("utf-8")).find("div", "article-body")
    assert body is not None
    assert {e.tag for e in body.iter()} <= {"div", "p", "a"}
    assert "<script>alert(1)</script>" in body.text
    assert "<img src=x onerror=alert(1)>" in body.text


def hrefs(html: str) -> list[str]:
    """Every URL-valued attribute in ``html``."""
    return [
        value
        for element in parse_html(html).iter()
        for name, value in element.attrs.items()
        if name in ("href", "src", "action", "formaction", "srcset", "poster") and value
    ]


def test_no_link_anywhere_uses_an_unsafe_scheme(valid_output: Path) -> None:
    found: list[str] = []
    for _, text in html_files(valid_output):
        found += hrefs(text)
    for feed in valid_output.rglob("atom.xml"):
        for element in ET.parse(feed).getroot().iter():
            if element.get("href"):
                found.append(element.get("href") or "")
            if element.tag == f"{ATOM}content":
                found += hrefs(element.text or "")
    assert found
    # Only web links survive (plain http appears once: Dublin Core's schema identifier).
    assert {url_scheme(url) for url in found} - {None} <= {"https", "http"}


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](<java\tscript:alert(1)>)",
        "[x](java&#9;script:alert(1))",
        "[x](&#x6A;avascript:alert(1))",
        "[x](java&#x0A;script:alert(1))",
        "[x](<\x01javascript:alert(1)>)",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x](<data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==>)",
        "[x](file:///etc/passwd)",
        "<javascript:alert(1)>",
        "![x](javascript:alert(1))",
        "[x][r]\n\n[r]: javascript:alert(1)",
        '<a href="javascript:alert(1)">x</a>',
    ],
)
def test_markdown_neutralises_unsafe_links(source: str) -> None:
    html, _, _ = markdown.render(markdown.make_markdown(), source)
    schemes = {url_scheme(url) for url in hrefs(html)}
    assert not schemes & UNSAFE_SCHEMES, html


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("[x](https://e.org/?a=1&b=2)", '<p><a href="https://e.org/?a=1&amp;b=2">x</a></p>\n'),
        ("[x](mailto:a@example.org)", '<p><a href="mailto:a@example.org">x</a></p>\n'),
        ("[x](/relative/)", '<p><a href="/relative/">x</a></p>\n'),
        ("<b>bold</b>", "<p>&lt;b&gt;bold&lt;/b&gt;</p>\n"),
        ("<div>\nblock\n</div>", "<p>&lt;div&gt;\nblock\n&lt;/div&gt;</p>\n"),
    ],
)
def test_markdown_keeps_safe_links_and_escapes_raw_html(source: str, expected: str) -> None:
    html, _, _ = markdown.render(markdown.make_markdown(), source)
    assert html == expected


def test_the_body_reaches_its_page_as_trusted_html_by_reference() -> None:
    """The one value printed unescaped is the rendered Markdown, and it is not copied on the way
    (a copy per article page held every body twice until the build ended)."""
    from briefgen.config import load_config
    from briefgen.content import load_site
    from briefgen.pages import PageContext, TrustedHtml, i18n_table
    from briefgen.producers import TEMPLATE_GLOBALS, article_page
    from briefgen.render import Renderer
    from briefgen.theme import load_theme
    from tests.helpers import VALID_SITE

    config = load_config(VALID_SITE)
    theme = load_theme(config)
    site = load_site(config).site
    article = site.by_slug["escaping"]
    i18n = i18n_table(config, theme)
    page = article_page(PageContext(site, i18n), article)
    assert isinstance(page.data["body"], TrustedHtml)
    assert page.data["body"].text is article.body_html
    html = Renderer(config, theme, i18n, TEMPLATE_GLOBALS).render(site, page).decode("utf-8")
    assert article.body_html.strip() in html
