"""Staged output: everything is written beside the output, then swapped in with two renames.

A failed build removes its staging directory and leaves the previous output byte for byte. A
manifest records what briefgen wrote, so files a user put in the output (``CNAME``,
``.nojekyll``, a deploy worktree's ``.git``) are carried into each new build, and a directory
briefgen did not make is never replaced. A file whose bytes did not change is hard-linked from
the previous output, so it keeps its modification time and deploy tools upload only changes.

A build killed at any moment (``kill -9``, a power cut) leaves at most a staging directory and,
mid-swap, the old output renamed aside (``.previous``) beside the output; the next build of the
same output finishes or undoes that swap and removes them (:func:`sweep`). Each build holds an
exclusive ``flock`` on its staging directory, and on the old output while it swaps, so a build
never takes another one that is still running for a dead one's: the kernel drops the lock when
its holder dies, however it dies, and a process id could be reused.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Container, Iterator, Sequence
from pathlib import Path
from types import TracebackType

from briefgen.errors import BuildError, UsageError

if sys.platform != "win32":
    import fcntl

log = logging.getLogger("briefgen")

MANIFEST = ".briefgen-manifest"
"""Lists, one per line, the files briefgen wrote into the output."""
STAGING, PREVIOUS = ".staging", ".previous"
"""Suffixes of a build's staging directory and of the old output it moves aside to swap."""


def safe_key(path: str) -> str:
    """``path``, checked to be a plain relative path that cannot leave the directory it is joined
    to (no absolute path, no ``.``, ``..`` or empty part, no backslash or NUL): it is then its
    own normal form, so it is the key a file is claimed and written under. Plain string checks:
    a ``PurePosixPath`` per file took 0.3 s of a 10,000-article build."""
    if not path or "\\" in path or "\x00" in path:
        raise BuildError(f"refusing to write {path!r}: not a plain relative path")
    if any(part in ("", ".", "..") for part in path.split("/")):
        raise BuildError(f"refusing to write {path!r}: it would escape the output directory")
    return path


def unclaimed(path: str, claimed: Container[str]) -> str:
    """``path``'s key (:func:`safe_key`), when no output in ``claimed`` has it yet: a path two
    outputs want, or the manifest's, is an error, never a silent overwrite (the build's
    :meth:`Staging.claim` and the preview's rebuilds keep this one rule)."""
    key = safe_key(path)
    if key in claimed or key.casefold() == MANIFEST.casefold():
        raise BuildError(f"two outputs want the same path {key!r}")
    return key


def read_manifest(output: Path) -> set[str] | None:
    """The files a previous build wrote, or None when ``output`` was not made by briefgen (or
    its manifest cannot be read: which files are briefgen's is then unknown)."""
    try:
        return set((output / MANIFEST).read_text("utf-8").splitlines())
    except (OSError, UnicodeDecodeError):
        return None


