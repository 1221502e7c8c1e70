"""Article bodies rendered by earlier builds, kept by the digest of their Markdown text.

Rendering Markdown is most of reading an archive (7 of 12 s for 10,000 articles in one
process), and between two builds few bodies change. ``build`` keeps what it rendered in
``<site>/.briefgen-cache/parse/<signature>/``, as pack files of (digest, HTML, text, links),
and renders again only bodies whose text it has not seen.

What is kept can never change what is built:
- an entry is keyed by the digest of the exact body text, and the directory by a signature of
  everything else the rendering depends on (this format, the source of
  :mod:`briefgen.markdown`, markdown-it-py's version, Python's); a directory with another
  signature is deleted, not read;
- a pack is checked whole (magic, length, CRC-32 of its bytes), unpickled with no class
  allowed (only strings, bytes, integers, tuples and lists can come out) and checked entry by
  entry; anything else deletes the pack, and its bodies are rendered as if never seen;
- packs are written under a temporary name and renamed, so a reader never sees half of one,
  and only once the whole archive was read without an error (a failed build writes nothing).
Cached and clean builds make byte-identical sites (tested). Deleting the directory is always
safe: the next build renders everything.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import pickle
import shutil
import sys
import tempfile
import time
import zlib
from collections.abc import Mapping
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it import __version__ as markdown_it_version

from briefgen import markdown
from briefgen.fresh import CACHE_DIR, make_cache_dir

log = logging.getLogger("briefgen")

FORMAT = 1
"""Raised whenever what a pack holds changes meaning."""
MAGIC = b"briefgen-parse\x00"
Parsed = tuple[str, str, tuple[tuple[str, int], ...]]
"""What :func:`briefgen.markdown.render` returns: HTML, plain text, links with their line."""
STALE_PENDING = 24 * 3600
"""Seconds after which a pending directory is taken for a killed build's and removed."""
MAX_PACKS = 256
"""Packs kept beyond those of a full read (one per share its readers took), one per later build
that rendered something new: past them the cache starts again from nothing, so that the bodies
of edited articles do not pile up, nor hundreds of small files that cost more than they save."""


