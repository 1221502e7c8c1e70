"""The command line: parse arguments, call one function, print the outcome, pick the exit code."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from briefgen import __version__
from briefgen.build import build, check
from briefgen.errors import BriefgenError, ProblemsError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefgen",
        description="Publish a curated, multilingual news-briefing archive as a static site.",
    )
    parser.add_argument("--version", action="version", version=f"briefgen {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each stage's time")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p_build = commands.add_parser("build", help="build the site into its output directory")
    p_build.add_argument("--source", type=Path, default=Path("."), metavar="DIR", help="site root (default: .)")
    p_build.add_argument("--output", type=Path, metavar="DIR", help="output directory (default: site.yml's output)")
    p_build.add_argument("--drafts", action="store_true", help="include articles marked draft: true")
    p_build.add_argument("--no-search", action="store_true", help="skip the search index")

    p_check = commands.add_parser("check", help="validate the archive without writing anything")
    p_check.add_argument("--source", type=Path, default=Path("."), metavar="DIR", help="site root (default: .)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run briefgen; returns 0 on success, 1 for archive errors, 2 for usage errors."""
    args = _parser().parse_args(argv)
    logger = logging.getLogger("briefgen")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    try:
        if args.command == "build":
            report = build(args.source, args.output, drafts=args.drafts, search=not args.no_search)
            for warning in report.warnings:
                print(warning.render(), file=sys.stderr)
            print(
                f"built {report.pages} files ({report.articles} articles, "
                f"{report.unchanged} unchanged) in {report.seconds:.2f} s → {report.output}"
            )
        elif args.command == "check":
            loaded = check(args.source)
            for warning in loaded.warnings:
                print(warning.render(), file=sys.stderr)
            print(f"ok: {len(loaded.site.articles)} articles, no errors")
    except ProblemsError as exc:
        print(exc.render(), file=sys.stderr)
        print(f"briefgen: {exc}; nothing was written", file=sys.stderr)
        return exc.exit_code
    except BriefgenError as exc:
        print(f"briefgen: error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0
