"""``briefgen serve``: build, serve, watch, rebuild what an edit reaches, and reload open pages.

Four parts, each in its module: :mod:`~briefgen.serve.rebuild` (the pipeline's stages in a
rebuild loop, last good build kept), :mod:`~briefgen.serve.watch` (watchdog plus a debouncer),
:mod:`~briefgen.serve.http` (a loopback-only static server that refuses anything outside the
build) and :mod:`~briefgen.serve.reload` (the Server-Sent Events channel and injected script).
:class:`Preview` wires them together; everything it makes lives in one temporary directory that
:meth:`Preview.close` removes.
"""

from __future__ import annotations

import errno
import secrets
import shutil
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from briefgen.config import SITE_FILE
from briefgen.errors import BriefgenError, ProblemsError, UsageError
from briefgen.model import Site
from briefgen.serve.http import PreviewServer, is_loopback
from briefgen.serve.rebuild import Outcome, Rebuilder
from briefgen.serve.reload import Broadcaster, Status
from briefgen.serve.search import PagefindSearch, SearchHook, pagefind_search
from briefgen.serve.watch import Change, Debouncer, Watcher
from briefgen.write import abandoned, owned_dir, release

Report = Callable[[str], None]
"""Where the preview tells the terminal what happened (the CLI passes ``print``)."""

DEBOUNCE = 0.05
"""Seconds of quiet that end a burst of file events (an atomic save takes a few milliseconds)."""

SETTLE = 0.3
"""Seconds without events after a reload before the deferred work (sitemap, search) runs:
the pages reloading first should not wait for it."""

PORT_TRIES = 10
"""Ports tried after a busy default port (the next free one is announced)."""

SIGNAL_CHECK = 0.2
"""Seconds between the main thread's looks for a Ctrl-C that another thread received."""


def _silent(message: str) -> None:
    """The default report: say nothing."""


