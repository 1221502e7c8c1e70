"""Articles kept between the preview's rebuilds, re-read only when their file changed."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from briefgen import markdown
from briefgen.config import SiteConfig
from briefgen.content.article import Draft, load_article
from briefgen.errors import ErrorList, Problem
from briefgen.model import Article, Outlet, Tag
from briefgen.parsecache import Bodies

_Stat = tuple[int, int, int]


class ArticleCache:
    """Parsed articles by path, reused while a file's size, mtime and inode stay the same.

    ``briefgen serve`` keeps one across rebuilds so an edit re-reads only the files it touched.
    An entry is only valid for the config and vocabularies it was read with: call
    :meth:`clear` when ``site.yml``, ``tags.yml`` or ``outlets.yml`` change. Cross-file rules
    (duplicate slugs) are never cached: :func:`load_site` checks them on every run.
    """

    def __init__(self) -> None:
        self._entries: dict[str, tuple[_Stat, Draft | None, tuple[Problem, ...]]] = {}
        self._vocabularies: tuple[Mapping[str, Tag], Mapping[str, Outlet]] | None = None
        """The tags and outlets the entries were checked against (as :func:`load_site` read
        them), so that :func:`reload_in_place` checks an edit against the same."""
        self._bodies: Bodies | None = None

    def clear(self) -> None:
        """Forget everything (the vocabularies or the config changed)."""
        self._entries.clear()
        self._vocabularies = None

    def forget(self, paths: Iterable[Path]) -> None:
        """Drop ``paths`` even if their stat looks unchanged (two saves within one mtime tick)."""
        for path in paths:
            self._entries.pop(os.fspath(path), None)

    def retain(self, paths: Iterable[Path]) -> None:
        """Drop the entries of files that no longer exist."""
        keep = {os.fspath(path) for path in paths}
        for path in [p for p in self._entries if p not in keep]:
            del self._entries[path]

    def load(
        self,
        path: Path,
        config: SiteConfig,
        tags: Mapping[str, Tag] | None,
        outlets: Mapping[str, Outlet] | None,
        bodies: Bodies,
        errors: ErrorList,
    ) -> Draft | None:
        """:func:`load_article`, answered from the cache when the file did not change.

        Without both vocabularies the result is not cached: it was checked against less.
        """
        if tags is None or outlets is None:
            return load_article(path, config, tags, outlets, bodies, errors)
        name = os.fspath(path)
        try:
            stat = os.stat(name)
        except OSError:  # a broken link: load_article says so
            return load_article(path, config, tags, outlets, bodies, errors)
        key = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        hit = self._entries.get(name)
        if hit is not None and hit[0] == key:
            errors.problems.extend(hit[2])
            return hit[1]
        own = ErrorList()
        draft = load_article(path, config, tags, outlets, bodies, own)
        errors.problems.extend(own.problems)
        self._entries[name] = (key, draft, tuple(own.problems))
        self._vocabularies = (tags, outlets)
        return draft

    def clean(self, path: Path) -> Article | None:
        """The article last read from ``path`` when it had no problem at all, else None."""
        hit = self._entries.get(os.fspath(path))
        if hit is None or hit[1] is None or hit[2]:
            return None
        return hit[1].article

    def reread(self, path: Path, config: SiteConfig, errors: ErrorList) -> Draft | None:
        """Read ``path`` again, checked against the vocabularies of the last :meth:`load`.

        Raises LookupError when there was none (nothing to check against)."""
        if self._vocabularies is None:
            raise LookupError("no vocabularies to check against: load the site first")
        self._bodies = self._bodies or Bodies(markdown.make_markdown())
        self.forget([path])
        return self.load(path, config, *self._vocabularies, self._bodies, errors)
