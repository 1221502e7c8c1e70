"""briefgen.text: which bidirectional controls may reach the output, in one place.

Each case: a text, then the problems ``check`` reports in it (index: message). Removing exactly
those characters (what ``briefgen import`` does) must leave a text with none.
"""

from __future__ import annotations

import pytest

from briefgen.importer.clean import strip_bidi
from briefgen.text import bidi_lines, bidi_problems, caseless, nfc

LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
NOT_CLOSED = "is not closed by U+2069 POP DIRECTIONAL ISOLATE"
STRAY = "U+2069 POP DIRECTIONAL ISOLATE closes no isolate"

CASES = [
    ("plain text", []),
    ("marks stay: \u200e\u200f\u061c", []),  # LRM, RLM, ALM: not controls that reorder
    (f"{RLI}nested {LRI}isolates{PDI} close{PDI}", []),
    (f"{FSI}a{PDI} {LRI}b{PDI}", []),
    ("a\u202eb", ["1: bidirectional control U+202E RIGHT-TO-LEFT OVERRIDE is not allowed"]),
    ("\u202a\u202b\u202c\u202d", [f"{i}: bidirectional control" for i in range(4)]),
    (f"{RLI}open", [f"0: U+2067 RIGHT-TO-LEFT ISOLATE {NOT_CLOSED}"]),
    (f"closed{PDI}", [f"6: {STRAY}"]),
    (f"{PDI}{LRI}", [f"0: {STRAY}", f"1: U+2066 LEFT-TO-RIGHT ISOLATE {NOT_CLOSED}"]),
    (f"{LRI}{LRI}x{PDI}", [f"0: U+2066 LEFT-TO-RIGHT ISOLATE {NOT_CLOSED}"]),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_bidi_problems(text: str, expected: list[str]) -> None:
    found = [f"{p.index}: {p.message}" for p in bidi_problems(text)]
    assert len(found) == len(expected)
    assert all(f.startswith(e) for f, e in zip(found, expected, strict=True)), found


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_stripping_what_check_refuses_leaves_a_text_check_accepts(
    text: str, expected: list[str]
) -> None:
    [kept], removed = strip_bidi([text])
    assert len(removed) == len(expected)
    assert not list(bidi_problems(kept))
    assert (kept == text) == (not expected)


def test_isolates_are_balanced_line_by_line_and_references_count() -> None:
    text = f"one {LRI}open\nclosed{PDI} two\n&#x202E;&#10;"
    assert [(n, p.message) for n, p in bidi_lines(text, 5)] == [
        (5, f"U+2066 LEFT-TO-RIGHT ISOLATE {NOT_CLOSED}"),
        (6, STRAY),
    ]
    assert [n for n, _ in bidi_lines(text, 5, references=True)] == [5, 6, 7]


def test_normal_forms() -> None:
    assert nfc("caffe\u0300") == "caff\u00e8"
    assert caseless("CAFFE\u0300") == caseless("caff\u00e8")
