"""Read ``content/``: vocabularies and articles, validated; all problems collected, one failure."""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import signal
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

from babel import Locale

from briefgen import markdown
from briefgen.config import SiteConfig, language, per_language
from briefgen.errors import ContentError, ErrorList, Problem
from briefgen.model import UNKNOWN_OUTLET, Article, Outlet, PartialDate, Site, Tag, parse_date
from briefgen.parsecache import Bodies, ParseCache, Parsed
from briefgen.text import bidi_lines, caseless, nfc
from briefgen.yamltree import (
    Fields,
    Map,
    Scalar,
    did_you_mean,
    iter_mapping,
    link_problem,
    parse,
    read_text,
)

ARTICLE_FIELDS = (
    "title",
    "date",
    "outlet",
    "language",
    "tags",
    "slug",
    "summary",
    "source_url",
    "via",
    "agency",
    "draft",
)
TAG_FIELDS = ("label", "description", "aliases")
OUTLET_FIELDS = ("name", "language", "country", "url")

# Vocabulary keys become URL segments: lower-case ASCII words joined by hyphens.
_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Slugs may use any script's letters and digits, but stay one safe path segment.
_SLUG = re.compile(r"^\w(?:[\w.-]*\w)?$")
_COUNTRIES = frozenset(Locale("en").territories)


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


def split_front_matter(text: str) -> tuple[str, str, int] | tuple[None, str, int]:
    """Split ``---`` front matter from the body.

    Returns (front matter, body, 1-based line where the body starts); front matter is None and
    the second item an error message when the file has none.
    """
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return None, "expected front matter: the file must start with a '---' line", 1
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 2
    return None, "front matter is not closed: no '---' line ends it", 1


def _valid_slug(slug: str) -> bool:
    """One safe path segment (:data:`_SLUG`); a letter's combining marks count as letters
    (Devanagari vowel signs, Arabic harakat: no NFC form composes them)."""
    word = "".join(c for i, c in enumerate(slug) if not (i and unicodedata.category(c)[0] == "M"))
    return bool(_SLUG.match(word)) and ".." not in slug


def _valid_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _vocabulary(
    path: Path, errors: ErrorList, what: str, name: str
) -> list[tuple[Scalar, Map]] | None:
    """The ``key: {fields}`` entries of a vocabulary file; None when it is missing or unreadable."""
    if not path.is_file() and not path.is_symlink():  # a link is judged by read_text
        errors.add(path, None, f"missing: {name} is required (content/{path.name})")
        return None
    root = path.parent.parent.resolve()  # vocabularies live in content/ of the site root
    text = read_text(path, errors, within=root)
    if text is None:
        return None
    return list(iter_mapping(parse(text, path, errors), path, errors, what))


def load_tags(path: Path, codes: tuple[str, ...], errors: ErrorList) -> dict[str, Tag] | None:
    """``content/tags.yml``: each tag needs a label in every site language.

    None when the file is missing or unreadable (reported once, here).
    """
    entries = _vocabulary(path, errors, "tag", "the tag vocabulary")
    if entries is None:
        return None
    tags: dict[str, Tag] = {}
    for key, node in entries:
        if not _KEY.match(key.text):
            errors.add(
                path, key.line, f"tag key {key.text!r}: use lower-case letters, digits and hyphens"
            )
            continue
        fields = Fields(node, path, errors, TAG_FIELDS, what="field", context=f"tag {key.text!r}: ")
        if node.get("label") is None:
            errors.add(path, key.line, f"tag {key.text!r}: missing required field 'label'")
        labels = per_language(node.get("label"), "label", codes, path, errors, required=True)
        descriptions = per_language(
            node.get("description"), "description", codes, path, errors, required=False
        )
        aliases = tuple(a.text for a in fields.text_list("aliases") or ())
        tags[key.text] = Tag(key.text, labels, descriptions, aliases, key.line)
    return tags


