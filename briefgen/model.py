"""The archive as immutable values: articles, tags, outlets and the indexes the pages need.

Nothing here reads or writes files. URLs are site-relative (``ar/tags/china/``); templates add
the base path.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import IntEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from briefgen.config import SiteConfig

K = TypeVar("K")

UNKNOWN_OUTLET = "unknown"
"""The reserved outlet key for articles whose source does not name its outlet."""

_DATE_FORMS = (
    (re.compile(r"^([0-9]{4})$"), "year"),
    (re.compile(r"^([0-9]{4})-([0-9]{2})$"), "month"),
    (re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$"), "day"),
)
_DATETIME = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(?P<offset>Z|[+-][0-9]{2}:?[0-9]{2})?$"
)


class Precision(IntEnum):
    """How much of a date the source gives."""

    YEAR = 1
    MONTH = 2
    DAY = 3
    TIME = 4


_ORIGIN = datetime(1, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
UNDATED_SORT = "0000"
"""The sort text of an undated article: before every date, so last when newest first."""


@dataclass(frozen=True, slots=True, eq=False)
class PartialDate:
    """A publication date at the precision the source supports.

    Sorting rule (documented in the README): a partial date sorts as the earliest moment of its
    period, so in a newest-first list ``2025-01`` comes after every dated day of January 2025, and
    ``2025`` after every month of 2025. Within a day, a date without time comes after timed ones.

    Two dates are equal when they read the same: 09:30+01:00 and 08:30Z are one instant, which
    is how aware datetimes compare, but pages show them differently (and the preview re-renders
    a page exactly when its values are unequal).
    """

    year: int
    month: int | None = None
    day: int | None = None
    moment: datetime | None = None
    """The aware date-time, when the source gives a time and its offset."""

    def _key(self) -> tuple[object, ...]:
        offset = None if self.moment is None else self.moment.utcoffset()
        return (self.year, self.month, self.day, self.moment, offset)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    @property
    def precision(self) -> Precision:
        """Year, month, day or time."""
        if self.moment is not None:
            return Precision.TIME
        if self.day is not None:
            return Precision.DAY
        return Precision.MONTH if self.month is not None else Precision.YEAR

    @property
    def iso(self) -> str:
        """ISO 8601 at the source's precision: ``2025``, ``2025-01``, ``2025-01-02`` or a moment."""
        if self.moment is not None:
            return self.moment.isoformat()
        if self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    @property
    def sort_key(self) -> tuple[int, int, int, int, int]:
        """The one ascending chronological key of a source date, used by every list, feed,
        export and the search page: the day as shown first, then, for two timed dates of the
        same shown day, their instant (microseconds since 0001-01-01 UTC). Partial dates: see
        the class docstring."""
        instant = 0 if self.moment is None else (self.moment - _ORIGIN) // _MICROSECOND
        return (self.year, self.month or 0, self.day or 0, 1 if self.moment else 0, instant)

    @property
    def sort_text(self) -> str:
        """:attr:`sort_key` as fixed-width text that sorts the same way, for sorting outside
        Python (the search index sorts strings); undated articles use :data:`UNDATED_SORT`."""
        year, month, day, timed, instant = self.sort_key
        return f"{year:04d}-{month:02d}-{day:02d}-{timed}-{instant:018d}"

    @property
    def start(self) -> datetime:
        """The first instant of the period (UTC unless the source gives an offset), for feeds."""
        if self.moment is not None:
            return self.moment
        return datetime(self.year, self.month or 1, self.day or 1, tzinfo=UTC)

    @property
    def as_date(self) -> date:
        """The calendar date at the start of the period (in the source's own offset)."""
        if self.moment is not None:
            return self.moment.date()
        return date(self.year, self.month or 1, self.day or 1)


