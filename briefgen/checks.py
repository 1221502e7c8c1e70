"""``briefgen check``: everything ``build`` rejects, plus what to fix before publishing.

Findings beyond the build's own validation:

- a Markdown link from one article to an article, tag or outlet page that does not exist
  (error, at the link's line);
- a tag or outlet defined but used by no article (warning, at its line in the vocabulary);
- an article without a summary (warning);
- the same ``source_url`` twice (error), or two bodies that are nearly the same text (error):
  word 5-shingles of the normalised text, Jaccard similarity at least
  :data:`DUPLICATE_THRESHOLD`. Bodies shorter than :data:`MIN_WORDS` words are not compared;
- on request (``--missing-translations``), an article without the curator's briefing in a
  reader language other than its own (warning);
- on request (``--missing-added``), an article without ``added``, the day the curator added it
  (warning): its feeds place it by its source date, and leave it out when it has none.

The result is data; :func:`render` turns it into text, JSON or GitHub Actions annotations.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from briefgen.build import check as build_check
from briefgen.content import Loaded, split_front_matter
from briefgen.errors import ErrorList, Location, Problem, ProblemsError
from briefgen.model import UNKNOWN_OUTLET, Article, Site
from briefgen.pages import Urls, url_pattern
from briefgen.text import loose_words
from briefgen.yamltree import Map, parse

Format = Literal["text", "json", "github"]

SHINGLE = 5
"""Words per shingle: long enough that shared phrases of a common story do not count."""
DUPLICATE_THRESHOLD = 0.5
"""Jaccard similarity of shingle sets from which two bodies count as the same article.

Two outlets' rewrites of one story share phrases but few 5-word runs: the archive's two
articles on Putin's AI directive score 0.004. A copy with a paragraph or two changed stays well
above 0.5 (each changed word removes at most five shingles).
"""
MIN_WORDS = 30
"""Bodies shorter than this are placeholders, not articles: they are not compared."""


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Every finding of one check run, sorted (errors and warnings together)."""

    problems: tuple[Problem, ...]
    articles: int

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.severity == "warning")

    def failed(self, *, strict: bool = False) -> bool:
        """Errors fail the check; warnings too when ``strict``."""
        return self.errors > 0 or (strict and self.warnings > 0)


def check_site(
    root: Path, *, missing_translations: bool = False, missing_added: bool = False
) -> CheckReport:
    """Validate the archive at ``root`` without writing anything; never raises for content.

    ``missing_translations``: also warn about every article lacking a briefing in a reader
    language (:func:`check_translations`); ``missing_added``: about every article lacking
    ``added`` (:func:`check_added`)."""
    try:
        loaded = build_check(root, drafts=True)
    except ProblemsError as exc:
        return CheckReport(_sorted(exc.problems), 0)
    errors = ErrorList(list(loaded.warnings))
    check_links(loaded, errors)
    check_unused(loaded.site, errors)
    check_summaries(loaded.site, errors)
    check_duplicates(loaded.site, errors)
    if missing_translations:
        check_translations(loaded.site, errors)
    if missing_added:
        check_added(loaded.site, errors)
    return CheckReport(_sorted(errors.problems), len(loaded.site.articles))


def _sorted(problems: Iterable[Problem]) -> tuple[Problem, ...]:
    """By file, then line (a whole-file problem first), errors and warnings together."""
    return tuple(sorted(problems, key=lambda p: (p.location.path, p.location.line or 0, p.message)))


# ---------------------------------------------------------------------------------------------
# links

# The pages a body may link to, as the URL scheme makes them (a language code as site.yml and
# front matter accept one, then any one path segment).
_LANG, _SEGMENT = "[a-z]{2,3}", "[^/]+"
_ARTICLE_URL = url_pattern(Urls.article_at, lang=_LANG, slug=_SEGMENT)
_TAG_URL = url_pattern(Urls.tag, lang=_LANG, key=_SEGMENT)
_OUTLET_URL = url_pattern(Urls.outlet, lang=_LANG, key=_SEGMENT)


def check_links(loaded: Loaded, errors: ErrorList) -> None:
    """Every internal link in a body points at an article (or tag, outlet page) that exists."""
    site = loaded.site
    by_file = {a.source.resolve(): a for a in site.articles}
    for slug, links in loaded.links.items():
        article = site.by_slug.get(slug)
        if article is None:  # pragma: no cover - links are only kept for loaded articles
            continue
        for href, line in links:
            message = _link_problem(href, article, site, by_file)
            if message is not None:
                errors.add(article.source, line, message)


