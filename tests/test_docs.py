"""The manual documents every setting, field and flag: adding one without documenting it fails.

A name counts as documented when it appears as code on its page of ``docs/``: in backticks
(`per_page`) or in a code block (a ``site.yml`` example, a command line). ``site.yml`` keys
belong in docs/configuration.md, front-matter and vocabulary fields in docs/content.md, commands
and flags in docs/commands.md, the CI workflow in docs/ci.md.

The README stays short (the manual is in ``docs/``), keeps the two quick-start commands CI runs,
and every relative link of the README and the manual leads to a file and heading that exist.
"""

from __future__ import annotations

import argparse
import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from briefgen.cli import _parser
from briefgen.config import SITE_KEYS
from briefgen.content import ARTICLE_FIELDS, OUTLET_FIELDS, TAG_FIELDS
from briefgen.fresh import CACHE_DIR

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
DOCS = REPO / "docs"
README_MAX_LINES = 250
INSTALL_AND_BUILD = (
    "python3 -m venv .venv && . .venv/bin/activate && pip install -e . && briefgen build"
)


def tokens(path: Path) -> list[Token]:
    return MarkdownIt("commonmark").parse(path.read_text("utf-8"))


def code_of(page: str) -> str:
    """Every inline code span and code block of ``docs/<page>``, one per line."""
    parts: list[str] = []
    for token in tokens(DOCS / page):
        if token.type in ("fence", "code_block"):
            parts.append(token.content)
        for child in token.children or ():
            if child.type == "code_inline":
                parts.append(child.content)
    return "\n".join(parts)


def documented(name: str, page: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", code_of(page)) is not None


def cli_names(parser: argparse.ArgumentParser) -> Iterator[str]:
    """Every subcommand and long option of ``parser``, recursively (help excluded)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield name
                yield from cli_names(sub)
        elif not isinstance(action, argparse._HelpAction):
            yield from (flag for flag in action.option_strings if flag.startswith("--"))


def test_the_parser_walk_finds_the_known_flags() -> None:
    names = set(cli_names(_parser()))
    assert {"build", "check", "--source", "--output", "--drafts", "--verbose"} <= names


@pytest.mark.parametrize("key", SITE_KEYS)
def test_every_site_yml_key_is_documented(key: str) -> None:
    page = "configuration.md"
    assert documented(key, page), f"site.yml key {key!r} is not in docs/{page}"


@pytest.mark.parametrize("field", ARTICLE_FIELDS)
def test_every_front_matter_field_is_documented(field: str) -> None:
    page = "content.md"
    assert documented(field, page), f"front-matter field {field!r} is not in docs/{page}"


@pytest.mark.parametrize("field", sorted({*TAG_FIELDS, *OUTLET_FIELDS}))
def test_every_tag_and_outlet_field_is_documented(field: str) -> None:
    page = "content.md"
    assert documented(field, page), f"tags.yml/outlets.yml field {field!r} is not in docs/{page}"


@pytest.mark.parametrize("name", sorted(set(cli_names(_parser()))))
def test_every_command_and_flag_is_documented(name: str) -> None:
    page = "commands.md"
    assert documented(name, page), f"command-line name {name!r} is not in docs/{page}"


def test_the_ci_workflow_in_the_docs_builds_with_the_parse_cache_kept() -> None:
    # The documented GitHub Actions workflow is copied as it is: it must be valid YAML, and its
    # cache step must keep the directory briefgen reads its parse cache from.
    [workflow] = [
        yaml.safe_load(t.content)
        for t in tokens(DOCS / "ci.md")
        if t.type == "fence" and "runs-on:" in t.content
    ]
    steps = workflow["jobs"]["build"]["steps"]
    [cache] = [s for s in steps if str(s.get("uses", "")).startswith("actions/cache@")]
    assert cache["with"]["path"] == CACHE_DIR
    names = [s.get("name") for s in steps]
    assert names.index(cache["name"]) < names.index("Build the site")
    [build] = [s for s in steps if s.get("name") == "Build the site"]
    assert build["run"].startswith("briefgen build")


# --- the README and the links between pages ------------------------------------------------


def test_the_readme_stays_short() -> None:
    lines = len(README.read_text("utf-8").splitlines())
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines: move detail into docs/"


def readme_commands() -> set[str]:
    """The lines of the README's code blocks."""
    return {
        line.strip()
        for token in tokens(README)
        if token.type in ("fence", "code_block")
        for line in token.content.splitlines()
    }


def test_the_readme_keeps_the_quick_start_commands() -> None:
    # .ci/run runs the README's test command exactly; both commands stay one line as written.
    ci = (REPO / ".ci" / "run").read_text("utf-8").splitlines()
    test_command = ci[ci.index("# The README's test command, exactly:") + 1]
    assert test_command.startswith("python3 -m venv .venv")
    commands = readme_commands()
    assert INSTALL_AND_BUILD in commands
    assert test_command in commands


def markdown_files() -> list[Path]:
    return [README, REPO / "benchmarks" / "RESULTS.md", *sorted(DOCS.rglob("*.md"))]


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    parsed = tokens(path)
    for opening, inline in itertools.pairwise(parsed):
        if opening.type != "heading_open":
            continue
        words = [c.content for c in inline.children or () if c.type in ("text", "code_inline")]
        text = "".join(words)
        base = slug(text)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(path: Path) -> Iterator[str]:
    """Every link and image target of a Markdown file."""
    for token in tokens(path):
        for child in token.children or ():
            if child.type == "link_open":
                yield str(child.attrs["href"])
            elif child.type == "image":
                yield str(child.attrs["src"])


def local_links(path: Path) -> Iterator[tuple[Path, str]]:
    """(target file, fragment) of every relative link of ``path``."""
    for target in links(path):
        parts = urlsplit(target)
        if parts.scheme or parts.netloc:
            continue
        file = (path.parent / unquote(parts.path)).resolve() if parts.path else path
        yield file, unquote(parts.fragment)


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_resolves(path: Path) -> None:
    assert path.is_file(), f"{path.relative_to(REPO)} is missing"
    broken = []
    for file, fragment in local_links(path):
        if not file.exists():
            broken.append(f"{file.relative_to(REPO)} does not exist")
        elif fragment and file.suffix == ".md" and fragment not in anchors(file):
            broken.append(f"{file.relative_to(REPO)} has no heading #{fragment}")
    assert broken == []


def test_the_index_leads_to_every_page_of_the_manual() -> None:
    pages = set(DOCS.glob("*.md")) - {DOCS / "index.md"}
    assert {DOCS / "configuration.md", DOCS / "architecture.md"} <= pages
    from_index = {file for file, _ in local_links(DOCS / "index.md")}
    unlisted = sorted(p.name for p in pages - from_index)
    assert unlisted == [], f"pages docs/index.md does not link: {unlisted}"
    assert DOCS / "index.md" in {file for file, _ in local_links(README)}


def test_no_module_is_over_500_lines() -> None:
    """docs/architecture.md: a module a newcomer can read in one sitting; split it when it grows."""
    package = Path(__file__).resolve().parent.parent / "briefgen"
    sizes = {
        str(path.relative_to(package)): len(path.read_text("utf-8").splitlines())
        for path in package.rglob("*.py")
    }
    assert {name: n for name, n in sizes.items() if n > 500} == {}
