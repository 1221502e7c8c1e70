"""The command line: parse arguments, call one function, print the outcome, pick the exit code."""

from __future__ import annotations

import argparse
import codecs
import contextlib
import io
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, ClassVar, TextIO

from briefgen import __version__
from briefgen.build import build
from briefgen.errors import BriefgenError, Location, Problem, ProblemsError, UsageError

if TYPE_CHECKING:
    from briefgen.checks import CheckReport

INTERRUPTED = 130
"""The exit code after Ctrl-C: 128 + SIGINT, what a shell reports for a process SIGINT ended."""
TERMINATED = 143
"""The exit code after SIGTERM (``timeout``, a cancelled CI job): 128 + SIGTERM."""
AFTER_INTERRUPT: Mapping[str, str] = {"build": "; the previous output is unchanged"}
"""What a command adds to its one "interrupted" line, where it can promise something."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefgen",
        description="Publish a curated, multilingual news-briefing archive as a static site.",
    )
    parser.add_argument("--version", action="version", version=f"briefgen {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each stage's time")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p_build = commands.add_parser("build", help="build the site into its output directory")
    p_build.add_argument(
        "--source", type=Path, default=Path("."), metavar="DIR", help="site root (default: .)"
    )
    p_build.add_argument(
        "--output", type=Path, metavar="DIR", help="output directory (default: site.yml's output)"
    )
    p_build.add_argument(
        "--drafts", action="store_true", help="include articles marked draft: true"
    )
    p_build.add_argument("--no-search", action="store_true", help="skip the search index")
    p_build.add_argument(
        "--force",
        action="store_true",
        help="build even when nothing changed since the last build, every search bundle too",
    )
    p_build.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="read and render with N processes (default: one per core; one for small sites)",
    )

    p_serve = commands.add_parser(
        "serve", help="preview the site: build, serve, rebuild on every edit, reload open pages"
    )
    p_serve.add_argument(
        "--source", type=Path, default=Path("."), metavar="DIR", help="site root (default: .)"
    )
    p_serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    p_serve.add_argument(
        "--port",
        type=int,
        metavar="PORT",
        help="port to listen on (default: 8000, or the next free one)",
    )
    p_serve.add_argument(
        "--drafts", action="store_true", help="include articles marked draft: true"
    )
    p_serve.add_argument("--open", action="store_true", help="open the site in a web browser")

    p_check = commands.add_parser("check", help="validate the archive without writing anything")
    p_check.add_argument(
        "--source", type=Path, default=Path("."), metavar="DIR", help="site root (default: .)"
    )
    p_check.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="text (path:line: message), json (a list) or github (Actions annotations)",
    )
    p_check.add_argument("--strict", action="store_true", help="warnings fail the check too")
    p_check.add_argument(
        "--missing-translations",
        action="store_true",
        help="warn about every article without a briefing in a reader language other than its own",
    )
    p_check.add_argument(
        "--missing-added",
        action="store_true",
        help="warn about every article without 'added' (the day it was added to the archive)",
    )
    p_check.add_argument(
        "--links",
        action="store_true",
        help="also fetch every source_url and archived_url and report dead or moved ones",
    )
    p_check.add_argument(
        "--jobs",
        type=int,
        default=8,
        metavar="N",
        help="--links: addresses checked at once (default: 8; 2 per host)",
    )
    p_check.add_argument(
        "--ask-archive",
        nargs="?",
        const="",
        metavar="API",
        help="--links: ask the Wayback Machine (or this availability API) for a copy of each "
        "dead source",
    )
    _network_options(p_check)

    p_import = commands.add_parser(
        "import", help="turn raw scraped copies, saved web pages and URLs into articles"
    )
    p_import.add_argument(
        "files",
        nargs="*",
        metavar="INPUT",
        help="raw text files, saved pages (.html) or http(s) URLs",
    )
    p_import.add_argument(
        "--from-list",
        type=Path,
        metavar="FILE",
        help="also import the inputs FILE names, one per line (# starts a comment)",
    )
    _network_options(p_import)
    p_import.add_argument(
        "--source", type=Path, default=Path("."), metavar="DIR", help="site root (default: .)"
    )
    p_import.add_argument("--outlet", metavar="KEY", help="outlet key from content/outlets.yml")
    p_import.add_argument(
        "--language", metavar="CODE", help="the text's language (default: identified)"
    )
    p_import.add_argument(
        "--tags", default="", metavar="a,b", help="tags to add to the suggested ones"
    )
    p_import.add_argument("--encoding", metavar="NAME", help="decode the files with this encoding")
    p_import.add_argument(
        "--dry-run", action="store_true", help="report what would be written; write nothing"
    )
    p_import.add_argument(
        "--force", action="store_true", help="overwrite an earlier import of the same file"
    )

    p_new = commands.add_parser("new", help="start a new article with every required field")
    p_new.add_argument("--title", required=True, help="the article's title")
    p_new.add_argument("--language", required=True, metavar="CODE", help="a site language")
    p_new.add_argument("--outlet", metavar="KEY", help="outlet key from content/outlets.yml")
    p_new.add_argument("--slug", help="the file name and URL segment (default: from the title)")
    p_new.add_argument(
        "--source", type=Path, default=Path("."), metavar="DIR", help="site root (default: .)"
    )
    return parser


def _network_options(parser: argparse.ArgumentParser) -> None:
    """The options of every command that fetches (``import`` of URLs, ``check --links``)."""
    parser.add_argument(
        "--allow-local",
        action="store_true",
        help="allow private, loopback and link-local addresses (a local test server)",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=20.0,
        metavar="SECONDS",
        help="give up on a server after this long (default: 20)",
    )


def _seconds(text: str) -> float:
    """A positive number of seconds (``--timeout``)."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


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


