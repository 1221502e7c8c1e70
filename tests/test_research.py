"""Research features: citations, metadata export, coverage over time, subjects overview.

One small archive exercises every awkward case at once: an Arabic article with quotes, braces,
TeX specials and markup in its title; an Italian title that looks like a spreadsheet formula;
a multi-line summary; month-only, year-only and undated articles; the unknown outlet.
Exported files are parsed back with real parsers (json, csv, bibtexparser, rispy).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import fields, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware

from briefgen.build import build
from briefgen.config import load_config
from briefgen.content import load_site
from briefgen.model import Article, Briefing, PartialDate, Site
from briefgen.research import citations, cite_file, coverage, export, subjects
from briefgen.research.coverage import BucketKind
from briefgen.write import MANIFEST

SITE_YML = """\
title:
  ar: أرشيف الاختبار
  it: Archivio di prova
base_url: https://example.org/archive/
languages: [ar, it]
per_page: 2
"""

TAGS_YML = """\
russia:
  label: {ar: روسيا, it: Russia}
china:
  label: {ar: الصين, it: Cina}
  aliases: [China, 中国]
"""

OUTLETS_YML = """\
meteoweb:
  name: MeteoWeb
  language: it
  country: IT
  url: https://www.meteoweb.eu/
al-akhbar:
  name: الأخبار
  language: ar
"""


def article(**fields: str) -> str:
    """An article file: front matter lines from ``fields`` (written verbatim), then a body."""
    body = fields.pop("body", "نص المقال.")
    front = "\n".join(f"{k}: {v}" for k, v in fields.items())
    return f"---\n{front}\n---\n{body}\n"


TRICKY_AR = r'روسيا و"الصين" {تعاون} 50% & <b>وسم</b> \ $ # _ نهاية'
FORMULA_IT = '=HYPERLINK("http://evil.example/","clic"), con virgola'

ARTICLES = {
    # Arabic, full day, known Arabic outlet, source URL, every special character in the title.
    "content/articles/ar/full.md": article(
        title="'" + TRICKY_AR.replace("'", "''") + "'",
        date="2025-01-02",
        outlet="al-akhbar",
        language="ar",
        tags="[russia, china]",
        summary='"ملخص \\"مقتبس\\"، بفاصلة"',
        source_url="https://al-akhbar.example/article?id=1&x=2",
        agency="'+رويترز'",
    ),
    # Italian, month-only date, formula-like title, summary with a line break.
    "content/articles/it/month.md": article(
        title="'" + FORMULA_IT.replace("'", "''") + "'",
        date="2025-03",
        outlet="meteoweb",
        language="it",
        tags="[china, russia]",
        summary='"riga uno\\nriga due, con \\"virgolette\\""',
        agency="'@ANSA'",
        body="Testo.",
    ),
    # Italian, full day in January: stacks with the Arabic one.
    "content/articles/it/day.md": article(
        title="Giorno pieno",
        date="2025-01-15",
        outlet="al-akhbar",
        language="it",
        tags="[china]",
        body="Testo.",
    ),
    # Year-only dates in both languages, unknown outlet.
    "content/articles/it/year.md": article(
        title="'-meno all''inizio'",
        date="2024",
        outlet="unknown",
        language="it",
        tags="[russia]",
        body="Testo.",
    ),
    "content/articles/ar/sana.md": article(
        title="سنة فقط",
        date="2024",
        outlet="unknown",
        language="ar",
        tags="[china, russia]",
    ),
    # Undated, unknown outlet.
    "content/articles/ar/undated.md": article(
        title="بلا تاريخ",
        date="unknown",
        outlet="unknown",
        language="ar",
        tags="[china]",
    ),
}


def make_research_site(root: Path) -> Path:
    files = {
        "site.yml": SITE_YML,
        "content/tags.yml": TAGS_YML,
        "content/outlets.yml": OUTLETS_YML,
        **ARTICLES,
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Site]:
    root = make_research_site(tmp_path_factory.mktemp("research"))
    out = root / "out"
    build(root, out)
    return out, load_site(load_config(root)).site


def article_dir(out: Path, lang: str, slug: str) -> Path:
    return out / lang / "articles" / slug


# --- citation meta tags ----------------------------------------------------------------------


class MetaTags(HTMLParser):
    """Collects (name, content, lang) of every <meta name> in <head>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "meta" and a.get("name"):
            self.tags.append((a["name"] or "", a.get("content") or "", a.get("lang")))


