"""Pagefind bundles of the staged site: one per content language, built from article records.

Each language gets its own bundle so that each is searched with its own stemmer (a merged
bundle is searched with the page language's stemmer, which loses most Arabic matches from an
Italian page). A record is the article's title and text, never a whole page, so navigation and
lists are not indexed. Records are written as minimal HTML files and indexed by the Pagefind
binary in one run per language, the runs in parallel: the Python API answers one call per 100 ms,
so ``add_custom_record`` would take minutes for a thousand articles.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from briefgen.errors import BuildError
from briefgen.fresh import Recorded
from briefgen.model import Article, Site
from briefgen.search import records as records_module
from briefgen.search.records import DATE_TABLE as DATE_TABLE
from briefgen.search.records import FILTER_TABLE as FILTER_TABLE
from briefgen.search.records import TAG_PAGES as TAG_PAGES
from briefgen.search.records import TAG_TOKEN as TAG_TOKEN
from briefgen.search.records import (
    bundle_languages,
    bundle_records,
    date_ranks,
    date_rows,
    filter_table,
    loads_with_page,
    ordered_page_ids,
    record_html,
    tag_pages,
    used_wasm,
)
from briefgen.search.records import page_ids as page_ids
from briefgen.search.records import record as record
from briefgen.search.records import tag_token as tag_token
from briefgen.write import abandoned, owned_dir, release

logger = logging.getLogger("briefgen")

BUNDLE_DIR = "pagefind"
"""Site-relative directory of the bundles: ``pagefind/ar/``, ``pagefind/it/``."""
INSTALL = 'pip install "pagefind[bin]"'
BACKGROUND_NICENESS = 19
"""Pagefind's niceness when the preview indexes in the background (the lowest priority)."""
UNUSED = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-highlight.js",
    "pagefind-worker.js",
)
"""Bundle files the search page never loads (it runs each Pagefind instance in a worker of
its own, static/search/worker.js, not in Pagefind's). Of the WASM files only the one the entry
names is kept (:func:`used_wasm`)."""
COMPONENT_UI = ("pagefind-component-ui.js", "pagefind-component-ui.css")
"""Kept in the first bundle only: the search page loads them from there."""


def pagefind_binary() -> Path:
    """The Pagefind executable: ``PAGEFIND_BINARY_PATH``, else the extended binary of
    ``pagefind[extended]`` (it splits Chinese and Japanese text into words, which the standard
    binary does not: a word inside a Chinese sentence was never found), else the standard one of
    ``pagefind[bin]`` (its output is byte-identical for every other language)."""
    configured = os.environ.get("PAGEFIND_BINARY_PATH")
    if configured:
        path = Path(configured)
    else:
        try:
            import pagefind_bin_extended  # type: ignore[import-untyped,unused-ignore]  # [extended]

            path = Path(pagefind_bin_extended.get_executable())
        except ImportError:
            try:
                import pagefind_bin  # type: ignore[import-untyped]  # pagefind[bin]: no download
            except ImportError:
                raise BuildError(
                    f"the Pagefind binary is not installed: {INSTALL} (or build with --no-search)"
                ) from None
            path = Path(pagefind_bin.get_executable())
    if not path.is_file() or not os.access(path, os.X_OK):
        raise BuildError(f"the Pagefind binary {path} is missing or not executable: {INSTALL}")
    return path


SHARED_MEMORY = Path("/dev/shm")
"""Linux's memory-backed file system: where the record files go when it has room."""


def scratch_dir(characters: int, shared: Path | None = None) -> Path | None:
    """Where to write the record files: memory (``/dev/shm``) when it has room for four times
    their estimated size, else the system's temporary directory (None).

    The records are read once by Pagefind and deleted: on disk, making 10,000 of them took
    seconds on a loaded machine, before Pagefind could start. A container's ``/dev/shm`` may
    hold only 64 MB, hence the check.
    """
    shared = SHARED_MEMORY if shared is None else shared
    try:
        if not shared.is_dir() or not os.access(shared, os.W_OK | os.X_OK):
            return None
        stats = os.statvfs(shared)
    except OSError:
        return None
    # Arabic takes two bytes a character in UTF-8; the markup around each record is small.
    return shared if stats.f_bavail * stats.f_frsize > 4 * 2 * characters else None


RECORDS_PREFIX, RECORDS_SUFFIX = "briefgen-search-", ".records"
"""A build's records directory is named ``briefgen-search-XXXXXXXX.records`` (``mkdtemp``'s
characters): the suffix keeps the directories of briefgen versions that took no lock, which
cannot be told from a running build's, out of :func:`sweep_records`."""


