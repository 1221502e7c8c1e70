"""Every page, feed and the sitemap as data, rendered through the theme's Jinja templates.

``site_pages`` is a pure producer: it lists :class:`Page` values (URL, template, language,
equivalents in the other languages, template data). ``render_site`` turns them into bytes.
Rendered Markdown enters templates as trusted HTML (:class:`TrustedHtml`); nothing else does.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache, partial
from typing import Any, NamedTuple
from urllib.parse import quote

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time, get_timezone_gmt
from babel.numbers import format_decimal
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context
from markupsafe import Markup, escape

from briefgen import research, search
from briefgen.config import Language, SiteConfig
from briefgen.errors import BuildError
from briefgen.model import Article, PartialDate, Precision, Site
from briefgen.theme import Strings, Theme

FEED_SIZE = 50
"""Entries per Atom feed (the newest dated articles)."""


class Urls:
    """The URL scheme, site-relative (templates prefix the base path)."""

    @staticmethod
    def home(lang: str) -> str:
        return f"{lang}/"

    @staticmethod
    def article(article: Article) -> str:
        return article.url

    @staticmethod
    def tags(lang: str) -> str:
        return f"{lang}/tags/"

    @staticmethod
    def tag(lang: str, key: str) -> str:
        return f"{lang}/tags/{key}/"

    @staticmethod
    def outlets(lang: str) -> str:
        return f"{lang}/outlets/"

    @staticmethod
    def outlet(lang: str, key: str) -> str:
        return f"{lang}/outlets/{key}/"

    @staticmethod
    def archive(lang: str) -> str:
        return f"{lang}/archive/"

    @staticmethod
    def year(lang: str, year: int) -> str:
        return f"{lang}/archive/{year:04d}/"

    @staticmethod
    def month(lang: str, year: int, month: int) -> str:
        return f"{lang}/archive/{year:04d}/{month:02d}/"

    @staticmethod
    def undated(lang: str) -> str:
        return f"{lang}/archive/undated/"

    @staticmethod
    def feed(lang: str) -> str:
        return f"{lang}/atom.xml"

    @staticmethod
    def tag_feed(lang: str, key: str) -> str:
        return f"{lang}/tags/{key}/atom.xml"

    @staticmethod
    def not_found(lang: str) -> str:
        return f"{lang}/404.html"


def output_path(url: str) -> str:
    """The file a URL is served from: ``a/b/`` → ``a/b/index.html``."""
    return url + "index.html" if url == "" or url.endswith("/") else url


@dataclass(frozen=True, slots=True)
class Page:
    """One output file, described as data."""

    url: str
    """Site-relative URL."""
    template: str
    lang: Language
    """The page's language: ``<html lang dir>``."""
    kind: str
    """``home``, ``article``, ``tag``, ``tags``, ``outlet``, ``outlets``, ``archive``, ``year``,
    ``month``, ``undated``, ``404``, ``redirect``, ``feed`` or ``sitemap``."""
    title: str
    alternates: tuple[tuple[str, str], ...] = ()
    """(language code, URL) of the equivalent page in every site language, this one included."""
    data: Mapping[str, Any] = field(default_factory=dict)
    """Template-specific values."""
    sitemap: bool = True
    """Listed in ``sitemap.xml``."""
    content: bytes | None = None
    """Finished bytes written as they are (data files); ``template`` is then unused."""
    produce: Callable[[], bytes] | None = field(default=None, compare=False)
    """Makes the finished bytes when the page is written (``content`` made late, so the preview
    can write it after the reload); ``data`` then holds what the bytes depend on, which is what
    comparing two pages compares."""

    @property
    def path(self) -> str:
        """The output file."""
        return output_path(self.url)


@dataclass(frozen=True, slots=True)
class Pagination:
    """Where a list page sits among its siblings."""

    number: int
    count: int
    previous: str | None
    next: str | None


@dataclass(frozen=True, slots=True)
class LanguageFilter:
    """A link that narrows a list to one article language (``code`` None: every language)."""

    code: str | None
    url: str
    count: int
    current: bool