def meta(path: Path) -> dict[str, list[str]]:
    parser = MetaTags()
    parser.feed((path / "index.html").read_text("utf-8"))
    out: dict[str, list[str]] = {}
    for name, content, _ in parser.tags:
        out.setdefault(name, []).append(content)
    return out


def test_arabic_article_has_highwire_and_dublin_core(built: tuple[Path, Site]) -> None:
    out, _ = built
    tags = meta(article_dir(out, "ar", "full"))
    url = "https://example.org/archive/ar/articles/full/"
    assert tags["citation_title"] == [TRICKY_AR]
    assert tags["citation_journal_title"] == ["الأخبار"]
    assert tags["citation_publisher"] == ["الأخبار"]
    assert tags["citation_publication_date"] == ["2025/01/02"]
    assert tags["citation_language"] == ["ar"]
    assert tags["citation_public_url"] == [url]
    assert tags["citation_fulltext_html_url"] == [url]
    assert tags["citation_keywords"] == ["روسيا", "الصين"]
    assert tags["DC.title"] == [TRICKY_AR]
    assert tags["DC.date"] == ["2025-01-02"]
    assert tags["DC.language"] == ["ar"]
    assert tags["DC.publisher"] == ["الأخبار"]
    assert tags["DC.source"] == ["https://al-akhbar.example/article?id=1&x=2"]
    assert tags["DC.identifier"] == [url]
    assert tags["citation_abstract"] == ['ملخص "مقتبس"، بفاصلة']
    assert tags["z.itemType"] == [
        "newspaperArticle"
    ]  # Zotero: a newspaper article, not a journal's


def test_italian_month_only_article_keeps_its_precision(built: tuple[Path, Site]) -> None:
    out, _ = built
    tags = meta(article_dir(out, "it", "month"))
    assert tags["citation_title"] == [FORMULA_IT]
    assert tags["citation_journal_title"] == ["MeteoWeb"]
    assert tags["citation_publication_date"] == ["2025/03"]
    assert tags["DC.date"] == ["2025-03"]
    assert tags["citation_language"] == ["it"]
    assert tags["citation_keywords"] == ["Cina", "Russia"]
    assert "DC.source" not in tags  # no source URL: left out, not invented


def test_outlet_name_in_another_language_is_marked(built: tuple[Path, Site]) -> None:
    """An Arabic outlet named on an Italian article keeps its own language on the meta tag."""
    out, _ = built
    parser = MetaTags()
    parser.feed((article_dir(out, "it", "day") / "index.html").read_text("utf-8"))
    marked = {name: lang for name, _, lang in parser.tags}
    assert marked["citation_publisher"] == marked["DC.publisher"] == "ar"
    assert marked["citation_title"] is None


@pytest.mark.parametrize("slug,lang", [("year", "it"), ("undated", "ar")])
def test_missing_parts_are_left_out_of_meta_tags(
    built: tuple[Path, Site], slug: str, lang: str
) -> None:
    out, _ = built
    tags = meta(article_dir(out, lang, slug))
    assert "citation_journal_title" not in tags and "citation_publisher" not in tags
    assert "DC.publisher" not in tags
    if slug == "year":
        assert tags["citation_publication_date"] == ["2024"]
        assert tags["DC.date"] == ["2024"]
    else:
        assert "citation_publication_date" not in tags and "citation_date" not in tags
        assert "DC.date" not in tags
    for values in tags.values():  # no placeholder ever stands in for a missing value
        assert not any(v in ("", "unknown", "None") for v in values)


# --- CSL-JSON, BibTeX and RIS ----------------------------------------------------------------


def cite(out: Path, lang: str, slug: str, name: str) -> str:
    return (article_dir(out, lang, slug) / name).read_text("utf-8")


