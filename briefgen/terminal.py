"""The terminal around a command: a progress line, Ctrl-C and SIGTERM, output that cannot fail
to encode. Only :mod:`briefgen.cli` uses it."""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Collection, Mapping
from types import FrameType
from typing import Any, ClassVar, TextIO

INTERRUPTED = 130
"""The exit code after Ctrl-C: 128 + SIGINT, what a shell reports for a process SIGINT ended."""
TERMINATED = 143
"""The exit code after SIGTERM (``timeout``, a cancelled CI job): 128 + SIGTERM."""


class TerminalProgress:
    """One line on a terminal, redrawn at most ten times a second: the stage, files, seconds.

    Only where someone watches: a pipe or a CI log gets the plain summary line alone.
    """

    STAGES: ClassVar[Mapping[str, str]] = {
        "content": "reading articles",
        "render": "rendering",
        "index": "indexing for search",
        "swap": "swapping in",
    }

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self.shown = 0.0
        self.stage = ""

    def __call__(self, stage: str, count: int) -> None:
        now = time.monotonic()
        if stage == self.stage and now - self.shown < 0.1:
            return
        self.stage, self.shown = stage, now
        files = f" {count:,} files" if count else ""
        text = f"{self.STAGES.get(stage, stage)}…{files} ({now - self.started:.1f} s)"
        self.stream.write(f"\r\x1b[K{text}")
        self.stream.flush()

    def close(self) -> None:
        """Erase the line, so the summary stands alone."""
        if self.stage:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


_THREAD_SIGNALS = hasattr(signal, "pthread_kill")  # POSIX