def parse_date(text: str) -> PartialDate | str | None:
    """Parse a front-matter date exactly as written.

    Returns a :class:`PartialDate`, None for ``unknown``, or an error message (a string).
    """
    if text == "unknown":
        return None
    for pattern, form in _DATE_FORMS:
        match = pattern.match(text)
        if not match:
            continue
        year = int(match.group(1))
        if year < 1:
            return f"date: year {year} is out of range"
        if form == "year":
            return PartialDate(year)
        month = int(match.group(2))
        if not 1 <= month <= 12:
            return f"date: {text!r} is impossible: month {month} is not 1 to 12"
        if form == "month":
            return PartialDate(year, month)
        day = int(match.group(3))
        try:
            date(year, month, day)
        except ValueError:
            return f"date: {text!r} is impossible: {year:04d}-{month:02d} has no day {day}"
        return PartialDate(year, month, day)
    match = _DATETIME.match(text)
    if match:
        if match.group("offset") is None:
            return (
                f"date: {text!r} has a time but no UTC offset, so the moment is ambiguous; "
                "add one (e.g. +02:00 or Z) or give the day only"
            )
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return (
                f"date: {text!r} is impossible: check the day, the time (00:00 to 23:59) "
                "and the offset (within ±23:59)"
            )
        return PartialDate(moment.year, moment.month, moment.day, moment)
    return (
        f"date: {text!r} is not a date briefgen reads; write YYYY, YYYY-MM, YYYY-MM-DD, "
        "an ISO 8601 date-time with offset, or 'unknown'"
    )


@dataclass(frozen=True, slots=True)
class Tag:
    """A term of the curated vocabulary."""

    key: str
    """The key used in front matter and URLs."""
    labels: Mapping[str, str]
    """The label per language code."""
    descriptions: Mapping[str, str]
    """An optional description per language code."""
    aliases: tuple[str, ...]
    """Other names and spellings a reader may search for (any script)."""
    line: int
    """Line of the key in ``tags.yml`` (for warnings)."""


@dataclass(frozen=True, slots=True)
class Outlet:
    """A news outlet."""

    key: str
    """The key used in front matter and URLs; ``unknown`` when the source names none."""
    name: str
    """The outlet's own name (empty for the unknown outlet: templates show a translation)."""
    language: str
    """The language the name is written in (for ``lang``/``dir``)."""
    country: str | None
    """ISO 3166-1 alpha-2 code, when known."""
    url: str | None
    """Home page, when known."""
    line: int
    """Line of the key in ``outlets.yml`` (0 for the built-in unknown outlet)."""

    @property
    def known(self) -> bool:
        """False for the reserved unknown outlet."""
        return self.key != UNKNOWN_OUTLET


def article_url(reader: str, slug: str) -> str:
    """Site-relative URL of an article's page in a reader language: the one definition (the
    pages' URL scheme and check's link patterns ask it)."""
    return f"{reader}/articles/{slug}/"


@dataclass(frozen=True, slots=True)
class Briefing:
    """A curator's translation of an article's title and summary into one reader language.

    Written by the curator from the article itself and always shown as a translation; an
    article without one for a reader language shows its original title and summary there."""

    title: str
    summary: str | None


@dataclass(frozen=True, slots=True)
class Article:
    """One article of the archive."""

    source: Path
    """The Markdown file it comes from."""
    slug: str
    """Unique across the archive; the last URL segment."""
    title: str
    date: PartialDate | None
    """None when the source gives no date (``date: unknown``)."""
    outlet: str
    """Key into :attr:`Site.outlets`."""
    language: str
    """The language the article is written in: any BCP 47 tag CLDR knows, canonically spelt
    (``ar``, ``ru``, ``zh-Hant``); a reader language or not."""
    tags: tuple[str, ...]
    """Keys into :attr:`Site.tags`, in the order the curator gave."""
    summary: str | None
    source_url: str | None
    via: str | None
    """Key of the outlet that originally published it, if any."""
    agency: str | None
    """The news agency the text cites (free text)."""
    draft: bool
    body_html: str
    """The rendered Markdown body (safe HTML: raw HTML off, unsafe links neutralised)."""
    body_text: str
    """The body as plain text (search records, descriptions)."""
    translated: Mapping[str, Briefing] = field(default_factory=dict)
    """The curator's briefings by reader language code (``translated:`` in front matter). A
    plain dict typed read-only: reader processes pickle articles, which a mapping proxy cannot
    be."""
    readers: tuple[str, ...] = ()
    """The reader languages the article has a page in: its own language when that is a reader
    language, else every reader language, the first one's page canonical (empty: its own)."""
    added: PartialDate | None = None
    """The day the curator added it to the archive (a day; None when not recorded)."""
    accessed: PartialDate | None = None
    """The day the curator read or fetched the source (a day; None when not recorded)."""
    archived_url: str | None = None
    """A copy of the source in a web archive, when the curator recorded one."""

    def __hash__(self) -> int:
        # The slug alone: equal articles have equal slugs, and hashing every field (the whole
        # body) on each lookup made articles slow dictionary keys (list entries are memoised
        # by article, once per appearance on a list page).
        return hash(self.slug)

    @property
    def page_languages(self) -> tuple[str, ...]:
        """The reader languages with a page of this article, the canonical one first."""
        return self.readers or (self.language,)

    @property
    def url(self) -> str:
        """Site-relative URL of the article's canonical page."""
        return self.url_in(self.page_languages[0])

    def url_in(self, reader: str) -> str:
        """Site-relative URL of the article's page in a reader language (one of
        :attr:`page_languages`)."""
        return article_url(reader, self.slug)

    def briefing(self, reader: str) -> Briefing | None:
        """The curator's briefing in a reader language, if there is one."""
        return self.translated.get(reader)

    @property
    def feed_date(self) -> PartialDate | None:
        """What feeds order it by, newest first (by :attr:`PartialDate.sort_key`): the day it
        was added, else its source date; None when it has neither (it reaches no feed)."""
        return self.added or self.date

    @property
    def updated(self) -> datetime | None:
        """When its feed entry last changed (Atom ``updated``): the start of :attr:`feed_date`."""
        return None if self.feed_date is None else self.feed_date.start

    @property
    def order(self) -> tuple[int, tuple[int, int, int, int, int], str]:
        """Newest-first order key: undated articles last, then by date, ties by slug."""
        if self.date is None:
            return (1, (0, 0, 0, 0, 0), self.slug)
        year, month, day, timed, moment = self.date.sort_key
        return (0, (-year, -month, -day, -timed, -moment), self.slug)