def test_csl_json_parses_and_matches_content(built: tuple[Path, Site]) -> None:
    out, _ = built
    (full,) = json.loads(cite(out, "ar", "full", "cite.json"))
    assert full["type"] == "article-newspaper"
    assert full["title"] == TRICKY_AR
    assert full["container-title"] == "الأخبار"
    assert full["issued"] == {"date-parts": [[2025, 1, 2]]}
    assert full["language"] == "ar"
    assert full["URL"] == "https://example.org/archive/ar/articles/full/"
    # Facts without a field of their own go in the note, in the article's language.
    assert full["note"] == (
        "المصدر: https://al-akhbar.example/article?id=1&x=2; وكالة الأنباء: +رويترز"
    )
    (month,) = json.loads(cite(out, "it", "month", "cite.json"))
    assert month["issued"] == {"date-parts": [[2025, 3]]}
    assert month["abstract"] == 'riga uno\nriga due, con "virgolette"'
    assert month["note"] == "Agenzia: @ANSA"
    (year,) = json.loads(cite(out, "it", "year", "cite.json"))
    assert year["issued"] == {"date-parts": [[2024]]}
    assert "container-title" not in year
    (undated,) = json.loads(cite(out, "ar", "undated", "cite.json"))
    assert "issued" not in undated and "container-title" not in undated


def test_bibtex_parses_and_survives_arabic_quotes_and_braces(built: tuple[Path, Site]) -> None:
    out, _ = built
    text = cite(out, "ar", "full", "cite.bib")
    raw = bibtexparser.parse_string(text)
    assert not raw.failed_blocks
    (entry,) = raw.entries
    assert entry.entry_type == "article"
    assert entry.key.isascii()
    assert entry.fields_dict["url"].value == "https://example.org/archive/ar/articles/full/"
    decoded = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    (entry,) = decoded.entries
    fields = {k: f.value for k, f in entry.fields_dict.items()}
    assert fields["title"] == TRICKY_AR
    assert fields["journal"] == "الأخبار"
    assert (fields["year"], fields["month"], fields["date"]) == ("2025", "1", "2025-01-02")
    assert fields["langid"] == "arabic"
    assert fields["keywords"] == "روسيا, الصين"


@pytest.mark.parametrize(
    "lang,slug,expected",
    [
        ("it", "month", {"year": "2025", "month": "3", "date": "2025-03"}),
        ("it", "year", {"year": "2024", "date": "2024"}),
        ("ar", "undated", {}),
    ],
)
def test_bibtex_dates_at_their_precision(
    built: tuple[Path, Site], lang: str, slug: str, expected: dict[str, str]
) -> None:
    out, _ = built
    library = bibtexparser.parse_string(
        cite(out, lang, slug, "cite.bib"), append_middleware=[LatexDecodingMiddleware()]
    )
    assert not library.failed_blocks
    (entry,) = library.entries
    fields = {k: f.value for k, f in entry.fields_dict.items()}
    assert {k: fields[k] for k in ("year", "month", "date") if k in fields} == expected
    if slug != "month":
        assert "journal" not in fields  # unknown outlet: left out


def test_bibtex_title_with_formula_and_newline_summary(built: tuple[Path, Site]) -> None:
    out, _ = built
    library = bibtexparser.parse_string(
        cite(out, "it", "month", "cite.bib"), append_middleware=[LatexDecodingMiddleware()]
    )
    (entry,) = library.entries
    fields = {k: f.value for k, f in entry.fields_dict.items()}
    assert fields["title"] == FORMULA_IT
    assert (
        fields["abstract"] == 'riga uno riga due, con "virgolette"'
    )  # one line: BibTeX has no breaks


def test_ris_parses_with_rispy(built: tuple[Path, Site]) -> None:
    out, _ = built
    (full,) = rispy.loads(cite(out, "ar", "full", "cite.ris"))
    assert full["type_of_reference"] == "NEWS"
    assert full["title"] == TRICKY_AR
    assert full["secondary_title"] == "الأخبار"
    assert full["year"] == "2025"
    assert full["date"] == "2025/01/02/"
    assert full["language"] == "ar"
    assert full["urls"] == ["https://example.org/archive/ar/articles/full/"]
    assert full["keywords"] == ["روسيا", "الصين"]
    (month,) = rispy.loads(cite(out, "it", "month", "cite.ris"))
    assert month["date"] == "2025/03//"
    assert month["abstract"] == 'riga uno riga due, con "virgolette"'
    (year,) = rispy.loads(cite(out, "it", "year", "cite.ris"))
    assert (year["year"], year["date"]) == ("2024", "2024///")
    assert "secondary_title" not in year
    (undated,) = rispy.loads(cite(out, "ar", "undated", "cite.ris"))
    assert "year" not in undated and "date" not in undated and "secondary_title" not in undated