def records_dir(characters: int) -> tuple[Path, int | None]:
    """A new directory for a build's record files (where :func:`scratch_dir` says) and the
    descriptor holding its lock until the build removes it; first, what killed builds left
    goes (:func:`sweep_records`). Raises OSError when it cannot be made."""
    sweep_records()
    where = scratch_dir(characters) or Path(tempfile.gettempdir())
    return owned_dir(where, RECORDS_PREFIX, RECORDS_SUFFIX)


def sweep_records() -> None:
    """Delete the records directories of builds that were killed (``kill -9``, out of memory:
    nothing of theirs ran to remove them), which in ``/dev/shm`` would hold memory until a
    reboot; never a running build's, which holds its lock (:func:`briefgen.write.abandoned`)."""
    for parent in dict.fromkeys([SHARED_MEMORY, Path(tempfile.gettempdir())]):
        for path in abandoned(parent, RECORDS_PREFIX, [RECORDS_SUFFIX]):
            shutil.rmtree(path, ignore_errors=True)
            logger.debug("search: removed %s, left by a build that was killed", path)


class RecordFiles:
    """The records as the files Pagefind reads: ``<root>/<lang>/<slug>.html``.

    A build writes them once into a temporary directory. The preview keeps one set across its
    index refreshes: an article that is the very object it was last time (unchanged files come
    from the article cache) is not formatted again, and a record whose bytes did not change is
    not rewritten, so a refresh after one edit writes one file instead of 10,000.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._done: dict[Path, tuple[Article, str, bytes]] = {}
        """Per record file: the article, base path and digest of the text last written."""

    def write(self, site: Site, lang: str) -> Path:
        """Bring ``lang``'s folder up to date with ``site``; returns the folder."""
        base = site.config.base_path
        folder = self.root / lang
        folder.mkdir(parents=True, exist_ok=True)
        present = set()
        for article, rec in bundle_records(site, lang, base):
            path = folder / rec.path
            present.add(path)
            done = self._done.get(path)
            if done is not None and done[0] is article and done[1] == base:
                continue
            text = record_html(rec)
            digest = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
            if done is None or done[2] != digest:
                path.write_text(text, encoding="utf-8")
            self._done[path] = (article, base, digest)
        for path in [p for p in self._done if p.parent == folder and p not in present]:
            path.unlink(missing_ok=True)  # an article deleted, or now in another language
            del self._done[path]
        return folder

    def digest(self, lang: str) -> bytes:
        """A digest of ``lang``'s records as last written (names and bytes)."""
        folder = self.root / lang
        digest = hashlib.blake2b(digest_size=20)
        for path in sorted(p for p in self._done if p.parent == folder):
            digest.update(path.name.encode("utf-8", "surrogatepass") + b"\0")
            digest.update(self._done[path][2])
        return digest.digest()

    def keep_only(self, languages: Sequence[str]) -> None:
        """Remove the folders of languages that no longer have articles."""
        for folder in self.root.iterdir() if self.root.is_dir() else ():
            if folder.name not in languages:
                shutil.rmtree(folder, ignore_errors=True)
                self._done = {p: v for p, v in self._done.items() if p.parent != folder}


