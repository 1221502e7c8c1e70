"""Web pages as articles: a saved ``.html`` file or an ``http(s)`` URL, fetched safely
(:mod:`briefgen.fetch`), read by trafilatura and htmldate (:mod:`briefgen.importer.page`),
and given the same fields, notes and file name as a plain-text copy.

Each page stands alone: one that cannot be imported is a :class:`Failed` naming the input
(``URL: message``), and the others still go in. The facts follow the plain-text importer's
rules: the date at the precision the page states (never a day it does not give), the outlet
from ``outlets.yml`` or ``unknown`` with the reason, the language identified as for a copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from briefgen.checks import MIN_WORDS
from briefgen.content.values import valid_url
from briefgen.errors import ErrorList
from briefgen.fetch import FetchError, Rules, fetch, size_text
from briefgen.importer.article import front_matter
from briefgen.importer.clean import Cleaned, Line, Role, strip_refused, words
from briefgen.importer.facts import UNKNOWN_DATE, Dates, find_agency, find_date, suggest_tags
from briefgen.importer.language import identify
from briefgen.importer.page import (
    PAGE_TYPES,
    Page,
    PageError,
    decode_page,
    looks_like_html,
    read_page,
)
from briefgen.importer.plan import Archive, Imported, ImportOptions, choose_target
from briefgen.model import UNKNOWN_OUTLET, Outlet
from briefgen.text import caseless

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")
PAGE_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml"})
_DATE_CHARS = 80
"""A block this short may be a dateline (longer ones are text that mentions a date)."""


@dataclass(frozen=True, slots=True)
class Failed:
    """An input that could not be imported, and why."""

    input: str
    """As the curator gave it: a URL or a path."""
    message: str

    def render(self) -> str:
        return f"{self.input}: {self.message}"


@dataclass(frozen=True, slots=True)
class Fetched:
    """A page's bytes and where they came from."""

    data: bytes
    charset: str | None
    """The charset the server declared."""
    url: str | None
    """The address that answered (after redirects); None for a saved file."""


def is_url(text: str) -> bool:
    """Whether an input names a URL (any scheme: ``file:`` and ``javascript:`` are refused
    with a reason, not read as file names). A one-letter scheme is a Windows drive."""
    return _SCHEME.match(text) is not None


def is_page_file(path: Path) -> bool:
    """A saved web page: an ``.html`` name, or a file that starts like an HTML document."""
    if path.suffix.lower() in PAGE_SUFFIXES:
        return True
    try:
        with path.open("rb") as handle:
            return looks_like_html(handle.read(4096))
    except OSError:
        return False


def get_page(given: str, rules: Rules) -> Fetched:
    """The bytes of a URL (fetched) or a saved page (read); FetchError or PageError says why
    not."""
    if not is_url(given):
        path = Path(given)
        if not path.is_file():
            raise PageError("no such file")
        size = path.stat().st_size
        if size > rules.max_bytes:
            raise PageError(f"the file is larger than {size_text(rules.max_bytes)}: refused")
        return Fetched(path.read_bytes(), None, None)
    response = fetch(given, rules, accept=PAGE_TYPES)  # a binary type is refused unread
    if response.status >= 400:
        raise FetchError(f"HTTP {response.status} {response.reason}".rstrip())
    if response.status != 200:
        raise FetchError(f"HTTP {response.status} {response.reason}: no page to import")
    return Fetched(response.body, response.charset, response.url)


@dataclass(frozen=True, slots=True)
class PageInput:
    """One page to plan: what the curator gave, and its bytes."""

    given: str
    fetched: Fetched
    accessed: date | None
    """The day of the fetch (URLs only: a saved file's day is not known)."""


def plan_page(
    item: PageInput,
    archive: Archive,
    dates: Dates,
    options: ImportOptions,
    taken: dict[str, Path],
) -> Imported | Failed:
    """The article one page becomes, or why it cannot be imported."""
    try:
        html, encoding = decode_page(item.fetched.data, item.fetched.charset, options.encoding)
        page = read_page(html, item.fetched.url)
    except PageError as exc:
        return Failed(item.given, str(exc))
    errors = ErrorList()
    planned = _Planner(item, page, html, archive, dates, options, errors).plan(taken, encoding)
    if planned is None:
        return Failed(item.given, "; ".join(p.message for p in errors.problems))
    return planned


