"""Watching the sources: which edits matter, and one rebuild per burst of them.

An editor's atomic save is three or four events; a ``git checkout`` is hundreds. The
:class:`Debouncer` gathers them until the file system has been quiet for a moment (or a burst
has gone on too long) and hands the rebuild loop one :class:`Change`.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
import time
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

from briefgen.config import SITE_FILE
from briefgen.theme import builtin_theme

_EDITS = frozenset({"created", "modified", "deleted", "moved"})
"""Event types that change files (opening or reading one, as a build does, is not an edit)."""
_SCRATCH_SUFFIXES = (".swp", ".swx", ".swo", ".tmp", "~", ".part", ".crdownload")


class Kind(Enum):
    """How much an edit invalidates."""

    ARTICLE = "article"
    """An article file: re-read it and re-render the pages that show it."""
    FULL = "full"
    """Config, vocabulary or theme: rebuild everything."""


def classify(path: Path, source: Path, themes: tuple[Path, ...]) -> Kind | None:
    """What an event on ``path`` means for a site at ``source`` (None: not ours, or scratch)."""
    name = path.name
    if name.startswith((".", "#")) or name.endswith(_SCRATCH_SUFFIXES):
        return None  # editor scratch files (vim's probe file 4913 just joins the save's burst)
    if path == source / SITE_FILE:
        return Kind.FULL
    content = source / "content"
    if path.is_relative_to(content / "articles"):
        return Kind.ARTICLE if path.suffix in (".md", "") else None
    if path.is_relative_to(content):
        return Kind.FULL if path.suffix in (".yml", ".yaml") else None
    if any(path.is_relative_to(theme) for theme in themes):
        return Kind.FULL
    return None


@dataclass(slots=True)
class Change:
    """What a burst of events asks for."""

    full: bool = False
    articles: set[Path] = field(default_factory=set)


class Debouncer:
    """Collects edits; :meth:`take` returns them once no new one came for ``quiet`` seconds."""

    def __init__(self, quiet: float, longest: float = 2.0) -> None:
        self.quiet = quiet
        self.longest = longest
        self._cond = threading.Condition()
        self._pending: Change | None = None
        self._first = 0.0
        self._last = 0.0
        self._closed = False

    def add(self, kind: Kind, path: Path) -> None:
        """Record one edit."""
        with self._cond:
            now = time.monotonic()
            if self._pending is None:
                self._pending = Change()
                self._first = now
            self._last = now
            if kind is Kind.FULL:
                self._pending.full = True
            else:
                self._pending.articles.add(path)
            self._cond.notify_all()

    def take(self, idle: float | None = None) -> Change | None:
        """Block until a burst has settled and return it.

        Returns None once closed, or when ``idle`` seconds passed without any event.
        """
        deadline = None if idle is None else time.monotonic() + idle
        with self._cond:
            while True:
                if self._closed:
                    return None
                now = time.monotonic()
                if self._pending is None:
                    if deadline is not None and now >= deadline:
                        return None
                    self._cond.wait(None if deadline is None else deadline - now)
                    continue
                due = min(self._last + self.quiet, self._first + self.longest)
                if now >= due:
                    change, self._pending = self._pending, None
                    return change
                self._cond.wait(due - now)

    @property
    def pending(self) -> bool:
        """True when an event came that :meth:`take` has not returned yet."""
        with self._cond:
            return self._pending is not None

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        with self._cond:
            return self._closed

    def close(self) -> None:
        """Wake :meth:`take` for good."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()


class _Handler(FileSystemEventHandler):
    def __init__(self, source: Path, themes: tuple[Path, ...], debouncer: Debouncer) -> None:
        self.source = source
        self.themes = themes
        self.debouncer = debouncer

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _EDITS:
            return
        if event.is_directory and event.event_type == "modified":
            # Says only that an entry changed, and every entry's change comes as its own event
            # (a folder moved in or out, as a "created", "deleted" or "moved" one). Passing it
            # on would make each save list the article files again and lose the edit in place.
            return
        paths = [event.src_path]
        if event.event_type == "moved":
            paths.append(event.dest_path)
        for raw in paths:
            path = Path(os.fsdecode(raw))  # bytes as the file system has them
            kind = classify(path, self.source, self.themes)
            if kind is not None:
                self.debouncer.add(kind, path)


def theme_dirs(source: Path) -> tuple[Path, ...]:
    """Where themes live: the site's ``themes/`` and the built-in theme (when elsewhere)."""
    dirs = [source / "themes"]
    builtin = builtin_theme().resolve()
    if not builtin.is_relative_to(dirs[0]):
        dirs.append(builtin)
    return tuple(dirs)


class Watcher:
    """A watchdog observer on ``site.yml``, ``content/`` and the theme directories."""

    def __init__(self, source: Path, debouncer: Debouncer) -> None:
        self.source = source
        self.themes = theme_dirs(source)
        self.handler = _Handler(source, self.themes, debouncer)
        self.observer: BaseObserver = Observer()
        self.observer.daemon = True
        self.observer.schedule(self.handler, str(source), recursive=False)
        self._watched: dict[Path, tuple[ObservedWatch, tuple[int, int]]] = {}
        """Per directory watched, its watch and the directory's device and inode."""
        self.refresh()
        self.observer.start()

    def refresh(self) -> None:
        """Watch the directories that exist now: a ``themes/`` folder made after starting, or one
        deleted and made again (a watch ends with its directory and never reports again)."""
        for directory in (self.source / "content", *self.themes):
            identity = _identity(directory)
            known = self._watched.get(directory)
            if known is not None and known[1] == identity:
                continue
            if known is not None:
                del self._watched[directory]
                with contextlib.suppress(KeyError):  # watchdog may have dropped it already
                    self.observer.unschedule(known[0])
            if identity is not None:
                watch = self.observer.schedule(self.handler, str(directory), recursive=True)
                self._watched[directory] = (watch, identity)

    def stop(self, timeout: float = 10) -> None:
        """Stop the observer and wait for its threads."""
        self.observer.stop()
        self.observer.join(timeout)


def _identity(directory: Path) -> tuple[int, int] | None:
    """A directory's device and inode (another directory made at the same path has another
    inode), or None when it is not a directory."""
    try:
        info = directory.stat()
    except OSError:
        return None
    return (info.st_dev, info.st_ino) if stat.S_ISDIR(info.st_mode) else None