class I18n:
    """UI strings, numbers, dates and names in one language, from the theme and CLDR."""

    def __init__(self, lang: Language, strings: Strings) -> None:
        self.lang = lang
        self.code = lang.code
        self.dir = lang.dir
        self.locale = Locale.parse(lang.code)
        self._strings = strings
        # Babel formats a number or a date in 20-50 µs and list pages ask for the same few
        # hundred values thousands of times: each result is kept for the renderer's life.
        self._numbers: dict[int, str] = {}
        self._categories: dict[int, str] = {}
        self._dates: dict[PartialDate, str] = {}
        self._months: dict[tuple[int, int], str] = {}
        self._years: dict[int, str] = {}

    def _lookup(self, key: str) -> str | Mapping[str, str]:
        try:
            return self._strings[key]
        except KeyError:
            raise BuildError(f"UI string {key!r} is not defined for {self.code!r}") from None

    def __call__(self, key: str, **values: object) -> str:
        """The string ``key``, with ``{name}`` placeholders filled."""
        text = self._lookup(key)
        if not isinstance(text, str):
            raise BuildError(f"UI string {key!r} has plural forms: use t.plural({key!r}, count)")
        return text.format(**values) if values else text

    def plural(self, key: str, count: int, **values: object) -> str:
        """The form of ``key`` CLDR's plural rules pick for ``count`` ({count} is localised)."""
        forms = self._lookup(key)
        if isinstance(forms, str):
            return forms.format(count=self.number(count), **values)
        category = self._categories.get(count)
        if category is None:
            category = self._categories[count] = self.locale.plural_form(count)
        text = forms.get(category, forms["other"])
        return text.format(count=self.number(count), **values)

    def forms(self, key: str) -> Mapping[str, str]:
        """Every plural form of ``key`` by CLDR category (for scripts that pick the form)."""
        forms = self._lookup(key)
        return {"other": forms} if isinstance(forms, str) else forms

    def number(self, value: int) -> str:
        """A number with the locale's digits and grouping."""
        text = self._numbers.get(value)
        if text is None:
            text = self._numbers[value] = format_decimal(value, locale=self.locale)
        return text

    def date(self, when: PartialDate | None) -> str:
        """A date at its precision: ``2025``, ``gennaio 2025``, ``2 يناير 2025``, or with time."""
        if when is None:
            return self("undated")
        if when.moment is not None:  # equal instants may differ in offset, which is shown
            return self._format_date(when)
        text = self._dates.get(when)
        if text is None:
            text = self._dates[when] = self._format_date(when)
        return text

    def _format_date(self, when: PartialDate) -> str:
        day = when.as_date
        if when.precision is Precision.YEAR:
            return format_skeleton("y", day, locale=self.locale)
        if when.precision is Precision.MONTH:
            return format_skeleton("yMMMM", day, locale=self.locale)
        text = format_date(day, "long", locale=self.locale)
        if when.moment is None:
            return text
        clock = format_time(when.moment.timetz(), "HH:mm", locale=self.locale)
        zone = get_timezone_gmt(when.moment, width="long", locale=self.locale)
        return f"{text} {clock} {zone}"

    def month(self, year: int, month: int) -> str:
        """A month's name with its year (``يناير 2025``)."""
        text = self._months.get((year, month))
        if text is None:
            text = format_skeleton("yMMMM", date(year, month, 1), locale=self.locale)
            self._months[year, month] = text
        return text

    def year(self, year: int) -> str:
        """A year as the locale writes it."""
        text = self._years.get(year)
        if text is None:
            text = self._years[year] = format_skeleton("y", date(year, 1, 1), locale=self.locale)
        return text

    def language_name(self, code: str) -> str:
        """A language's name in this language (``الإيطالية`` on an Arabic page)."""
        return str(self.locale.languages.get(code, code))

    def country_name(self, code: str) -> str:
        """A country's name in this language."""
        return str(self.locale.territories.get(code, code))


