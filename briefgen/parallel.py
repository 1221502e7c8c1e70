"""Rendering on every core: forked workers render and stage shares of the page list.

Rendering is pure Python (Jinja), so threads would take turns on one core. Worker processes
forked after the model is built inherit the site, a renderer with its templates compiled and
the staging directory without pickling any of it; each renders interleaved chunks of the page
list with its own copy of the renderer (its own memos) and writes the files straight into the
staging directory (paths were claimed, and checked, by the parent first). They send back only
which files they linked unchanged and how long they spent. Output is byte-identical to a serial
build: every page is a pure function of the site.

The order pages are handed out in is free, and it decides what each worker's memos save:
- a list page in one language goes to that language's worker (its "lane"), so an article's
  list entry, rendered once per page language and remembered, is rendered by one worker, not
  by each (that was 3 s of 6 s of entries at 10,000 articles, two workers);
- article pages, in a lane every worker takes from, go out grouped by the shape of their
  formatted reference: citeproc's work on a shape is then done by one worker, not by each (it
  was a quarter of the rendering time at 1,000 articles).
A worker that is done with its own lane and the shared one takes what is left of the others',
so the workers finish together.

Forking is only safe in a process with one thread, so the preview (which has several) and any
caller with threads renders serially, as do small sites, where starting workers costs more than
it saves.

Ctrl-C is the parent's alone: workers are forked with SIGINT blocked and keep it so (a terminal
sends it to every process of the group, and each would print a traceback), and the parent,
interrupted, ends them before the staging directory goes.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from briefgen.errors import BuildError
from briefgen.model import Site
from briefgen.pages import Page
from briefgen.render import Renderer
from briefgen.research.citations import reference_shape
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
    renderer: Renderer
    """The parent's, templates compiled: each worker's copy fills its own memos."""
    staging: Staging
    pages: Sequence[Page]
    keys: Sequence[str]
    lanes: Sequence[Sequence[Sequence[int]]]
    """Chunks of page indices per lane: lane 0 is shared, lane ``k`` is worker ``k``'s own."""
    taken: Any
    """Per lane, how many of its chunks workers have taken (a shared array of integers)."""


_shared: Shared | None = None
"""Set only while the workers are alive: the one way fork hands the model to workers."""


@dataclass(frozen=True, slots=True)
class Done:
    """A finished chunk: files written, files linked unchanged, seconds rendering and writing."""

    files: int
    unchanged: int
    rendering: float
    writing: float


@dataclass(frozen=True, slots=True)
class Failed:
    """A worker's error, sent to the parent, which raises it."""

    error: BaseException


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
    shared = _shared
    assert shared is not None, "a worker runs only inside render_parallel"
    rendering = writing = 0.0
    unchanged = 0
    for index in indices:
        start = time.perf_counter()
        data = shared.renderer.render(shared.site, shared.pages[index])
        rendered = time.perf_counter()
        unchanged += shared.staging.stage_claimed(shared.keys[index], data)
        writing += time.perf_counter() - rendered
        rendering += rendered - start
    return Done(len(indices), unchanged, rendering, writing)


def _take(shared: Shared, lane: int) -> Sequence[int] | None:
    """The next chunk of ``lane`` nobody has taken, or None when the lane is done."""
    with shared.taken.get_lock():
        number = shared.taken[lane]
        if number >= len(shared.lanes[lane]):
            return None
        shared.taken[lane] = number + 1
    return shared.lanes[lane][number]