def _link_problem(
    href: str, article: Article, site: Site, by_file: dict[Path, Article]
) -> str | None:
    """Why ``href`` in ``article`` is broken, or None when it is fine or not internal."""
    parts = urlsplit(href)
    href = unquote(href)  # markdown-it percent-encodes targets; show them as written
    base = urlsplit(site.config.base_url)
    path = unquote(parts.path)
    if parts.scheme or parts.netloc:
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            return None  # an external link
        if not path.startswith(base.path):
            return f"link {href!r} is outside the site's base path {base.path!r}"
        path = path[len(base.path) :]
    elif not path:
        return None  # "#fragment" within the page, or "?query"
    elif path.startswith("/"):
        if not path.startswith(base.path):
            return f"link {href!r} is outside the site's base path {base.path!r}"
        path = path[len(base.path) :]
    elif path.endswith(".md"):
        target = (article.source.parent / path).resolve()
        if target in by_file:
            return _draft_problem(href, by_file[target], article)
        return f"link {href!r}: no article file {target.name!r} there"
    else:  # relative to the page the article is published at
        path = posixpath.normpath(posixpath.join(article.url, path))
        if path == ".." or path.startswith("../"):
            return f"link {href!r} leaves the site"
    path = path.strip("/")
    match = _ARTICLE_URL.match(path)
    if match:
        slug = match.group("slug")
        target_article = site.by_slug.get(slug)
        if target_article is None:
            close = [a.slug for a in site.articles if a.slug.casefold() == slug.casefold()]
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            return f"link {href!r}: no article with slug {slug!r}{hint}"
        if match.group("lang") != target_article.language:
            return f"link {href!r}: article {slug!r} is published at {target_article.url!r}"
        return _draft_problem(href, target_article, article)
    match = _TAG_URL.match(path)
    if match and match.group("key") not in site.tags:
        return f"link {href!r}: no tag {match.group('key')!r}"
    match = _OUTLET_URL.match(path)
    if match and match.group("key") not in site.outlets:
        return f"link {href!r}: no outlet {match.group('key')!r}"
    return None


def _draft_problem(href: str, target: Article, source: Article) -> str | None:
    if target.draft and not source.draft:
        return (
            f"link {href!r}: article {target.slug!r} is a draft, so the link breaks when published"
        )
    return None


# ---------------------------------------------------------------------------------------------
# vocabulary and summaries


def check_unused(site: Site, errors: ErrorList) -> None:
    """Tags and outlets that no article uses: likely typos or leftovers."""
    vocabulary = site.config.content_dir
    for key, tag in site.tags.items():
        if key not in site.by_tag:
            errors.warn(
                vocabulary / "tags.yml", tag.line, f"tag {key!r} is defined but no article uses it"
            )
    for key, outlet in site.outlets.items():
        if key != UNKNOWN_OUTLET and key not in site.by_outlet:
            errors.warn(
                vocabulary / "outlets.yml",
                outlet.line,
                f"outlet {key!r} is defined but no article uses it",
            )


def check_summaries(site: Site, errors: ErrorList) -> None:
    """Articles without a summary show no description in lists, feeds and search results."""
    for article in site.articles:
        if article.summary is None:
            errors.warn(article.source, 1, "no summary: lists, feeds and search results show none")


def check_translations(site: Site, errors: ErrorList) -> None:
    """Articles without the curator's briefing (``translated``) in a reader language other than
    their own: lists, feeds and pages in that language show the original title and summary."""
    readers = [lang.code for lang in site.config.languages]
    for article in site.articles:
        missing = [c for c in readers if c != article.language and c not in article.translated]
        if not missing:
            continue
        key = "translated" if article.translated else "language"
        codes = ", ".join(missing)
        errors.warn(
            article.source,
            field_line(article.source, key),
            f"no briefing in reader language {codes} (add translated.{missing[0]}.title); "
            "lists, feeds and pages there show the original title and summary",
        )


def check_added(site: Site, errors: ErrorList) -> None:
    """Articles without ``added``: the feeds, which list what is new in the archive, place them
    by their source date, and leave out those with none."""
    for article in site.articles:
        if article.added is not None:
            continue
        effect = (
            "its feeds place it by its source date"
            if article.date is not None
            else "it is undated, so it reaches no feed"
        )
        errors.warn(
            article.source,
            field_line(article.source, "date"),
            f"no added date (add added: YYYY-MM-DD, the day it was curated); {effect}",
        )


