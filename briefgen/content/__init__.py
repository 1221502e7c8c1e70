"""Read ``content/``: vocabularies and articles, validated; all problems collected, one failure.

The stages of reading, one module each: :mod:`~briefgen.content.files` (where the articles are,
front matter split from the body), :mod:`~briefgen.content.vocabulary` (tags and outlets),
:mod:`~briefgen.content.article` (one article's fields), :mod:`~briefgen.content.values` (keys,
slugs, URLs) and :mod:`~briefgen.content.cache` (the preview's cache). Here: :func:`load_site`,
which reads them all (in several processes for a big archive) and checks what spans files.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

from briefgen import markdown
from briefgen.config import SiteConfig
from briefgen.content.article import ARTICLE_FIELDS, Draft, load_article
from briefgen.content.cache import ArticleCache
from briefgen.content.files import article_paths, split_front_matter
from briefgen.content.vocabulary import OUTLET_FIELDS, TAG_FIELDS, load_outlets, load_tags
from briefgen.errors import ContentError, ErrorList, Problem
from briefgen.model import UNKNOWN_OUTLET, Article, Outlet, Site, Tag
from briefgen.parsecache import Bodies, ParseCache, Parsed
from briefgen.text import caseless, nfc

__all__ = [
    "ARTICLE_FIELDS",
    "OUTLET_FIELDS",
    "TAG_FIELDS",
    "ArticleCache",
    "Loaded",
    "article_paths",
    "load_article",
    "load_outlets",
    "load_site",
    "load_tags",
    "reload_in_place",
    "split_front_matter",
]


@dataclass(frozen=True, slots=True)
class Loaded:
    """The result of reading the archive: the site model and any warnings."""

    site: Site
    warnings: tuple[Problem, ...]
    links: Mapping[str, tuple[tuple[str, int], ...]]
    """Per slug, the link targets of its body with their file line (for ``check``)."""
    parse_share: float = field(default=0.0, compare=False)
    """The part of reading the articles spent rendering Markdown (0 to 1): ``build -v`` splits
    its ``content`` time into ``read`` and ``parse`` with it (a timing: not compared)."""


def reload_in_place(
    loaded: Loaded, paths: Iterable[Path], cache: ArticleCache
) -> tuple[Loaded, dict[str, Article]] | None:
    """``loaded`` after the files at ``paths`` were edited, when the edits moved nothing.

    The preview's common case: a curator fixes a title or a paragraph. When every file was
    read cleanly before and is again, and each article keeps its slug, language, date, tags,
    outlets and draft flag, no cross-file rule can change its verdict and every index keeps its
    shape: the new site is the old one with those articles swapped (:meth:`Site.with_edits`),
    without reading, checking and sorting 10,000 articles again. Returns the new ``Loaded``
    and the edited articles by slug, or None when an edit reaches further (a new or deleted
    file, a problem, a moved article): then :func:`load_site` does it all.
    """
    site = loaded.site
    edits: dict[str, Article] = {}
    links = dict(loaded.links)
    for path in paths:
        old = cache.clean(path)
        if old is None or site.by_slug.get(old.slug) is not old:
            return None  # unknown before, had problems, or a draft left out of the site
        errors = ErrorList()
        draft = cache.reread(path, site.config, errors)
        if draft is None or errors.problems:
            return None
        edits[old.slug] = draft.article
        links[old.slug] = draft.links
    try:
        site = site.with_edits(edits)
    except ValueError:
        return None
    return Loaded(site, loaded.warnings, MappingProxyType(links)), edits


READ_CHUNK = 64
"""Articles per task when several processes read."""
READ_MIN = 300
"""Below this many articles one process reads faster than starting others."""


@dataclass(frozen=True, slots=True)
class _Reading:
    """What reader processes inherit through the fork (nothing is pickled on the way in)."""

    config: SiteConfig
    tags: Mapping[str, Tag] | None
    outlets: Mapping[str, Outlet] | None
    paths: Sequence[Path]
    known: Mapping[bytes, Parsed]
    """Bodies rendered by earlier builds (the parse cache), by key."""
    cache: ParseCache | None
    pending: Path | None
    """Where readers put their packs of the parse cache until the read succeeded."""


_reading: _Reading | None = None
"""Set only while a pool of readers is alive."""


def _read_chunk(span: range) -> tuple[list[Draft | None], list[Problem], float, float]:
    """Read and check one span of articles; the bodies this reader rendered go into a pack
    of the parse cache. A body found in the cache travels back as its key alone (the parent
    has it): pickling 10,000 bodies back and forth took 1.3 s of the two processes. Also returns
    the seconds spent reading the span and, of those, rendering Markdown."""
    started = time.perf_counter()
    reading = _reading
    assert reading is not None, "a reader runs only inside _read_parallel"
    bodies = Bodies(markdown.make_markdown(), reading.known, collect=reading.cache is not None)
    errors = ErrorList()
    drafts = [
        load_article(
            reading.paths[i], reading.config, reading.tags, reading.outlets, bodies, errors
        )
        for i in span
    ]
    if reading.cache is not None:
        reading.cache.write(bodies.new, into=reading.pending)
    drafts = [_bare(d) if d and d.body_key in reading.known else d for d in drafts]
    return drafts, errors.problems, time.perf_counter() - started, bodies.seconds


def _bare(draft: Draft) -> Draft:
    """``draft`` without its body's HTML and text (:func:`_dressed` puts them back)."""
    return replace(draft, article=replace(draft.article, body_html="", body_text=""))


