"""Small helpers the tests share: reading an output tree and a minimal HTML DOM (stdlib only)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

TESTS = Path(__file__).resolve().parent
SITES = TESTS / "sites"
VALID_SITE = SITES / "valid"
"""The bilingual fixture site (its expected output is GOLDEN / "valid")."""
INVALID_SITES = SITES / "invalid"
"""One tiny site per way an archive can be wrong, each with its expected.txt."""
GOLDEN = TESTS / "golden"

VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative POSIX path → bytes), sorted."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


SEARCH_BUNDLE = "pagefind/"
MANIFEST = ".briefgen-manifest"


def site_tree(root: Path) -> dict[str, bytes]:
    """:func:`tree` without the Pagefind bundle and its lines in the manifest.

    The bundle's bytes are Pagefind's and change with its version, so the golden tree does not
    hold them; tests/test_search.py checks their presence, shape and reproducibility instead.
    """
    files = {path: data for path, data in tree(root).items() if not path.startswith(SEARCH_BUNDLE)}
    if MANIFEST in files:
        lines = files[MANIFEST].decode("utf-8").splitlines(keepends=True)
        kept = "".join(line for line in lines if not line.startswith(SEARCH_BUNDLE))
        files[MANIFEST] = kept.encode("utf-8")
    return files


def tree_hash(root: Path) -> dict[str, str]:
    """Every file and directory under ``root`` with a digest of its bytes (or "dir")."""
    out: dict[str, str] = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        out[rel] = "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def html_files(root: Path) -> Iterator[tuple[str, str]]:
    """(relative path, text) of every HTML page under ``root``."""
    for p in sorted(root.rglob("*.html")):
        yield p.relative_to(root).as_posix(), p.read_text("utf-8")


@dataclass
class Element:
    """An HTML element: tag, attributes, children (elements and text, in order)."""

    tag: str
    attrs: dict[str, str | None]
    children: list[Element | str] = field(default_factory=list)
    parent: Element | None = field(default=None, repr=False)

    def get(self, name: str) -> str | None:
        return self.attrs.get(name)

    @property
    def classes(self) -> set[str]:
        return set((self.get("class") or "").split())

    @property
    def text(self) -> str:
        """All text inside, entities decoded."""
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def iter(self, tag: str | None = None) -> Iterator[Element]:
        """This element and every descendant (with ``tag`` when given), in document order."""
        if tag is None or self.tag == tag:
            yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter(tag)

    def find(self, tag: str, cls: str | None = None) -> Element | None:
        """The first descendant with ``tag`` (and class ``cls``)."""
        return next((e for e in self.iter(tag) if cls is None or cls in e.classes), None)

    def find_all(self, tag: str, cls: str | None = None) -> list[Element]:
        return [e for e in self.iter(tag) if cls is None or cls in e.classes]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs), parent=self.stack[-1])
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, dict(attrs), parent=self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return
        raise AssertionError(f"stray </{tag}>")

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Element:
    """A DOM of ``text``; fails on a stray end tag (a sign of broken escaping)."""
    builder = _Builder()
    builder.feed(text)
    builder.close()
    return builder.root


# The WHATWG URL parser drops leading C0 controls and spaces and every tab and newline, then
# reads a scheme of ASCII letters, digits, "+", "-" and ".".
_STRIPPED = re.compile(r"^[\x00-\x20]+|[\t\n\r]")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see in ``url`` (lower-case), or None for a relative URL."""
    match = _SCHEME.match(_STRIPPED.sub("", url))
    return match.group(1).lower() if match else None