class Preview:
    """A running preview of the site at ``source``; use as a context manager or call close()."""

    def __init__(
        self,
        source: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        drafts: bool = False,
        fallback_ports: int = 0,
        debounce: float = DEBOUNCE,
        search: SearchHook = pagefind_search,
        report: Report = _silent,
    ) -> None:
        self.source = source.resolve()
        self.report = report
        self.workdir, self._held = _workdir()
        self._searches: tuple[PagefindSearch, ...] = ()
        refresh = search
        if search is pagefind_search:
            # Both ended by close(), not waited for. The index refreshed after an edit yields
            # the processor to the next edit's rebuild.
            search, refresh = PagefindSearch(), PagefindSearch(self.workdir / "records")
            self._searches = (search, refresh)
        self.rebuilder = Rebuilder(self.source, self.workdir, drafts=drafts, search=search)
        self.broadcaster = Broadcaster(secrets.token_hex(4))
        self.debouncer = Debouncer(debounce)
        self.last_outcome: Outcome | None = None
        """What the last successful rebuild did, set before its reload is announced (what
        ``benchmarks/serve_latency.py`` reads the rebuild's time from)."""
        self._indexer = _Indexer(
            refresh, report, self.broadcaster.indexed, lambda: self.rebuilder.root
        )
        self._threads: list[threading.Thread] = []
        self._watcher: Watcher | None = None
        try:
            self.server = self._bind(host, port, fallback_ports)
        except BaseException:
            shutil.rmtree(self.workdir, ignore_errors=True)
            release(self._held)
            raise
        self.url = f"http://{_url_host(host)}:{self.server.port}{self._base_path()}"

    def _bind(self, host: str, port: int, fallback_ports: int) -> PreviewServer:
        for candidate in range(port, port + fallback_ports + 1):
            try:
                server = PreviewServer(
                    (host, candidate),
                    site_root=lambda: self.rebuilder.root,
                    base_path=self._base_path,
                    broadcaster=self.broadcaster,
                )
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE or candidate == port + fallback_ports:
                    raise UsageError(_bind_message(host, candidate, exc, fallback_ports)) from None
                continue
            if candidate != port:
                self.report(f"port {port} is in use; serving on port {candidate} instead")
            return server
        raise AssertionError("unreachable")

    def _base_path(self) -> str:
        config = self.rebuilder.config
        return config.base_path if config is not None else "/"

    def start(self) -> str:
        """Build once, then serve, watch and rebuild in background threads; returns the URL."""
        self._watcher = Watcher(self.source, self.debouncer)
        self._thread(self.server.serve_forever, "server")  # "building…" until the first build
        self._run(Change(full=True))
        self._thread(self._loop, "rebuild")
        self._thread(self._indexer.run, "search")
        self.url = f"http://{_url_host(self.server.host)}:{self.server.port}{self._base_path()}"
        return self.url

    def _thread(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=f"briefgen-serve-{name}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def _loop(self) -> None:
        while not self.debouncer.closed:
            idle = SETTLE if self.rebuilder.unfinished else None
            change = self.debouncer.take(idle)
            if change is not None:
                self._run(change)
            elif not self.debouncer.closed:
                self._finish()

    def _run(self, change: Change) -> None:
        """One rebuild; its failure is shown, never raised (the last good build stays served)."""
        before = self.broadcaster.status
        try:
            outcome = self.rebuilder.rebuild(None if change.full else change.articles)
        except ProblemsError as exc:
            self._failed(exc.render(self.source) + f"\n{exc}")
            return
        except BriefgenError as exc:
            self._failed(f"error: {exc}")
            return
        except Exception:  # a bug must not stop the preview either
            self._failed("internal error:\n" + traceback.format_exc())
            return
        self.last_outcome = outcome
        for warning in outcome.warnings:
            self.report(warning.render(self.source))
        if outcome.full and self._watcher is not None:
            self._watcher.refresh()
        if outcome.written or outcome.removed or before.error is not None or change.full:
            self.broadcaster.built()
        self.report(_describe(outcome))

    def _finish(self) -> None:
        """The sitemap, once the reloaded pages have been served; then search, in the background."""
        try:
            built = self.rebuilder.finish(index=False, stop=lambda: self.debouncer.pending)
        except BriefgenError as exc:
            self._failed(f"error: {exc}")
            return
        except Exception:
            self._failed("internal error:\n" + traceback.format_exc())
            return
        if built is not None:
            self._indexer.request(*built)

    def _failed(self, text: str) -> None:
        if self.debouncer.closed:  # closing: a stage close() ended is no news
            return
        kept = "" if self.rebuilder.root is None else " (still serving the last good build)"
        self.broadcaster.failed(text)
        self.report(f"{text}\nrebuild failed{kept}")

    @property
    def status(self) -> Status:
        """The live-reload status: the current epoch and error."""
        return self.broadcaster.status

    def close(self) -> None:
        """Stop watching, serving and rebuilding; remove every temporary file."""
        watcher = self._watcher
        if watcher is not None:
            watcher.observer.stop()
        self.debouncer.close()
        self._indexer.close()
        for search in self._searches:
            search.cancel()
        self.broadcaster.close()
        if any(t.name == "briefgen-serve-server" for t in self._threads):
            self.server.shutdown()
        self.server.server_close()
        self.server.close_connections()
        for thread in self._threads:
            thread.join(10)
        if watcher is not None:
            watcher.stop()
        self._threads = []
        self._watcher = None
        self.rebuilder.close()
        shutil.rmtree(self.workdir, ignore_errors=True)
        release(self._held)
        self._held = None

    def __enter__(self) -> Preview:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class _Indexer:
    """Runs the search stage after incremental rebuilds, one run at a time, off the rebuild thread.

    Indexing a large archive takes seconds; the next edit should not wait for it. Requests that
    come while a run is going are merged into one more run; the index may lag an edit behind
    for that long. ``announce`` is told of each run that wrote an index, so that search pages,
    which loaded the index before it was refreshed, load it again. A request for a build that
    is no longer the one ``served`` is dropped: the full rebuild that replaced it indexed its own
    (and the old one may be deleted already: indexing it would make its folder again).
    """

    def __init__(
        self,
        search: SearchHook,
        report: Report,
        announce: Callable[[], object],
        served: Callable[[], Path | None],
    ) -> None:
        self.search = search
        self.report = report
        self.announce = announce
        self.served = served
        self._cond = threading.Condition()
        self._root: Path | None = None
        self._site: Site | None = None
        self._closed = False

    def request(self, site: Site, root: Path) -> None:
        """Index ``root`` (the served build of ``site``) as soon as the indexer is free."""
        with self._cond:
            self._root = root
            self._site = site
            self._cond.notify_all()

    def run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._closed or self._root is not None)
                if self._closed:
                    return
                root, self._root = self._root, None
                site = self._site
            assert root is not None and site is not None
            try:
                if root == self.served():
                    written = self.search(site, root)
                    if written and not self._closed and root == self.served():
                        self.announce()
            except Exception as exc:  # the preview goes on without a fresh index
                if not self._closed and root == self.served():  # else no news: ended, or moot
                    self.report(f"search index not refreshed: {exc}")

    def close(self) -> None:
        """Take no more requests (the preview ends a run under way)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()


WORKDIR_PREFIX, WORKDIR_SUFFIX = "briefgen-serve-", ".preview"
"""A preview's directory in the temporary directory: ``briefgen-serve-XXXXXXXX.preview``."""


