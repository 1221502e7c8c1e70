"""Where the articles are, and how an article file splits into front matter and body."""

from __future__ import annotations

import os
from pathlib import Path

from briefgen.config import SiteConfig
from briefgen.yamltree import link_problem

# A warning, not an error: the build's fingerprint and the preview's watcher do not follow
# links either, so following it would leave edits inside unseen.
LINKED_FOLDER = "a linked folder is not followed: its articles are not read (link each file)"


def split_front_matter(text: str) -> tuple[str, str, int] | tuple[None, str, int]:
    """Split ``---`` front matter from the body.

    Returns (front matter, body, 1-based line where the body starts); front matter is None and
    the second item an error message when the file has none.
    """
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return None, "expected front matter: the file must start with a '---' line", 1
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 2
    return None, "front matter is not closed: no '---' line ends it", 1


def article_paths(config: SiteConfig) -> list[Path]:
    """Every ``content/articles/**/*.md``, and every linked folder there, in a stable order.

    A linked folder is listed, not entered (:func:`load_article` reports it). ``os.walk``
    rather than ``Path.rglob``: the preview lists the files on every edit, and rglob plus
    sorting ``Path`` objects takes most of a second for 10,000 articles.
    """
    top = config.content_dir / "articles"
    if link_problem(top, config.root) is not None:
        return [top]  # not even listed: load_article reports it, once
    found: list[tuple[tuple[str, ...], Path]] = []
    for directory, dirs, files in os.walk(top):
        for name in files:
            if name.endswith(".md"):
                path = Path(directory, name)
                found.append((path.parts, path))
        for name in dirs:
            path = Path(directory, name)
            if path.is_symlink():
                found.append((path.parts, path))
    found.sort(key=lambda item: item[0])
    return [path for _, path in found]