def _work(own: int, niceness: int, reports: Connection) -> None:
    """A worker: its own lane, then the shared one, then what is left of the others'.

    Each chunk done is reported on ``reports``, then ``None`` once there is nothing left; an
    error is reported as :class:`Failed` and ends the worker.
    """
    shared = _shared
    assert shared is not None, "a worker runs only inside render_parallel"
    try:
        os.nice(niceness)
        others = [lane for lane in range(1, len(shared.lanes)) if lane != own]
        for lane in [own, 0, *others]:
            while (chunk := _take(shared, lane)) is not None:
                reports.send(_render_chunk(chunk))
        reports.send(None)
    except BaseException as exc:  # the parent raises it (a template error, a full disk)
        try:
            reports.send(Failed(exc))
        except Exception:  # an exception that cannot be pickled
            reports.send(Failed(RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        reports.close()


def lane_of(page: Page, languages: Sequence[str], processes: int) -> int:
    """The lane a page goes to: its language's worker for a page rendered from a template and
    made of other pages' fragments (lists, feeds, indexes), else the shared lane (0)."""
    if page.kind == "article" or page.content is not None or page.produce is not None:
        return 0
    return languages.index(page.lang.code) % processes + 1 if page.lang.code in languages else 0


def render_order(site: Site, pages: Sequence[Page]) -> list[int]:
    """The pages' indices, article pages grouped by reference shape, the others as they come."""

    def key(index: int) -> tuple[int, tuple[object, ...], int]:
        article = pages[index].data.get("article") if pages[index].kind == "article" else None
        if article is None:
            return (1, (), index)
        return (0, tuple(map(repr, reference_shape(site, article))), index)

    return sorted(range(len(pages)), key=key)


def lanes(site: Site, pages: Sequence[Page], processes: int) -> list[list[Sequence[int]]]:
    """Chunks of page indices per lane (see :func:`lane_of`), each lane in render order."""
    languages = [lang.code for lang in site.config.languages]
    indices: list[list[int]] = [[] for _ in range(processes + 1)]
    for index in render_order(site, pages):
        indices[lane_of(pages[index], languages, processes)].append(index)
    return [list(_chunks(lane)) for lane in indices]


def _chunks(order: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(order), CHUNK):
        yield order[start : start + CHUNK]


def render_parallel(
    site: Site,
    renderer: Renderer,
    pages: Sequence[Page],
    staging: Staging,
    processes: int,
    progress: Callable[[int], None],
    niceness: int = 0,
) -> tuple[float, float]:
    """Render and stage ``pages`` with ``processes`` workers; (render, write) wall seconds.

    ``renderer``: made for ``site``'s config and theme, its templates best compiled already
    (:meth:`Renderer.prepare`), which the forked workers then share.

    ``niceness``: added to the workers' scheduling niceness, so that another process the build
    waits for longer (the search indexer) gets the processor first. The wall time is split
    between rendering and writing in the proportion the workers spent.
    """
    global _shared
    keys = [staging.claim(page.path) for page in pages]
    started = time.perf_counter()
    rendering = writing = 0.0
    context = multiprocessing.get_context("fork")
    chunks = lanes(site, pages, processes)
    _shared = Shared(site, renderer, staging, pages, keys, chunks, context.Array("q", len(chunks)))
    pipes = [context.Pipe(duplex=False) for _ in range(processes)]
    procs = [
        context.Process(target=_work, args=(own, niceness, sender), daemon=True)
        for own, (_, sender) in enumerate(pipes, 1)
    ]
    try:
        # Ctrl-C is held back while forking: each worker inherits SIGINT blocked and keeps it
        # so, and the parent gets a Ctrl-C that came meanwhile (as KeyboardInterrupt, raised
        # by pthread_sigmask) only once every worker it started can be ended by ``finally``.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            for proc, (_, sender) in zip(procs, pipes, strict=True):
                proc.start()
                sender.close()  # the worker's end: its reader then sees the end when it exits
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        open_ = [receiver for receiver, _ in pipes]
        done = 0
        while open_:
            for receiver in wait(open_):
                assert isinstance(receiver, Connection)
                try:
                    report = receiver.recv()
                except EOFError:  # ended without saying it was done: killed, out of memory
                    proc = procs[[r for r, _ in pipes].index(receiver)]
                    proc.join(5)
                    raise BuildError(
                        f"a rendering process ended before its work was done (exit code "
                        f"{proc.exitcode}); try again with --jobs 1"
                    ) from None
                if report is None:
                    open_.remove(receiver)
                elif isinstance(report, Failed):
                    raise report.error
                else:
                    staging.unchanged += report.unchanged
                    rendering += report.rendering
                    writing += report.writing
                    done += report.files
                    progress(done)
    finally:
        _shared = None
        forked = [proc for proc in procs if proc.pid is not None]  # all, unless a fork failed
        for proc in forked:
            if proc.is_alive():
                proc.terminate()
        for proc in forked:
            proc.join()
        for receiver, sender in pipes:
            receiver.close()
            sender.close()  # closed already unless its worker was never started
    wall = time.perf_counter() - started
    share = rendering / (rendering + writing) if rendering + writing else 1.0
    return wall * share, wall * (1 - share)