def body_key(body: str) -> bytes:
    """The digest a body is kept under."""
    return hashlib.blake2b(body.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def signature() -> str:
    """What the rendering of a body depends on besides its text."""
    digest = hashlib.blake2b(digest_size=10)
    digest.update(f"{FORMAT}\0{markdown_it_version}\0{sys.version_info[:2]}\0".encode())
    digest.update(Path(markdown.__file__).read_bytes())
    return digest.hexdigest()


class Bodies:
    """Renders article bodies: from ``known`` (an earlier build's) when the text was seen, else
    with ``md``; with ``collect``, what it renders is gathered in :attr:`new` to be kept."""

    def __init__(
        self, md: MarkdownIt, known: Mapping[bytes, Parsed] | None = None, *, collect: bool = False
    ) -> None:
        self.md = md
        self.known: Mapping[bytes, Parsed] = known or {}
        self.collect = collect
        self.new: dict[bytes, Parsed] = {}
        self.seconds = 0.0
        """Time spent rendering Markdown (bodies found in ``known`` cost none)."""

    def render(self, body: str) -> tuple[bytes, Parsed]:
        """(the body's key, its HTML, text and links)."""
        key = body_key(body)
        parsed = self.known.get(key) or self.new.get(key)
        if parsed is None:
            start = time.perf_counter()
            parsed = markdown.render(self.md, body)
            self.seconds += time.perf_counter() - start
            if self.collect:
                self.new[key] = parsed
        return key, parsed


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


class _NoClasses(pickle.Unpickler):
    """Unpickles builtin values only: a pack that names any class or function is refused."""

    def find_class(self, module: str, name: str) -> object:
        raise pickle.UnpicklingError(f"a parse cache pack may not name {module}.{name}")


def _valid(entry: object) -> bool:
    """Whether an unpickled entry has the shape (16-byte key, HTML, text, links)."""
    if not (isinstance(entry, tuple) and len(entry) == 4):
        return False
    key, html, text, links = entry
    return (
        isinstance(key, bytes)
        and len(key) == 16
        and isinstance(html, str)
        and isinstance(text, str)
        and isinstance(links, tuple)
        and all(
            isinstance(link, tuple)
            and len(link) == 2
            and isinstance(link[0], str)
            and isinstance(link[1], int)
            for link in links
        )
    )


def _read_pack(path: Path) -> dict[bytes, Parsed] | None:
    """A pack's entries, or None when it is not a whole, valid pack."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = len(MAGIC) + 12
    if len(data) < head or not data.startswith(MAGIC):
        return None
    crc = int.from_bytes(data[len(MAGIC) : len(MAGIC) + 4], "big")
    size = int.from_bytes(data[len(MAGIC) + 4 : head], "big")
    payload = memoryview(data)[head:]
    if len(payload) != size or zlib.crc32(payload) != crc:
        return None
    try:
        entries = _NoClasses(io.BytesIO(payload)).load()
    except Exception:
        return None
    if not isinstance(entries, list) or not all(_valid(entry) for entry in entries):
        return None
    return {key: (html, text, links) for key, html, text, links in entries}


class ParseCache:
    """The packs of one site (see the module docstring)."""

    def __init__(self, site_root: Path) -> None:
        self.site_root = site_root
        self.root = site_root / CACHE_DIR / "parse"
        self.dir = self.root / signature()

    def load(self, shares: int = 0) -> dict[bytes, Parsed]:
        """Every valid entry kept; bad packs and other signatures' directories are deleted.

        ``shares``: the packs a full read of the archive writes. The cache holds that many and
        :data:`MAX_PACKS` more before it starts again (a fixed limit emptied it at every build
        of an archive read in more shares than that: 1,563 at 100,000 articles).
        """
        if self.root.is_dir():
            for other in self.root.iterdir():
                if other != self.dir:
                    shutil.rmtree(other, ignore_errors=True)
        try:
            listed = list(self.dir.iterdir())
        except OSError:
            return {}
        for left in listed:  # by a build that was killed while it read
            if left.name.startswith(".pending-") and _age(left) > STALE_PENDING:
                shutil.rmtree(left, ignore_errors=True)
        packs = sorted(p for p in listed if p.suffix == ".pack")
        if len(packs) > shares + MAX_PACKS:
            log.debug("parse cache: %d packs, starting again", len(packs))
            shutil.rmtree(self.dir, ignore_errors=True)
            return {}
        known: dict[bytes, Parsed] = {}
        for pack in packs:
            entries = _read_pack(pack)
            if entries is None:
                log.debug("parse cache: %s is not a valid pack: deleted", pack.name)
                pack.unlink(missing_ok=True)
                continue
            known.update(entries)
        return known

    def pending(self) -> Path | None:
        """A new directory where readers put their packs until the whole read succeeded (a
        failed build writes nothing): in the cache when it exists, so that :meth:`adopt`
        renames, else in the system's temporary directory; None when neither can be made
        (the readers then keep nothing)."""
        for where in (self.dir, None):
            try:
                return Path(tempfile.mkdtemp(prefix=".pending-", dir=where))
            except OSError:
                continue
        return None

    def adopt(self, pending: Path) -> None:
        """Move the packs written into ``pending`` into the cache; ``pending`` goes."""
        try:
            make_cache_dir(self.site_root)
            self.dir.mkdir(parents=True, exist_ok=True)
            for pack in pending.glob("*.pack"):
                shutil.move(pack, self.dir / pack.name)
        except OSError as exc:
            log.debug("parse cache: could not keep the packs in %s: %s", self.dir, exc)
        finally:
            shutil.rmtree(pending, ignore_errors=True)

    def write(self, entries: Mapping[bytes, Parsed], into: Path | None = None) -> None:
        """Keep ``entries`` in a new pack, in the cache or ``into`` a pending directory (best
        effort: a read-only site still builds)."""
        if not entries:
            return
        payload = pickle.dumps(
            [(key, *parsed) for key, parsed in entries.items()], protocol=pickle.HIGHEST_PROTOCOL
        )
        header = MAGIC + zlib.crc32(payload).to_bytes(4, "big") + len(payload).to_bytes(8, "big")
        try:
            if into is None:
                make_cache_dir(self.site_root)
                self.dir.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=into or self.dir, suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(header)
                    out.write(payload)
                os.replace(temporary, temporary[: -len(".tmp")] + ".pack")
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError as exc:
            log.debug("parse cache: could not write a pack in %s: %s", self.dir, exc)
