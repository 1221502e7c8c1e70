"""Rebuilds for the preview server: the build pipeline's stages, re-run only where an edit reaches.

A full rebuild (first build, ``site.yml``, ``tags.yml``, ``outlets.yml`` or a theme changed)
stages a whole new site in a fresh directory and swaps it in by switching the served root. An
edit that moves no article (title, summary, text) is patched in: the article takes the old
one's place in the site and in the pages that hold it (:meth:`Rebuilder._in_place`). Any other
article edit re-reads only the changed files (:class:`ArticleCache`), re-validates every
cross-file rule, lists every page again and re-renders only the pages whose :class:`Page`
value differs from the previous build's. Either way the changed pages are rendered in memory
first and written only when all of them succeeded, each with ``os.replace``.

The contract this relies on: a page's bytes are a function of its ``Page`` (URL, language,
title, alternates, data) plus the config, theme and vocabularies. A template that reads
``site.articles`` directly must get what it shows through its page data instead, or the
preview would miss its changes (``tests/test_serve_rebuild.py`` compares with a clean build).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from briefgen.build import configure
from briefgen.config import SiteConfig
from briefgen.content import ArticleCache, Loaded, article_paths, load_site, reload_in_place
from briefgen.errors import Problem
from briefgen.model import Article, Site
from briefgen.pages import Page, PageContext, sitemap_page
from briefgen.producers import article_page
from briefgen.render import Renderer
from briefgen.research import citation_pages, data_pages
from briefgen.serve.pages import PATCHABLE, PageMemo, holders_of, swapped
from briefgen.serve.search import SearchHook, no_search
from briefgen.stages import (
    collector_paused,
    list_pages,
    make_renderer,
    render_pages,
    stage_assets,
)
from briefgen.theme import Theme
from briefgen.write import Staging, safe_key, unclaimed

DEFERRED = frozenset({"sitemap", "data-file"})
"""Page kinds an incremental rebuild writes just after the reload instead of before it.