class Staging:
    """A staging directory for one build of ``output``; use as a context manager."""

    def __init__(self, output: Path) -> None:
        self.output = output
        sweep(output)  # first: it may put back the output a killed build had moved aside
        if output.is_symlink() or (output.exists() and not output.is_dir()):
            raise UsageError(f"output {output} exists and is not a directory")
        self.previous: set[str] = set()
        if output.is_dir():
            manifest = read_manifest(output)
            if manifest is None and any(output.iterdir()):
                why = "cannot be read" if (output / MANIFEST).exists() else "is missing"
                raise UsageError(
                    f"output {output} is not empty and was not written by briefgen (its "
                    f"{MANIFEST} {why}): refusing to replace it; choose another directory or "
                    "empty it"
                )
            self.previous = manifest or set()
        output.parent.mkdir(parents=True, exist_ok=True)
        self.dir, self._lock = _make_staging(output)
        self.written: dict[str, None] = {}
        self.unchanged = 0
        self._folders: set[str] = {""}
        """Staged folders known to exist (per process: a worker adds the ones it made)."""

    def __enter__(self) -> Staging:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.rollback()

    def write(self, path: str, data: bytes) -> None:
        """Stage one file; a path written twice is an error, never a silent overwrite."""
        self.unchanged += self.stage_claimed(self.claim(path), data)

    def claim(self, path: str) -> str:
        """Reserve ``path`` for one output (checked to stay inside); returns its key."""
        key = unclaimed(path, self.written)
        self.written[key] = None
        return key

    def stage_claimed(self, key: str, data: bytes) -> bool:
        """Write a claimed file (a worker process may do it); True when linked unchanged."""
        return self._stage(key, data)

    def _stage(self, key: str, data: bytes) -> bool:
        """Put ``data`` at ``key``: a hard link to the previous output's file when it has the same
        bytes (it keeps its modification time), else a new file. True when linked."""
        target = self.dir / key
        folder = key.rpartition("/")[0]
        if folder not in self._folders:  # most files share a folder (an article and its citations)
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        previous = self.output / key
        if (key in self.previous or key == MANIFEST) and self._same(previous, data):
            try:
                os.link(previous, target)
                return True
            except OSError:
                pass  # a file system without hard links: write a copy
        _write_file(target, data)
        return False

    def adopt(self, paths: list[str]) -> None:
        """Record files that another tool wrote into the staging directory (the search index);
        one whose bytes did not change becomes a hard link to the previous output's file, so
        it keeps its modification time like the files briefgen writes."""
        for path in paths:
            key = unclaimed(path, self.written)
            self.written[key] = None
            if key in self.previous and self._relink(key):
                self.unchanged += 1

    def _relink(self, key: str) -> bool:
        """Replace the staged file at ``key`` by a link to the previous one if their bytes match."""
        target, previous = self.dir / key, self.output / key
        try:
            if previous.is_symlink():
                return False
            old, new = previous.stat(), target.stat()
            if (old.st_dev, old.st_ino) == (new.st_dev, new.st_ino):
                return True  # linked already (a reused search bundle)
            if old.st_size != new.st_size:
                return False
            if previous.read_bytes() != target.read_bytes():
                return False
        except OSError:
            return False
        link = target.with_name(target.name + ".briefgen-link")
        try:
            os.link(previous, link)
            os.replace(link, target)
        except OSError:
            link.unlink(missing_ok=True)  # no hard links here: keep the new copy
            return False
        return True

    @staticmethod
    def _same(old: Path, data: bytes) -> bool:
        try:
            if old.is_symlink() or old.stat().st_size != len(data):
                return False
            return old.read_bytes() == data
        except OSError:
            return False

    def commit(self) -> None:
        """Swap the staged site in, then move the old output's files that briefgen did not
        write into it; on any failure the previous output is restored.

        The user's files move after the swap, out of the old output moved aside: until then
        the staging directory holds only what briefgen made, so the sweep of a killed build's
        deletes nothing else, and the moved-aside output holds all the user had."""
        self._stage(MANIFEST, "".join(f"{p}\n" for p in sorted(self.written)).encode("utf-8"))
        carried = self._user_files()
        aside = self.dir.with_name(self.dir.name[: -len(STAGING)] + PREVIOUS)
        held = self._hold_output()
        try:
            moved = False
            try:
                if os.path.lexists(self.output):
                    os.rename(self.output, aside)
                    moved = True
                os.rename(self.dir, self.output)
            except OSError as exc:
                if moved and not os.path.lexists(self.output):
                    os.rename(aside, self.output)
                raise BuildError(f"could not swap the new site into {self.output}: {exc}") from exc
            if moved:
                self._carry(aside, carried)
                _discard(aside)
        finally:
            release(held)
        release(self._lock)
        self._lock = None

    def _user_files(self) -> list[str]:
        """The entries of the old output that briefgen did not write, for the new one; raises
        :class:`BuildError`, having changed nothing, when the new site has a file there."""
        if not self.output.is_dir() or self.output.is_symlink():
            return []
        keys = _foreign(self.output, self.previous)
        collisions = [k for k in keys if k in self.written or os.path.lexists(self.dir / k)]
        if collisions:
            raise BuildError(
                "files in the output that briefgen did not write would be overwritten: "
                + ", ".join(collisions)
                + "; move them away and build again"
            )
        return keys

    def _hold_output(self) -> int | None:
        """The lock of the old output, held while it is moved aside so that no sweep takes it
        for a killed build's; None when there is none or nothing can be locked here."""
        if not self.output.is_dir() or self.output.is_symlink():
            return None
        try:
            held = _lock(self.output)
        except OSError:
            return None
        if held is None and self.output.exists():
            raise BuildError(
                f"another build is swapping its site into {self.output}: build again once done"
            )
        return held

    def _carry(self, aside: Path, keys: list[str]) -> None:
        """Move ``keys`` from the moved-aside old output into the new one; on failure undo
        the moves and the swap (what cannot be undone, the next build's sweep does)."""
        done: list[str] = []
        try:
            for key in keys:
                if os.path.lexists(aside / key):  # else deleted while the site was built
                    (self.output / key).parent.mkdir(parents=True, exist_ok=True)
                    os.rename(aside / key, self.output / key)
                    done.append(key)
        except OSError as exc:
            try:
                for key in reversed(done):
                    os.rename(self.output / key, aside / key)
                os.rename(self.output, self.dir)
                os.rename(aside, self.output)
            except OSError:
                pass
            raise BuildError(f"could not keep {self.output / key} in the new site: {exc}") from exc

    def rollback(self) -> None:
        """Drop the staging directory and its lock (a no-op once committed)."""
        if self.dir.exists():
            shutil.rmtree(self.dir, ignore_errors=True)
        release(self._lock)
        self._lock = None