def test_cite_block_escapes_the_title_and_links_downloads(built: tuple[Path, Site]) -> None:
    out, _ = built
    html = (article_dir(out, "ar", "full") / "index.html").read_text("utf-8")
    block = html[
        html.index('<section class="cite"') : html.index(
            "</section>", html.index('<section class="cite"')
        )
    ]
    assert "<b>وسم</b>" not in block and "&lt;b&gt;وسم&lt;/b&gt;" in block
    assert "(2025)" in block and "الأخبار" in block
    for name in ("cite.json", "cite.bib", "cite.ris"):
        assert f'href="/archive/ar/articles/full/{name}"' in block
    undated = (article_dir(out, "ar", "undated") / "index.html").read_text("utf-8")
    assert "دون تاريخ" in undated  # the style's own "n.d.", in Arabic: no invented date


def test_citation_and_data_files_are_in_the_manifest(built: tuple[Path, Site]) -> None:
    out, _ = built
    manifest = set((out / MANIFEST).read_text("utf-8").splitlines())
    for lang, slug in (("ar", "full"), ("it", "month"), ("it", "year"), ("ar", "undated")):
        for name in ("cite.json", "cite.bib", "cite.ris"):
            assert f"{lang}/articles/{slug}/{name}" in manifest
    for name in (
        "articles.json",
        "articles.csv",
        "tags.json",
        "tags.csv",
        "outlets.json",
        "outlets.csv",
    ):
        assert f"data/{name}" in manifest


NOT_CITED = {"source", "body_html", "body_text", "draft", "added"}
"""The article fields no citation format shows."""

OTHER_VALUES: dict[str, object] = {
    "slug": "renamed",
    "language": "it",
    "title": "Un altro titolo",
    "date": None,
    "outlet": "meteoweb",
    "via": "meteoweb",
    "agency": "Reuters",
    "source_url": "https://other.example/",
    "summary": "Un altro riassunto",
    "tags": ("china",),
    "translated": {"it": Briefing("Un titolo tradotto", None)},
    "readers": ("it", "ar"),
    "accessed": PartialDate(2024, 12, 1),
    "archived_url": "https://web.archive.org/web/2024/https://other.example/",
}


def cite_files(site: Site, article: Article) -> list[bytes]:
    """The article's three citation downloads, in order."""
    return [cite_file(site, article, name) for name in citations.CITE_FILES]


def test_citation_files_depend_on_the_cited_fields_only(built: tuple[Path, Site]) -> None:
    # The citation pages are compared by citations.cited(article) to tell whether an edit in
    # the preview changed them: every field must be either in that key or shown by no format.
    _, site = built
    names = {f.name for f in fields(site.articles[0])}
    assert set(citations.CITED_FIELDS) == names - NOT_CITED
    assert set(OTHER_VALUES) == set(citations.CITED_FIELDS)
    full = next(a for a in site.articles if a.slug == "full")
    files = cite_files(site, full)
    unseen = replace(
        full,
        body_html="<p>x</p>",
        body_text="x",
        draft=True,
        source=Path("x.md"),
        added=PartialDate(2030, 1, 1),
    )
    assert cite_files(site, unseen) == files
    assert citations.cited(unseen) == citations.cited(full)
    for name, value in OTHER_VALUES.items():
        other = replace(full, **{name: value})
        assert cite_files(site, other) != files, name
        assert citations.cited(other) != citations.cited(full), name


# --- metadata export -------------------------------------------------------------------------


def test_articles_json_round_trips(built: tuple[Path, Site]) -> None:
    out, site = built
    records = json.loads((out / "data" / "articles.json").read_text("utf-8"))
    assert [r["slug"] for r in records] == [a.slug for a in site.articles]
    by_slug = {r["slug"]: r for r in records}
    for a in site.articles:
        r = by_slug[a.slug]
        assert set(r) == set(export.ARTICLE_FIELDS)
        assert r["title"] == a.title
        assert r["date"] == (a.date.iso if a.date else None)
        assert r["language"] == a.language
        assert r["outlet"] == a.outlet
        assert r["tags"] == list(a.tags)
        assert r["summary"] == a.summary
        assert r["agency"] == a.agency
        assert r["source_url"] == a.source_url
        assert r["url"] == f"https://example.org/archive/{a.url}"
        assert r["tag_labels"] == {
            c: [site.tags[k].labels[c] for k in a.tags] for c in ("ar", "it")
        }
    assert by_slug["full"]["title"] == TRICKY_AR
    assert by_slug["month"]["date_precision"] == "month"
    assert by_slug["year"]["date_precision"] == "year"
    assert by_slug["undated"]["date"] is None and by_slug["undated"]["outlet_name"] is None