@dataclass(frozen=True, slots=True)
class Site:
    """The validated archive and its indexes; every sequence is newest first."""

    config: SiteConfig
    articles: tuple[Article, ...]
    tags: Mapping[str, Tag]
    outlets: Mapping[str, Outlet]
    by_tag: Mapping[str, tuple[Article, ...]] = field(init=False)
    by_outlet: Mapping[str, tuple[Article, ...]] = field(init=False)
    """Articles an outlet published or originally published (``via``)."""
    by_month: Mapping[tuple[int, int], tuple[Article, ...]] = field(init=False)
    """Articles dated to a month or a day, by (year, month)."""
    by_year: Mapping[int, tuple[Article, ...]] = field(init=False)
    """Articles dated to a year or finer, by year."""
    undated: tuple[Article, ...] = field(init=False)
    by_slug: Mapping[str, Article] = field(init=False)
    by_reader: Mapping[str, tuple[Article, ...]] = field(init=False)
    """Per reader language, the articles with a page in it (:attr:`Article.page_languages`):
    those written in it, and those in a language that is not a reader language."""
    content_languages: tuple[str, ...] = field(init=False)
    """The reader languages in ``site.yml`` order, then every other language an article is
    written in, by tag: the series of counts, charts and language filters."""
    _neighbours: Mapping[str, tuple[Article | None, Article | None]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.articles, key=lambda a: a.order))
        by_tag: dict[str, list[Article]] = defaultdict(list)
        by_outlet: dict[str, list[Article]] = defaultdict(list)
        by_month: dict[tuple[int, int], list[Article]] = defaultdict(list)
        by_year: dict[int, list[Article]] = defaultdict(list)
        for article in ordered:
            for tag in dict.fromkeys(article.tags):
                by_tag[tag].append(article)
            by_outlet[article.outlet].append(article)
            if article.via and article.via != article.outlet:
                by_outlet[article.via].append(article)
            if article.date is not None:
                by_year[article.date.year].append(article)
                if article.date.month is not None:
                    month = article.date.as_date.month
                    by_month[(article.date.as_date.year, month)].append(article)
        set_ = object.__setattr__  # frozen: the indexes are computed once, here
        set_(self, "articles", ordered)
        set_(self, "by_tag", _freeze(by_tag))
        set_(self, "by_outlet", _freeze(by_outlet))
        set_(self, "by_month", _freeze(by_month, reverse=True))
        set_(self, "by_year", _freeze(by_year, reverse=True))
        set_(self, "undated", tuple(a for a in ordered if a.date is None))
        set_(self, "by_slug", MappingProxyType({a.slug: a for a in ordered}))
        readers = tuple(lang.code for lang in self.config.languages)
        by_reader: dict[str, list[Article]] = {code: [] for code in readers}
        for article in ordered:
            for code in article.page_languages:
                by_reader.setdefault(code, []).append(article)
        set_(self, "by_reader", MappingProxyType({k: tuple(v) for k, v in by_reader.items()}))
        others = sorted({a.language for a in ordered} - set(readers))
        set_(self, "content_languages", (*readers, *others))
        neighbours: dict[str, tuple[Article | None, Article | None]] = {}
        by_language: dict[str, list[Article]] = defaultdict(list)
        for article in ordered:
            by_language[article.language].append(article)
        for same in by_language.values():
            for i, article in enumerate(same):
                newer = same[i - 1] if i > 0 else None
                older = same[i + 1] if i + 1 < len(same) else None
                neighbours[article.slug] = (newer, older)
        set_(self, "_neighbours", MappingProxyType(neighbours))

    def with_edits(self, edits: Mapping[str, Article]) -> Site:
        """This site with articles (by slug) replaced by versions that sit where they sat.

        Same slug, language, date, added day, tags, outlets and draft flag: every index keeps
        its shape and only the objects change, so the new site shares this one's structure
        instead of sorting and grouping the archive again (the preview's one-article edit, at
        10,000 articles).
        Raises ValueError for an edit that would move an article.
        """
        swaps: dict[int, Article] = {}
        for slug, new in edits.items():
            old = self.by_slug[slug]
            if not _same_place(old, new):
                raise ValueError(f"article {slug!r} moved: build the site again")
            swaps[id(old)] = new
        if not swaps:
            return self

        def swapped(items: tuple[Article, ...]) -> tuple[Article, ...]:
            return tuple([swaps.get(id(a), a) for a in items])

        def regroup(index: Mapping[K, tuple[Article, ...]], keys: Iterable[K]) -> Mapping[K, Any]:
            groups = dict(index)
            for key in dict.fromkeys(keys):
                groups[key] = swapped(groups[key])
            return MappingProxyType(groups)

        moved = [self.by_slug[slug] for slug in edits]
        tag_keys = [t for a in moved for t in a.tags]
        outlet_keys = [o for a in moved for o in (a.outlet, a.via) if o]
        dated = [a.date for a in moved if a.date is not None]
        site = object.__new__(Site)
        set_ = object.__setattr__
        set_(site, "config", self.config)
        set_(site, "tags", self.tags)
        set_(site, "outlets", self.outlets)
        set_(site, "articles", swapped(self.articles))
        set_(site, "by_tag", regroup(self.by_tag, tag_keys))
        set_(site, "by_outlet", regroup(self.by_outlet, outlet_keys))
        months = [(d.as_date.year, d.as_date.month) for d in dated if d.month is not None]
        set_(site, "by_month", regroup(self.by_month, months))
        set_(site, "by_year", regroup(self.by_year, [d.year for d in dated]))
        set_(site, "undated", swapped(self.undated))
        set_(site, "by_slug", MappingProxyType({**self.by_slug, **edits}))
        readers = [code for a in moved for code in a.page_languages]
        set_(site, "by_reader", regroup(self.by_reader, readers))
        set_(site, "content_languages", self.content_languages)
        neighbours = dict(self._neighbours)
        near = {a.slug for a in moved} | {
            n.slug for a in moved for n in neighbours[a.slug] if n is not None
        }
        for slug in near:  # an edited article's entry, and its neighbours' entries pointing to it
            neighbours[slug] = tuple(  # type: ignore[assignment]
                None if n is None else swaps.get(id(n), n) for n in neighbours[slug]
            )
        set_(site, "_neighbours", MappingProxyType(neighbours))
        return site

    def articles_in(self, language: str) -> tuple[Article, ...]:
        """Articles written in ``language``."""
        return tuple(a for a in self.articles if a.language == language)

    def for_reader(self, reader: str) -> tuple[Article, ...]:
        """Articles with a page in the reader language ``reader`` (its feed's articles)."""
        return self.by_reader.get(reader, ())

    def neighbours(self, article: Article) -> tuple[Article | None, Article | None]:
        """(newer, older) article in the same language, for previous/next links."""
        return self._neighbours[article.slug]


def _same_place(old: Article, new: Article) -> bool:
    """True when ``new`` belongs in every index, list and page position ``old`` had."""
    return (
        old.slug == new.slug
        and old.language == new.language
        and old.date == new.date
        and old.added == new.added
        and old.tags == new.tags
        and old.outlet == new.outlet
        and old.via == new.via
        and old.draft == new.draft
    )


def _freeze(
    groups: Mapping[K, Iterable[Article]], reverse: bool = False
) -> Mapping[K, tuple[Article, ...]]:
    """An immutable mapping with keys in a stable order (newest first for dates)."""
    keys: list[K] = sorted(groups, reverse=reverse)  # type: ignore[type-var]
    return MappingProxyType({key: tuple(groups[key]) for key in keys})
