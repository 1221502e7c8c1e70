"""Listing pages again after an edit without rebuilding the ones it cannot reach.

Listing every page is cheap for a small archive and seconds for 10,000 articles (each list
builds its pagination, filters and data). :class:`MemoPageBuilder` is the render module's
:class:`PageBuilder` with its three per-list producers memoised on their inputs: when a list is
given the same articles (the very same objects, since unchanged files come from the article
cache), title and URLs as in the previous build, it returns the previous build's ``Page``
objects, which the rebuild then recognises as unchanged by identity.

Valid while the producers are pure functions of their arguments plus the config, theme and
vocabularies; a config, theme or vocabulary change is a full rebuild with a fresh memo.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from itertools import chain
from typing import Any

from briefgen.config import Language
from briefgen.model import Article, Site
from briefgen.render import Page, PageBuilder
from briefgen.theme import Theme

LIST_DATA = frozenset({"coverage", "articles", "total", "pagination", "filters", "filter", "feed"})
"""The data keys of a list page (besides its ``extra``) that :func:`_edited_in_place` knows."""


def _edited_in_place(
    old_key: tuple[Any, ...], new_key: tuple[Any, ...], old_pages: tuple[Page, ...]
) -> tuple[Page, ...] | None:
    """The pages of a list whose articles were only edited in place, from its previous pages.

    When the list has the same articles in the same order and languages (an edit that moved
    nothing), pagination, language filters and counts are what they were: only the chunks that
    hold an edited article change. Rebuilding just those saves listing a 10,000-article home
    page again on every save. None when that does not hold, or when the list pages carry data
    this function does not know (then the list is produced again in full).
    """
    old, new = old_key[2], new_key[2]
    if old_key[:2] + old_key[3:] != new_key[:2] + new_key[3:] or len(old) != len(new):
        return None
    extra: dict[str, Any] = old_key[4]
    known = LIST_DATA | extra.keys()
    if not known.issuperset(chain.from_iterable(page.data for page in old_pages)):
        return None
    swaps: dict[int, Article] = {}
    for before, after in zip(old, new, strict=True):
        if before is after:
            continue
        if before.slug != after.slug or before.language != after.language:
            return None
        if before.date != after.date and any(p.data.get("coverage") for p in old_pages):
            return None  # the coverage chart counts dates: list again to recompute it
        swaps[id(before)] = after
    edited = swaps.keys()
    pages: list[Page] = []
    for page in old_pages:
        chunk: tuple[Article, ...] = page.data["articles"]
        if not edited.isdisjoint(map(id, chunk)):
            data = {**page.data, "articles": tuple(swaps.get(id(a), a) for a in chunk)}
            page = replace(page, data=data)
        pages.append(page)
    return tuple(pages)


class PageMemo:
    """The previous build's pages per producer call; kept across incremental rebuilds."""

    def __init__(self) -> None:
        self.lists: dict[tuple[str, str, str], tuple[tuple[Any, ...], tuple[Page, ...]]] = {}
        self.feeds: dict[str, tuple[tuple[Any, ...], Page]] = {}
        self.articles: dict[str, tuple[tuple[Any, ...], Page]] = {}
        self.citations: dict[str, tuple[Article, tuple[Page, ...]]] = {}
        self._used: set[tuple[str, object]] = set()

    def use(self, table: str, slot: object) -> None:
        """Note that this build asked for ``slot``."""
        self._used.add((table, slot))

    def unmark(self) -> None:
        """Forget what was asked for: a partial rebuild asks for a few entries, and only a
        full listing can say which of the others are still in use."""
        self._used = set()

    def prune(self) -> None:
        """Forget what this build did not ask for (deleted articles, emptied tags)."""
        used = self._used
        self.lists = {k: v for k, v in self.lists.items() if ("lists", k) in used}
        self.feeds = {k: v for k, v in self.feeds.items() if ("feeds", k) in used}
        self.articles = {k: v for k, v in self.articles.items() if ("articles", k) in used}
        self.citations = {k: v for k, v in self.citations.items() if ("citations", k) in used}
        self._used = set()


class MemoPageBuilder(PageBuilder):
    """A :class:`PageBuilder` that answers unchanged lists, feeds and articles from a memo."""

    def __init__(self, site: Site, theme: Theme, memo: PageMemo) -> None:
        super().__init__(site, theme)
        self.memo = memo

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
        urls = tuple(url for _, url in self.everywhere(base))
        slot = (lang.code, kind, base(lang.code))
        key = (lang, urls, tuple(articles), title, dict(extra or {}), feed)
        self.memo.use("lists", slot)
        hit = self.memo.lists.get(slot)
        if hit is not None and hit[0] == key:
            return iter(hit[1])
        pages = None if hit is None else _edited_in_place(hit[0], key, hit[1])
        if pages is None:
            produced = super().list_pages(lang, kind, base, articles, title, extra=extra, feed=feed)
            pages = tuple(produced)
        self.memo.lists[slot] = (key, pages)
        return iter(pages)

    def feed(
        self, lang: Language, url: str, articles: Sequence[Article], title: str, alternate: str
    ) -> Page:
        key = (lang, tuple(articles), title, alternate)
        self.memo.use("feeds", url)
        hit = self.memo.feeds.get(url)
        if hit is not None and hit[0] == key:
            return hit[1]
        page = super().feed(lang, url, articles, title, alternate)
        self.memo.feeds[url] = (key, page)
        return page

    def article_page(self, article: Article) -> Page:
        key = (article, self.site.neighbours(article))
        self.memo.use("articles", article.slug)
        hit = self.memo.articles.get(article.slug)
        if hit is not None and hit[0] == key:
            return hit[1]
        page = super().article_page(article)
        self.memo.articles[article.slug] = (key, page)
        return page

    def citation_pages(self, article: Article) -> tuple[Page, ...]:
        # Three formats per article on every edit would be most of an edit at 10,000 articles.
        self.memo.use("citations", article.slug)
        hit = self.memo.citations.get(article.slug)
        if hit is not None and hit[0] == article:
            return hit[1]
        pages = super().citation_pages(article)
        self.memo.citations[article.slug] = (article, pages)
        return pages
