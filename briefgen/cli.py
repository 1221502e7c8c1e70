"""The command line: parse arguments, call one function, print the outcome, pick the exit code."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen import __version__
from briefgen.build import build
from briefgen.errors import BriefgenError, Location, Problem, ProblemsError, UsageError
from briefgen.terminal import Interrupts, TerminalProgress, printable_output

if TYPE_CHECKING:
    from briefgen.checks import CheckReport

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
    printable_output()  # before argparse, whose help and errors are printed too
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
