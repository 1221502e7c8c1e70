"""The stages of a build after the freshness check, each a plain function.

:func:`briefgen.build.build` calls them in order, and so does the preview's full rebuild
(:mod:`briefgen.serve.rebuild`), which adds only what a preview needs. ``build`` imports this
module once it knows there is work: a build with nothing to do loads no Markdown parser,
template engine, Babel data or citeproc.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from briefgen import parallel
from briefgen.config import SiteConfig
from briefgen.content import Loaded, load_site
from briefgen.fresh import Recorded
from briefgen.model import Site
from briefgen.pages import I18n, Page, PageContext, Remember, i18n_table, make_now
from briefgen.parsecache import ParseCache
from briefgen.producers import TEMPLATE_GLOBALS, site_pages
from briefgen.render import Renderer
from briefgen.search.index import Indexing
from briefgen.theme import Theme
from briefgen.write import Staging

log = logging.getLogger("briefgen")


def make_renderer(config: SiteConfig, theme: Theme) -> Renderer:
    """The renderer, with the features' template globals and the build's one UI-string table
    (:attr:`Renderer.i18n`, which the producers' context shares)."""
    return Renderer(config, theme, i18n_table(config, theme), TEMPLATE_GLOBALS)


def read(config: SiteConfig, *, drafts: bool, jobs: int | None, idle: Callable[[], None]) -> Loaded:
    """The archive, read by forked processes when it is big enough (``jobs``: at most that
    many; default one per core), bodies from the parse cache where it has them. ``idle`` runs
    in this process while the readers parse (the build compiles the templates then)."""
    return load_site(
        config,
        drafts=drafts,
        processes=parallel.cores() if jobs is None else max(1, jobs),
        parse_cache=ParseCache(config.root),
        idle=idle,
    )


def list_pages(
    site: Site, i18n: Mapping[str, I18n], remember: Remember = make_now
) -> tuple[Page, ...]:
    """Every page of ``site``, the sitemap last (:func:`briefgen.producers.site_pages`);
    ``remember``: the preview's memo (see :attr:`PageContext.remember`)."""
    return site_pages(PageContext(site, i18n, remember))


def render_pages(
    site: Site,
    pages: Sequence[Page],
    renderer: Renderer,
    staging: Staging,
    *,
    jobs: int | None = None,
    progress: Callable[[int], None] = lambda files: None,
    under_indexer: bool = False,
) -> tuple[float, float]:
    """Render ``pages`` into ``staging``; the seconds spent (rendering, writing).

    Forked workers render when there are enough pages and this process may fork
    (:func:`parallel.workers`: never with threads, so never in the preview), at a lower
    priority ``under_indexer`` (Pagefind, which the build waits for, then keeps a core).
    ``progress`` is told the files written so far.
    """
    processes = parallel.workers(len(pages), jobs)
    log.debug("pages    %d, rendered by %d process(es)", len(pages), processes)
    if processes > 1:
        return parallel.render_parallel(
            site,
            renderer,
            pages,
            staging,
            processes,
            progress,
            niceness=parallel.UNDER_INDEXER if under_indexer else 0,
        )
    # One page at a time (memory stays flat), rendering and writing timed apart.
    rendering = writing = 0.0
    for page in pages:
        clock = time.perf_counter()
        data = renderer.render(site, page)
        rendered = time.perf_counter()
        staging.write(page.path, data)
        progress(len(staging.written))
        rendering += rendered - clock
        writing += time.perf_counter() - rendered
    return rendering, writing


def stage_assets(theme: Theme, staging: Staging) -> None:
    """The theme's static files (stylesheets, scripts, fonts)."""
    for path, data in theme.assets():
        staging.write(path, data)


def indexing(site: Site, staging: Staging, previous: Recorded | None) -> Indexing:
    """The search stage, started before the pages render and finished after them: Pagefind
    indexes records made from the model, so it works while the pages are rendered (a bundle
    the previous build recorded with the same records is reused)."""
    return Indexing(site, staging.dir, previous=previous)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while the block runs.

    Listing makes tens of thousands of pages and their data, all kept to the end: the collector
    found nothing to free in them and took 0.6 s of the 1.5 s listing 10,000 articles' pages. A
    preview's rebuild allocates objects by the hundred thousand, which set off full collections
    over every object of the previous build (a third of an incremental rebuild's time); it
    leaves little cyclic garbage, found once the collector runs again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def uncollected() -> Iterator[Callable[[], None]]:
    """The objects made so far (the model) left out of garbage collection until the block ends;
    the function it gives leaves out those made since (the pages, once listed).

    They live until the build ends, so the collector need not look through them each time it
    runs (1.2 s at 10,000 articles), and forked workers then leave the memory they are in
    unwritten, so shared. Not for the preview: it keeps running after a build.
    """
    gc.freeze()
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()
