"""Rendering on every core: forked workers render and stage shares of the page list.

Rendering is pure Python (Jinja), so threads would take turns on one core. Worker processes
forked after the model is built inherit the site, the theme and the staging directory without
pickling any of it; each renders interleaved chunks of the page list with its own renderer and
writes the files straight into the staging directory (paths were claimed, and checked, by the
parent first). They send back only which files they linked unchanged and how long they spent.
Output is byte-identical to a serial build: every page is a pure function of the site.

The order pages are handed out in is free, so article pages go out grouped by the shape of
their formatted reference: citeproc's work on a shape is then done by one worker, not by each
(it was a quarter of the rendering time at 1,000 articles).

Forking is only safe in a process with one thread, so the preview (which has several) and any
caller with threads renders serially, as do small sites, where starting workers costs more than
it saves.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from briefgen.model import Site
from briefgen.render import Page, Renderer
from briefgen.research.citations import reference_shape
from briefgen.theme import Theme
from briefgen.write import Staging

CHUNK = 64
"""Pages per task: small enough to balance the workers, large enough to keep the queue cheap."""
MIN_PAGES = 400
"""Below this a serial render is faster than starting workers."""
UNDER_INDEXER = 10
"""The workers' niceness while Pagefind indexes: its run for the largest language is the
longest task of a build, so it gets a core of its own and the workers share what is left."""


@dataclass(frozen=True, slots=True)
class Shared:
    """What workers inherit through the fork."""

    site: Site
    theme: Theme
    staging: Staging
    pages: Sequence[Page]
    keys: Sequence[str]


_shared: Shared | None = None
"""Set only while a pool is alive: the one way fork hands the model to workers."""
_renderer: Renderer | None = None
"""Each worker's renderer (templates compiled once per worker, entry fragments memoised)."""


@dataclass(frozen=True, slots=True)
class Done:
    """A finished chunk: files written, files linked unchanged, seconds rendering and writing."""

    files: int
    unchanged: int
    rendering: float
    writing: float


def cores() -> int:
    """The cores this process may run on (a container's limit, not the machine's)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def workers(pages: int, jobs: int | None) -> int:
    """How many processes render: ``jobs`` if given, else one per core for sites big enough."""
    auto = cores() if pages >= MIN_PAGES else 1
    wanted = auto if jobs is None else max(1, jobs)
    if wanted > 1 and (
        "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1
    ):
        return 1
    return wanted


def _render_chunk(indices: Sequence[int]) -> Done:
    global _renderer
    shared = _shared
    assert shared is not None, "a worker runs only inside render_parallel"
    if _renderer is None:
        _renderer = Renderer(shared.site.config, shared.theme)
    rendering = writing = 0.0
    unchanged = 0
    for index in indices:
        start = time.perf_counter()
        data = _renderer.render(shared.site, shared.pages[index])
        rendered = time.perf_counter()
        unchanged += shared.staging.stage_claimed(shared.keys[index], data)
        writing += time.perf_counter() - rendered
        rendering += rendered - start
    return Done(len(indices), unchanged, rendering, writing)


def render_order(site: Site, pages: Sequence[Page]) -> list[int]:
    """The pages' indices, article pages grouped by reference shape, the others as they come."""

    def key(index: int) -> tuple[int, tuple[object, ...], int]:
        article = pages[index].data.get("article") if pages[index].kind == "article" else None
        if article is None:
            return (1, (), index)
        return (0, tuple(map(repr, reference_shape(site, article))), index)

    return sorted(range(len(pages)), key=key)


def _chunks(order: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(order), CHUNK):
        yield order[start : start + CHUNK]


def render_parallel(
    site: Site,
    theme: Theme,
    pages: Sequence[Page],
    staging: Staging,
    processes: int,
    progress: Callable[[int], None],
    niceness: int = 0,
) -> tuple[float, float]:
    """Render and stage ``pages`` with ``processes`` workers; (render, write) wall seconds.

    ``niceness``: added to the workers' scheduling niceness, so that another process the build
    waits for longer (the search indexer) gets the processor first. The wall time is split
    between rendering and writing in the proportion the workers spent.
    """
    global _shared
    keys = [staging.claim(page.path) for page in pages]
    started = time.perf_counter()
    rendering = writing = 0.0
    _shared = Shared(site, theme, staging, pages, keys)
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(processes, os.nice, (niceness,)) as pool:
            done = 0
            for chunk in pool.imap_unordered(_render_chunk, _chunks(render_order(site, pages))):
                staging.unchanged += chunk.unchanged
                rendering += chunk.rendering
                writing += chunk.writing
                done += chunk.files
                progress(done)
    finally:
        _shared = None
    wall = time.perf_counter() - started
    share = rendering / (rendering + writing) if rendering + writing else 1.0
    return wall * share, wall * (1 - share)
