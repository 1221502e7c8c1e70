"""docs/preview.md documents every option of ``briefgen serve`` (docs that cannot drift)."""

from __future__ import annotations

import argparse
from pathlib import Path

from briefgen.cli import _parser

PREVIEW = Path(__file__).resolve().parent.parent / "docs" / "preview.md"


def test_every_serve_option_is_documented() -> None:
    commands = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    serve = commands.choices["serve"]
    options = [o for action in serve._actions for o in action.option_strings if o.startswith("--")]
    assert "--port" in options
    text = PREVIEW.read_text("utf-8")
    missing = [o for o in options if o != "--help" and f"`{o}" not in text]
    assert missing == []
