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
- a pack is checked whole before anything in it is used: magic, length and a BLAKE2b digest
  of its bytes keyed with the signature. A CRC can be kept by changing four bytes anywhere,
  so an edited pack could put raw HTML (``<script>``) into the site past Markdown's ban on it;
  a pack edited by hand or damaged in any way without its digest written again is refused.
  It is then unpickled with no class allowed (only strings, bytes, integers, tuples and lists
  can come out) and checked entry by entry; anything else deletes the pack, and its bodies are
  rendered as if never seen. (The digest is not a seal against someone who writes packs
  knowing this format: whoever can write the site's cache can write its templates too.);
- only regular files are read, and no symbolic link is followed (:func:`briefgen.fresh.read_plain`),
  so nothing outside the site is read and no FIFO stalls a build; whatever else is in the
  cache's place is deleted, or, for ``.briefgen-cache`` itself, left alone and not used;
- packs are written under a temporary name and renamed, so a reader never sees half of one,
  and only once the whole archive was read without an error (a failed build writes nothing).
  Until then readers put them in a pending directory whose lock the build holds: the next build
  deletes those of builds that were killed (:func:`briefgen.write.abandoned`), never a live one's.
Cached and clean builds make byte-identical sites (tested). Deleting the directory is always
safe: the next build renders everything.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import logging
import os
import pickle
import shutil
import stat
import sys
import tempfile
import time
import weakref
from collections.abc import Mapping
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it import __version__ as markdown_it_version

from briefgen import markdown
from briefgen.fresh import CACHE_DIR, cache_dir, make_cache_dir, read_plain
from briefgen.write import abandoned, owned_dir, release

log = logging.getLogger("briefgen")

FORMAT = 2
"""Raised whenever what a pack holds changes meaning (2: a BLAKE2b digest, not a CRC-32)."""
MAGIC = b"briefgen-parse\x00"
DIGEST = 32
"""Bytes of a pack's digest, after the magic; then 8 bytes of length, then the payload."""
Parsed = tuple[str, str, tuple[tuple[str, int], ...]]
"""What :func:`briefgen.markdown.render` returns: HTML, plain text, links with their line."""
PENDING = "briefgen-pending-"
"""Names of the pending directories (:meth:`ParseCache.pending`), in the cache or the system's
temporary directory; ``mkdtemp``'s characters follow."""
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


def framed(payload: bytes, key: bytes) -> bytes:
    """A pack: the magic, the digest of ``payload`` keyed with ``key`` (the signature), its
    length, then ``payload``."""
    digest = hashlib.blake2b(payload, digest_size=DIGEST, key=key).digest()
    return MAGIC + digest + len(payload).to_bytes(8, "big") + payload


def _remove(path: Path) -> None:
    """Delete ``path`` whatever it is (a directory, a link: not followed), as far as can be."""
    try:
        if stat.S_ISDIR(os.lstat(path).st_mode):
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink()
    except OSError:
        pass


def _real_dir(path: Path) -> bool:
    """Whether ``path`` is a directory, not a link to one."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


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


def _read_pack(path: Path, key: bytes) -> dict[bytes, Parsed] | None:
    """A pack's entries, or None when it is not a whole, valid pack (see :func:`framed`)."""
    try:
        data = read_plain(path)
    except OSError:
        return None
    head = len(MAGIC) + DIGEST + 8
    if len(data) < head or not data.startswith(MAGIC):
        return None
    digest = data[len(MAGIC) : len(MAGIC) + DIGEST]
    size = int.from_bytes(data[len(MAGIC) + DIGEST : head], "big")
    payload = memoryview(data)[head:]
    if len(payload) != size:
        return None
    actual = hashlib.blake2b(payload, digest_size=DIGEST, key=key).digest()
    if not hmac.compare_digest(actual, digest):
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
        self.signature = signature()
        self.dir = self.root / self.signature
        self._key = self.signature.encode("ascii")
        self._held: dict[Path, int | None] = {}
        """The locks of the pending directories this cache made, until :meth:`adopt`."""
        weakref.finalize(self, _release_all, self._held)

    def load(self, shares: int = 0) -> dict[bytes, Parsed]:
        """Every valid entry kept; bad packs, other signatures' directories and the pending
        directories of killed builds are deleted.

        ``shares``: the packs a full read of the archive writes. The cache holds that many and
        :data:`MAX_PACKS` more before it starts again (a fixed limit emptied it at every build
        of an archive read in more shares than that: 1,563 at 100,000 articles).
        """
        for left in abandoned(Path(tempfile.gettempdir()), PENDING):
            shutil.rmtree(left, ignore_errors=True)  # a killed build's, which had no cache
        if not self._usable():
            return {}
        for other in self.root.iterdir() if _real_dir(self.root) else ():
            if other != self.dir:
                _remove(other)
        for left in abandoned(self.dir, PENDING):  # by a build that was killed while it read
            shutil.rmtree(left, ignore_errors=True)
        try:
            packs = sorted(p for p in self.dir.iterdir() if p.suffix == ".pack")
        except OSError:
            return {}
        if len(packs) > shares + MAX_PACKS:
            log.debug("parse cache: %d packs, starting again", len(packs))
            shutil.rmtree(self.dir, ignore_errors=True)
            return {}
        known: dict[bytes, Parsed] = {}
        for pack in packs:
            entries = _read_pack(pack, self._key)
            if entries is None:
                log.debug("parse cache: %s is not a valid pack: deleted", pack.name)
                _remove(pack)
                continue
            known.update(entries)
        return known

    def _usable(self) -> bool:
        """Whether the cache may be read and written (said once, in :meth:`load`, when not): no
        symbolic link is followed, and what is in the place of ``parse/`` or of this
        signature's directory, a file or a link, is deleted (it is the cache's own)."""
        if cache_dir(self.site_root) is None:
            if os.path.islink(self.site_root / CACHE_DIR):
                log.warning(
                    "%s is a symbolic link: not followed, so this build keeps no cache (make it "
                    "a directory to keep one)",
                    self.site_root / CACHE_DIR,
                )
            return False
        for folder in (self.root, self.dir):
            if os.path.lexists(folder) and not _real_dir(folder):
                log.debug("parse cache: %s is not a directory: deleted", folder)
                _remove(folder)
        return True

    def pending(self) -> Path | None:
        """A new directory where readers put their packs until the whole read succeeded (a
        failed build writes nothing): in the cache when it exists, so that :meth:`adopt`
        renames, else in the system's temporary directory; None when neither can be made
        (the readers then keep nothing). The build holds its lock until :meth:`adopt` (or its
        end): a build killed meanwhile leaves it to the next build's :meth:`load`."""
        here = _real_dir(self.dir) and cache_dir(self.site_root) is not None
        for where in ([self.dir] if here else []) + [Path(tempfile.gettempdir())]:
            try:
                path, held = owned_dir(where, PENDING)
            except OSError:
                continue
            self._held[path] = held
            return path
        return None

    def adopt(self, pending: Path) -> None:
        """Move the packs written into ``pending`` into the cache; ``pending`` goes."""
        try:
            make_cache_dir(self.site_root)
            if not self._usable():
                return
            self.dir.mkdir(parents=True, exist_ok=True)
            for pack in pending.glob("*.pack"):
                shutil.move(pack, self.dir / pack.name)
        except OSError as exc:
            log.debug("parse cache: could not keep the packs in %s: %s", self.dir, exc)
        finally:
            shutil.rmtree(pending, ignore_errors=True)
            release(self._held.pop(pending, None))

    def write(self, entries: Mapping[bytes, Parsed], into: Path | None = None) -> None:
        """Keep ``entries`` in a new pack, in the cache or ``into`` a pending directory (best
        effort: a read-only site still builds)."""
        if not entries:
            return
        payload = pickle.dumps(
            [(key, *parsed) for key, parsed in entries.items()], protocol=pickle.HIGHEST_PROTOCOL
        )
        try:
            if into is None:
                make_cache_dir(self.site_root)
                if not self._usable():
                    return
                self.dir.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=into or self.dir, suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(framed(payload, self._key))
                os.replace(temporary, temporary[: -len(".tmp")] + ".pack")
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError as exc:
            log.debug("parse cache: could not write a pack in %s: %s", self.dir, exc)


def _release_all(held: dict[Path, int | None]) -> None:
    """Let go of the locks of pending directories (a read that failed: they were deleted)."""
    for fd in held.values():
        with contextlib.suppress(OSError):
            release(fd)
    held.clear()