@dataclass(frozen=True, slots=True)
class TrustedHtml:
    """Safe HTML a template prints as it is, held by reference until then.

    ``Markup(text)`` copies the text: every article page holding its body as ``Markup`` kept a
    second copy of all the bodies alive until the build ended (100 MB at 10,000 articles). Jinja's
    autoescaping calls ``__html__``, which hands over the one string.
    """

    text: str

    def __html__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


@lru_cache(maxsize=256)
def lang_attrs(code: str, within: str, direction: str) -> Markup:
    """`` lang=".." dir=".."`` when ``code`` differs from the surrounding language, else nothing.

    Remembered (a few pairs of languages) and escaped directly: ``Markup.format`` goes through
    Python's ``string.Formatter`` (an article's entry in a list took 101 µs with it, 92 without).
    """
    if code == within:
        return Markup("")
    return Markup(f' lang="{escape(code)}" dir="{escape(direction)}"')


def json_ld(data: Mapping[str, Any]) -> Markup:
    """JSON for a ``<script>`` element: nothing in it can close the script or start markup."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, code in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, code)
    return Markup(text)


def make_environment(theme: Theme, config: SiteConfig) -> Environment:
    """One Jinja environment per build: autoescape for HTML and XML, undefined names are errors."""
    env = Environment(
        loader=FileSystemLoader([str(d) for d in theme.template_dirs]),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    directions = {lang.code: lang.dir for lang in config.languages}

    def direction(code: str) -> str:
        if code not in directions:
            directions[code] = Locale.parse(code).text_direction
        return directions[code]

    env.globals.update(
        urls=Urls,
        url=lambda path: config.base_path + path,
        # Sitemaps, feeds and canonical links need RFC 3986 URLs: non-ASCII slugs are escaped.
        absolute_url=lambda path: config.base_url + quote(path, safe="/"),
        direction=direction,
        attrs=lambda code, within: lang_attrs(code, within, direction(code)),
        json_ld=json_ld,
        research=research.Helpers,
    )
    return env


class PageBuilder:
    """Enumerates the pages of a site; every method is a pure function of the site.

    Features add pages through :data:`PRODUCERS`; they get this builder for its ``i18n``,
    ``everywhere`` and ``list_pages`` helpers.
    """

    def __init__(self, site: Site, theme: Theme) -> None:
        self.site = site
        self.config = site.config
        self.i18n = {
            lang.code: I18n(lang, theme.strings[lang.code]) for lang in self.config.languages
        }
        self._coverages: dict[int, tuple[Sequence[Article], research.coverage.Coverage]] = {}
        """A tag's or outlet's coverage, counted once for all page languages (by the identity
        of its article list, which the entry keeps alive)."""

    def coverage_of(self, articles: Sequence[Article]) -> research.coverage.Coverage:
        """:meth:`research.Helpers.coverage_of`, once per article list."""
        kept = self._coverages.get(id(articles))
        if kept is None or kept[0] is not articles:
            kept = self._coverages[id(articles)] = (
                articles,
                research.Helpers.coverage_of(self.site, articles),
            )
        return kept[1]

    def everywhere(self, url_for: Callable[[str], str]) -> tuple[tuple[str, str], ...]:
        return tuple((lang.code, url_for(lang.code)) for lang in self.config.languages)

    def pages(self) -> Iterator[Page]:
        default = self.config.default_language
        yield Page(
            "", "redirect.html", default, "redirect", self.config.title[default.code], sitemap=False
        )
        yield Page(
            "404.html",
            "404.html",
            default,
            "404",
            self.i18n[default.code]("not_found_title"),
            self.everywhere(Urls.not_found),
            sitemap=False,
        )
        for lang in self.config.languages:
            yield from self.language_pages(lang)
        for article in self.site.articles:
            yield self.article_page(article)

    def language_pages(self, lang: Language) -> Iterator[Page]:
        site, t, code = self.site, self.i18n[lang.code], lang.code
        yield from self.list_pages(
            lang, "home", Urls.home, site.articles, self.config.title[code], feed=Urls.feed(code)
        )
        yield Page(
            Urls.not_found(code),
            "404.html",
            lang,
            "404",
            t("not_found_title"),
            self.everywhere(Urls.not_found),
            sitemap=False,
        )
        yield self.feed(
            lang, Urls.feed(code), site.articles_in(code), self.config.title[code], Urls.home(code)
        )

        tag_rows = tuple((tag, len(site.by_tag.get(tag.key, ()))) for tag in site.tags.values())
        yield Page(
            Urls.tags(code),
            "tags.html",
            lang,
            "tags",
            t("tags_title"),
            self.everywhere(Urls.tags),
            {
                "tag_rows": tag_rows,
                "subject_rows": research.Helpers.tag_rows(site),
                "pairs": research.Helpers.pairs(site),
            },
        )
        for tag in site.tags.values():
            articles = site.by_tag.get(tag.key, ())
            yield from self.list_pages(
                lang,
                "tag",
                partial(Urls.tag, key=tag.key),
                articles,
                tag.labels[code],
                extra={"tag": tag},
                feed=Urls.tag_feed(code, tag.key),
            )
            yield self.feed(
                lang,
                Urls.tag_feed(code, tag.key),
                articles,
                tag.labels[code],
                Urls.tag(code, tag.key),
            )

        outlet_rows = tuple(
            (outlet, len(site.by_outlet.get(outlet.key, ())))
            for outlet in site.outlets.values()
            if outlet.known or outlet.key in site.by_outlet
        )
        yield Page(
            Urls.outlets(code),
            "outlets.html",
            lang,
            "outlets",
            t("outlets_title"),
            self.everywhere(Urls.outlets),
            {"outlet_rows": outlet_rows},
        )
        for outlet in site.outlets.values():
            articles = site.by_outlet.get(outlet.key, ())
            if not outlet.known and not articles:
                continue
            title = outlet.name if outlet.known else t("unknown_outlet")
            yield from self.list_pages(
                lang,
                "outlet",
                partial(Urls.outlet, key=outlet.key),
                articles,
                title,
                extra={"outlet": outlet},
            )

        years = tuple(
            (
                year,
                len(items),
                tuple((m, len(site.by_month[(y, m)])) for (y, m) in site.by_month if y == year),
            )
            for year, items in site.by_year.items()
        )
        yield Page(
            Urls.archive(code),
            "archive.html",
            lang,
            "archive",
            t("archive_title"),
            self.everywhere(Urls.archive),
            {"years": years, "undated_count": len(site.undated)},
        )
        for year, items in site.by_year.items():
            yield from self.list_pages(
                lang,
                "year",
                partial(Urls.year, year=year),
                items,
                t.year(year),
                extra={"year": year},
            )
        for (year, month), items in site.by_month.items():
            yield from self.list_pages(
                lang,
                "month",
                partial(Urls.month, year=year, month=month),
                items,
                t.month(year, month),
                extra={"year": year, "month": month},
            )
        if site.undated:
            yield from self.list_pages(
                lang, "undated", Urls.undated, site.undated, t("undated_title")
            )

    def list_pages(
        self,
        lang: Language,
        kind: str,
        base: Callable[[str], str],
        articles: Sequence[Article],
        title: str,
        *,
        extra: Mapping[str, Any] | None = None,
        feed: str | None = None,
    ) -> Iterator[Page]:
        """A paginated list, plus one narrowed to each article language when it mixes several."""
        present = [
            lg.code for lg in self.config.languages if any(a.language == lg.code for a in articles)
        ]
        variants: list[str | None] = [None, *present] if len(present) > 1 else [None]
        counts = {v: sum(1 for a in articles if v is None or a.language == v) for v in variants}
        per = self.config.per_page
        summarised = kind in ("tag", "outlet")  # their first page charts coverage over time
        codes = [lg.code for lg in self.config.languages]
        for variant in variants:
            subset = [a for a in articles if variant is None or a.language == variant]
            chunks = [subset[i : i + per] for i in range(0, len(subset), per)] or [[]]

            def url_for(code: str, n: int, v: str | None = variant) -> str:
                start = base(code) + (f"{v}/" if v else "")
                return start if n == 1 else f"{start}page/{n}/"

            for n, chunk in enumerate(chunks, 1):
                filters = (
                    tuple(
                        LanguageFilter(v, url_for(lang.code, 1, v), counts[v], v == variant)
                        for v in variants
                    )
                    if len(variants) > 1
                    else ()
                )
                pagination = Pagination(
                    n,
                    len(chunks),
                    url_for(lang.code, n - 1) if n > 1 else None,
                    url_for(lang.code, n + 1) if n < len(chunks) else None,
                )
                data = {
                    # The first unfiltered page of a tag or outlet charts its coverage over time.
                    # The counts live in the page data, so serve re-renders the page exactly when
                    # they change.
                    "coverage": (
                        self.coverage_of(articles)
                        if summarised and n == 1 and variant is None
                        else None
                    ),
                    "articles": tuple(chunk),
                    "total": len(subset),
                    "pagination": pagination,
                    "filters": filters,
                    "filter": variant,
                    "feed": feed,
                    **(extra or {}),
                }
                yield Page(
                    url_for(lang.code, n),
                    "list.html",
                    lang,
                    kind,
                    title,
                    tuple((c, url_for(c, n)) for c in codes),
                    data,
                )

    def feed(
        self, lang: Language, url: str, articles: Sequence[Article], title: str, alternate: str
    ) -> Page:
        """An Atom feed of the newest dated articles (Atom needs a date for every entry)."""
        dated = tuple(a for a in articles if a.date is not None)[:FEED_SIZE]
        updated = max((a.date.start for a in dated if a.date is not None), default=None)
        data = {"entries": dated, "updated": updated, "alternate": alternate}
        return Page(url, "atom.xml", lang, "feed", title, data=data, sitemap=False)

    def article_page(self, article: Article) -> Page:
        lang = self.config.language(article.language)
        newer, older = self.site.neighbours(article)
        data = {
            "article": article,
            "body": TrustedHtml(article.body_html),
            "outlet": self.site.outlets[article.outlet],
            "via": self.site.outlets[article.via] if article.via else None,
            "tags": tuple(self.site.tags[k] for k in article.tags),
            "newer": newer,
            "older": older,
            "structured": self.structured_data(article),
        }
        # One URL per article: the other languages' equivalents are their home pages.
        alternates = tuple(
            (lg.code, article.url if lg.code == lang.code else Urls.home(lg.code))
            for lg in self.config.languages
        )
        return Page(article.url, "article.html", lang, "article", article.title, alternates, data)

    def citation_pages(self, article: Article) -> tuple[Page, ...]:
        """The article's citation downloads (a method, so the preview can memoise them)."""
        return research.citation_pages(self, article)

    def structured_data(self, article: Article) -> dict[str, Any]:
        """schema.org ``NewsArticle`` for the article page."""
        outlet = self.site.outlets[article.outlet]
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.title,
            "inLanguage": article.language,
            "url": self.config.base_url + article.url,
            "mainEntityOfPage": self.config.base_url + article.url,
            "keywords": [self.site.tags[k].labels.get(article.language, k) for k in article.tags],
        }
        if article.date is not None:
            data["datePublished"] = article.date.iso
        if outlet.known:
            publisher: dict[str, Any] = {"@type": "Organization", "name": outlet.name}
            if outlet.url:
                publisher["url"] = outlet.url
            data["publisher"] = publisher
        if article.summary:
            data["description"] = article.summary
        if article.source_url:
            data["isBasedOn"] = article.source_url
        if article.agency:
            data["sourceOrganization"] = {"@type": "Organization", "name": article.agency}
        return data


