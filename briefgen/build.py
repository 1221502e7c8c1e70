"""The pipeline: config → content → model → render → write (staged) → search → swap."""

from __future__ import annotations

import gc
import logging
import resource
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen import fresh
from briefgen.config import load_config
from briefgen.errors import Problem
from briefgen.theme import load_theme
from briefgen.write import Staging, sweep

if TYPE_CHECKING:
    from briefgen.content import Loaded
    from briefgen.pages import Page

log = logging.getLogger("briefgen")

Progress = Callable[[str, int], None]
"""Told each stage as it starts (count 0) and each file rendered (``render``, files so far)."""


@dataclass(slots=True)
class Timings:
    """Seconds spent per stage, in pipeline order (logged at debug level)."""

    stages: list[tuple[str, float]] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.add(name, time.perf_counter() - start)

    def add(self, name: str, elapsed: float) -> None:
        self.stages.append((name, elapsed))
        log.debug("%-8s %7.3f s", name, elapsed)


def _log_peaks(search: bool) -> None:
    """Peak resident memory of briefgen and of the search indexer (a child process)."""
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20
    log.debug("peak briefgen %.1f MB", own)
    if search:
        child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale / 2**20
        log.debug("peak indexer %.1f MB", child)


@contextmanager
def _frozen() -> Iterator[None]:
    """The objects made so far (the model) left out of garbage collection until the block ends.

    The model lives until the build ends, so the collector need not look through it each time
    it runs while the pages are listed and rendered (1.2 s at 10,000 articles), and forked
    workers then leave the memory pages it is in unwritten, so shared.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _listed(make: Callable[[], tuple[Page, ...]]) -> tuple[Page, ...]:
    """The pages, listed with the collector paused, then left out of collection like the model.

    Listing makes tens of thousands of pages and their data, all kept to the end: the collector
    found nothing to free in them and took 0.6 s of the 1.5 s listing 10,000 articles' pages.
    Frozen, they also stay out of the rendering workers' collections (and their memory shared).
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        pages = make()
    finally:
        if paused:
            gc.enable()
    gc.freeze()
    return pages


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


def check(root: Path, *, drafts: bool = True) -> Loaded:
    """Validate the whole site without writing anything; raise with every error."""
    config = load_config(root)
    load_theme(config)
    from briefgen.content import load_site

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
    is, unless ``force``. ``jobs``: rendering processes (default: one per core for big sites).
    """
    started = time.perf_counter()
    timings = Timings()
    progress = progress or (lambda stage, count: None)  # the command line shows one on a tty
    with timings.stage("config"):
        config = load_config(root, output)
        theme = load_theme(config)
    with timings.stage("fresh"):
        sweep(config.output)  # first: a build killed mid-swap may have moved the output aside
        print_ = fresh.fingerprint(config, theme, drafts=drafts, search=search)
        recorded = None if force else fresh.recorded(config)  # read once, used twice
        previous = fresh.check(config, print_, recorded)
    if previous is not None:
        log.debug("nothing changed since the last build: output left as it is")
        return BuildReport(
            output=config.output,
            pages=previous.files,
            articles=previous.articles,
            unchanged=previous.files,
            seconds=time.perf_counter() - started,
            stages=tuple(timings.stages),
            warnings=previous.warnings,
            fresh=True,
        )
    # Imported here: a build with nothing to do does not load the Markdown parser, the template
    # engine, Babel's data or citeproc.
    from briefgen import parallel
    from briefgen.content import load_site
    from briefgen.pages import PageContext, i18n_table
    from briefgen.parsecache import ParseCache
    from briefgen.producers import TEMPLATE_GLOBALS, site_pages
    from briefgen.render import Renderer
    from briefgen.search import Indexing

    progress("content", 0)
    clock = time.perf_counter()
    readers = parallel.cores() if jobs is None else max(1, jobs)
    i18n = i18n_table(config, theme)
    renderer = Renderer(config, theme, i18n, TEMPLATE_GLOBALS)
    loaded = load_site(
        config,
        drafts=drafts,
        processes=readers,
        parse_cache=ParseCache(config.root),
        idle=renderer.prepare,  # templates compiled while reader processes parse
    )
    content = time.perf_counter() - clock  # reading the articles, then rendering Markdown
    timings.add("read", content * (1 - loaded.parse_share))
    timings.add("parse", content * loaded.parse_share)
    with timings.stage("compile"):
        renderer.prepare()  # done already if several processes read
    progress("render", 0)
    with (
        _frozen(),
        Staging(config.output) as staging,
        Indexing(loaded.site, staging.dir, previous=recorded) as indexing,
    ):
        # Pagefind indexes records made from the model, not the rendered pages: it starts
        # now and works while the pages are rendered (the largest language first, as the
        # build waits for it).
        indexed = 0.0
        if search:
            clock = time.perf_counter()
            indexing.start()
            indexed = time.perf_counter() - clock
        with timings.stage("pages"):  # listed, with everything their data holds
            pages = _listed(lambda: site_pages(PageContext(loaded.site, i18n)))
        processes = parallel.workers(len(pages), jobs)
        log.debug("pages    %d, rendered by %d process(es)", len(pages), processes)
        if processes > 1:
            rendering, writing = parallel.render_parallel(
                loaded.site,
                renderer,
                pages,
                staging,
                processes,
                lambda n: progress("render", n),
                niceness=parallel.UNDER_INDEXER if search else 0,
            )
        else:
            # One page at a time (memory stays flat), rendering and writing timed apart.
            rendering = writing = 0.0
            for page in pages:
                clock = time.perf_counter()
                data = renderer.render(loaded.site, page)
                rendered = time.perf_counter()
                staging.write(page.path, data)
                progress("render", len(staging.written))
                rendering += rendered - clock
                writing += time.perf_counter() - rendered
        clock = time.perf_counter()
        for path, data in theme.assets():
            staging.write(path, data)
        writing += time.perf_counter() - clock
        timings.add("render", rendering)
        timings.add("write", writing)
        if search:
            progress("index", 0)
            # The time spent writing the records and then waiting for Pagefind after the
            # render: the rest of Pagefind's time overlapped the render stage.
            clock = time.perf_counter()
            staging.adopt(indexing.finish())
            timings.add("index", indexed + time.perf_counter() - clock)
        progress("swap", 0)
        with timings.stage("swap"):
            staging.commit()
        fresh.record(config, print_, len(loaded.site.articles), loaded.warnings, indexing.digests)
    _log_peaks(search)
    return BuildReport(
        output=config.output,
        pages=len(staging.written),
        articles=len(loaded.site.articles),
        unchanged=staging.unchanged,
        seconds=time.perf_counter() - started,
        stages=tuple(timings.stages),
        warnings=loaded.warnings,
    )
