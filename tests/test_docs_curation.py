"""docs/curation.md documents every option of the curation commands (docs that cannot drift)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from briefgen.checks import DUPLICATE_THRESHOLD, MIN_WORDS, SHINGLE
from briefgen.cli import _parser

CURATION = (Path(__file__).resolve().parent.parent / "docs" / "curation.md").read_text("utf-8")


def options(command: str) -> list[str]:
    parser = _parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return [
        flag
        for action in sub.choices[command]._actions
        for flag in action.option_strings
        if flag.startswith("--") and flag != "--help"
    ]


@pytest.mark.parametrize("command", ["import", "new", "check"])
def test_every_option_is_documented(command: str) -> None:
    assert f"briefgen {command}" in CURATION
    for flag in options(command):
        assert f"`{flag}" in CURATION, f"{command} {flag} is missing from docs/curation.md"


def test_duplicate_measure_is_documented() -> None:
    assert f"{SHINGLE}-word shingles" in CURATION
    assert f"**{DUPLICATE_THRESHOLD} or more**" in CURATION
    assert f"under {MIN_WORDS} words" in CURATION