Producer = Callable[[PageBuilder], Iterable[Page]]

PRODUCERS: tuple[Producer, ...] = (research.pages, search.pages)
"""Features that add pages (search, data, ...), called in order after the core pages."""


def site_pages(site: Site, theme: Theme, builder: PageBuilder | None = None) -> tuple[Page, ...]:
    """Every page of the site, the sitemap last (``builder``: a subclass, e.g. serve's memo)."""
    builder = builder or PageBuilder(site, theme)
    pages = (*builder.pages(), *(page for produce in PRODUCERS for page in produce(builder)))
    return (*pages, sitemap_page(site, pages))


class SitemapEntry(NamedTuple):
    """What the sitemap shows of a page: an edit that changes a page's title or text leaves
    the sitemap's data, and so its bytes, as they were."""

    url: str
    kind: str
    lang: str
    alternates: tuple[tuple[str, str], ...]


def sitemap_page(site: Site, pages: Iterable[Page]) -> Page:
    """``sitemap.xml``, listing ``pages`` that belong in it, in their order."""
    entries = tuple(
        SitemapEntry(p.url, p.kind, p.lang.code, p.alternates) for p in pages if p.sitemap
    )
    return Page(
        "sitemap.xml",
        "sitemap.xml",
        site.config.default_language,
        "sitemap",
        "sitemap",
        data={"entries": entries},
        sitemap=False,
    )