def _workdir() -> tuple[Path, int | None]:
    """A new directory for the preview's site, locked while it runs; first, the directories of
    previews that were killed (``kill -9``: nothing of theirs ran to remove them) go, never a
    running one's (:func:`briefgen.write.abandoned`)."""
    parent = Path(tempfile.gettempdir())
    for path in abandoned(parent, WORKDIR_PREFIX, [WORKDIR_SUFFIX]):
        shutil.rmtree(path, ignore_errors=True)
    return owned_dir(parent, WORKDIR_PREFIX, WORKDIR_SUFFIX)


def _describe(outcome: Outcome) -> str:
    what = "built" if outcome.full else "rebuilt"
    removed = f", {outcome.removed} removed" if outcome.removed else ""
    return (
        f"{what} {outcome.written} files{removed} ({outcome.articles} articles) "
        f"in {outcome.seconds * 1000:.0f} ms"
    )


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _bind_message(host: str, port: int, exc: OSError, tried: int) -> str:
    if exc.errno == errno.EADDRINUSE:
        more = f" (and the {tried} after it)" if tried else ""
        return f"port {port}{more} is in use on {host}: stop the other server or pick --port"
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"


def serve(
    source: Path,
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    drafts: bool = False,
    open_browser: bool = False,
    report: Report = _silent,
) -> None:
    """Preview until interrupted (Ctrl-C); the default port falls back to the next free one."""
    if not (source / SITE_FILE).is_file():
        raise UsageError(f"{source / SITE_FILE}: not found (is {source} a briefgen site?)")
    if not is_loopback(host):
        report(
            f"warning: listening on {host}: other machines can read this preview (drafts "
            "included with --drafts); use the default 127.0.0.1 unless you mean it"
        )
    fallback = PORT_TRIES if port is None else 0
    with Preview(
        source,
        host=host,
        port=8000 if port is None else port,
        drafts=drafts,
        fallback_ports=fallback,
        report=report,
    ) as preview:
        url = preview.start()
        report(f"serving {url} (Ctrl-C to stop)")
        if open_browser:
            import webbrowser

            webbrowser.open(url)
        # Ctrl-C's KeyboardInterrupt is raised in the main thread, when it next runs: the kernel
        # may hand the signal to any thread, and a main thread asleep in a lock wait would never
        # see it (the preview then ignored Ctrl-C for good). It wakes up to look.
        while True:
            time.sleep(SIGNAL_CHECK)
