"""Subjects overview: articles per tag and language, and the tags that appear together."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import combinations

from briefgen.model import Site, Tag


@dataclass(frozen=True, slots=True)
class TagRow:
    """One tag with its article count in each site language."""

    tag: Tag
    counts: tuple[tuple[str, int], ...]
    """(language code, articles), in site-language order."""

    @property
    def total(self) -> int:
        """Articles in every language."""
        return sum(n for _, n in self.counts)


@dataclass(frozen=True, slots=True)
class Pair:
    """Two tags given to the same articles."""

    first: Tag
    second: Tag
    count: int


def tag_rows(site: Site) -> tuple[TagRow, ...]:
    """Every tag of the vocabulary, in vocabulary order, with counts per language articles are
    written in (:attr:`Site.content_languages`)."""
    codes = site.content_languages
    rows = []
    for tag in site.tags.values():
        articles = site.by_tag.get(tag.key, ())
        rows.append(
            TagRow(tag, tuple((c, sum(1 for a in articles if a.language == c)) for c in codes))
        )
    return tuple(rows)


def co_occurrences(site: Site, limit: int = 20) -> tuple[Pair, ...]:
    """The ``limit`` tag pairs shared by most articles; ties in vocabulary order (deterministic)."""
    order = {key: i for i, key in enumerate(site.tags)}
    counts: Counter[tuple[str, str]] = Counter()
    for article in site.articles:
        keys = sorted((k for k in dict.fromkeys(article.tags) if k in order), key=order.__getitem__)
        counts.update(combinations(keys, 2))
    ranked = sorted(
        counts.items(), key=lambda item: (-item[1], order[item[0][0]], order[item[0][1]])
    )
    return tuple(Pair(site.tags[a], site.tags[b], n) for (a, b), n in ranked[:limit])