def sweep(output: Path) -> None:
    """Finish or undo what builds of ``output`` that were killed left beside it.

    Only directories named as :class:`Staging` names them for this output whose lock nobody
    holds (see :func:`abandoned`): a running build holds its own. An old output moved aside
    (``.previous``) is put back when ``output`` is missing (the build died between the two
    renames of its swap); else the user's files still in it are moved into ``output`` and the
    rest is deleted. A staging directory holds only what briefgen made: it is deleted.
    """
    # The old outputs first: one may have to be put back before anything else.
    for path in abandoned(output.parent, f".{output.name}.", (PREVIOUS, STAGING)):
        try:
            _tidy(path, output)
        except OSError as exc:
            log.warning("could not clean up %s, left by an interrupted build: %s", path, exc)


def owned_dir(parent: Path, prefix: str, suffix: str = "") -> tuple[Path, int | None]:
    """A new directory in ``parent`` (``mkdtemp``'s name: ``prefix``, eight random characters,
    ``suffix``) and the descriptor holding its lock: while the descriptor is open (its process
    alive), :func:`abandoned` passes the directory by. None where nothing can be locked. Raises
    OSError when the directory cannot be made.

    Close the descriptor (:func:`release`) only once the directory is gone or handed over.
    A sweep between ``mkdtemp`` and the lock took it for a dead process's and deletes it: then
    another is made.
    """
    for _ in range(10):
        path = Path(tempfile.mkdtemp(prefix=prefix, suffix=suffix, dir=parent))
        try:
            held = _lock(path)
        except OSError:
            return path, None
        if held is not None:
            return path, held
    raise OSError(f"could not make a directory in {parent}: it kept vanishing")


def abandoned(parent: Path, prefix: str, suffixes: Sequence[str] = ("",)) -> Iterator[Path]:
    """The directories in ``parent`` that :func:`owned_dir` made with ``prefix`` and one of
    ``suffixes`` and whose process is gone, however it ended (``kill -9``, a power cut): each
    is yielded locked, so that no other process takes it meanwhile, in the order of
    ``suffixes``.

    Its process held the directory's ``flock`` from the moment it made it: the kernel drops the
    lock when the process dies, and a process id could be reused. A name not made that way
    (``mkdtemp``'s eight characters), a symbolic link, a file and a directory another user
    owns are passed by. Without locks (Windows, some network file systems) a running
    process's directory cannot be told apart: none is yielded.
    """
    ends = "|".join(re.escape(suffix) for suffix in suffixes)
    mine = re.compile(re.escape(prefix) + r"[a-z0-9_]{8}(" + ends + ")")
    try:
        found = [match for e in os.scandir(parent) if (match := mine.fullmatch(e.name))]
    except OSError:
        return  # no such directory
    found.sort(key=lambda match: (suffixes.index(match.group(1)), match.string))
    for match in found:
        path = parent / match.string
        try:
            held = _lock(path)
        except OSError:
            return
        if held is None:
            continue  # a running process's (or gone, or not a directory)
        try:
            yield path
        finally:
            os.close(held)


