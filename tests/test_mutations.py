"""Mutated articles: whatever a curator's typo or a hostile file does to the front matter and the
body, a build either succeeds or reports problems at ``path:line`` and leaves the previous output
as it was; it never fails with another exception.

The mutations are drawn from a seeded generator (the same ones on every run): values of every
YAML shape in place of a field's value, fields deleted, unknown or misspelt fields inserted,
lines indented, commented or broken, and bodies with unsafe links, raw HTML, deep nesting and
control characters. Each case is one build of a copy of the golden fixture site.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from briefgen.build import build
from briefgen.errors import ProblemsError
from tests.helpers import VALID_SITE

ARTICLE = Path("content/articles/it/sberbank.md")
VALUES = [
    "",
    "~",
    "null",
    "[]",
    "{}",
    "- a",
    "[a, [b]]",
    "{a: b}",
    "2025-13-01",
    "2025-02-30",
    "0000-01-01",
    "9999-12-31",
    "2025-02",
    "2025",
    "unknown",
    "'2025-01-01'",
    "2025-01-01T25:00:00Z",
    "2025-01-01 10:00",
    "1e9",
    "-1",
    "true",
    "yes",
    "!!binary aGk=",
    "&a x",
    "*a",
    '"\\u202e"',
    "'\\0'",
    "|\n  x",
    ">-\n  y",
    "ar",
    "it",
    "xx",
    "[russia, russia]",
    '"<script>alert(1)</script>"',
    "'../../x'",
    "'a/b'",
    "'..'",
    "javascript:alert(1)",
    "http://",
    "https://exa mple.com",
    "[[[[[[",
    "x" * 3000,
    "\ufeff",
    "\u200f",
    "'CON'",
    "'.hidden'",
    "12:30",
]
BODIES = [
    "",
    "[x](javascript:alert(1))",
    "<script>alert(1)</script>",
    "![i](data:text/html,x)",
    "# " * 200,
    "> " * 100 + "x",
    "- " * 100 + "x",
    "\x00\x01",
    "[a]: <javascript:x>\n\n[a]",
    "`" * 1000,
    "| a |\n|---|\n" + "| b |\n" * 50,
    "&#0; &#xD800; &nbsp;",
    "\u202e\u2066",
]
KEYS = ["title", "date", "outlet", "language", "tags", "summary", "slug", "source_url", "via",
        "draft", "extra", "Title"]  # fmt: skip
CASES = 40


def mutate(rng: random.Random, front: list[str], body: str) -> str:
    """One mutated article: one to three edits of the front matter, maybe a hostile body."""
    lines = list(front)
    for _ in range(rng.randint(1, 3)):
        choice = rng.random()
        if choice < 0.5 and lines:
            at = rng.randrange(len(lines))
            lines[at] = f"{lines[at].split(':', 1)[0]}: {rng.choice(VALUES)}"
        elif choice < 0.7 and lines:
            del lines[rng.randrange(len(lines))]
        elif choice < 0.85:
            lines.insert(rng.randrange(len(lines) + 1), f"{rng.choice(KEYS)}: {rng.choice(VALUES)}")
        elif lines:
            at = rng.randrange(len(lines))
            lines[at] = rng.choice(
                ["  " + lines[at], lines[at] + " # c", lines[at].replace(":", ""), "---", "..."]
            )
    body = rng.choice([body, body + "\n\n" + rng.choice(BODIES), rng.choice(BODIES)])
    return "---\n" + "\n".join(lines) + "\n---\n" + body


def cases() -> list[str]:
    text = (VALID_SITE / ARTICLE).read_text(encoding="utf-8")
    front, body = text.removeprefix("---\n").split("\n---\n", 1)
    rng = random.Random(2026)
    return [mutate(rng, front.splitlines(), body) for _ in range(CASES)]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(f.relative_to(folder)): f.read_bytes() for f in folder.rglob("*") if f.is_file()}


@pytest.mark.parametrize("text", cases(), ids=[f"case{i}" for i in range(CASES)])
def test_a_mutated_article_builds_or_is_reported_at_its_line(tmp_path: Path, text: str) -> None:
    site = tmp_path / "site"
    shutil.copytree(VALID_SITE, site, ignore=shutil.ignore_patterns("_site", ".briefgen-cache"))
    output = tmp_path / "out"
    build(site, output, search=False)  # the previous output, from the article as it was
    before = snapshot(output)
    (site / ARTICLE).write_text(text, encoding="utf-8")
    try:
        build(site, output, search=False)
    except ProblemsError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.location.path.is_file()  # a file of the site, never a crash site
            assert problem.location.line is None or problem.location.line >= 1
            assert problem.message.strip()
        assert snapshot(output) == before  # a failed build leaves the previous output as it was
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]  # no staging left
    else:
        assert (output / "index.html").is_file()
