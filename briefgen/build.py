"""The pipeline: config → fresh → content → pages → render → write (staged) → search → swap.

:func:`build` is the list of stages and little else: the stages after the freshness check are
plain functions in :mod:`briefgen.stages`, which the preview (:mod:`briefgen.serve`) calls too.
This module stays light, so that a build with nothing to do starts fast.
"""

from __future__ import annotations

import logging
import resource
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen import fresh
from briefgen.config import SiteConfig, load_config
from briefgen.errors import Problem
from briefgen.theme import Theme, load_theme
from briefgen.write import Staging, sweep

if TYPE_CHECKING:
    from briefgen.content import Loaded

log = logging.getLogger("briefgen")

Progress = Callable[[str, int], None]
"""Told each stage as it starts (count 0) and each file rendered (``render``, files so far)."""


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build did."""

    output: Path
    pages: int
    """Files written (pages, feeds, sitemap, static files)."""
    articles: int
    unchanged: int
    """Files whose bytes did not change (kept with their modification time)."""
    seconds: float
    stages: tuple[tuple[str, float], ...]
    warnings: tuple[Problem, ...]
    fresh: bool = False
    """Nothing had changed since the last build: the output was left as it was."""


def configure(root: Path, output: Path | None = None) -> tuple[SiteConfig, Theme]:
    """``site.yml`` read and validated, and the theme layered over the built-in one."""
    config = load_config(root, output)
    return config, load_theme(config)


@dataclass(frozen=True, slots=True)
class Inputs:
    """What the freshness check found: the fingerprint of the inputs and the previous build."""

    print: str
    recorded: fresh.Recorded | None
    """The previous build's record (None with ``--force``); its search bundles may be reused."""
    unchanged: fresh.Fresh | None
    """Set when nothing changed since the previous build and its output is intact."""


def fresh_inputs(
    config: SiteConfig, theme: Theme, *, drafts: bool, search: bool, force: bool
) -> Inputs:
    """Fingerprint the inputs and compare with the previous build's record."""
    sweep(config.output)  # first: a build killed mid-swap may have moved the output aside
    print_ = fresh.fingerprint(config, theme, drafts=drafts, search=search)
    recorded = None if force else fresh.recorded(config)  # read once, used twice
    return Inputs(print_, recorded, fresh.check(config, print_, recorded))


@dataclass(slots=True)
class Clock:
    """Seconds spent per stage, in pipeline order (logged at debug level), and the progress
    shown as each stage starts."""

    progress: Progress | None = None
    """The progress line (the command line shows one on a terminal)."""
    started: float = field(default_factory=time.perf_counter)
    stages: list[tuple[str, float]] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.add(name, time.perf_counter() - start)

    def add(self, name: str, elapsed: float) -> None:
        self.stages.append((name, elapsed))
        log.debug("%-8s %7.3f s", name, elapsed)

    def time(self, step: Callable[[], object]) -> float:
        """Seconds ``step()`` took (for a stage timed in parts)."""
        start = time.perf_counter()
        step()
        return time.perf_counter() - start

    def show(self, stage: str, count: int = 0) -> None:
        if self.progress is not None:
            self.progress(stage, count)

    def report(
        self, output: Path, pages: int, articles: int, unchanged: int, warnings: tuple[Problem, ...]
    ) -> BuildReport:
        """What the build did, timed from this clock's start."""
        took = time.perf_counter() - self.started
        return BuildReport(output, pages, articles, unchanged, took, tuple(self.stages), warnings)


def check(root: Path, *, drafts: bool = True) -> Loaded:
    """Validate the whole site without writing anything; raise with every error."""
    config, _ = configure(root)
    from briefgen.content import load_site  # the Markdown parser: not for a no-op build

    return load_site(config, drafts=drafts)


def build(
    root: Path,
    output: Path | None = None,
    *,
    drafts: bool = False,
    search: bool = True,
    force: bool = False,
    progress: Progress | None = None,
    jobs: int | None = None,
) -> BuildReport:
    """Build the site at ``root`` into its output; the previous output survives any failure.

    ``search=False`` skips the Pagefind index (fast builds; the search page finds nothing).
    When nothing changed since the last build (:mod:`briefgen.fresh`) the output is left as it
    is, unless ``force``. ``jobs``: reading and rendering processes (default: one per core for
    big sites).
    """
    clock = Clock(progress)
    with clock.stage("config"):
        config, theme = configure(root, output)
    with clock.stage("fresh"):
        inputs = fresh_inputs(config, theme, drafts=drafts, search=search, force=force)
    if inputs.unchanged is not None:
        log.debug("nothing changed since the last build: output left as it is")
        done = inputs.unchanged
        report = clock.report(config.output, done.files, done.articles, done.files, done.warnings)
        return replace(report, fresh=True)

    from briefgen import stages  # only now: see its docstring

    clock.show("content")
    renderer = stages.make_renderer(config, theme)
    start = time.perf_counter()
    # The templates compile while reader processes parse, so rendering workers inherit them.
    loaded = stages.read(config, drafts=drafts, jobs=jobs, idle=renderer.prepare)
    content = time.perf_counter() - start
    clock.add("read", content * (1 - loaded.parse_share))
    clock.add("parse", content * loaded.parse_share)
    with clock.stage("compile"):
        renderer.prepare()  # done already if several processes read
    site = loaded.site
    clock.show("render")
    with (
        stages.uncollected() as leave_out,
        Staging(config.output) as staging,
        stages.indexing(site, staging, inputs.recorded) as indexing,
    ):
        indexed = clock.time(indexing.start) if search else 0.0  # runs while the pages render
        with clock.stage("pages"), stages.collector_paused():
            pages = stages.list_pages(site, renderer.i18n)
        leave_out()  # the pages, with everything their data holds, as the model
        rendering, writing = stages.render_pages(
            site,
            pages,
            renderer,
            staging,
            jobs=jobs,
            progress=lambda files: clock.show("render", files),
            under_indexer=search,
        )
        clock.add("render", rendering)
        clock.add("write", writing + clock.time(lambda: stages.stage_assets(theme, staging)))
        if search:
            clock.show("index")
            # Writing the records, then waiting for Pagefind after the render: the rest of
            # Pagefind's time overlapped the render.
            clock.add("index", indexed + clock.time(lambda: staging.adopt(indexing.finish())))
        clock.show("swap")
        with clock.stage("swap"):
            staging.commit()
        fresh.record(config, inputs.print, len(site.articles), loaded.warnings, indexing.digests)
    _log_peaks(search)
    return clock.report(
        config.output, len(staging.written), len(site.articles), staging.unchanged, loaded.warnings
    )


def _log_peaks(search: bool) -> None:
    """Peak resident memory of briefgen and of the search indexer (a child process)."""
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20
    log.debug("peak briefgen %.1f MB", own)
    if search:
        child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale / 2**20
        log.debug("peak indexer %.1f MB", child)