def _dressed(draft: Draft, known: Mapping[bytes, Parsed]) -> Draft:
    """``draft`` with its body's HTML and text from ``known`` when a reader left them out."""
    parsed = known.get(draft.body_key)
    if parsed is None or draft.article.body_html or draft.article.body_text:
        return draft
    return replace(draft, article=replace(draft.article, body_html=parsed[0], body_text=parsed[1]))


def _read_parallel(
    reading: _Reading,
    processes: int,
    errors: ErrorList,
    idle: Callable[[], None],
    seconds: list[float],
) -> Iterable[Draft | None]:
    """Every article read and parsed by ``processes`` forked readers, in ``paths`` order.

    Parsing Markdown is pure Python: each core takes its share. The drafts come back pickled
    (plain values: strings, dates, tuples), the problems with them, so errors are the same as
    in a serial read. ``idle`` runs here while the readers start on their shares. The readers'
    seconds reading and, of those, rendering Markdown are added to ``seconds[0]`` and ``[1]``.
    """
    global _reading
    count = len(reading.paths)
    spans = (range(i, min(i + READ_CHUNK, count)) for i in range(0, count, READ_CHUNK))
    _reading = reading
    # Readers are forked with SIGINT blocked and keep it so: Ctrl-C is the parent's, whose pool
    # then ends them (each would print a traceback). Unblocked inside the ``with``, so that a
    # Ctrl-C that came meanwhile finds the pool there to end.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            results = pool.imap(_read_chunk, spans)
            idle()
            for drafts, problems, spent, parsing in results:
                errors.problems.extend(problems)
                seconds[0] += spent
                seconds[1] += parsing
                yield from drafts
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # when the pool could not start
        _reading = None