def load_outlets(path: Path, errors: ErrorList) -> dict[str, Outlet] | None:
    """``content/outlets.yml``: name and language required; country and url when known.

    None when the file is missing or unreadable (reported once, here).
    """
    entries = _vocabulary(path, errors, "outlet", "the outlet list")
    if entries is None:
        return None
    outlets: dict[str, Outlet] = {}
    for key, node in entries:
        if key.text == UNKNOWN_OUTLET:
            errors.add(
                path, key.line, "'unknown' is reserved for articles whose outlet is not known"
            )
            continue
        if not _KEY.match(key.text):
            errors.add(
                path,
                key.line,
                f"outlet key {key.text!r}: use lower-case letters, digits and hyphens",
            )
            continue
        fields = Fields(
            node, path, errors, OUTLET_FIELDS, what="field", context=f"outlet {key.text!r}: "
        )
        name = fields.text("name", required=True)
        lang = fields.text("language", required=True)
        if lang is not None and language(lang) is None:
            errors.add(
                path,
                fields.line("language"),
                f"language: {lang!r} is not a language code CLDR knows",
            )
        country = fields.text("country")
        if country is not None and country not in _COUNTRIES:
            hint = f" (did you mean {country.upper()!r}?)" if country.upper() in _COUNTRIES else ""
            errors.add(
                path, fields.line("country"), f"country: {country!r} is not an ISO 3166 code{hint}"
            )
        url = fields.text("url")
        if url is not None and not _valid_url(url):
            errors.add(path, fields.line("url"), "url: expected an absolute http(s) URL")
        if name is not None and lang is not None:
            outlets[key.text] = Outlet(key.text, name, lang, country, url, key.line)
    return outlets


@dataclass(frozen=True, slots=True)
class _Draft:
    """An article whose own fields are valid; cross-file checks come after."""

    article: Article
    slug_line: int
    links: tuple[tuple[str, int], ...]
    body_key: bytes = b""
    """The digest of the Markdown body (:func:`briefgen.parsecache.body_key`)."""


