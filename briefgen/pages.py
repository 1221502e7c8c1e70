"""Pages as data: the URL scheme, the kinds of page, and the context every producer receives.

This is the layer under the producers (:mod:`briefgen.producers`, :mod:`briefgen.research`,
:mod:`briefgen.search`) and the renderer (:mod:`briefgen.render`): it knows the model and the UI
strings, never Jinja. A producer is a plain function of a :class:`PageContext` that yields
:class:`Page` values; rendered Markdown enters templates as trusted HTML (:class:`TrustedHtml`),
nothing else does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple, Protocol, TypeVar

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time, get_timezone_gmt
from babel.numbers import format_decimal

from briefgen import languages
from briefgen.config import Language, SiteConfig
from briefgen.errors import BuildError
from briefgen.model import Article, PartialDate, Precision, Site, article_url
from briefgen.theme import Strings, Theme

T = TypeVar("T")


class Urls:
    """The URL scheme, site-relative (templates prefix the base path)."""

    @staticmethod
    def home(lang: str) -> str:
        return f"{lang}/"

    @staticmethod
    def article(article: Article) -> str:
        return article.url

    @staticmethod
    def article_for(article: Article, reader: str) -> str:
        """Where a list, feed or link in the reader language ``reader`` sends a reader: the
        article's page in that language when it has one, else its canonical page."""
        if reader in article.page_languages:
            return article.url_in(reader)
        return article.url

    @staticmethod
    def article_at(lang: str, slug: str) -> str:
        """The page of the article ``slug`` in the reader language ``lang``: the model's
        :func:`~briefgen.model.article_url`, the one definition."""
        return article_url(lang, slug)

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
    def language_feed(lang: str, content: str) -> str:
        """The feed of the articles written in ``content``, beside the home page narrowed to
        them (``{lang}/{content}/``, a list filter)."""
        return f"{lang}/{content}/atom.xml"

    @staticmethod
    def not_found(lang: str) -> str:
        return f"{lang}/404.html"

    @staticmethod
    def search(lang: str) -> str:
        """The search page; its address can carry a search (``?q=…&tag=…``: ``docs/search.md``)."""
        return f"{lang}/search/"

    @staticmethod
    def opensearch(lang: str) -> str:
        """The OpenSearch description that lets a browser add the search page as an engine."""
        return f"{lang}/opensearch.xml"


def url_pattern(make: Callable[..., str], **parts: str) -> re.Pattern[str]:
    """A regex matching the URLs ``make`` makes, without their final ``/``: each keyword of
    ``parts`` names an argument of ``make`` and becomes a group of that name matching its
    pattern (``url_pattern(Urls.tag, lang="[a-z]{2,3}", key="[^/]+")``)."""
    marks = {name: f"URLPART{n}X" for n, name in enumerate(parts)}  # re.escape keeps these
    text = re.escape(make(**marks).strip("/"))
    for name, mark in marks.items():
        text = text.replace(mark, f"(?P<{name}>{parts[name]})")
    return re.compile(f"^{text}$")


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
    ``month``, ``undated``, ``404``, ``redirect``, ``feed``, ``opensearch`` or ``sitemap``."""
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
    hreflang: bool = True
    """The alternates are this page in other languages (``hreflang`` links, the sitemap's
    alternates); False for an article with one page, whose alternates are the other languages'
    home pages (the language switcher's targets)."""

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
        # Nothing formatted is kept: list entries are rendered once per language already
        # (Renderer.memo), and keeping Babel's results saved nothing measurable at 10,000
        # articles (benchmarks/caches.py, docs/architecture.md "Caches").

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
        text = forms.get(self.locale.plural_form(count), forms["other"])
        return text.format(count=self.number(count), **values)

    def forms(self, key: str) -> Mapping[str, str]:
        """Every plural form of ``key`` by CLDR category (for scripts that pick the form)."""
        forms = self._lookup(key)
        return {"other": forms} if isinstance(forms, str) else forms

    def number(self, value: int) -> str:
        """A number with the locale's digits and grouping."""
        return str(format_decimal(value, locale=self.locale))

    def date(self, when: PartialDate | None) -> str:
        """A date at its precision: ``2025``, ``gennaio 2025``, ``2 يناير 2025``, or with time."""
        if when is None:
            return self("undated")
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
        return str(format_skeleton("yMMMM", date(year, month, 1), locale=self.locale))

    def year(self, year: int) -> str:
        """A year as the locale writes it."""
        return str(format_skeleton("y", date(year, 1, 1), locale=self.locale))

    def language_name(self, code: str) -> str:
        """A language's name in this language (``الإيطالية`` on an Arabic page, ``cinese
        (semplificato)`` for ``zh-Hans`` on an Italian one): :func:`briefgen.languages.name`."""
        return languages.name(code, self.code)

    def country_name(self, code: str) -> str:
        """A country's name in this language."""
        return str(self.locale.territories.get(code, code))


def i18n_table(config: SiteConfig, theme: Theme) -> dict[str, I18n]:
    """An :class:`I18n` per site language, by code: made once per build, shared by the
    producers and the renderer (its formatted numbers and dates serve both)."""
    return {lang.code: I18n(lang, theme.strings[lang.code]) for lang in config.languages}


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


class SitemapEntry(NamedTuple):
    """What the sitemap shows of a page: an edit that changes a page's title or text leaves
    the sitemap's data, and so its bytes, as they were."""

    url: str
    kind: str
    lang: str
    alternates: tuple[tuple[str, str], ...]
    """The page in every language (``hreflang``); empty for an article with one page."""


def sitemap_page(site: Site, pages: Iterable[Page]) -> Page:
    """``sitemap.xml``, listing ``pages`` that belong in it, in their order."""
    entries = tuple(
        SitemapEntry(p.url, p.kind, p.lang.code, p.alternates if p.hreflang else ())
        for p in pages
        if p.sitemap
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


class Remember(Protocol):
    """A memo producers consult for what is worth keeping between listings (see
    :meth:`PageContext.remember`)."""

    def __call__(self, table: str, slot: Hashable, key: object, make: Callable[[], T]) -> T: ...


def make_now(table: str, slot: Hashable, key: object, make: Callable[[], T]) -> T:
    """The build's :class:`Remember`: nothing is kept, every value is made."""
    return make()


@dataclass(frozen=True, slots=True)
class PageContext:
    """What every producer receives: the site, its UI strings, and where to remember pages."""

    site: Site
    i18n: Mapping[str, I18n]
    """An :class:`I18n` per site language (:func:`i18n_table`)."""
    remember: Remember = make_now
    """``remember(table, slot, key, make)``: the value ``make()`` returns for ``key``. A
    producer calls it where a page (or a tuple of pages) is a pure function of ``key`` and the
    config, theme and vocabularies; ``slot`` names the value within ``table`` (a list's URL, an
    article's slug). The build makes every value; the preview answers an unchanged key from the
    previous listing (:class:`briefgen.serve.pages.PageMemo`), which lets an edit re-render only
    the pages it reaches."""

    @property
    def config(self) -> SiteConfig:
        return self.site.config

    def everywhere(self, url_for: Callable[[str], str]) -> tuple[tuple[str, str], ...]:
        """(language code, URL) of a page in every site language (a :attr:`Page.alternates`)."""
        return tuple((lang.code, url_for(lang.code)) for lang in self.config.languages)


Producer = Callable[[PageContext], Iterable[Page]]
"""A feature's pages: a plain function of the context (see :data:`briefgen.producers.PRODUCERS`)."""