def _readers(processes: int, articles: int) -> int:
    """Processes worth starting: forking is safe only while this process has one thread."""
    if (
        processes < 2
        or articles < READ_MIN
        or threading.active_count() > 1
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return 1
    return processes


def load_site(
    config: SiteConfig,
    *,
    drafts: bool = False,
    cache: ArticleCache | None = None,
    paths: Sequence[Path] | None = None,
    processes: int = 1,
    parse_cache: ParseCache | None = None,
    idle: Callable[[], None] = lambda: None,
) -> Loaded:
    """Read, validate and index the archive, or raise :class:`ContentError` with every problem.

    ``paths``: the article files when the caller already knows them (serve follows file events).
    ``processes``: readers for a big archive read without a cache (output is the same).
    ``parse_cache``: bodies rendered by earlier builds are taken from it, and the ones rendered
    now are added to it (the output is the same).
    ``idle``: work for this process while reader processes parse (run once, and only when
    several processes read; errors are the caller's to prevent: it runs in the middle of the
    read).
    """
    errors = ErrorList()
    codes = tuple(lang.code for lang in config.languages)
    tags = load_tags(config.content_dir / "tags.yml", codes, errors)
    outlets = load_outlets(config.content_dir / "outlets.yml", errors)
    if paths is None:
        paths = article_paths(config)
    shares = -(-len(paths) // READ_CHUNK)  # the packs a read in several processes writes
    known = parse_cache.load(shares) if parse_cache is not None else {}
    bodies = Bodies(markdown.make_markdown(), known, collect=parse_cache is not None)

    drafts_ok: list[Draft] = []
    seconds = [0.0, 0.0]  # reading the articles, and of that rendering Markdown
    if cache is not None:
        cache.retain(paths)
    readers = 1 if cache is not None else _readers(processes, len(paths))
    pending = parse_cache.pending() if parse_cache is not None and readers > 1 else None
    try:
        if readers > 1:
            keeping = parse_cache if pending is not None else None
            reading = _Reading(config, tags, outlets, paths, known, keeping, pending)
            drafts_ok.extend(
                _dressed(d, known)
                for d in _read_parallel(reading, readers, errors, idle, seconds)
                if d is not None
            )
        started = time.perf_counter()
        for path in paths if readers == 1 else ():
            if cache is not None:
                loaded = cache.load(path, config, tags, outlets, bodies, errors)
            else:
                loaded = load_article(path, config, tags, outlets, bodies, errors)
            if loaded is not None:
                drafts_ok.append(loaded)
        if readers == 1:
            seconds = [time.perf_counter() - started, bodies.seconds]
        _check_slugs(drafts_ok, config.root, errors)
        errors.raise_if_errors(ContentError)
    except BaseException:
        if pending is not None:
            shutil.rmtree(pending, ignore_errors=True)
        raise
    if parse_cache is not None:  # the read succeeded: what it rendered is kept
        if pending is not None:
            parse_cache.adopt(pending)
        parse_cache.write(bodies.new)

    published = [d for d in drafts_ok if drafts or not d.article.draft]
    assert tags is not None and outlets is not None  # a missing file is an error above
    all_outlets = dict(sorted(outlets.items()))
    all_outlets[UNKNOWN_OUTLET] = Outlet(
        UNKNOWN_OUTLET, "", config.default_language.code, None, None, 0
    )
    site = Site(
        config=config,
        articles=tuple(d.article for d in published),
        tags=MappingProxyType(dict(sorted(tags.items()))),
        outlets=MappingProxyType(all_outlets),
    )
    return Loaded(
        site,
        errors.warnings,
        MappingProxyType({d.article.slug: d.links for d in published}),
        min(1.0, seconds[1] / seconds[0]) if seconds[0] else 0.0,
    )


def _check_slugs(drafts: Iterable[Draft], root: Path, errors: ErrorList) -> None:
    """Slugs must be unique, ignoring case and normal form: file systems that fold case (or, on
    macOS, normalise) would merge two pages. The other file is named from the site root."""
    seen: dict[str, Draft] = {}
    for draft in drafts:
        folded = caseless(draft.article.slug)
        first = seen.get(folded)
        if first is None:
            seen[folded] = draft
            continue
        other = Path(os.path.relpath(first.article.source, root)).as_posix()
        same = nfc(os.fspath(first.article.source)) == nfc(os.fspath(draft.article.source))
        note = " (the two file names differ only in Unicode normal form)" if same else ""
        errors.add(
            draft.article.source,
            draft.slug_line,
            f"duplicate slug {draft.article.slug!r}: {other} (line {first.slug_line}) "
            f"already uses it{note}; give one of them another slug",
        )
