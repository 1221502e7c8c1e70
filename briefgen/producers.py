"""The site's pages as data: the core producers, and the table of every producer.

Each producer is a plain function of a :class:`~briefgen.pages.PageContext` yielding
:class:`~briefgen.pages.Page` values: :func:`core_pages` (home, lists by tag, outlet and date,
feeds, article pages), then the features' (:func:`briefgen.research.pages`,
:func:`briefgen.search.pages`), as :data:`PRODUCERS` lists them; :func:`site_pages` adds the
sitemap last. Where a page is a pure function of a few values (a list of articles, an article
and its neighbours) the producer makes it through :meth:`PageContext.remember`, which the preview
answers from the previous listing.

This module sits above :mod:`briefgen.research`: the tags page shows its subject tables, and the
first page of a tag or outlet charts its coverage over time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from itertools import islice
from typing import Any, NamedTuple

from briefgen import research, search
from briefgen.config import Language
from briefgen.model import Article, Site
from briefgen.pages import (
    LanguageFilter,
    Page,
    PageContext,
    Pagination,
    Producer,
    TrustedHtml,
    Urls,
    sitemap_page,
)

FEED_SIZE = 50
"""Entries per Atom feed (the articles most recently added to the archive)."""


def core_pages(ctx: PageContext) -> Iterator[Page]:
    """The root redirect and 404, each language's lists and feeds, every article page."""
    config = ctx.config
    default = config.default_language
    yield Page("", "redirect.html", default, "redirect", config.title[default.code], sitemap=False)
    yield Page(
        "404.html",
        "404.html",
        default,
        "404",
        ctx.i18n[default.code]("not_found_title"),
        ctx.everywhere(Urls.not_found),
        sitemap=False,
    )
    for lang in config.languages:
        yield from language_pages(ctx, lang)
    for article in ctx.site.articles:
        for reader in article.page_languages:
            yield article_page(ctx, article, reader)


def language_pages(ctx: PageContext, lang: Language) -> Iterator[Page]:
    """One site language's home, 404, feeds, tag, outlet and archive pages."""
    site, config, t, code = ctx.site, ctx.config, ctx.i18n[lang.code], lang.code
    yield from article_list(
        ctx,
        lang,
        "home",
        Urls.home,
        site.articles,
        config.title[code],
        feed=Urls.feed(code),
        language_feeds=True,
    )
    yield Page(
        Urls.not_found(code),
        "404.html",
        lang,
        "404",
        t("not_found_title"),
        ctx.everywhere(Urls.not_found),
        sitemap=False,
    )
    yield feed_page(
        ctx, lang, Urls.feed(code), site.for_reader(code), config.title[code], Urls.home(code)
    )
    yield from language_feeds(ctx, lang)

    tag_rows = tuple((tag, len(site.by_tag.get(tag.key, ()))) for tag in site.tags.values())
    yield Page(
        Urls.tags(code),
        "tags.html",
        lang,
        "tags",
        t("tags_title"),
        ctx.everywhere(Urls.tags),
        {
            "tag_rows": tag_rows,
            "subject_rows": research.Helpers.tag_rows(site),
            "pairs": research.Helpers.pairs(site),
        },
    )
    for tag in site.tags.values():
        articles = site.by_tag.get(tag.key, ())
        yield from article_list(
            ctx,
            lang,
            "tag",
            partial(Urls.tag, key=tag.key),
            articles,
            tag.labels[code],
            extra={"tag": tag},
            feed=Urls.tag_feed(code, tag.key),
        )
        yield feed_page(
            ctx,
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
        ctx.everywhere(Urls.outlets),
        {"outlet_rows": outlet_rows},
    )
    for outlet in site.outlets.values():
        articles = site.by_outlet.get(outlet.key, ())
        if not outlet.known and not articles:
            continue
        title = outlet.name if outlet.known else t("unknown_outlet")
        yield from article_list(
            ctx,
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
        ctx.everywhere(Urls.archive),
        {"years": years, "undated_count": len(site.undated)},
    )
    for year, items in site.by_year.items():
        yield from article_list(
            ctx,
            lang,
            "year",
            partial(Urls.year, year=year),
            items,
            t.year(year),
            extra={"year": year},
        )
    for (year, month), items in site.by_month.items():
        yield from article_list(
            ctx,
            lang,
            "month",
            partial(Urls.month, year=year, month=month),
            items,
            t.month(year, month),
            extra={"year": year, "month": month},
        )
    if site.undated:
        undated = t("undated_title")
        yield from article_list(ctx, lang, "undated", Urls.undated, site.undated, undated)