def _tidy(path: Path, output: Path) -> None:
    """Delete, put back or empty into ``output`` one directory a killed build left."""
    if path.name.endswith(STAGING):
        shutil.rmtree(path)
        log.debug("removed %s, left by an interrupted build", path)
    elif not os.path.lexists(output):
        os.rename(path, output)
        log.warning("put back %s, which an interrupted build had moved aside", output)
    elif output.is_dir() and not output.is_symlink():
        kept = []
        for key in _foreign(path, read_manifest(path) or set()):
            if os.path.lexists(output / key):
                kept.append(key)
                continue
            (output / key).parent.mkdir(parents=True, exist_ok=True)
            os.rename(path / key, output / key)
        if kept:
            log.warning(
                "%s holds files of yours that an interrupted build could not put back into %s, "
                "where the same names exist now: %s",
                path,
                output,
                ", ".join(kept),
            )
        else:
            _discard(path)


def _make_staging(output: Path) -> tuple[Path, int | None]:
    """A new staging directory beside ``output`` and the descriptor holding its lock."""
    try:
        return owned_dir(output.parent, f".{output.name}.", STAGING)
    except OSError as exc:
        raise BuildError(f"could not make a staging directory beside {output}: {exc}") from exc


def _lock(path: Path) -> int | None:
    """A descriptor of directory ``path`` holding its exclusive ``flock`` (released when it is
    closed or its process dies); None when another holds it or ``path`` is not (or no longer)
    a directory. Raises OSError where directories cannot be locked."""
    if sys.platform == "win32":
        raise OSError("directories cannot be locked on Windows")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except OSError:
        os.close(fd)
        raise
    try:  # not deleted or replaced by the holder before us
        same = os.path.samestat(os.fstat(fd), os.lstat(path))
    except OSError:
        same = False
    if not same:
        os.close(fd)
        return None
    return fd


def release(fd: int | None) -> None:
    """Let go of a lock :func:`owned_dir` took (None: there was none)."""
    if fd is not None:
        os.close(fd)


def _foreign(root: Path, ours: set[str]) -> list[str]:
    """The entries under ``root`` not in its manifest ``ours``: a directory holding briefgen's
    files is looked into, any other entry is taken whole."""
    ours_dirs = {d for p in ours for d in _ancestors(p)}
    found: list[str] = []

    def walk(directory: Path, rel: str) -> None:
        for entry in sorted(directory.iterdir()):
            key = f"{rel}{entry.name}"
            if key == MANIFEST or key in ours:
                continue
            if key in ours_dirs and entry.is_dir() and not entry.is_symlink():
                walk(entry, key + "/")
            else:
                found.append(key)

    walk(root, "")
    return found


def _discard(path: Path) -> None:
    """Delete a moved-aside old output, its manifest last: until then a sweep can tell the
    user's files still in it from briefgen's."""
    try:
        entries = list(path.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.name == MANIFEST:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                entry.unlink()
    with contextlib.suppress(OSError):
        if all(entry.name == MANIFEST for entry in path.iterdir()):
            shutil.rmtree(path)  # else a later sweep tries again, the manifest still there


def _write_file(path: Path, data: bytes) -> None:
    """Create ``path`` with ``data``: a file descriptor, not a buffered file object, which took
    twice as long per file (tens of thousands of them in a big site)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _ancestors(path: str) -> list[str]:
    """The directories above a relative path: ``a/b/c.html`` → ``['a', 'a/b']``."""
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]
