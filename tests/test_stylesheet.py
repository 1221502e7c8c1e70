"""The theme's CSS uses logical properties only, so one stylesheet serves RTL and LTR.

``margin-inline-start`` is the start of the line in either direction; ``margin-left`` is the start
in Italian and the end in Arabic. The checker below is tested on examples first, then run over
every stylesheet of the default theme.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

THEME = Path(__file__).resolve().parent.parent / "themes" / "default"

PHYSICAL_PROPERTY = re.compile(
    r"^(?:"
    r"(?:margin|padding|border|scroll-margin|scroll-padding)-(?:top|right|bottom|left)(?:-\w+)?"
    r"|border-(?:top|bottom)-(?:left|right)-radius"
    r"|top|right|bottom|left"
    r"|(?:min-|max-)?(?:width|height)"
    r"|overflow-[xy]|overscroll-behavior-[xy]"
    r")$"
)
"""Properties tied to the screen's sides or axes; each has a logical twin (``inset-inline-start``,
``inline-size``, ``border-start-end-radius``, ``overflow-inline``...)."""

PHYSICAL_VALUE = {
    "float": {"left", "right"},
    "clear": {"left", "right"},
    "text-align": {"left", "right"},
    "text-align-last": {"left", "right"},
    "caption-side": {"left", "right"},
    "resize": {"horizontal", "vertical"},
}
"""Properties whose logical form is a value: ``float: inline-start``, ``text-align: end``..."""


def declarations(css: str) -> list[tuple[int, str, str]]:
    """(line, property, value) of every declaration; at-rule preludes (``@media (min-width…)``),
    selectors and comments are not declarations."""
    found: list[tuple[int, str, str]] = []
    text = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group()), css, flags=re.S)
    for block in re.finditer(r"\{([^{}]*)\}", text):
        body = block.group(1)
        offset = block.start(1)
        for decl in re.finditer(r"([-\w]+)\s*:\s*([^;]*)", body):
            line = text.count("\n", 0, offset + decl.start()) + 1
            found.append((line, decl.group(1).lower(), decl.group(2).strip()))
    return found


def physical(css: str) -> list[str]:
    """``line: property: value`` for every declaration that names a physical side or axis."""
    bad = []
    for line, prop, value in declarations(css):
        if prop.startswith("--"):
            continue
        words = set(re.findall(r"[-\w]+", value.lower()))
        if PHYSICAL_PROPERTY.match(prop) or words & PHYSICAL_VALUE.get(prop, set()):
            bad.append(f"{line}: {prop}: {value}")
    return bad


@pytest.mark.parametrize(
    "css",
    [
        "a { margin-left: 1rem }",
        "a { padding-right: 0 }",
        "a { border-left: 4px solid }",
        "a { border-right-color: red }",
        "a { border-top-left-radius: 2px }",
        "a { left: 0 }",
        "a { margin-top: 1rem }",
        "a { float: left }",
        "a { clear: right }",
        "a { text-align: right }",
        "a { width: 10rem }",
        "a { max-width: 40rem }",
        "a { overflow-x: auto }",
        "@media (min-width: 40rem) { a { right: 0 } }",
    ],
)
def test_the_checker_catches_physical_css(css: str) -> None:
    assert physical(css) != []


@pytest.mark.parametrize(
    "css",
    [
        "a { margin-inline-start: 1rem }",
        "a { padding-block: 0 1rem }",
        "a { border-inline-start: 4px solid }",
        "a { border-start-end-radius: 2px }",
        "a { inset-inline-end: 0 }",
        "a { float: inline-start }",
        "a { text-align: end }",
        "a { max-inline-size: 40rem }",
        "a { --left: 1 }",
        "@media (min-width: 40rem) { a { margin-inline: auto } }",
        "/* margin-left: 1rem */ a { color: red }",
        'a::after { content: "left: right" }',
    ],
)
def test_the_checker_accepts_logical_css(css: str) -> None:
    assert physical(css) == []


@pytest.mark.parametrize("path", sorted(THEME.rglob("*.css")), ids=lambda p: p.name)
def test_the_default_theme_uses_logical_properties_only(path: Path) -> None:
    assert physical(path.read_text(encoding="utf-8")) == []


def test_the_default_theme_has_a_stylesheet() -> None:
    assert (THEME / "static" / "style.css").is_file()


@pytest.mark.parametrize("path", sorted(THEME.rglob("*.css")), ids=lambda p: p.name)
def test_the_default_theme_fetches_nothing(path: Path) -> None:
    """No web fonts, no imports, no images from elsewhere: the platform's own faces only."""
    css = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.S)
    assert re.findall(r"@import|@font-face|url\(", css) == []


def test_arabic_text_is_set_in_a_naskh_face_first() -> None:
    css = (THEME / "static" / "style.css").read_text(encoding="utf-8")
    stack = re.search(r"--arabic-text:\s*([^;]+);", css)
    assert stack is not None
    assert stack.group(1).startswith('"Noto Naskh Arabic"')
