"""What the default theme promises about every built page, checked without a browser.

- every HTML page parses without a single error under html5lib's strict HTML5 parser;
- no JavaScript: the only ``<script>`` is JSON-LD data, except on the search pages and the
  article pages' one line, which imports the script that marks the searched words when the
  reader comes from the search page (``#highlight=…``) and does nothing otherwise;
- an article page and what it loads (stylesheets, scripts) stay under 30 kB before compression;
- a site's ``themes/<name>/`` replaces the default theme one file at a time.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import html5lib
import pytest

from briefgen.build import build
from briefgen.theme import asset_bytes
from tests.conftest import MakeSite, article

ROOT = Path(__file__).resolve().parent.parent
PAGE_BUDGET = 30_000
"""Bytes of HTML plus CSS for one article page, before compression."""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own archive, built once for the module."""
    out = tmp_path_factory.mktemp("pages") / "site"
    build(ROOT, out)
    return out


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_the_archive_has_pages_to_check(site: Path) -> None:
    assert len(html_pages(site)) > 100


def test_every_page_is_valid_html5(site: Path) -> None:
    errors = []
    for path in html_pages(site):
        parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
        try:
            parser.parse(path.read_bytes(), transport_encoding="utf-8")
        except html5lib.html5parser.ParseError as exc:
            errors.append(f"{path.relative_to(site)}: {exc}")
    assert errors == []


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts.append(dict(attrs))
        self.handlers += [f"<{tag} {name}>" for name, _ in attrs if name.startswith("on")]
        self.handlers += [
            f"<{tag} {name}>" for name, value in attrs if value and value.startswith("javascript:")
        ]


SEARCH_PAGES = {"ar/search/index.html", "it/search/index.html"}
"""The only pages allowed to run JavaScript of their own (Pagefind's UI needs it)."""
HIGHLIGHT = {"type": "module"}
"""The one script an article page has (inline): it imports static/highlight.js on a
``#highlight=`` fragment, and only then."""
LOADER = (
    '<script type="module">location.hash.startsWith("#highlight=")'
    '&&import("/static/highlight.js")</script>'
)


def test_no_page_runs_javascript_except_search(site: Path) -> None:
    found = []
    search_scripts: dict[str, int] = {}
    for path in html_pages(site):
        rel = path.relative_to(site).as_posix()
        scripts = _Scripts()
        scripts.feed(path.read_text(encoding="utf-8"))
        code = [s for s in scripts.scripts if s.get("type") != "application/ld+json"]
        if rel in SEARCH_PAGES:
            search_scripts[rel] = len(code)
        elif "/articles/" in rel:
            found += [f"{rel}: <script {s}>" for s in code if s != HIGHLIGHT]
            assert code == [HIGHLIGHT] and LOADER in path.read_text(encoding="utf-8"), rel
        else:
            found += [f"{rel}: <script {s}>" for s in code]
        found += [f"{rel}: {h}" for h in scripts.handlers]  # no inline handlers, search included
    assert found == []
    assert set(search_scripts) == SEARCH_PAGES and all(search_scripts.values())


class _Stylesheets(HTMLParser):
    """The hrefs of ``<link rel="stylesheet">`` and the srcs of ``<script>`` in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and found.get("rel") == "stylesheet" and found.get("href"):
            self.hrefs.append(found["href"] or "")
        if tag == "script" and found.get("src"):
            self.hrefs.append(found["src"] or "")


def test_an_article_page_and_its_css_weigh_under_30_kB(site: Path) -> None:
    """Every stylesheet and script the page loads counts (the site is built at the root of
    base_url)."""
    articles = sorted(site.glob("*/articles/*/index.html"))
    assert articles
    heavy = {}
    for page in articles:
        links = _Stylesheets()
        links.feed(page.read_text(encoding="utf-8"))
        assert links.hrefs, page
        weight = page.stat().st_size + sum(
            (site / h.lstrip("/")).stat().st_size for h in links.hrefs
        )
        if weight >= PAGE_BUDGET:
            heavy[str(page.relative_to(site))] = weight
    assert heavy == {}


def test_a_site_theme_overrides_the_default_one_file_at_a_time(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = make_site(
        {
            "site.yml": """\
                title: {ar: أرشيف, it: Archivio}
                base_url: https://example.org/
                languages: [ar, it]
                theme: paper
                """,
            "content/articles/it/uno.md": article(
                title="Uno",
                date="2025-01-01",
                outlet="meteoweb",
                language="it",
                tags="[china]",
                body="Testo.",
            ),
            "themes/paper/templates/tags.html": """\
                {% extends "base.html" %}
                {% block main %}<h1>paper tags</h1>{% endblock %}
                """,
            "themes/paper/static/style.css": "/* paper */ body { color: black }\n",
        }
    )
    out = tmp_path / "out"
    build(root, out)

    # The two overridden files come from the site's theme...
    assert "<h1>paper tags</h1>" in (out / "it" / "tags" / "index.html").read_text(encoding="utf-8")
    # The site's stylesheet, published minified (its comment dropped).
    assert (out / "static" / "style.css").read_text(encoding="utf-8") == "body{color:black}"
    # ...and everything else from the default theme: base.html around the override, the other
    # templates, the other static files.
    tags_page = (out / "it" / "tags" / "index.html").read_text(encoding="utf-8")
    assert 'class="skip-link"' in tags_page
    assert 'class="articles"' in (out / "it" / "index.html").read_text(encoding="utf-8")
    assert 'class="article-header"' in (out / "it" / "articles" / "uno" / "index.html").read_text(
        encoding="utf-8"
    )
    default_static = ROOT / "themes" / "default" / "static"
    for path in default_static.rglob("*"):
        if path.is_file() and path.name != "style.css":
            rel = path.relative_to(default_static)
            assert (out / "static" / rel).read_bytes() == asset_bytes(path), rel
    assert {p.name for p in (out / "static").iterdir()} == {
        p.name for p in default_static.iterdir()
    }