class Indexing:
    """One Pagefind run per content language, writing its bundle under ``staging/pagefind/``.

    The records come from the model, not from rendered pages, so a build starts the index
    before it renders and Pagefind works while the pages are made; :meth:`finish` waits for it.
    Use as a context manager: leaving it early (a failed render) stops Pagefind.

    ``background``: the preview refreshes its index while the curator goes on editing; Pagefind
    then runs at the lowest scheduling priority, so the next rebuild gets the processor first.
    ``records``: record files kept from an earlier run (the preview's); by default they are
    written into a temporary directory.
    ``previous``: the record of the previous build of the same output. A language whose records
    are those its bundle there was made from, by the same Pagefind and the same code, gets that
    bundle back (linked, not copied) instead of a Pagefind run: a build after an edit to the
    templates, the vocabularies' labels or an Italian article leaves the Arabic run out, 28 s
    of a 10,000-article build. :attr:`digests` is what :meth:`start` found, for the next build.
    """

    def __init__(
        self,
        site: Site,
        staging: Path,
        *,
        background: bool = False,
        records: RecordFiles | None = None,
        previous: Recorded | None = None,
    ) -> None:
        self.site = site
        self.staging = staging
        self.background = background
        self.languages = bundle_languages(site)
        self._records = records
        self._previous = previous
        self.digests: dict[str, str] = {}
        """Per language, the digest of what its bundle is made from."""
        self._reused: dict[str, list[str]] = {}
        """Per language whose bundle is the previous build's: its files (output-relative)."""
        self._sources: dict[str, Path] = {}  # per language, the folder of its record files
        self._cleanup = contextlib.ExitStack()
        self._runs: list[tuple[str, subprocess.Popen[bytes], IO[bytes]]] = []
        self._binary: Path | None = None
        self._stopped = False

    def __enter__(self) -> Indexing:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Write the records and start Pagefind on them (one process per language, in
        parallel); raises :class:`BuildError` when the binary is missing or cannot run, or
        the records cannot be written (saying which)."""
        if not self.languages:
            return
        self._binary = binary = pagefind_binary()
        try:
            records = self._records
            if records is None:
                size = sum(len(a.body_text) + len(a.title) for a in self.site.articles)
                scratch, held = records_dir(size)
                self._cleanup.callback(release, held)  # once the directory is gone
                self._cleanup.callback(shutil.rmtree, scratch, ignore_errors=True)
                records = RecordFiles(scratch)
            records.keep_only(self.languages)
            # The language with the most articles first: its run is the one a build waits for.
            sizes = Counter(article.language for article in self.site.articles)
            maker = _maker(binary, self.languages)
            for lang in sorted(self.languages, key=lambda code: -sizes[code]):
                self._sources[lang] = records.write(self.site, lang)
                digest = hashlib.blake2b(maker + records.digest(lang), digest_size=20)
                self.digests[lang] = digest.hexdigest()
                if not self._reuse(lang):
                    self._launch(lang)  # Pagefind starts while the next records are written
        except OSError as exc:  # not the binary's: running it is :meth:`_launch`'s
            self.close()
            raise BuildError(f"could not prepare the search index: {exc}") from exc

    def _launch(self, lang: str) -> None:
        """Start Pagefind on ``lang``'s records, writing its bundle into the staging directory."""
        binary = self._binary
        assert binary is not None, "started"
        output = self.staging / BUNDLE_DIR / lang
        command: list[str | Path] = [binary, "--site", self._sources[lang]]
        command += ["--output-path", output, "--silent"]
        if self._stopped:
            raise BuildError("indexing stopped")
        try:
            # Its messages go to a file, not a pipe: nobody reads them until it is done.
            # The exit stack closes the file (ruff's SIM115 does not see it).
            log = self._cleanup.enter_context(tempfile.TemporaryFile())  # noqa: SIM115
            run = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        except OSError as exc:  # the binary's own fault only when the error names it
            self.close()
            hint = f"; reinstall it: {INSTALL}" if str(exc.filename) == str(binary) else ""
            raise BuildError(f"could not run the Pagefind binary {binary}: {exc}{hint}") from exc
        self._runs.append((lang, run, log))
        if self._stopped:  # stop() came while it was starting: it did not see it
            run.kill()
        if self.background:
            with contextlib.suppress(OSError):  # it may be done already
                os.setpriority(os.PRIO_PROCESS, run.pid, BACKGROUND_NICENESS)

    def _reuse(self, lang: str) -> bool:
        """Whether ``lang``'s bundle in the previous output is made from what it would be made
        from now and is intact; its files are then remembered for :meth:`finish`."""
        previous = self._previous
        if previous is None or previous.search.get(lang) != self.digests[lang]:
            return False
        files = previous.intact(f"{BUNDLE_DIR}/{lang}/")
        if files is None or f"{BUNDLE_DIR}/{lang}/pagefind.js" not in files:
            return False
        self._reused[lang] = files
        return True

    def _bring_back(self) -> None:
        """Link the reused bundles' files into the staging directory; one that changed or went
        since :meth:`start` found it intact is made by Pagefind after all. Not the filter table:
        it is made again, and must not be written through a link into the old output (nor
        the tag files beside it)."""
        for lang, files in list(self._reused.items()):
            names = [name for name in files if not _made_after(name)]
            if self._previous is not None and self._previous.bring_back(names, self.staging):
                logger.debug("search: the %s bundle of the previous build is reused", lang)
                continue
            logger.debug("search: the %s bundle of the previous build changed: made again", lang)
            del self._reused[lang]
            shutil.rmtree(self.staging / BUNDLE_DIR / lang, ignore_errors=True)
            self._launch(lang)

    def finish(self) -> list[str]:
        """Wait for Pagefind, add each bundle's filter table; return the files written
        (staging-relative). Raises :class:`BuildError` when Pagefind failed."""
        self._bring_back()
        failures = []
        for lang, run, log in self._runs:
            run.wait()
            if run.returncode != 0:
                log.seek(0)
                detail = log.read().decode("utf-8", "replace").strip().splitlines()[-3:]
                message = " ".join(detail) or "no message"
                failures.append(f"{lang}: exit status {run.returncode}: {message}")
        self._runs.clear()
        self.close()
        if self._stopped:
            raise BuildError("indexing stopped")
        if failures:
            raise BuildError(
                f"Pagefind ({self._binary}) failed to index the site: {'; '.join(failures)}; "
                f"if the binary is broken, reinstall it: {INSTALL}"
            )
        bundles = {code: self.staging / BUNDLE_DIR / code for code in self.languages}
        ids = {code: ordered_page_ids(bundle) for code, bundle in bundles.items()}
        ranks = date_ranks(self.site)
        for lang, bundle in bundles.items():
            (bundle / FILTER_TABLE).write_bytes(filter_table(self.site, lang, ids[lang], ids))
            (bundle / DATE_TABLE).write_bytes(date_rows(self.site, lang, ids[lang], ranks))
            if loads_with_page(self.site, lang):
                continue
            for key, pages in tag_pages(self.site, lang, ids[lang]).items():
                (bundle / TAG_PAGES.format(key)).write_text(json.dumps(pages), "utf-8")
        return list(_keep(self.staging, self.languages))

    def stop(self) -> None:
        """Kill the Pagefind runs under way and start no more; safe from another thread (the
        one waiting in :meth:`finish` then raises :class:`BuildError`)."""
        self._stopped = True
        for _, run, _ in list(self._runs):
            with contextlib.suppress(OSError):  # it may be gone already
                run.kill()

    def close(self) -> None:
        """Stop any Pagefind still running and remove the temporary record files."""
        for _, run, _ in self._runs:
            run.kill()
            run.wait()
        self._runs.clear()
        self._cleanup.close()