# ---------------------------------------------------------------------------------------------
# duplicates


def shingles(words: Sequence[str], size: int = SHINGLE) -> frozenset[tuple[str, ...]]:
    """The set of ``size``-word windows of ``words``."""
    if len(words) < size:
        return frozenset({tuple(words)}) if words else frozenset()
    return frozenset(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


def jaccard(a: frozenset[tuple[str, ...]], b: frozenset[tuple[str, ...]]) -> float:
    """Shared shingles over all shingles (0 for two empty sets)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def check_duplicates(site: Site, errors: ErrorList) -> None:
    """The same source twice, or the same text twice under two slugs."""
    first_by_url: dict[str, Article] = {}
    for article in sorted(site.articles, key=lambda a: str(a.source)):
        if article.source_url is None:
            continue
        key = article.source_url.rstrip("/")
        first = first_by_url.setdefault(key, article)
        if first is not article:
            errors.add(
                article.source,
                field_line(article.source, "source_url"),
                f"duplicate article: {_shown(first.source, site)} has the same source_url",
            )
    prints = []
    for article in sorted(site.articles, key=lambda a: str(a.source)):
        words = loose_words(article.body_text)
        if len(words) >= MIN_WORDS:
            prints.append((article, shingles(words)))
    for (a, sa), (b, sb) in combinations(prints, 2):
        similarity = jaccard(sa, sb)
        if similarity >= DUPLICATE_THRESHOLD:
            errors.add(
                b.source,
                1,
                f"duplicate article: the body is nearly the same as {_shown(a.source, site)} "
                f"(similarity {similarity:.2f}, threshold {DUPLICATE_THRESHOLD})",
            )


def field_line(path: Path, key: str) -> int:
    """The line of ``key`` in an article's front matter (1 when it cannot be found)."""
    try:
        front, _body, _start = split_front_matter(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return 1
    if front is None:
        return 1
    node = parse(front, path, ErrorList(), line_offset=1)
    return node.key_line(key) if isinstance(node, Map) else 1


def _shown(path: Path, site: Site) -> str:
    """A file named in a message: relative to the site root, whatever the working directory."""
    try:
        return path.relative_to(site.config.root).as_posix()
    except ValueError:  # pragma: no cover - articles always live under the root
        return str(path)


# ---------------------------------------------------------------------------------------------
# output


def render(report: CheckReport, fmt: Format) -> str:
    """The findings as ``path:line: message`` lines, a JSON list, or GitHub annotations."""
    if fmt == "json":
        return json.dumps([_as_dict(p) for p in report.problems], ensure_ascii=False, indent=2)
    if fmt == "github":
        return "\n".join(github_annotation(p) for p in report.problems)
    return "\n".join(p.render() for p in report.problems)


def summary(report: CheckReport, *, strict: bool = False) -> str:
    """The closing line: ``ok: …`` on success, ``briefgen: …`` when the check fails."""

    def count(n: int, word: str) -> str:
        return f"{n} {word}{'s' if n != 1 else ''}"

    warnings = count(report.warnings, "warning")
    if report.errors:
        also = f" (and {warnings})" if report.warnings else ""
        return (
            f"briefgen: {count(report.errors, 'error')} in the archive{also}; nothing was written"
        )
    if strict and report.warnings:
        return f"briefgen: {warnings} in the archive, and --strict makes warnings fail"
    also = f", {warnings}" if report.warnings else ""
    return f"ok: {count(report.articles, 'article')}, no errors{also}"


def _as_dict(problem: Problem) -> dict[str, object]:
    return {
        "path": _relative(problem.location),
        "line": problem.location.line,
        "severity": problem.severity,
        "message": problem.message,
    }


def _relative(location: Location) -> str:
    """The path as ``Location.render`` shows it (relative to the working directory)."""
    return Location(location.path).render()


def escape_data(text: str) -> str:
    """Escape an annotation message as the Actions runner expects (``%``, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape an annotation property: the message escapes plus ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(problem: Problem) -> str:
    """``::error file=PATH,line=N::message`` (or ``::warning``)."""
    props = [f"file={escape_property(_relative(problem.location))}"]
    if problem.location.line is not None:
        props.append(f"line={problem.location.line}")
    return f"::{problem.severity} {','.join(props)}::{escape_data(problem.message)}"