def load_article(
    path: Path,
    config: SiteConfig,
    tags: Mapping[str, Tag] | None,
    outlets: Mapping[str, Outlet] | None,
    bodies: Bodies,
    errors: ErrorList,
) -> _Draft | None:
    """One Markdown file with front matter; None (with errors reported) when it is invalid.

    ``tags``/``outlets`` are None when their file could not be read: references to them are
    then not checked, since that file's own error already explains every one of them.
    """
    before = len(errors.problems)
    if os.path.isdir(path) and link_problem(path, config.root) is None:
        errors.warn(path, None, _LINKED_FOLDER)
        return None
    text = read_text(path, errors, within=config.root)
    if text is None:
        return None
    if not text.strip():
        errors.add(path, 1, "empty file: expected front matter between '---' lines and a body")
        return None
    front, body, body_line = split_front_matter(text)
    if front is None:
        errors.add(path, 1, body)
        return None
    for number, problem in bidi_lines(body, body_line, references=True):  # reaches output too
        errors.add(path, number, problem.message)
    node = parse(front, path, errors, line_offset=1)
    if node is None:
        if len(errors.problems) == before:
            errors.add(path, 1, "front matter is empty")
        return None
    if not isinstance(node, Map):
        errors.add(path, node.line, "front matter must be a mapping of fields")
        return None

    fields = Fields(node, path, errors, ARTICLE_FIELDS, what="field")
    title = fields.text("title", required=True)

    date: PartialDate | None = None
    raw_date = fields.text("date", required=True)
    if raw_date is not None:
        parsed = parse_date(raw_date)
        if isinstance(parsed, str):
            errors.add(path, fields.line("date"), parsed)
        else:
            date = parsed

    codes = tuple(lang.code for lang in config.languages)
    lang = fields.text("language", required=True)
    if lang is not None and lang not in codes:
        if language(lang) is None:
            message = (
                f"language: {lang!r} is not a language code CLDR knows{did_you_mean(lang, codes)}"
            )
        else:
            message = f"language: {lang!r} is not a site language ({', '.join(codes)})"
        errors.add(path, fields.line("language"), message)

    outlet = fields.text("outlet", required=True)
    known_outlets = (*(outlets or ()), UNKNOWN_OUTLET)
    if outlet is not None and outlets is not None and outlet not in known_outlets:
        errors.add(
            path,
            fields.line("outlet"),
            f"outlet: unknown outlet {outlet!r}{did_you_mean(outlet, known_outlets)}; "
            "define it in content/outlets.yml (or write 'unknown')",
        )
    via = fields.text("via")
    if via is not None and outlets is not None and via not in outlets:
        errors.add(
            path,
            fields.line("via"),
            f"via: unknown outlet {via!r}{did_you_mean(via, outlets)}; "
            "define it in content/outlets.yml",
        )

    tag_keys: list[str] = []
    for item in fields.text_list("tags", required=True) or ():
        if tags is not None and item.text not in tags:
            errors.add(
                path, item.line, f"tags: unknown tag {item.text!r}{did_you_mean(item.text, tags)}"
            )
        elif item.text in tag_keys:
            errors.add(path, item.line, f"tags: {item.text!r} is listed twice")
        else:
            tag_keys.append(item.text)

    slug = nfc(fields.text("slug") or path.stem)  # macOS names files decomposed (NFD)
    slug_line = fields.line("slug") if "slug" in fields else 1
    if not _valid_slug(slug):
        where = "slug" if "slug" in fields else "file name"
        errors.add(
            path,
            slug_line,
            f"{where}: {slug!r} is not a valid slug: use one path segment of letters, digits, "
            "'-', '_' or '.'",
        )

    source_url = fields.text("source_url")
    if source_url is not None and not _valid_url(source_url):
        errors.add(path, fields.line("source_url"), "source_url: expected an absolute http(s) URL")

    summary = fields.text("summary")
    agency = fields.text("agency")
    draft = fields.boolean("draft") or False

    if len(errors.problems) != before:
        return None
    assert title is not None and lang is not None and outlet is not None
    key, (html, plain, found) = bodies.render(body)
    article = Article(
        source=path,
        slug=slug,
        title=title,
        date=date,
        outlet=outlet,
        language=lang,
        tags=tuple(tag_keys),
        summary=summary,
        source_url=source_url,
        via=via,
        agency=agency,
        draft=draft,
        body_html=html,
        body_text=plain,
    )
    return _Draft(article, slug_line, tuple((href, line + body_line) for href, line in found), key)


# A warning, not an error: the build's fingerprint and the preview's watcher do not follow
# links either, so following it would leave edits inside unseen.
_LINKED_FOLDER = "a linked folder is not followed: its articles are not read (link each file)"


def article_paths(config: SiteConfig) -> list[Path]:
    """Every ``content/articles/**/*.md``, and every linked folder there, in a stable order.

    A linked folder is listed, not entered (:func:`load_article` reports it). ``os.walk``
    rather than ``Path.rglob``: the preview lists the files on every edit, and rglob plus
    sorting ``Path`` objects takes most of a second for 10,000 articles.
    """
    top = config.content_dir / "articles"
    if link_problem(top, config.root) is not None:
        return [top]  # not even listed: load_article reports it, once
    found: list[tuple[tuple[str, ...], Path]] = []
    for directory, dirs, files in os.walk(top):
        for name in files:
            if name.endswith(".md"):
                path = Path(directory, name)
                found.append((path.parts, path))
        for name in dirs:
            path = Path(directory, name)
            if path.is_symlink():
                found.append((path.parts, path))
    found.sort(key=lambda item: item[0])
    return [path for _, path in found]


_Stat = tuple[int, int, int]