class ListKey(NamedTuple):
    """What a list's pages are a function of (with the config, theme and vocabularies)."""

    lang: Language
    urls: tuple[str, ...]
    """The list's first URL in every site language."""
    articles: tuple[Article, ...]
    title: str
    extra: dict[str, Any]
    feed: str | None
    language_feeds: bool = False


def article_list(
    ctx: PageContext,
    lang: Language,
    kind: str,
    base: Callable[[str], str],
    articles: Sequence[Article],
    title: str,
    *,
    extra: Mapping[str, Any] | None = None,
    feed: str | None = None,
    language_feeds: bool = False,
) -> tuple[Page, ...]:
    """The pages of one list of articles (:func:`paginate`), remembered under the list's first
    URL (table ``lists``)."""
    urls = tuple(url for _, url in ctx.everywhere(base))
    key = ListKey(lang, urls, tuple(articles), title, dict(extra or {}), feed, language_feeds)
    make = partial(
        paginate,
        ctx,
        lang,
        kind,
        base,
        articles,
        title,
        extra=extra,
        feed=feed,
        language_feeds=language_feeds,
    )
    return ctx.remember("lists", (lang.code, kind, base(lang.code)), key, lambda: tuple(make()))


def paginate(
    ctx: PageContext,
    lang: Language,
    kind: str,
    base: Callable[[str], str],
    articles: Sequence[Article],
    title: str,
    *,
    extra: Mapping[str, Any] | None = None,
    feed: str | None = None,
    language_feeds: bool = False,
) -> Iterator[Page]:
    """A paginated list, plus one narrowed to each language its articles are written in when
    it mixes several (the reader languages first, then the others by tag:
    :attr:`Site.content_languages`); ``language_feeds``: each narrowed list links its
    language's feed (:func:`language_feeds`) instead of ``feed``."""
    site, config = ctx.site, ctx.config
    found = Counter(a.language for a in articles)
    present = [code for code in site.content_languages if code in found]
    variants: list[str | None] = [None, *present] if len(present) > 1 else [None]
    counts = {v: len(articles) if v is None else found[v] for v in variants}
    per = config.per_page
    summarised = kind in ("tag", "outlet")  # their first page charts coverage over time
    codes = [lg.code for lg in config.languages]
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
                    research.Helpers.coverage_of(site, articles)
                    if summarised and n == 1 and variant is None
                    else None
                ),
                "articles": tuple(chunk),
                "total": len(subset),
                "pagination": pagination,
                "filters": filters,
                "filter": variant,
                "feed": (
                    Urls.language_feed(lang.code, variant) if language_feeds and variant else feed
                ),
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


def language_feeds(ctx: PageContext, lang: Language) -> Iterator[Page]:
    """A feed per content language, when the archive has several: what a reader who follows
    only the Russian coverage subscribes to (beside the home page narrowed to Russian)."""
    site, code = ctx.site, lang.code
    if len(site.content_languages) < 2:
        return
    name = ctx.i18n[code].language_name
    for content in site.content_languages:
        # As on the narrowed home page: an article with no page in this reader language is
        # linked at its own, titled with the briefing in this language when there is one.
        articles = [a for a in site.articles if a.language == content]
        title = f"{ctx.config.title[code]}: {name(content)}"
        alternate = Urls.home(code) + f"{content}/"
        yield feed_page(ctx, lang, Urls.language_feed(code, content), articles, title, alternate)


def feed_page(
    ctx: PageContext,
    lang: Language,
    url: str,
    articles: Sequence[Article],
    title: str,
    alternate: str,
) -> Page:
    """An Atom feed of what is new in the archive (:func:`feed_entries`): the day each article
    was added, else its source date, is its ``updated`` (:attr:`Article.updated`). Atom needs
    ``updated`` for every entry, so an article with neither date is left out."""

    def make() -> Page:
        entries = feed_entries(articles)
        updated = max((a.updated for a in entries if a.updated is not None), default=None)
        data = {"entries": entries, "updated": updated, "alternate": alternate}
        return Page(url, "atom.xml", lang, "feed", title, data=data, sitemap=False)

    return ctx.remember("feeds", url, (lang, tuple(articles), title, alternate), make)


