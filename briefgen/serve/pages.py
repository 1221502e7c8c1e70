"""Listing pages again after an edit without rebuilding the ones it cannot reach.

Listing every page is cheap for a small archive and seconds for 10,000 articles (each list
builds its pagination, filters and data). The producers make the pages worth keeping through
:meth:`PageContext.remember <briefgen.pages.PageContext.remember>`; the preview's context
answers it from a :class:`PageMemo`: when a list is given the same articles (the very same
objects, since unchanged files come from the article cache), title and URLs as in the previous
build, it returns the previous build's ``Page`` objects, which the rebuild then recognises as
unchanged by identity. A list whose articles were only edited in place is patched.

An edit that moves no article skips the listing altogether: the pages that hold the article
(:func:`holders_of`) get the new one in place of the old (:func:`swapped`).

Valid while the producers are pure functions of their key plus the config, theme and
vocabularies; a config, theme or vocabulary change is a full rebuild with a fresh memo.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import replace
from itertools import chain
from typing import Any, TypeVar, cast

from briefgen.model import Article
from briefgen.pages import Page
from briefgen.producers import ListKey

T = TypeVar("T")

LIST_DATA = frozenset({"coverage", "articles", "total", "pagination", "filters", "filter", "feed"})
"""The data keys of a list page (besides its ``extra``) that :func:`_edited_in_place` knows."""

PATCHABLE: Mapping[str, frozenset[str]] = {
    **dict.fromkeys(
        ("home", "tag", "outlet", "year", "month", "undated"),
        LIST_DATA | {"tag", "outlet", "year", "month"},
    ),
    "feed": frozenset({"entries", "updated", "alternate"}),
}
"""Per page kind, the data keys whose values only place articles or depend on their place
(date, tags, language), never on what an edit in place can change (title, summary, body):
such a page gets an edited article swapped in. Its other values stay as they are."""


def _edited_in_place(
    old: ListKey, new: ListKey, old_pages: tuple[Page, ...]
) -> tuple[Page, ...] | None:
    """The pages of a list whose articles were only edited in place, from its previous pages.

    When the list has the same articles in the same order and languages (an edit that moved
    nothing), pagination, language filters and counts are what they were: only the chunks that
    hold an edited article change. Rebuilding just those saves listing a 10,000-article home
    page again on every save. None when that does not hold, or when the list pages carry data
    this function does not know (then the list is produced again in full).
    """
    if old._replace(articles=()) != new._replace(articles=()):
        return None
    if len(old.articles) != len(new.articles):
        return None
    known = LIST_DATA | old.extra.keys()
    if not known.issuperset(chain.from_iterable(page.data for page in old_pages)):
        return None
    swaps: dict[int, Article] = {}
    for before, after in zip(old.articles, new.articles, strict=True):
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


PATCHES: Mapping[str, Callable[[Any, Any, Any], Any]] = {"lists": _edited_in_place}
"""Per table of :class:`PageMemo`, how to make a value from the previous key and value and the
new key (None when it cannot: the value is then made)."""


class PageMemo:
    """The previous build's pages per producer call; kept across incremental rebuilds.

    :meth:`remember` is the preview's :attr:`PageContext.remember
    <briefgen.pages.PageContext.remember>`: a value whose key is unchanged is the previous
    one, a list edited in place is patched (:func:`_edited_in_place`), anything else is made.
    """

    def __init__(self) -> None:
        self.tables: dict[str, dict[Hashable, tuple[object, Any]]] = {}
        """Per table (``lists``, ``feeds``, ``articles``, ``citations``), (key, value) by slot."""
        self._used: set[tuple[str, Hashable]] = set()

    def remember(self, table: str, slot: Hashable, key: object, make: Callable[[], T]) -> T:
        """``make()``, or the value kept for ``slot`` when it was made for an equal ``key``."""
        entries = self.tables.setdefault(table, {})
        self._used.add((table, slot))
        hit = entries.get(slot)
        if hit is not None and hit[0] == key:
            return cast(T, hit[1])
        patch = PATCHES.get(table)
        value = None if hit is None or patch is None else patch(hit[0], key, hit[1])
        if value is None:
            value = make()
        entries[slot] = (key, value)
        return cast(T, value)

    def unmark(self) -> None:
        """Forget what was asked for: a partial rebuild asks for a few entries, and only a
        full listing can say which of the others are still in use."""
        self._used = set()

    def prune(self) -> None:
        """Forget what this build did not ask for (deleted articles, emptied tags)."""
        used = self._used
        self.tables = {
            table: {slot: kept for slot, kept in entries.items() if (table, slot) in used}
            for table, entries in self.tables.items()
        }
        self._used = set()


def holders_of(pages: Mapping[str, Page], skip: frozenset[str]) -> dict[str, list[str]]:
    """Per article slug, the paths of the pages whose data holds that article; pages of the
    kinds in ``skip`` are left out (the preview makes the sitemap and the exports again after
    any edit)."""
    holders: dict[str, list[str]] = {}
    for path, page in pages.items():
        if page.kind in skip:
            continue
        for slug in dict.fromkeys(held(page.data.values())):
            holders.setdefault(slug, []).append(path)
    return holders


def held(values: Iterable[object]) -> Iterator[str]:
    """The slugs of the articles in ``values``, looking into tuples, lists and mappings."""
    for value in values:
        if isinstance(value, Article):
            yield value.slug
        elif isinstance(value, tuple | list):
            yield from held(value)
        elif isinstance(value, Mapping):
            yield from held(value.values())


def swapped(value: object, swaps: Mapping[int, Article]) -> Any:
    """``value`` with the articles in ``swaps`` (by the old object's id) replaced, at any
    depth :func:`held` looks; containers without them are returned as they are."""
    if isinstance(value, Article):
        return swaps.get(id(value), value)
    if isinstance(value, tuple | list):
        items = [swapped(item, swaps) for item in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        if isinstance(value, list):
            return items
        return type(value)._make(items) if hasattr(value, "_make") else tuple(items)
    if isinstance(value, Mapping):
        mapped = {key: swapped(item, swaps) for key, item in value.items()}
        if all(mapped[key] is item for key, item in value.items()):
            return value
        return mapped
    return value