def read_csv(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: spreadsheets then read Arabic correctly
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def unformula(cell: str) -> str:
    """What the exporter guarded: a leading apostrophe before = + - @."""
    return cell[1:] if cell[:2] in ("'=", "'+", "'-", "'@") else cell


def test_articles_csv_round_trips_safely(built: tuple[Path, Site]) -> None:
    out, site = built
    rows = read_csv(out / "data" / "articles.csv")
    records = json.loads((out / "data" / "articles.json").read_text("utf-8"))
    assert len(rows) == len(records) == len(site.articles)
    assert list(rows[0]) == [c for c, _ in export.csv_columns(records, export.ARTICLE_FIELDS)]
    for row, record in zip(rows, records, strict=True):
        for column, path in export.csv_columns(records, export.ARTICLE_FIELDS):
            value: Any = record[path[0]]
            if len(path) > 1:
                value = value[path[1]]
            assert unformula(row[column]) == export.flatten(value), column
        for cell in row.values():  # nothing a spreadsheet would run as a formula
            assert not cell.startswith(("=", "+", "-", "@"))
    by_slug = {r["slug"]: r for r in rows}
    assert by_slug["full"]["title"] == TRICKY_AR  # quotes, commas, Arabic intact
    assert by_slug["month"]["title"] == "'" + FORMULA_IT
    assert (
        by_slug["month"]["summary"] == 'riga uno\nriga due, con "virgolette"'
    )  # newline kept, quoted
    assert by_slug["month"]["agency"] == "'@ANSA"
    assert by_slug["full"]["agency"] == "'+رويترز"
    assert by_slug["year"]["title"] == "'-meno all'inizio"
    assert by_slug["undated"]["date"] == "" and by_slug["undated"]["outlet_name"] == ""
    assert by_slug["month"]["tag_labels_ar"] == "الصين; روسيا"


def test_vocabularies_are_exported(built: tuple[Path, Site]) -> None:
    out, site = built
    tags = json.loads((out / "data" / "tags.json").read_text("utf-8"))
    assert [t["key"] for t in tags] == list(site.tags)
    china = next(t for t in tags if t["key"] == "china")
    assert china["labels"] == {"ar": "الصين", "it": "Cina"}
    assert china["aliases"] == ["China", "中国"]
    assert china["counts"] == {"ar": 3, "it": 2}
    outlets = json.loads((out / "data" / "outlets.json").read_text("utf-8"))
    assert {o["key"]: o["count"] for o in outlets} == {"meteoweb": 1, "al-akhbar": 2, "unknown": 3}
    rows = read_csv(out / "data" / "tags.csv")
    assert {r["key"]: r["labels_ar"] for r in rows} == {"russia": "روسيا", "china": "الصين"}
    assert {r["key"]: r["counts_it"] for r in rows} == {"russia": "2", "china": "2"}
    assert read_csv(out / "data" / "outlets.csv")[0].keys() >= {
        "key",
        "name",
        "country",
        "website",
        "count",
    }


@pytest.mark.parametrize(
    "value,cell",
    [
        ("=1+1", "'=1+1"),
        ("+39 06", "'+39 06"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=x", "'\t=x"),
        ("plain, with comma", "plain, with comma"),
        ("روسيا", "روسيا"),
    ],
)
def test_formula_injection_guard(value: str, cell: str) -> None:
    assert export.safe_cell(value) == cell


def test_data_page_documents_every_field(built: tuple[Path, Site]) -> None:
    out, _ = built
    for lang in ("ar", "it"):
        html = (out / lang / "data" / "index.html").read_text("utf-8")
        for field in (*export.ARTICLE_FIELDS, *export.TAG_FIELDS, *export.OUTLET_FIELDS):
            assert f'<code dir="ltr" translate="no">{field}</code>' in html, (lang, field)
        for name in (
            "articles.json",
            "articles.csv",
            "tags.json",
            "tags.csv",
            "outlets.json",
            "outlets.csv",
        ):
            assert f'href="/archive/data/{name}"' in html
        assert f'href="/archive/{lang}/data/"' in (out / lang / "index.html").read_text("utf-8")


# --- coverage over time ----------------------------------------------------------------------


def test_coverage_counts_partial_dates_honestly(built: tuple[Path, Site]) -> None:
    _, site = built
    cov = coverage.coverage(site.articles, ["ar", "it"])
    table = [(b.kind, b.year, b.month, b.counts) for b in cov.buckets]
    assert table == [
        (BucketKind.YEAR, 2024, None, (1, 1)),  # year-only: its own bucket, not January
        (BucketKind.MONTH, 2025, 1, (1, 1)),
        (BucketKind.MONTH, 2025, 2, (0, 0)),  # an empty month is shown, so time is to scale
        (BucketKind.MONTH, 2025, 3, (0, 1)),
    ]
    assert cov.undated.counts == (1, 0)
    assert (cov.total, cov.dated, cov.language_totals) == (6, 5, (3, 3))


class Svg(HTMLParser):
    """The rectangles of the coverage chart: (bucket kind, series, x, height, title)."""

    def __init__(self) -> None:
        super().__init__()
        self.kind = ""
        self.rects: list[dict[str, str]] = []
        self.in_title = False
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "g":
            self.kind = a["class"].split("bucket-")[1]
        elif tag == "rect":
            self.rects.append({**a, "kind": self.kind, "title": ""})
        elif tag == "title" and self.rects:
            self.in_title = True
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th") and self.rows:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.rects[-1]["title"] += data
        if self.cell is not None:
            self.cell.append(data)


def chart_of(html: str) -> Svg:
    start = html.index('<figure class="coverage">')
    parser = Svg()
    parser.feed(html[start : html.index("</figure>", start)])
    return parser


@pytest.mark.parametrize("lang", ["ar", "it"])
def test_coverage_page_chart_and_table(built: tuple[Path, Site], lang: str) -> None:
    out, _ = built
    html = (out / lang / "coverage" / "index.html").read_text("utf-8")
    assert "<script" not in html
    svg = chart_of(html)
    counts = [(r["kind"], r["class"], round(float(r["height"]))) for r in svg.rects]
    # One segment per non-zero (bucket, language); heights proportional (peak 2 → 172 units).
    assert counts == [
        ("year", "series-0", 86),
        ("year", "series-1", 86),
        ("month", "series-0", 86),
        ("month", "series-1", 86),
        ("month", "series-1", 86),
        ("undated", "series-0", 86),
    ]
    xs = [float(r["x"]) for r in svg.rects]
    # Time runs with the reading direction: right to left in Arabic, left to right in Italian.
    firsts = [xs[0], xs[2], xs[4], xs[5]]
    assert firsts == sorted(firsts, reverse=(lang == "ar"))
    year_title = svg.rects[0]["title"]
    assert ("2024، شهر غير معروف" if lang == "ar" else "2024, mese sconosciuto") in year_title
    # The accessible table carries the same numbers.
    body = svg.rows[1:-1]
    assert [row[1:] for row in body] == [
        ["1", "1", "2"],
        ["1", "1", "2"],
        ["0", "0", "0"],
        ["0", "1", "1"],
        ["1", "0", "1"],
    ]
    assert svg.rows[-1][1:] == ["3", "3", "6"]


def test_tag_and_outlet_pages_carry_a_coverage_block(built: tuple[Path, Site]) -> None:
    out, _ = built
    russia = chart_of((out / "it" / "tags" / "russia" / "index.html").read_text("utf-8"))
    assert russia.rows[-1][1:] == ["2", "2", "4"]
    assert [r[0] for r in russia.rows[1:-1]] == [
        "2024, mese sconosciuto",
        "gennaio 2025",
        "febbraio 2025",
        "marzo 2025",
        "Senza data",
    ]
    meteoweb = chart_of((out / "ar" / "outlets" / "meteoweb" / "index.html").read_text("utf-8"))
    assert meteoweb.rows[-1][1:] == ["0", "1", "1"]
    # Only on the first, unfiltered page of a list.
    assert '<figure class="coverage">' not in (
        out / "it" / "tags" / "china" / "page" / "2" / "index.html"
    ).read_text("utf-8")


def test_chart_mirrors_in_rtl() -> None:
    from briefgen.research.coverage import Bucket, Coverage, chart

    cov = Coverage(
        ("ar", "it"),
        (Bucket(BucketKind.MONTH, 2025, 1, (1, 0)), Bucket(BucketKind.MONTH, 2025, 2, (0, 2))),
        Bucket(BucketKind.UNDATED, None, None, (0, 0)),
    )
    ltr, rtl = chart(cov, rtl=False), chart(cov, rtl=True)
    for a, b in zip(ltr.columns, rtl.columns, strict=True):
        assert a.x + a.width == pytest.approx(ltr.width - b.x)
    assert ltr.columns[0].x < ltr.columns[1].x and rtl.columns[0].x > rtl.columns[1].x


def test_coverage_view_writes_out_every_label_in_the_page_language() -> None:
    """The chart's titles, the table's periods and counts, the peak on the side time starts
    from: made once in Python, in the page's language, for the template to print."""
    from briefgen.config import language
    from briefgen.pages import I18n
    from briefgen.research import coverage_view
    from briefgen.research.coverage import Bucket, Coverage

    cov = Coverage(
        ("ar", "it"),
        (
            Bucket(BucketKind.MONTH, 2025, 1, (1, 0)),
            Bucket(BucketKind.MONTH, 2025, 2, (0, 12)),
            Bucket(BucketKind.YEAR, 2025, None, (2, 0)),
        ),
        Bucket(BucketKind.UNDATED, None, None, (1, 0)),
    )
    strings = {
        "coverage_segment": {
            "one": "{period} {language}: {count} ar",
            "other": "{period} {language}: {count}",
        },
        "coverage_month_unknown": "{year} ?",
        "coverage_undated": "senza data",
    }
    italian, arabic = language("it"), language("ar")
    assert italian is not None and arabic is not None
    it = coverage_view(I18n(italian, strings), cov, "ltr")
    assert [kind for kind, _ in it.columns] == ["month", "month", "year", "undated"]
    assert [s[-1] for _, segments in it.columns for s in segments] == [
        "gennaio 2025 arabo: 1 ar",
        "febbraio 2025 italiano: 12",
        "2025 ? arabo: 2",
        "senza data arabo: 1 ar",
    ]
    assert it.rows[1] == ("month", "febbraio 2025", ("0", "12"), "12")
    assert it.rows[-1] == ("undated", "senza data", ("1", "0"), "1")
    assert it.totals == ("4", "12", "16") and it.names == ("arabo", "italiano")
    assert it.has_year and it.peak == (it.chart.axis[0] - 16, "12")

    ar = coverage_view(I18n(arabic, strings), cov, "rtl")
    assert ar.peak == (ar.chart.axis[1] + 16, I18n(arabic, {}).number(12))
    assert ar.rows[0][1] == I18n(arabic, {}).month(2025, 1) != "gennaio 2025"
    assert ar.names == (I18n(arabic, {}).language_name("ar"), I18n(arabic, {}).language_name("it"))
    assert not coverage_view(
        I18n(italian, strings), Coverage(("ar",), cov.buckets[:1], cov.undated), "ltr"
    ).has_year


# --- subjects overview ----------------------------------------------------------------------


def test_tag_index_shows_counts_per_language_and_pairs(built: tuple[Path, Site]) -> None:
    out, site = built
    rows = {r.tag.key: r.counts for r in subjects.tag_rows(site)}
    assert rows == {"russia": (("ar", 2), ("it", 2)), "china": (("ar", 3), ("it", 2))}
    (pair,) = subjects.co_occurrences(site)
    assert {pair.first.key, pair.second.key} == {"russia", "china"} and pair.count == 3
    html = (out / "it" / "tags" / "index.html").read_text("utf-8")
    assert "«Russia» e «Cina»" in html or "«Cina» e «Russia»" in html
    assert "insieme in 3 articoli" in html
    assert '<a href="/archive/it/tags/china/">Cina</a></th><td>3</td><td>2</td><td>5</td>' in html
    ar = (out / "ar" / "tags" / "index.html").read_text("utf-8")
    assert "معًا في 3 مقالات" in ar


def test_output_is_deterministic(tmp_path: Path) -> None:
    root = make_research_site(tmp_path / "site")
    build(root, tmp_path / "a")
    build(root, tmp_path / "b")
    for name in (
        "data/articles.json",
        "data/articles.csv",
        "ar/coverage/index.html",
        "ar/articles/full/cite.bib",
    ):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_docs_document_every_exported_field() -> None:
    """Docs that cannot drift: a new field fails here until docs/researchers.md explains it."""
    docs = Path(__file__).resolve().parent.parent / "docs" / "researchers.md"
    text = docs.read_text("utf-8")
    for field in (*export.ARTICLE_FIELDS, *export.TAG_FIELDS, *export.OUTLET_FIELDS):
        assert f"| `{field}` |" in text, field
