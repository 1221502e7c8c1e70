"""The README documents every setting, field and flag: adding one without documenting it fails.

A name counts as documented when it appears as code in README.md: in backticks (`per_page`) or
in a code block (a ``site.yml`` example, a command line).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

from briefgen.cli import _parser
from briefgen.config import SITE_KEYS
from briefgen.content import ARTICLE_FIELDS, OUTLET_FIELDS, TAG_FIELDS
from briefgen.fresh import CACHE_DIR

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_code() -> str:
    """Every inline code span and code block of the README, one per line."""
    tokens = MarkdownIt("commonmark").parse(README.read_text("utf-8"))
    parts: list[str] = []
    for token in tokens:
        if token.type in ("fence", "code_block"):
            parts.append(token.content)
        for child in token.children or ():
            if child.type == "code_inline":
                parts.append(child.content)
    return "\n".join(parts)


def documented(name: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", readme_code()) is not None


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
    assert documented(key), f"site.yml key {key!r} is not in README.md"


@pytest.mark.parametrize("field", ARTICLE_FIELDS)
def test_every_front_matter_field_is_documented(field: str) -> None:
    assert documented(field), f"front-matter field {field!r} is not in README.md"


@pytest.mark.parametrize("field", sorted({*TAG_FIELDS, *OUTLET_FIELDS}))
def test_every_tag_and_outlet_field_is_documented(field: str) -> None:
    assert documented(field), f"tags.yml/outlets.yml field {field!r} is not in README.md"


@pytest.mark.parametrize("name", sorted(set(cli_names(_parser()))))
def test_every_command_and_flag_is_documented(name: str) -> None:
    assert documented(name), f"command-line name {name!r} is not in README.md"


def test_the_ci_workflow_in_the_readme_builds_with_the_parse_cache_kept() -> None:
    # The README's GitHub Actions workflow is copied as it is: it must be valid YAML, and its
    # cache step must keep the directory briefgen reads its parse cache from.
    tokens = MarkdownIt("commonmark").parse(README.read_text("utf-8"))
    [workflow] = [
        yaml.safe_load(t.content) for t in tokens if t.type == "fence" and "runs-on:" in t.content
    ]
    steps = workflow["jobs"]["build"]["steps"]
    [cache] = [s for s in steps if str(s.get("uses", "")).startswith("actions/cache@")]
    assert cache["with"]["path"] == CACHE_DIR
    names = [s.get("name") for s in steps]
    assert names.index(cache["name"]) < names.index("Build the site")
    [build] = [s for s in steps if s.get("name") == "Build the site"]
    assert build["run"].startswith("briefgen build")