def _printable_output() -> None:
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


def _serve(args: argparse.Namespace) -> None:
    """Run the preview until Ctrl-C (or SIGTERM), printing what it does."""
    from briefgen.serve import serve

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        serve(
            args.source,
            host=args.host,
            port=args.port,
            drafts=args.drafts,
            open_browser=args.open,
            report=lambda text: print(text, flush=True),
        )
    except KeyboardInterrupt:
        print("stopped", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run briefgen; returns 0 on success, 1 for archive errors, 2 for usage errors, 130 when
    interrupted (Ctrl-C), 143 when terminated (SIGTERM), 141 when the reader of the output went
    away."""
    _printable_output()  # before argparse, whose help and errors are printed too
    args = _parser().parse_args(argv)
    logger = logging.getLogger("briefgen")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    # The preview handles Ctrl-C itself: it is how a curator stops it.
    with Interrupts(enabled=args.command != "serve") as interrupts:
        try:
            return _run(args, interrupts)
        except BrokenPipeError:
            return _closed_pipe()
        except KeyboardInterrupt:
            after = AFTER_INTERRUPT.get(args.command, "")
            stopped = "terminated" if interrupts.signal == signal.SIGTERM else "interrupted"
            print(f"briefgen: {stopped}{after}", file=sys.stderr)
            return interrupts.exit_code


def _closed_pipe() -> int:
    """The reader of our output went away (``briefgen check --format json | head``): say
    nothing more, and exit as a process that SIGPIPE ended would (the shell's 141)."""
    # Python flushes stdout once more at exit; it would raise again on the closed pipe.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 128 + signal.SIGPIPE


def _run(args: argparse.Namespace, interrupts: Interrupts) -> int:
    """Run the command ``args`` name; its exit code."""
    try:
        if args.command == "build":
            shown = sys.stderr.isatty() and not args.verbose
            progress = TerminalProgress(sys.stderr) if shown else None
            try:
                report = build(
                    args.source,
                    args.output,
                    drafts=args.drafts,
                    search=not args.no_search,
                    force=args.force,
                    progress=interrupts.watch(progress),
                    jobs=args.jobs,
                )
            finally:
                if progress:
                    progress.close()
            for warning in report.warnings:
                print(warning.render(), file=sys.stderr)
            if report.fresh:
                print(
                    f"up to date: nothing changed since the last build ({report.pages} files, "
                    f"{report.articles} articles) in {report.seconds:.2f} s → {report.output}"
                )
            else:
                print(
                    f"built {report.pages} files ({report.articles} articles, "
                    f"{report.unchanged} unchanged) in {report.seconds:.2f} s → {report.output}"
                )
        elif args.command == "serve":
            _serve(args)
        elif args.command == "check":
            # Imported where used: the importer's language identification loads numpy, and a
            # no-op build should not wait for it.
            from briefgen.checks import check_site, render, summary

            checked = check_site(
                args.source,
                missing_translations=args.missing_translations,
                missing_added=args.missing_added,
            )
            if args.links:
                checked = _check_links(args, checked)
            failed = checked.failed(strict=args.strict)
            output = render(checked, args.format)
            # Text findings go to stderr like every error; json and annotations are the output.
            if output:
                print(output, file=sys.stderr if args.format == "text" else sys.stdout)
            quiet = failed or args.format != "text"
            print(summary(checked, strict=args.strict), file=sys.stderr if quiet else sys.stdout)
            _undecodable_names(checked.problems)
            return 1 if failed else 0
        elif args.command == "import":
            return _import(args)
        elif args.command == "new":
            from briefgen.importer import new_article

            created = new_article(
                args.source,
                title=args.title,
                language=args.language,
                outlet=args.outlet,
                slug=args.slug,
            )
            print(f"wrote {Location(created.target).render()}")
            for todo in created.todo:
                print(f"  to do: {todo}")
    except ProblemsError as exc:
        print(exc.render(), file=sys.stderr)
        print(f"briefgen: {exc}; nothing was written", file=sys.stderr)
        _undecodable_names(exc.problems)
        return exc.exit_code
    except BriefgenError as exc:
        print(f"briefgen: error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


def _import(args: argparse.Namespace) -> int:
    """``briefgen import``: every input planned, the good ones written, each failure named."""
    from briefgen.fetch import Rules
    from briefgen.importer import Failed, ImportOptions, import_inputs, read_list, render_import

    # trafilatura and htmldate log what they discard: the report says it for every page.
    for library in ("trafilatura", "htmldate", "courlan"):
        logging.getLogger(library).setLevel(logging.DEBUG if args.verbose else logging.ERROR)
    inputs = [str(each) for each in args.files]
    if args.from_list is not None:
        inputs += read_list(args.from_list)
    if not inputs:
        raise UsageError("name at least one input (a file or URL), or --from-list FILE")
    options = ImportOptions(
        outlet=args.outlet,
        language=args.language,
        tags=tuple(t.strip() for t in args.tags.split(",") if t.strip()),
        encoding=args.encoding,
        dry_run=args.dry_run,
        force=args.force,
    )
    shown = sys.stdout.isatty()

    def progress(number: int, total: int, given: str, result: object) -> None:
        state = f"failed: {result.message}" if isinstance(result, Failed) else "ok"
        print(f"[{number}/{total}] {given}: {state}", file=sys.stderr, flush=True)

    outcome = import_inputs(
        args.source,
        inputs,
        options,
        rules=Rules(allow_local=args.allow_local, timeout=args.timeout),
        progress=progress if shown else None,
    )
    if outcome.imported:
        print("\n\n".join(render_import(item) for item in outcome.imported))
    for failure in outcome.failed:
        print(failure.render(), file=sys.stderr)
    if outcome.failed:
        done = len(outcome.imported)
        verb = "planned" if options.dry_run else "imported"
        print(
            f"briefgen: {len(outcome.failed)} of {done + len(outcome.failed)} inputs cannot be "
            f"imported; the other {done} {'was' if done == 1 else 'were'} {verb}",
            file=sys.stderr,
        )
        return 1
    if args.from_list is not None:
        verb = "planned" if options.dry_run else "imported"
        print(f"{verb} {len(outcome.imported)} of {len(inputs)} inputs", file=sys.stderr)
    return 0


def _check_links(args: argparse.Namespace, checked: CheckReport) -> CheckReport:
    """``check --links``: the archive's findings and those of its sources over the network."""
    from briefgen.fetch import Rules
    from briefgen.linkcheck import WAYBACK_API, check_sources

    rules = Rules(allow_local=args.allow_local, timeout=args.timeout)
    api = None if args.ask_archive is None else args.ask_archive or WAYBACK_API
    return check_sources(args.source, checked, rules, jobs=args.jobs, archive_api=api)


def _undecodable_names(problems: Iterable[Problem]) -> None:
    """Say why, when a problem is about a file whose name this Python could not decode: in the
    C locale with UTF-8 mode turned off (``PYTHONUTF8=0``) file names are ASCII, and a name in
    Arabic is surrogate escapes, neither a slug nor a name briefgen could write in the site."""
    names = (problem.location.path.name for problem in problems)
    if any("\udc80" <= char <= "\udcff" for name in names for char in name):
        print(
            f"briefgen: this Python reads file names as {sys.getfilesystemencoding()} (the "
            "locale's encoding), so a name in another script is not text: run briefgen with "
            "PYTHONUTF8=1, or in a UTF-8 locale (LC_ALL=C.UTF-8)",
            file=sys.stderr,
        )
