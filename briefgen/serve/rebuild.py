"""Rebuilds for the preview server: the build pipeline's stages, re-run only where an edit reaches.

A full rebuild (first build, ``site.yml``, ``tags.yml``, ``outlets.yml`` or a theme changed)
stages a whole new site in a fresh directory and swaps it in by switching the served root. An
article edit re-reads only the changed files (:class:`ArticleCache`), re-validates every
cross-file rule, lists every page again (cheap: pages are data) and re-renders only the pages
whose :class:`Page` value differs from the previous build's; those are rendered in memory first
and written only when all of them succeeded, each with ``os.replace``.

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
from dataclasses import dataclass
from pathlib import Path

from briefgen.config import SiteConfig, load_config
from briefgen.content import ArticleCache, load_site
from briefgen.errors import BuildError, Problem
from briefgen.render import Page, Renderer, site_pages
from briefgen.theme import Theme, load_theme
from briefgen.write import Staging, safe_relative

SearchHook = Callable[[Path], None]
"""Indexes a built site directory for search (the pipeline's search stage)."""


def no_search(root: Path) -> None:
    """The search hook until the search stage exists: indexing is skipped."""


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
    warnings: tuple[Problem, ...]


@dataclass(slots=True)
class _State:
    """The last good build: what it was made from and where it is served."""

    config: SiteConfig
    theme: Theme
    renderer: Renderer
    pages: dict[str, Page]
    """Every page by output path."""
    root: Path
    """The served directory."""


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

    def watched(self) -> tuple[Path, ...]:
        """Theme directories of the last good build (the site's own and the built-in one)."""
        state = self._state
        return state.theme.dirs if state is not None else ()

    def rebuild(self, changed: Iterable[Path] | None = None) -> Outcome:
        """Rebuild after ``changed`` articles were edited, or everything when ``changed`` is None.

        Raises :class:`~briefgen.errors.BriefgenError` and keeps serving the last good build.
        """
        started = time.perf_counter()
        if changed is None or self._state is None:
            return self._full(started)
        return self._incremental(self._state, changed, started)

    def _full(self, started: float) -> Outcome:
        config = load_config(self.source)
        theme = load_theme(config)
        self.cache.clear()
        loaded = load_site(config, drafts=self.drafts, cache=self.cache)
        pages = site_pages(loaded.site, theme)
        renderer = Renderer(config, theme)
        self._serial += 1
        output = self.workdir / f"site-{self._serial}"
        with Staging(output) as staging:
            for page in pages:
                staging.write(page.path, renderer.render(loaded.site, page))
            for path, source in theme.static_files().items():
                staging.copy(path, source)
            self.search(staging.dir)
            staging.commit()
        previous = self._state
        self._state = _State(config, theme, renderer, {p.path: p for p in pages}, output)
        if previous is not None:
            self._retire(previous.root)
        return Outcome(
            True, len(staging.written), 0, len(loaded.site.articles),
            time.perf_counter() - started, loaded.warnings,
        )

    def _incremental(self, state: _State, changed: Iterable[Path], started: float) -> Outcome:
        self.cache.forget(changed)
        loaded = load_site(state.config, drafts=self.drafts, cache=self.cache)
        pages = site_pages(loaded.site, state.theme)
        by_path: dict[str, Page] = {}
        for page in pages:
            key = safe_relative(page.path).as_posix()
            if key in by_path:
                raise BuildError(f"two outputs want the same path {key!r}")
            by_path[key] = page
        # Render everything that changed before writing anything: a template error leaves the
        # served site as it was.
        rendered = [
            (path, state.renderer.render(loaded.site, page))
            for path, page in by_path.items()
            if state.pages.get(path) != page
        ]
        removed = [path for path in state.pages if path not in by_path]
        for path, data in rendered:
            _replace(state.root, path, data)
        for path in removed:
            _remove(state.root, path)
        state.pages = by_path
        if rendered or removed:
            self.search(state.root)
        return Outcome(
            False, len(rendered), len(removed), len(loaded.site.articles),
            time.perf_counter() - started, loaded.warnings,
        )

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