class _Planner:
    """The fields of one page's article, with the notes that say how each was found."""

    def __init__(
        self,
        item: PageInput,
        page: Page,
        html: str,
        archive: Archive,
        dates: Dates,
        options: ImportOptions,
        errors: ErrorList,
    ) -> None:
        self.item, self.page, self.html = item, page, html
        self.archive, self.dates, self.options, self.errors = archive, dates, options, errors
        self.filled: list[tuple[str, str, str]] = []
        self.missing: list[tuple[str, str]] = []
        self.review: list[str] = []
        self.blocks = list(page.blocks)
        self.dropped = list(page.dropped)
        given = item.given
        self.source = (
            Path(Path(urlsplit(given).path).name or "page") if is_url(given) else Path(given)
        )
        self.origin = given if is_url(given) else None

    def plan(self, taken: dict[str, Path], encoding: str) -> Imported | None:
        kind = (self.page.page_type or "").lower()
        if kind and "article" not in kind and self.page.date is None:
            self.fail(f"not an article: the page calls itself {kind!r} and gives no date")
            return None
        text = "\n".join(plain for _md, plain in self.blocks)
        count = sum(words(line) for line in text.split("\n"))
        if count < MIN_WORDS:
            self.fail(
                f"no article text found: {count} word{'s' if count != 1 else ''} extracted "
                "(a home page, a login wall or a list of headlines?)"
            )
            return None
        reading = identify(text) if self.options.language is None else None
        if reading is not None and reading.tag is None:
            self.fail(reading.problem)
            return None
        language = self.options.language or (reading.tag if reading else None)
        assert language is not None
        if reading is not None:
            self.filled.append(("language", language, reading.how))
            self.review.extend(reading.doubts)
        else:
            self.filled.append(("language", language, "given with --language"))
        here = self.dates.speaking(language)
        title = self.title()
        outlet = self.outlet()
        date_text = self.date(here, self.archive.outlets.get(outlet))
        source_url = self.source_url()
        body = "\n".join(plain for _md, plain in self.blocks)
        agency = find_agency(Line(n, t, Role.PARAGRAPH) for n, t in enumerate(body.split("\n"), 1))
        if agency is not None:  # its "line" is a block of the text
            note = agency.note.replace("line ", "paragraph ", 1)
            self.filled.append(("agency", agency.value, note))
        tags = self.tags(f"{title}\n{body}")
        self.missing.append(("summary", "write one or two sentences (never copied from elsewhere)"))
        readers = tuple(lang.code for lang in self.archive.config.languages)
        if language not in readers:
            self.missing.append(
                (
                    "translated",
                    f"{language!r} is not a reader language ({', '.join(readers)}): give each "
                    "reader language a title and summary under 'translated:'",
                )
            )
        if encoding not in ("utf-8", "utf-8-sig") and self.options.encoding is not None:
            self.review.append(f"decoded as {encoding} (given with --encoding): check the text")
        chosen = choose_target(
            self.source,
            title,
            language,
            date_text,
            self.archive,
            self.options,
            taken,
            self.errors,
            origin=self.origin,
        )
        if chosen is None:
            return None
        target, overwrote = chosen
        lines, removed = strip_refused("\n\n".join(md for md, _plain in self.blocks).split("\n"))
        accessed = self.item.accessed.isoformat() if self.item.accessed else None
        dropped = tuple(sorted(self.dropped, key=lambda line: line.number))
        front = front_matter(
            title=title,
            date_text=date_text,
            added=self.options.today,
            outlet=outlet,
            via=None,
            language=language,
            tags=tags,
            agency=agency,
            source_url=source_url,
            source=self.source,
            filled=self.filled,
            missing=self.missing,
            review=self.review,
            dropped=dropped,
            removed=removed,
            origin=self.origin,
            accessed=accessed,
        )
        return Imported(
            source=self.source,
            target=target,
            text=f"---\n{front}---\n" + "\n".join(lines) + "\n",
            filled=tuple(self.filled),
            missing=tuple(self.missing),
            review=tuple(self.review),
            dropped=dropped,
            encoding=encoding,
            overwrote=overwrote,
            removed=removed,
            origin=self.origin,
        )

    def fail(self, message: str) -> None:
        self.errors.add(Path(self.item.given), None, message)

    def title(self) -> str:
        """The page's headline (og:title, JSON-LD headline, ``<h1>`` or ``<title>``), else a
        bracketed title supplied from the first words."""
        if self.page.title:
            self.filled.append(
                ("title", self.page.title, "the page's headline (og:title, JSON-LD or <title>)")
            )
            return self.page.title
        first = self.blocks[0][1].split()
        title = "[" + " ".join(first[:12]) + (" …]" if len(first) > 12 else "]")
        self.review.append(
            "title: the page has no headline; the bracketed title is supplied from the first "
            "words of the text: write a proper one (keep the brackets for a supplied title)"
        )
        self.filled.append(("title", title, "supplied from the first words (no headline)"))
        return title

    def outlet(self) -> str:
        """``--outlet``, else the outlet whose name is the page's site name or whose address
        is the page's host; ``unknown`` with the reason when none is."""
        if self.options.outlet is not None:
            self.filled.append(("outlet", self.options.outlet, "given with --outlet"))
            return self.options.outlet
        host = _host(self.page.canonical or self.item.fetched.url or "")
        name = self.page.site_name
        if name is not None and name.lower().removeprefix("www.") == host:
            name = None  # trafilatura's stand-in when the page names no site
        for outlet in self.archive.outlets.values():
            if name and caseless(name) in (caseless(outlet.name), caseless(outlet.key)):
                self.filled.append(("outlet", outlet.key, f"the page's site name {name!r}"))
                return outlet.key
        for outlet in self.archive.outlets.values():
            if host and outlet.url and _host(outlet.url) == host:
                self.filled.append(("outlet", outlet.key, f"the page's address is on {host}"))
                return outlet.key
        said = [f"the page's site name is {name!r}"] if name else []
        said += [f"its address is on {host}"] if host else []
        why = " and ".join(said) if said else "the page names no site"
        self.missing.append(
            ("outlet", f"{why}: no outlet in content/outlets.yml matches; written as 'unknown'")
        )
        if name:
            self.review.append(
                f"outlet: the page names {name!r}, which is not in content/outlets.yml"
            )
        return UNKNOWN_OUTLET

    def date(self, here: Dates, outlet: Outlet | None) -> str:
        """htmldate's date from the markup at the precision the page states; else a dateline
        in the text; else ``unknown``."""
        found = self.page.date
        if found is not None:
            return self.markup_date(found)
        for index, (_md, plain) in enumerate(self.blocks[:3]):
            if len(plain) > _DATE_CHARS or not here.is_date(plain):
                continue
            line = Line(index + 1, plain, Role.DATELINE)
            read = find_date(Cleaned((line,), None, line), here, outlet)
            if read is None or read.value == UNKNOWN_DATE:
                continue
            del self.blocks[index]
            self.dropped.append(Line(_line_of(self.html, plain), plain, Role.DATELINE))
            note = read.note.replace(f"line {index + 1} ", "the dateline ", 1)
            self.filled.append(("date", read.value, f"{note} (in the text: no date in the markup)"))
            return read.value
        self.missing.append(
            ("date", "neither the markup nor a dateline gives a date: written as 'unknown'")
        )
        return UNKNOWN_DATE

    def markup_date(self, found: str) -> str:
        """A ``YYYY-MM-DD`` from htmldate, cut to the month when the page writes the month but
        never that day (htmldate fills a missing day in: with 01, or with today's)."""
        year, month, day = found.split("-")
        if not _states(self.html, year, month, day) and _states(self.html, year, month):
            value = f"{year}-{month}"
            self.filled.append(("date", value, "the page's markup gives only the month (htmldate)"))
            return value
        markup = "the page's markup (article:published_time, JSON-LD or <time>: htmldate)"
        moment = re.search(rf"{found}T(\d\d:\d\d)(:\d\d)?(Z|[+-]\d\d:\d\d)", self.html)
        if moment is not None:  # the same day written with its time and offset
            time, seconds, offset = moment.groups()
            value = f"{found}T{time}{seconds or ':00'}{offset.replace('Z', '+00:00')}"
            self.filled.append(("date", value, f"{markup}, with the time and its UTC offset"))
            return value
        self.filled.append(("date", found, markup))
        return found

    def source_url(self) -> str | None:
        canonical = self.page.canonical
        if canonical is not None and valid_url(canonical):
            self.filled.append(("source_url", canonical, "the page's canonical link"))
            return canonical
        fetched = self.item.fetched.url
        if fetched is not None:
            self.filled.append(("source_url", fetched, "the address fetched (no canonical link)"))
            return fetched
        self.missing.append(
            ("source_url", "the saved page has no canonical link: give the article's address")
        )
        return None

    def tags(self, text: str) -> list[str]:
        tags = list(dict.fromkeys([*self.options.tags, *suggest_tags(text, self.archive.tags)]))
        if tags:
            how = "suggested from the vocabulary (labels and aliases found in the text)"
            if self.options.tags:
                how = "given with --tags, plus " + how
            self.filled.append(("tags", ", ".join(tags), how))
        else:
            self.missing.append(
                ("tags", "no vocabulary tag is mentioned: add at least one from content/tags.yml")
            )
        return tags


def _line_of(html: str, text: str) -> int:
    """The line of the page where ``text`` begins (0 when it is not written as is)."""
    at = html.find(text[:40])
    return html.count("\n", 0, at) + 1 if at >= 0 else 0


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _states(html: str, *parts: str) -> bool:
    """Whether the page writes a machine date with these parts (year, month, perhaps day)."""
    return re.search(r"[-/.]".join(parts) + r"(?!\d)", html) is not None