class Interrupts:
    """How Ctrl-C and SIGTERM stop a command (use as a context manager around it).

    The first Ctrl-C raises KeyboardInterrupt, so every stage cleans up on its way out (reading
    and rendering processes ended, Pagefind killed, the staging directory removed); later ones
    are ignored, so that this cleanup is not cut short. Once a build has begun swapping its
    output in (:meth:`watch` sees the ``swap`` stage) Ctrl-C is ignored and the build finishes:
    stopping between the two renames would leave neither the previous output nor the new one.

    SIGTERM (``timeout``, a cancelled CI job, ``kill``) is sent to briefgen alone, not to its
    processes as a terminal's Ctrl-C is, and is handled the same way: briefgen ends them, with
    SIGTERM. It is turned into a Ctrl-C of the main thread, so that it waits where Ctrl-C is
    held back: while processes are forked (one not yet recorded, or a pool of readers still
    being made, would be left running). A process forked from this one (a reader, a rendering
    process) gets back SIGTERM's default action as it starts, which is how briefgen ends it
    (:class:`_Forking`).

    Only the main thread can set a handler, and only Python's own is replaced (the default
    one for SIGTERM): a shell starts a background job with Ctrl-C ignored, and it stays so.
    After an interrupt both stay ignored while the command exits (a second SIGTERM after the
    line was printed killed it with -15 instead of 143); after a command that ran to its end,
    each gets its handler back.
    """

    SIGNALS: ClassVar[Mapping[signal.Signals, object]] = {
        signal.SIGINT: signal.default_int_handler,
        signal.SIGTERM: signal.SIG_DFL,
    }
    """The signals handled, each with the handler it replaces (no other is replaced)."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.stopping = False
        """Ctrl-C or SIGTERM came: the command is unwinding."""
        self.signal: int | None = None
        """The signal that stopped it."""
        self._terminated = False
        """SIGTERM came, and the Ctrl-C it was turned into is on its way."""
        self.swapping = False
        """The build is swapping its output in: too late to stop."""
        self._previous: dict[int, Callable[[int, FrameType | None], Any] | int | None] = {}
        self._pid = os.getpid()

    def __enter__(self) -> Interrupts:
        if self.enabled and threading.current_thread() is threading.main_thread():
            for signum, replaced in self.SIGNALS.items():
                if signal.getsignal(signum) is replaced:
                    self._previous[signum] = signal.signal(signum, self._received)
        return self

    def __exit__(self, *exc: object) -> None:
        # Once interrupted the command only exits: Ctrl-C or SIGTERM sent again must not turn
        # that into a traceback or a death by the signal (exit -15, not 143) after its line
        # was printed. Nothing is started after that, so nothing inherits the ignored signals.
        for signum, previous in self._previous.items():
            signal.signal(signum, signal.SIG_IGN if self.stopping else previous)
        self._previous.clear()

    @property
    def exit_code(self) -> int:
        """The exit status of a command the signal stopped: 128 + its number."""
        return TERMINATED if self.signal == signal.SIGTERM else INTERRUPTED

    def _received(self, signum: int, frame: FrameType | None) -> None:
        if os.getpid() != self._pid:  # a forked process that kept the handler: as by default
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        if self.stopping or self.swapping:
            return
        if signum == signal.SIGTERM and signal.SIGINT in self._previous and _THREAD_SIGNALS:
            self._terminated = True
            # Python runs handlers in the main thread: this Ctrl-C is that thread's own, and
            # waits while it holds Ctrl-C back.
            signal.pthread_kill(threading.get_ident(), signal.SIGINT)
            return
        self.stopping = True
        self.signal = signal.SIGTERM if self._terminated else signum
        raise KeyboardInterrupt

    def watch(self, progress: Callable[[str, int], None] | None) -> Callable[[str, int], None]:
        """``progress`` (if any), told each stage, noting when the swap begins."""

        def told(stage: str, count: int) -> None:
            if stage == "swap":
                self.swapping = True
            if progress is not None:
                progress(stage, count)

        return told


class _Forking(threading.local):
    """A process forked while :class:`Interrupts` handles SIGTERM starts with SIGTERM's default
    action, so that briefgen (multiprocessing's ``terminate``) can end it. It would inherit the
    handler, which runs only between two steps of Python: one that came as the process began
    to wait on a lock would wait with it, and briefgen for it, forever. SIGTERM is blocked in
    the forking thread until the child has the default action: one that came before would be
    lost (Python forgets the signals its handlers had not run before a fork). The parent gets
    a SIGTERM that came meanwhile as the fork returns."""

    blocked: Collection[int] | None = None
    """The forking thread's signal mask before the fork, while SIGTERM is held back."""

    def before(self) -> None:
        handler = signal.getsignal(signal.SIGTERM)
        if getattr(handler, "__func__", None) is Interrupts._received:
            self.blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})

    def in_parent(self) -> None:
        self._restore()

    def in_child(self) -> None:
        if self.blocked is not None:
            with contextlib.suppress(ValueError):  # not the main thread: the handler stays
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
        self._restore()  # a SIGTERM that came meanwhile ends this process now

    def _restore(self) -> None:
        if self.blocked is not None and signal.SIGTERM not in self.blocked:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
        self.blocked = None


if hasattr(os, "register_at_fork"):  # not on Windows, which does not fork
    _forking = _Forking()
    os.register_at_fork(
        before=_forking.before,
        after_in_parent=_forking.in_parent,
        after_in_child=_forking.in_child,
    )


def _escape(error: UnicodeError) -> tuple[bytes, int]:
    """An encoding error handler that cannot fail: a character made by ``surrogateescape`` (a
    byte of a file name the locale could not decode) becomes that byte again, as Python's own
    handler would write it; any other becomes an escape (``\\u2192`` for "→")."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    out = bytearray()
    for char in error.object[error.start : error.end]:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:
            out.append(code - 0xDC00)
        else:
            out += char.encode("ascii", "backslashreplace")
    return bytes(out), error.end


ESCAPE = "briefgen.escape"
codecs.register_error(ESCAPE, _escape)


def printable_output() -> None:
    """Make stdout and stderr escape what their encoding lacks instead of failing on it.

    A terminal in an ASCII locale (``LC_ALL=C``) has no "→" for the summary nor Arabic for a
    message, and a build that succeeded must not end in a UnicodeEncodeError. ``strict`` and
    ``surrogateescape`` fail on those; stderr's ``backslashreplace`` is replaced too, so that a
    file name's own bytes reach it. A handler asked for in ``PYTHONIOENCODING`` (``replace``)
    is kept. The streams change in place, so the logging handler on stderr is covered too.
    """
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors in (
            "strict",
            "surrogateescape",
            "backslashreplace",
        ):
            stream.reconfigure(errors=ESCAPE)