def _made_after(name: str) -> bool:
    """Whether a bundle file is briefgen's, made after Pagefind ran: the filter table and the
    tag files (named ``briefgen-…``)."""
    return name.rsplit("/", 1)[-1].startswith("briefgen-")


def _maker(binary: Path, languages: Sequence[str]) -> bytes:
    """What a bundle is made by, besides its records: the Pagefind binary (path, size and
    modification time), this module's code and :mod:`~briefgen.search.records`' (what is
    indexed, how Pagefind is run, what is kept of its output)
    and the bundles made (the first keeps the Component UI)."""
    info = binary.stat()
    return "\0".join(
        [
            str(binary),
            f"{info.st_size}:{info.st_mtime_ns}",
            *(
                hashlib.blake2b(Path(code).read_bytes(), digest_size=16).hexdigest()
                for code in (__file__, records_module.__file__)
            ),
            " ".join(languages),
            "",
        ]
    ).encode("utf-8", "surrogatepass")


def index_site(
    site: Site, staging: Path, *, background: bool = False, records: RecordFiles | None = None
) -> list[str]:
    """Write one bundle per content language under ``staging/pagefind/``; return the files
    written (staging-relative). Raises :class:`BuildError` when Pagefind fails.

    ``background`` and ``records``: see :class:`Indexing`.
    """
    with Indexing(site, staging, background=background, records=records) as indexing:
        indexing.start()
        return indexing.finish()


def _keep(staging: Path, languages: Sequence[str]) -> Iterator[str]:
    """Drop the bundle files the search page does not use; yield the others, sorted."""
    for n, lang in enumerate(languages):
        bundle = staging / BUNDLE_DIR / lang
        if not (bundle / "pagefind.js").is_file():
            raise BuildError(f"Pagefind wrote no bundle for {lang!r} into {bundle}")
        for name in UNUSED + (COMPONENT_UI if n else ()):
            (bundle / name).unlink(missing_ok=True)
        wasm = used_wasm(bundle)
        if wasm is not None:
            for path in bundle.glob("wasm.*.pagefind"):
                if path.name not in wasm:
                    path.unlink()
        shutil.rmtree(bundle / "playground", ignore_errors=True)
        for path in sorted(bundle.rglob("*")):
            if path.is_file():
                yield path.relative_to(staging).as_posix()