def feed_entries(articles: Sequence[Article]) -> tuple[Article, ...]:
    """The :data:`FEED_SIZE` entries of a feed of ``articles`` (in the lists' order): by
    :attr:`Article.feed_date`, the latest first, as lists sort dates; the sort is stable, so
    ties keep the lists' order, and without any ``added`` the order is the lists'."""
    if not any(a.added is not None for a in articles):  # the lists' order: no sort needed
        return tuple(islice((a for a in articles if a.date is not None), FEED_SIZE))
    placed = [(a.feed_date.sort_key, a) for a in articles if a.feed_date is not None]
    placed.sort(key=lambda pair: pair[0], reverse=True)
    return tuple(a for _key, a in placed[:FEED_SIZE])


def article_page(ctx: PageContext, article: Article, reader: str | None = None) -> Page:
    """An article's page in a reader language (its canonical page when ``reader`` is None),
    remembered with its neighbours, which it links.

    An article written in a reader language has one page, in that language; any other has one
    per reader language, each in the reader's UI with the curator's briefing in that language
    (when there is one) above the original text, all listing each other as alternates."""
    site = ctx.site
    code = article.page_languages[0] if reader is None else reader
    newer, older = neighbours = site.neighbours(article)

    def make() -> Page:
        lang = ctx.config.language(code)
        pages = article.page_languages
        briefing = article.briefing(code)
        data = {
            "article": article,
            "body": TrustedHtml(article.body_html),
            "outlet": site.outlets[article.outlet],
            "via": site.outlets[article.via] if article.via else None,
            "tags": tuple(site.tags[k] for k in article.tags),
            "newer": newer,
            "older": older,
            "structured": structured_data(site, article, code),
            "briefing": briefing,
        }
        if len(pages) > 1:  # its page in every reader language
            alternates = tuple((c, article.url_in(c)) for c in pages)
        else:  # one page: the other languages' equivalents are their home pages
            alternates = tuple(
                (lg.code, article.url if lg.code == code else Urls.home(lg.code))
                for lg in ctx.config.languages
            )
        title = briefing.title if briefing is not None else article.title
        return Page(
            article.url_in(code),
            "article.html",
            lang,
            "article",
            title,
            alternates,
            data,
            hreflang=len(pages) > 1,
        )

    slot = article.slug if code == article.page_languages[0] else (article.slug, code)
    return ctx.remember("articles", slot, (article, neighbours), make)


def structured_data(site: Site, article: Article, reader: str | None = None) -> dict[str, Any]:
    """schema.org ``NewsArticle`` for the article's page in ``reader`` (its canonical page when
    None): the article as written (``inLanguage`` its own language); on the page of a reader
    language with the curator's briefing in that language, the briefing as its
    ``workTranslation`` (a ``translationOfWork`` of it)."""
    config = site.config
    outlet = site.outlets[article.outlet]
    code = article.page_languages[0] if reader is None else reader
    url = config.base_url + article.url_in(code)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "inLanguage": article.language,
        "url": url,
        "mainEntityOfPage": url,
        "keywords": [site.tags[k].labels.get(code, k) for k in article.tags],
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
    if article.archived_url:  # schema.org has no property for the day the source was accessed
        data["archivedAt"] = article.archived_url
    if article.agency:
        data["sourceOrganization"] = {"@type": "Organization", "name": article.agency}
    briefing = article.briefing(code)
    if briefing is not None:  # the page shows the curator's briefing in its language
        translation: dict[str, Any] = {
            "@type": "CreativeWork",
            "name": briefing.title,
            "inLanguage": code,
            "translationOfWork": {"@id": config.base_url + article.url},
        }
        if briefing.summary:
            translation["abstract"] = briefing.summary
        data["@id"] = config.base_url + article.url
        data["workTranslation"] = [translation]
    return data


PRODUCERS: tuple[Producer, ...] = (core_pages, research.pages, search.pages)
"""Every producer, in the order their pages are listed (the sitemap follows them)."""

TEMPLATE_GLOBALS: Mapping[str, object] = {"research": research.Helpers}
"""What the features give templates besides the renderer's own globals."""


def site_pages(ctx: PageContext) -> tuple[Page, ...]:
    """Every page of the site, the sitemap last."""
    pages = tuple(page for produce in PRODUCERS for page in produce(ctx))
    return (*pages, sitemap_page(ctx.site, pages))
