"""Features for researchers: citations, metadata export, coverage over time, subjects overview.

The submodules are pure functions of the :class:`~briefgen.model.Site`. :func:`pages` is the
producer listed in :data:`briefgen.producers.PRODUCERS`; :class:`Helpers` is what templates
call (``research.reference(site, article)``) for the blocks on core pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from markupsafe import Markup

from briefgen.model import Article, Site
from briefgen.pages import I18n, Page, PageContext

from . import citations, coverage, export, subjects

DATA_DIR = "data/"
"""Where the exported files go, site-relative."""

DATA_FILES: tuple[tuple[str, str], ...] = (
    ("articles.json", "data_articles_json"),
    ("articles.csv", "data_articles_csv"),
    ("tags.json", "data_tags_json"),
    ("tags.csv", "data_tags_csv"),
    ("outlets.json", "data_outlets_json"),
    ("outlets.csv", "data_outlets_csv"),
)
"""(file name under ``data/``, UI string key describing it)."""


def data_url(lang: str) -> str:
    """The page that documents and links the exported data."""
    return f"{lang}/data/"


def coverage_url(lang: str) -> str:
    """The site-wide coverage-over-time page."""
    return f"{lang}/coverage/"


def _exports(
    site: Site,
) -> Iterator[tuple[str, Callable[[Sequence[Mapping[str, Any]]], bytes], tuple[Any, ...]]]:
    """(file name, encoder, records) of each exported file, in :data:`DATA_FILES` order."""
    articles = tuple(export.article_records(site))
    tags = tuple(export.tag_records(site))
    outlets = tuple(export.outlet_records(site))
    encoders: dict[str, tuple[Callable[[Sequence[Mapping[str, Any]]], bytes], tuple[Any, ...]]] = {
        "articles.json": (export.to_json, articles),
        "articles.csv": (partial(export.to_csv, fields=export.ARTICLE_FIELDS), articles),
        "tags.json": (export.to_json, tags),
        "tags.csv": (partial(export.to_csv, fields=export.TAG_FIELDS), tags),
        "outlets.json": (export.to_json, outlets),
        "outlets.csv": (partial(export.to_csv, fields=export.OUTLET_FIELDS), outlets),
    }
    for name, _ in DATA_FILES:
        encode, records = encoders[name]
        yield name, encode, records


CITE_FORMATS: Mapping[str, Callable[[Site, Article, Mapping[str, str], str | None], str]] = {
    "cite.json": citations.csl_json,
    "cite.bib": citations.bibtex,
    "cite.ris": citations.ris,
}
"""The citation downloads next to each article page, by file name (:data:`citations.CITE_FILES`)."""


def cite_file(
    site: Site,
    article: Article,
    name: str,
    labels: Mapping[str, str] = citations.NOTE_LABELS,
    reader: str | None = None,
) -> bytes:
    """One citation download of ``article`` next to its page in ``reader`` (its canonical
    page when None): ``name`` is one of :data:`citations.CITE_FILES`."""
    return CITE_FORMATS[name](site, article, labels, reader).encode("utf-8")


def citation_pages(ctx: PageContext, article: Article) -> tuple[Page, ...]:
    """``cite.json``, ``cite.bib`` and ``cite.ris`` next to each page of one article, their
    notes in that page's language (remembered by article: three formats per article on every
    edit would be most of a preview's edit at 10,000).

    Their bytes are made when the page is written, so a parallel build makes them in the
    rendering workers (three formats of 10,000 articles took 1.7 s in the parent). The page's
    data is what they show of the article (:func:`citations.cited`), so the preview, which
    compares pages to find what an edit changed, leaves them alone after an edit to the body.
    """

    def make() -> tuple[Page, ...]:
        data = {"cited": citations.cited(article)}  # one for them all: pages are never changed
        pages = []
        for code in article.page_languages:
            t = ctx.i18n[code]
            labels = {key: t(f"cite_note_{key}") for key in citations.NOTE_LABELS}
            reader = None if code == article.language else code
            pages += [
                Page(
                    article.url_in(code) + name,
                    "",
                    ctx.config.language(code),
                    "citation",
                    article.title,
                    data=data,
                    sitemap=False,
                    produce=partial(cite_file, ctx.site, article, name, labels, reader),
                )
                for name in citations.CITE_FILES
            ]
        return tuple(pages)

    return ctx.remember("citations", article.slug, article, make)


def data_pages(ctx: PageContext) -> Iterator[Page]:
    """The exported files (``data/*.json``, ``data/*.csv``).

    A page's data is its records, so an edit that changes no exported field (a paragraph of
    the body) leaves the page equal and the preview does not export again; the bytes are made
    when written, which the preview does after the reload.
    """
    default = ctx.config.default_language
    for name, encode, records in _exports(ctx.site):
        path = DATA_DIR + name
        data = {"records": records}
        made = partial(encode, records)
        yield Page(path, "", default, "data-file", path, data=data, sitemap=False, produce=made)


def pages(ctx: PageContext) -> Iterator[Page]:
    """The data and coverage pages in each language, the exported files, the citation files."""
    site, config = ctx.site, ctx.config
    yield from data_pages(ctx)
    for article in site.articles:
        yield from citation_pages(ctx, article)
    whole = coverage.coverage(site.articles, site.content_languages)
    for lang in config.languages:
        t = ctx.i18n[lang.code]
        yield Page(
            data_url(lang.code),
            "data.html",
            lang,
            "data",
            t("data_title"),
            ctx.everywhere(data_url),
            {
                "files": tuple((DATA_DIR + name, key) for name, key in DATA_FILES),
                "article_fields": export.ARTICLE_FIELDS,
                "tag_fields": export.TAG_FIELDS,
                "outlet_fields": export.OUTLET_FIELDS,
                "separator": export.MULTI_SEPARATOR,
            },
        )
        yield Page(
            coverage_url(lang.code),
            "coverage.html",
            lang,
            "coverage",
            t("coverage_title"),
            ctx.everywhere(coverage_url),
            {"coverage": whole},
        )


@dataclass(frozen=True, slots=True)
class CoverageView:
    """What ``_coverage.html`` draws, labels included: the template only loops and escapes.

    Written out in the template, a chart made about 900 calls (a period's label, a count, a
    plural form per bar and per table cell): 4.5 ms a chart, a fifth of the pages rendered at
    1,000 articles. The labels are the same; only where they are made moved.
    """

    chart: coverage.Chart
    peak: tuple[float, str]
    """(x, label) of the peak value, outside the plot on the side time starts from."""
    columns: tuple[tuple[str, tuple[tuple[int, float, float, float, float, str], ...]], ...]
    """(bucket kind, segments): a segment is (series, x, y, width, height, title)."""
    years: tuple[tuple[float, str], ...]
    """(x, label) of the year labels under the axis."""
    names: tuple[str, ...]
    """Each language's name, in :attr:`Coverage.languages` order."""
    rows: tuple[tuple[str, str, tuple[str, ...], str], ...]
    """The table: (bucket kind, period, counts per language, total); undated last."""
    totals: tuple[str, ...]
    """Articles per language, then in all."""
    has_year: bool
    """Some articles are dated to a year only (the legend explains their column)."""


def coverage_view(t: I18n, cov: coverage.Coverage, direction: str) -> CoverageView:
    """See :class:`CoverageView`."""
    chart = coverage.chart(cov, rtl=direction == "rtl")
    names = Helpers.language_names(t, cov.languages)
    number = t.number
    columns = []
    for column in chart.columns:
        label = Helpers.period(t, column.bucket)
        columns.append(
            (
                column.bucket.kind.value,
                tuple(
                    (
                        s.series,
                        s.x,
                        s.y,
                        s.width,
                        s.height,
                        t.plural(
                            "coverage_segment", s.count, period=label, language=names[s.language]
                        ),
                    )
                    for s in column.segments
                ),
            )
        )
    rows = tuple(
        (b.kind.value, Helpers.period(t, b), tuple(map(number, b.counts)), number(b.total))
        for b in (*cov.buckets, cov.undated)
    )
    left, right = chart.axis
    return CoverageView(
        chart,
        (right + 16 if chart.rtl else left - 16, number(chart.peak)),
        tuple(columns),
        tuple((x, t.year(year)) for x, year in chart.years),
        tuple(names[code] for code in cov.languages),
        rows,
        (*map(number, cov.language_totals), number(cov.total)),
        any(b.kind is coverage.BucketKind.YEAR for b in cov.buckets),
    )


class Helpers:
    """Template helpers (``research.*``), each a pure function of its arguments."""

    data_url = staticmethod(data_url)
    coverage_url = staticmethod(coverage_url)

    @staticmethod
    def meta(
        site: Site, article: Article, reader: str | None = None
    ) -> tuple[tuple[str, str, str | None], ...]:
        """``citation_*`` and ``DC.*`` meta tags of the article's page in ``reader``: (name,
        content, language or None)."""
        return citations.highwire(site, article, reader)

    @staticmethod
    def reference(site: Site, article: Article, reader: str | None = None) -> Markup:
        """The formatted reference on the article's page in ``reader`` (HTML built from
        escaped values)."""
        return citations.reference(site, article, reader)

    @staticmethod
    def downloads(article: Article, reader: str | None = None) -> tuple[tuple[str, str], ...]:
        """(URL, format key) of the citation downloads next to the article's page in
        ``reader`` (its canonical page when None)."""
        base = article.url if reader is None else article.url_in(reader)
        return tuple((base + name, name.rsplit(".", 1)[1]) for name in citations.CITE_FILES)

    @staticmethod
    def coverage_of(site: Site, articles: Iterable[Article]) -> coverage.Coverage:
        """Articles per month and language they are written in: the reader languages, then
        the others among ``articles`` by tag (a function of the list alone, which the preview
        relies on; see :mod:`briefgen.research.coverage`)."""
        listed = tuple(articles)
        readers = tuple(lang.code for lang in site.config.languages)
        others = sorted({a.language for a in listed} - set(readers))
        return coverage.coverage(listed, (*readers, *others))

    @staticmethod
    def period(t: I18n, bucket: coverage.Bucket) -> str:
        """A bucket's label: its month, its year with the month unknown, or undated."""
        if bucket.kind is coverage.BucketKind.MONTH:
            assert bucket.year is not None and bucket.month is not None
            return t.month(bucket.year, bucket.month)
        if bucket.kind is coverage.BucketKind.YEAR:
            assert bucket.year is not None
            return t("coverage_month_unknown", year=t.year(bucket.year))
        return t("coverage_undated")

    @staticmethod
    def language_names(t: I18n, codes: Iterable[str]) -> dict[str, str]:
        """Each language's name in ``t``'s language, by code (once per chart, not per bar)."""
        return {code: t.language_name(code) for code in codes}

    @staticmethod
    def coverage_view(t: I18n, cov: coverage.Coverage, direction: str) -> CoverageView:
        """The chart and table of ``cov`` with every label and number written out in ``t``'s
        language (see :class:`CoverageView`)."""
        return coverage_view(t, cov, direction)

    @staticmethod
    def tag_rows(site: Site) -> tuple[subjects.TagRow, ...]:
        """Tags with per-language counts."""
        return subjects.tag_rows(site)

    @staticmethod
    def pairs(site: Site) -> tuple[subjects.Pair, ...]:
        """The tags that most often appear together."""
        return subjects.co_occurrences(site)


__all__ = [
    "CoverageView",
    "Helpers",
    "citations",
    "coverage",
    "coverage_view",
    "export",
    "pages",
    "subjects",
]
