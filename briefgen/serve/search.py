"""Search in the preview: the build's search stage, run so that the preview can stop it.

:class:`PagefindSearch` indexes a built directory with the pipeline's own
:class:`~briefgen.search.index.Indexing`, in a scratch directory beside it whose bundles are
swapped in whole once Pagefind succeeded; the preview ends a run under way when it closes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from briefgen.errors import BuildError
from briefgen.model import Site
from briefgen.search import BUNDLE_DIR
from briefgen.search.index import Indexing, RecordFiles

SearchHook = Callable[[Site, Path], Sequence[str]]
"""Indexes a built site directory for search; returns the paths it wrote under it."""


def no_search(site: Site, root: Path) -> Sequence[str]:
    """Indexing skipped (``serve`` without search, and tests of the rebuild loop)."""
    return ()


def pagefind_search(site: Site, root: Path) -> Sequence[str]:
    """The pipeline's own search stage, so search works in the preview as in the build."""
    return PagefindSearch()(site, root)


class PagefindSearch:
    """:func:`pagefind_search` that :meth:`cancel` can end from another thread: the preview
    closing must not wait for Pagefind (half a minute for a 10,000-article archive) nor leave
    it writing into the directory it removes.

    ``records`` (the refreshes while the curator edits): Pagefind at the lowest priority, and
    the record files kept there between refreshes, so that one edit rewrites one of them.

    Pagefind never runs in ``root`` itself: it adds its output to whatever its output directory
    holds (every file is named by a hash of its content), so a refresh into the served bundle
    kept the first build's records beside the new ones and failed with "indexed 2 of the 1".
    Each run writes into an empty directory beside ``root``, swapped in when it succeeded.
    """

    def __init__(self, records: Path | None = None) -> None:
        self._files = None if records is None else RecordFiles(records)
        self._lock = threading.Lock()
        self._running: Indexing | None = None
        self._cancelled = False

    def __call__(self, site: Site, root: Path) -> Sequence[str]:
        background = self._files is not None
        scratch = Path(tempfile.mkdtemp(prefix=f".{root.name}.", suffix=".search", dir=root.parent))
        try:
            with Indexing(site, scratch, background=background, records=self._files) as indexing:
                with self._lock:
                    if self._cancelled:
                        raise BuildError("indexing stopped")
                    self._running = indexing
                try:
                    indexing.start()
                    written = indexing.finish()
                finally:
                    with self._lock:
                        self._running = None
            _swap_bundles(scratch / BUNDLE_DIR, root / BUNDLE_DIR)
            return written
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def cancel(self) -> None:
        """Kill the Pagefind run under way, if any, and start none after it (from any thread)."""
        with self._lock:
            self._cancelled = True
            if self._running is not None:
                self._running.stop()


def _swap_bundles(new: Path, served: Path) -> None:
    """Put the bundles in ``new`` in place of those in ``served`` and remove the bundles of
    languages that no longer have articles; on a failed swap the served bundle is restored.

    Each bundle is swapped whole (two renames), so its index, records and filter table are
    always of one run; the old one goes into ``new``, which the caller removes.
    """
    fresh = sorted(p.name for p in new.iterdir()) if new.is_dir() else []
    try:
        if fresh:
            served.mkdir(exist_ok=True)  # not its parent: a build deleted meanwhile stays deleted
        for lang in fresh:
            target, old = served / lang, new / f".{lang}.old"
            if target.exists():
                os.rename(target, old)
            try:
                os.rename(new / lang, target)
            except OSError:
                if old.exists():
                    os.rename(old, target)
                raise
        for stale in served.iterdir() if served.is_dir() else ():
            if stale.name not in fresh:
                shutil.rmtree(stale)
    except OSError as exc:
        raise BuildError(f"could not put the new search index in place in {served}: {exc}") from exc