class ArticleCache:
    """Parsed articles by path, reused while a file's size, mtime and inode stay the same.

    ``briefgen serve`` keeps one across rebuilds so an edit re-reads only the files it touched.
    An entry is only valid for the config and vocabularies it was read with: call
    :meth:`clear` when ``site.yml``, ``tags.yml`` or ``outlets.yml`` change. Cross-file rules
    (duplicate slugs) are never cached: :func:`load_site` checks them on every run.
    """

    def __init__(self) -> None:
        self._entries: dict[str, tuple[_Stat, _Draft | None, tuple[Problem, ...]]] = {}
        self._vocabularies: tuple[Mapping[str, Tag], Mapping[str, Outlet]] | None = None
        """The tags and outlets the entries were checked against (as :func:`load_site` read
        them), so that :func:`reload_in_place` checks an edit against the same."""
        self._bodies: Bodies | None = None

    def clear(self) -> None:
        """Forget everything (the vocabularies or the config changed)."""
        self._entries.clear()
        self._vocabularies = None

    def forget(self, paths: Iterable[Path]) -> None:
        """Drop ``paths`` even if their stat looks unchanged (two saves within one mtime tick)."""
        for path in paths:
            self._entries.pop(os.fspath(path), None)

    def retain(self, paths: Iterable[Path]) -> None:
        """Drop the entries of files that no longer exist."""
        keep = {os.fspath(path) for path in paths}
        for path in [p for p in self._entries if p not in keep]:
            del self._entries[path]

    def load(
        self,
        path: Path,
        config: SiteConfig,
        tags: Mapping[str, Tag] | None,
        outlets: Mapping[str, Outlet] | None,
        bodies: Bodies,
        errors: ErrorList,
    ) -> _Draft | None:
        """:func:`load_article`, answered from the cache when the file did not change.

        Without both vocabularies the result is not cached: it was checked against less.
        """
        if tags is None or outlets is None:
            return load_article(path, config, tags, outlets, bodies, errors)
        name = os.fspath(path)
        try:
            stat = os.stat(name)
        except OSError:  # a broken link: load_article says so
            return load_article(path, config, tags, outlets, bodies, errors)
        key = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        hit = self._entries.get(name)
        if hit is not None and hit[0] == key:
            errors.problems.extend(hit[2])
            return hit[1]
        own = ErrorList()
        draft = load_article(path, config, tags, outlets, bodies, own)
        errors.problems.extend(own.problems)
        self._entries[name] = (key, draft, tuple(own.problems))
        self._vocabularies = (tags, outlets)
        return draft

    def clean(self, path: Path) -> Article | None:
        """The article last read from ``path`` when it had no problem at all, else None."""
        hit = self._entries.get(os.fspath(path))
        if hit is None or hit[1] is None or hit[2]:
            return None
        return hit[1].article

    def reread(self, path: Path, config: SiteConfig, errors: ErrorList) -> _Draft | None:
        """Read ``path`` again, checked against the vocabularies of the last :meth:`load`.

        Raises LookupError when there was none (nothing to check against)."""
        if self._vocabularies is None:
            raise LookupError("no vocabularies to check against: load the site first")
        self._bodies = self._bodies or Bodies(markdown.make_markdown())
        self.forget([path])
        return self.load(path, config, *self._vocabularies, self._bodies, errors)


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


def _read_chunk(span: range) -> tuple[list[_Draft | None], list[Problem], float, float]:
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


def _bare(draft: _Draft) -> _Draft:
    """``draft`` without its body's HTML and text (:func:`_dressed` puts them back)."""
    return replace(draft, article=replace(draft.article, body_html="", body_text=""))


def _dressed(draft: _Draft, known: Mapping[bytes, Parsed]) -> _Draft:
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
) -> Iterable[_Draft | None]:
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

    drafts_ok: list[_Draft] = []
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


def _check_slugs(drafts: Iterable[_Draft], root: Path, errors: ErrorList) -> None:
    """Slugs must be unique, ignoring case and normal form: file systems that fold case (or, on
    macOS, normalise) would merge two pages. The other file is named from the site root."""
    seen: dict[str, _Draft] = {}
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