The sitemap lists every page, so any edit changes it and rendering it takes longer than all the
other changed pages together on a large archive; nobody reads it while editing. The data exports
(``data/*.json``, ``data/*.csv``) are alike: every edit changes them. They are written by
:meth:`Rebuilder.finish` once the preview is idle after announcing the reload.
"""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one successful rebuild did."""

    full: bool
    """True when the whole site was rebuilt."""
    written: int
    """Files written (pages re-rendered, or every file of a full build)."""
    removed: int
    articles: int
    seconds: float
    """Wall-clock time of the rebuild."""
    cpu_seconds: float
    """CPU time of the rebuilding thread (the wall clock also counts other busy processes)."""
    warnings: tuple[Problem, ...]


@dataclass(slots=True)
class _State:
    """The last good build: what it was made from and where it is served."""

    config: SiteConfig
    theme: Theme
    renderer: Renderer
    """Kept while the config and theme are: its templates, memos and UI-string table."""
    pages: dict[str, Page]
    """Every page by output path."""
    root: Path
    """The served directory."""
    memo: PageMemo
    """The pages of the last build per producer call (see :mod:`briefgen.serve.pages`)."""
    loaded: Loaded
    """The site of the last build, with its warnings."""
    holders: dict[str, list[str]] | None = None
    """Per article slug, the pages whose data holds that article (made when first needed)."""
    deferred: list[Page] = field(default_factory=list)
    """Changed pages still to write after the reload was announced (see :data:`DEFERRED`)."""

    def context(self, site: Site) -> PageContext:
        """The producers' context for ``site``, answered from the memo where it can."""
        return PageContext(site, self.renderer.i18n, self.memo.remember)


class Rebuilder:
    """Builds a site into directories under ``workdir`` and keeps the last good one.

    Not thread-safe: one rebuild thread calls :meth:`rebuild`; readers only read :attr:`root`.
    """

    def __init__(
        self,
        source: Path,
        workdir: Path,
        *,
        drafts: bool = False,
        search: SearchHook = no_search,
    ) -> None:
        self.source = source
        self.workdir = workdir
        self.drafts = drafts
        self.search = search
        self.cache = ArticleCache()
        self._state: _State | None = None
        self._retired: list[Path] = []
        self._serial = 0
        self._site: Site | None = None
        """The site of an incremental rebuild whose :meth:`finish` is still due."""
        self._refresh = False
        """True when :meth:`finish` must make the deferred pages again and write those that
        changed (an edit in place left them as they were)."""
        self._paths: list[Path] = []
        """The article files, as of the last rebuild (kept up to date from file events)."""
        self._needs_full = True
        """True until a full build succeeds (the first one, or after a failed one)."""
        self._in_sync = True
        """False after a failed incremental rebuild: the last good site no longer says what the
        files hold (one of them is broken), so an edit elsewhere must not be patched into it
        as if all were well; every file is checked again until a rebuild succeeds."""

    @property
    def root(self) -> Path | None:
        """The directory of the last good build (None before the first one succeeds)."""
        state = self._state
        return state.root if state is not None else None

    @property
    def config(self) -> SiteConfig | None:
        """The config of the last good build."""
        state = self._state
        return state.config if state is not None else None

    def rebuild(self, changed: Iterable[Path] | None = None) -> Outcome:
        """Rebuild after ``changed`` articles were edited, or everything when ``changed`` is None.

        Raises :class:`~briefgen.errors.BriefgenError` and keeps serving the last good build.
        """
        started = (time.perf_counter(), time.thread_time())
        with collector_paused():
            if changed is None or self._state is None or self._needs_full:
                return self._full(started)
            in_sync, self._in_sync = self._in_sync, False
            outcome = self._incremental(self._state, changed, started, in_place=in_sync)
            self._in_sync = True
            return outcome

    def _full(self, started: tuple[float, float]) -> Outcome:
        """The build's stages (:mod:`briefgen.stages`), read through the article cache, listed
        through a fresh memo, searched after rendering, into a new directory swapped in."""
        self._site = None
        self._needs_full = True  # until this succeeds: a broken site.yml must not be skipped
        config, theme = configure(self.source)
        self.cache.clear()
        self._paths = article_paths(config)
        loaded = load_site(config, drafts=self.drafts, cache=self.cache, paths=self._paths)
        renderer = make_renderer(config, theme)
        memo = PageMemo()
        pages = list_pages(loaded.site, renderer.i18n, memo.remember)
        memo.prune()
        self._serial += 1
        output = self.workdir / f"site-{self._serial}"
        with Staging(output) as staging:
            render_pages(loaded.site, pages, renderer, staging)
            stage_assets(theme, staging)
            staging.adopt(list(self.search(loaded.site, staging.dir)))
            staging.commit()
        self._needs_full = False
        self._in_sync = True
        previous = self._state
        by_path = {p.path: p for p in pages}
        self._state = _State(config, theme, renderer, by_path, output, memo, loaded)
        self._state.holders = holders_of(
            by_path, DEFERRED
        )  # a full build takes long: this adds little
        self._refresh = False
        if previous is not None:
            self._retire(previous.root)
        return Outcome(
            True,
            len(staging.written),
            0,
            len(loaded.site.articles),
            time.perf_counter() - started[0],
            time.thread_time() - started[1],
            loaded.warnings,
        )

    def _incremental(
        self, state: _State, changed: Iterable[Path], started: tuple[float, float], in_place: bool
    ) -> Outcome:
        pending = bool(state.deferred) or self._refresh
        self._postpone()
        changed = set(changed)
        paths = _update_paths(self._paths, changed, state.config)
        if in_place and paths is self._paths:  # nothing came or went: maybe edited in place
            # The same list means every file present was known: no need to hash 10,000 paths.
            present = sorted(path for path in changed if path.is_file())
            edited = reload_in_place(state.loaded, present, self.cache)
            outcome = None if edited is None else self._in_place(state, *edited, started, pending)
            if outcome is not None:
                return outcome
        self.cache.forget(changed)
        self._paths = paths
        loaded = load_site(state.config, drafts=self.drafts, cache=self.cache, paths=self._paths)
        pages = list_pages(loaded.site, state.renderer.i18n, state.memo.remember)
        state.memo.prune()
        old = state.pages
        by_path: dict[str, Page] = {}
        for page in pages:  # the build's rule (each path once, inside the output) for new paths
            path = page.path
            if path in by_path or path not in old:  # the last build's passed it (1 µs a page)
                path = unclaimed(path, by_path)
            by_path[path] = page
        changed_pages = [
            page
            for path, page in by_path.items()
            if (before := old.get(path)) is not page and before != page
        ]
        now = [page for page in changed_pages if page.kind not in DEFERRED]
        later = [page for page in changed_pages if page.kind in DEFERRED]
        # Render everything that changed before writing anything: a template error leaves the
        # served site as it was.
        rendered = [(safe_key(p.path), state.renderer.render(loaded.site, p)) for p in now]
        removed = [path for path in old if path not in by_path]
        for path, data in rendered:
            _replace(state.root, path, data)
        for path in removed:
            _remove(state.root, safe_key(path))
        state.pages = by_path
        state.loaded = loaded
        if changed_pages or removed:  # what holds which article may have changed
            state.holders = None
        state.deferred = later
        self._refresh = False  # the listing made the deferred pages again
        self._site = loaded.site if changed_pages or removed else None
        return Outcome(
            False,
            len(rendered),
            len(removed),
            len(loaded.site.articles),
            time.perf_counter() - started[0],
            time.thread_time() - started[1],
            loaded.warnings,
        )

    def _in_place(
        self,
        state: _State,
        loaded: Loaded,
        edits: dict[str, Article],
        started: tuple[float, float],
        pending: bool,
    ) -> Outcome | None:
        """Rebuild after articles were edited without moving (see :func:`reload_in_place`).

        Listing 50,000 pages to find the 30 an edit changed is most of a rebuild at 10,000
        articles. When no article moved, the pages it reaches are known: its own page and
        citation files, the pages that hold it in their data (lists and feeds it is in, its
        neighbours' pages), and the data exports and the sitemap. Lists and feeds get the new
        article object in place of the old one (:func:`~briefgen.serve.pages.swapped`), as
        a list edited in place is patched in the memo, when all their data is of the kinds
        :data:`~briefgen.serve.pages.PATCHABLE` knows; article pages are made again by their
        producer. None, with nothing written, when a page holding an
        edited article carries other data: then every page is listed again. Tests compare the
        result with a full listing after every kind of edit.
        """
        site = loaded.site
        if state.holders is None:
            state.holders = holders_of(state.pages, DEFERRED)
        ctx = state.context(site)
        swaps = {id(state.loaded.site.by_slug[slug]): new for slug, new in edits.items()}
        fresh: dict[str, Page] = {}
        for path in dict.fromkeys(p for slug in edits for p in state.holders.get(slug, ())):
            page = state.pages[path]
            if page.kind == "article":
                page = article_page(ctx, site.by_slug[page.data["article"].slug], page.lang.code)
            elif not PATCHABLE.get(page.kind, frozenset()).issuperset(page.data):
                return None  # data that may be derived from the article: list it again
            else:
                page = replace(page, data={k: swapped(v, swaps) for k, v in page.data.items()})
            fresh[page.path] = page
        for article in edits.values():
            for page in citation_pages(ctx, article):
                fresh[page.path] = page
        state.memo.unmark()  # only a full listing says which memo entries are still in use
        changed_pages = [page for path, page in fresh.items() if state.pages.get(path) != page]
        rendered = [(safe_key(p.path), state.renderer.render(site, p)) for p in changed_pages]
        for path, data in rendered:
            _replace(state.root, path, data)
        state.pages.update(fresh)
        state.loaded = loaded
        if changed_pages or pending:  # the exports and the sitemap are checked after the reload
            self._refresh = True
            self._site = site
        return Outcome(
            False,
            len(rendered),
            0,
            len(site.articles),
            time.perf_counter() - started[0],
            time.thread_time() - started[1],
            loaded.warnings,
        )

    @property
    def unfinished(self) -> bool:
        """Whether an incremental rebuild left work for :meth:`finish`."""
        return self._site is not None

    def _postpone(self) -> None:
        """Another edit came before :meth:`finish`: its deferred pages count as changed again."""
        state = self._state
        if state is not None:
            for page in state.deferred:
                state.pages.pop(page.path, None)
            state.deferred = []
        self._site = None

    def finish(
        self, *, index: bool = True, stop: Callable[[], bool] = lambda: False
    ) -> tuple[Site, Path] | None:
        """Write the pages an incremental rebuild deferred, then refresh the search index.

        Called once the preview has been idle for a moment after announcing the reload, so
        that the pages reloading first get the processor; an edit coming sooner postpones it,
        and so does ``stop()`` turning true between two pages (the rest waits for the next
        call). With ``index=False`` the search stage is left to the caller (the preview runs
        it in a thread of its own, as it may take seconds): returns the site and directory to
        index, or None when nothing is to be indexed yet.
        """
        state = self._state
        site = self._site
        if state is None or site is None:
            return None
        if self._refresh:
            self._refresh = False
            ctx = PageContext(site, state.renderer.i18n)
            remade = [*data_pages(ctx), sitemap_page(site, state.pages.values())]
            for page in remade:
                if state.pages.get(page.path) != page:
                    state.deferred.append(page)
                state.pages[page.path] = page
        deferred = state.deferred
        while deferred:
            if stop():
                return None
            page = deferred[0]
            try:
                path = safe_key(page.path)
                data = state.renderer.render(site, page)
                if not _holds(state.root / path, data):  # e.g. a body edit, the same exports
                    _replace(state.root, path, data)
            except BaseException:
                for unwritten in deferred:  # the next rebuild sees them as changed again
                    state.pages.pop(unwritten.path, None)
                state.deferred = []
                self._site = None
                raise
            deferred.pop(0)
        self._site = None
        if state.holders is None and not stop():  # for the next edit in place, while idle
            state.holders = holders_of(state.pages, DEFERRED)
        if index:
            self.search(site, state.root)
        return site, state.root

    def _retire(self, old: Path) -> None:
        """Delete the build before ``old``: ``old`` itself may still be answering requests."""
        for stale in self._retired:
            shutil.rmtree(stale, ignore_errors=True)
        self._retired = [old]

    def close(self) -> None:
        """Delete every build this rebuilder made."""
        for stale in self._retired:
            shutil.rmtree(stale, ignore_errors=True)
        if self._state is not None:
            shutil.rmtree(self._state.root, ignore_errors=True)
        self._retired = []
        self._state = None


def _update_paths(paths: list[Path], changed: set[Path], config: SiteConfig) -> list[Path]:
    """The article files after ``changed`` were created, edited or deleted.

    Listing 10,000 files on every keystroke's save is a good part of the time budget, and the
    file events already say what came and went. An event on a directory (a folder moved in
    or out) lists the files again.
    """
    articles = config.content_dir / "articles"
    if any(path.suffix != ".md" or not path.is_relative_to(articles) for path in changed):
        return article_paths(config)
    known = set(paths)
    present = {path for path in changed if path.is_file()}
    gone = changed - present
    if present <= known and not (gone & known):
        return paths
    return sorted((known - gone) | present, key=lambda path: path.parts)


def _replace(root: Path, path: str, data: bytes) -> None:
    """Write one file so that a reader sees the old bytes or the new ones, never a mix."""
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _holds(target: Path, data: bytes) -> bool:
    """True when ``target`` already has exactly these bytes."""
    try:
        return target.stat().st_size == len(data) and target.read_bytes() == data
    except OSError:
        return False


def _remove(root: Path, path: str) -> None:
    """Remove a page that no longer exists, and the directories it leaves empty."""
    target = root / path
    target.unlink(missing_ok=True)
    parent = target.parent
    while parent != root:
        try:
            parent.rmdir()
        except OSError:
            break
        parent = parent.parent