class Renderer:
    """Renders pages through one Jinja environment, reused while the config and theme stay the same.

    ``briefgen serve`` keeps one across rebuilds so an edit re-renders only the pages it changed
    without recompiling the templates.
    """

    def __init__(self, config: SiteConfig, theme: Theme) -> None:
        self.env = make_environment(theme, config)
        self.env.globals["memo"] = self._memo
        self.i18n = {lang.code: I18n(lang, theme.strings[lang.code]) for lang in config.languages}
        self.templates: dict[str, Template] = {}
        self._fragments: dict[tuple[object, ...], Markup] = {}

    def prepare(self) -> None:
        """Compile every template of the theme now, before any page asks for one.

        The build calls this while reader processes parse the articles, so that rendering
        workers forked later inherit compiled templates instead of each compiling them (0.23 s
        of the theme's templates per worker). A template that fails to compile is left for the
        page that uses it to report; one compiled already is not looked at again.
        """
        for name in self.env.list_templates(extensions=("html", "xml")):
            if name not in self.templates:
                with contextlib.suppress(TemplateError):
                    self.templates[name] = self.env.get_template(name)

    @pass_context
    def _memo(self, context: Context, key: str, macro: Callable[..., str], *args: object) -> Markup:
        """``{{ memo('item', m.item, article) }}``: the macro's output, rendered once per page
        language and arguments (compared by value) for as long as this renderer lives.

        An article appears in dozens of list pages (home, tags, outlet, month, year, each with
        its language filters); rendering its entry once per language makes those pages a join.
        Only for macros whose output depends on nothing but their arguments, the page language
        and the vocabularies (which never change under one renderer).
        """
        slot = (key, context["lang"].code, *args)
        fragment = self._fragments.get(slot)
        if fragment is None:
            fragment = self._fragments[slot] = Markup(macro(*args))
        return fragment

    def render(self, site: Site, page: Page) -> bytes:
        """One page's bytes; template errors become :class:`BuildError` with their location."""
        if page.content is not None:  # citation files are bytes already
            return page.content
        if page.produce is not None:  # data exports: made now
            return page.produce()
        common = {"site": site, "config": site.config, "languages": site.config.languages}
        try:
            template = self.templates.get(page.template) or self.templates.setdefault(
                page.template, self.env.get_template(page.template)
            )
            t = self.i18n[page.lang.code]
            context = {**common, **page.data, "page": page, "lang": page.lang, "t": t}
            text: str = template.render(context)
        except TemplateSyntaxError as exc:
            raise BuildError(f"{exc.filename}:{exc.lineno}: template error: {exc.message}") from exc
        except TemplateError as exc:
            raise BuildError(f"template {page.template} (page {page.url or '/'}): {exc}") from exc
        return text.encode("utf-8")


def render_site(site: Site, theme: Theme) -> Iterator[tuple[str, bytes]]:
    """(output path, bytes) for every page, in a stable order."""
    renderer = Renderer(site.config, theme)
    for page in site_pages(site, theme):
        yield page.path, renderer.render(site, page)
