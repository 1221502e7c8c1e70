"""Build-time benchmark: briefgen on generated archives, optionally beside Hugo, Eleventy, Pelican.

    python benchmarks/run.py --sizes 1000 10000 [--peers] [--repeat 3] [--keep DIR] [--json FILE]
    python benchmarks/run.py --install-peers

For each size N, benchmarks/corpus.py writes an archive of N articles (80 % Arabic, 20 % Italian,
300-1,500 words each, seed 1; reused from ``--keep DIR`` when it is already there). Every
measurement runs in a subprocess, ``--repeat`` times, and the median is reported:

- briefgen clean build without search (``briefgen build --no-search`` into a fresh output
  directory, with any parse cache, ``SITE/.briefgen-cache``, moved aside first: see ``Trash``)
  and with search;
- a build without search into a fresh output with the parse cache of the clean build before
  it (what CI does when it keeps ``SITE/.briefgen-cache`` between runs);
- a no-op rebuild (the same build again into the same output, nothing changed) and a rebuild
  after appending one sentence to one article;
- peak memory: ``ru_maxrss`` from ``os.wait4`` on the child, in MB. Linux folds in the children
  that process waited for, so with search it is the larger of briefgen and its Pagefind binary;
  a ``peak indexer N MB`` line in briefgen's log, when there is one, is reported beside it;
- pages written (files in the output) and the per-stage split from ``briefgen -v build``
  (``stage  1.234 s`` lines on stderr, reported in the order they appear);
- with ``--peers``: clean builds of the same corpus by Hugo (Debian's ``hugo``), Eleventy (npm's
  ``@11ty/eleventy``) and Pelican (PyPI's ``pelican``, in its own venv), exported by
  benchmarks/peers with minimal equivalent templates (home, article, tag and outlet pages, no
  feeds), Pagefind indexing Hugo's output, and the ratio briefgen / peer from the same run.

Peers are installed into ``benchmarks/.peers/`` (gitignored) by ``--install-peers``, or when
missing with ``--peers``; a peer that cannot be installed is skipped with a message. Each run has a
timeout (``--timeout``). "files" counts everything in the output: briefgen also writes archive,
language-filter, citation and data files that the peers' minimal templates do not, so compare
the time per build, not per file. The machine description (CPU, cores, RAM, OS, Python, peer
versions) is printed with the Markdown table.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
import peers  # noqa: E402

PEERS_DIR = HERE / ".peers"
ELEVENTY = PEERS_DIR / "node_modules" / ".bin" / "eleventy"
PELICAN_VENV = PEERS_DIR / "pelican-venv"
PELICAN = PELICAN_VENV / "bin" / "pelican"
CACHE_DIR = ".briefgen-cache"
"""Where briefgen keeps its parse cache (if it has one): removed before every clean build."""

STAGE = re.compile(r"^(\S+)\s+(\d+\.\d+) s$")
PEAK = re.compile(r"^peak (\S+)\s+(\d+(?:\.\d+)?) MB$")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)  # noqa: T201


@dataclass(slots=True)
class Run:
    """One subprocess: wall time, peak RSS, and its stderr."""

    seconds: float
    peak_mb: float
    stderr: str


class RunError(Exception):
    """A measured command failed or timed out."""


class Trash:
    """Where the runner puts what a clean build must not find, instead of deleting it.

    On ext4 without a journal (this machine's disk), the kernel does not hand out an inode freed
    less than a minute ago (five while its inode table block is unwritten), and for every new
    file it checks the freed inodes one by one (``recently_deleted`` in ``fs/ext4/ialloc.c``):
    after deletions, creating a file cost 400 to 970 µs instead of 25 µs, a penalty that grows
    with the files deleted times the files written.
    A clean build is one without a previous output, not one just after deleting 780 MB: so
    outputs are renamed into the trash (same file system, nothing freed) while measuring, and
    the trash is emptied between sizes (or when the disk runs short), after which every timed
    run waits until :data:`SETTLE` seconds have passed.
    """

    SETTLE = 330.0
    """Seconds after a deletion before a timed run: the kernel's five minutes, and a margin."""
    MIN_FREE = 20 * 1024**3
    """Bytes to keep free on the work disk: below, the trash is emptied (and runs settle)."""

    def __init__(self, work: Path) -> None:
        self.folder = work / ".trash"
        self.stamp = work / ".trash-emptied"
        self.count = 0
        self.emptied_at: float | None = None
        # An earlier run ends by emptying the trash: a run started within minutes of it waits
        # too (its first sizes were measured on a disk still paying for that deletion).
        with contextlib.suppress(OSError, ValueError):
            ago = time.time() - float(self.stamp.read_text())
            self.emptied_at = time.monotonic() - max(ago, 0.0)

    def put(self, path: Path) -> None:
        """Move ``path`` (if it exists) out of the way, freeing no inode."""
        if not path.exists():
            return
        if shutil.disk_usage(self.folder.parent).free < self.MIN_FREE:
            self.empty()
        self.folder.mkdir(exist_ok=True)
        self.count += 1
        while (self.folder / f"{self.count}-{path.name}").exists():  # an earlier run's
            self.count += 1
        path.rename(self.folder / f"{self.count}-{path.name}")

    def empty(self) -> None:
        """Delete what was put here (and any leftover of an interrupted run)."""
        if self.folder.exists():
            say(f"emptying {self.folder}; timed runs wait {self.SETTLE:.0f} s after it")
            shutil.rmtree(self.folder)
            os.sync()
            self.emptied_at = time.monotonic()
            self.stamp.write_text(repr(time.time()))

    def settle(self) -> None:
        """Wait, if need be, until the last deletion is :data:`SETTLE` seconds old."""
        if self.emptied_at is not None:
            wait = self.emptied_at + self.SETTLE - time.monotonic()
            if wait > 0:
                time.sleep(wait)


def timed(cmd: Sequence[str], cwd: Path, timeout: float, trash: Trash) -> Run:
    """Run ``cmd``; wall time and the child's own peak RSS (``os.wait4``; Linux reports KiB).

    The disk's pending writes are flushed first (``os.sync``), for every tool alike: a run is
    not charged for writing back what the run before it wrote. Nothing has been deleted shortly
    before (see :class:`Trash`).
    """
    trash.settle()
    os.sync()
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                raise RunError(f"timed out after {timeout:.0f} s: {' '.join(cmd)}")
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise RunError(f"exit {proc.returncode}: {' '.join(cmd)}\n{text[-2000:]}")
    return Run(seconds, usage.ru_maxrss / 1024, text)


@dataclass(slots=True)
class Row:
    """One line of the table."""

    size: int
    tool: str
    measure: str
    seconds: float
    peak_mb: float | None = None
    pages: int | None = None
    ratio: float | None = None
    """briefgen's time over this one (same N, same run)."""
    detail: str = ""
    runs: list[float] = field(default_factory=list)


def median_of(repeat: int, once: Callable[[], Run]) -> tuple[float, float, list[Run]]:
    runs = [once() for _ in range(repeat)]
    return (
        statistics.median(r.seconds for r in runs),
        statistics.median(r.peak_mb for r in runs),
        runs,
    )


def stages(stderr: str) -> str:
    """``name 1.23 s`` lines of ``briefgen -v``, in order, plus any ``peak NAME N MB`` lines."""
    parts: list[str] = []
    for line in stderr.splitlines():
        line = line.strip()
        if m := STAGE.match(line):
            parts.append(f"{m[1]} {float(m[2]):.2f}")
        elif m := PEAK.match(line):
            parts.append(f"peak {m[1]} {float(m[2]):.0f} MB")
    return ", ".join(parts)


def count_files(folder: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(folder))


def briefgen(*args: str) -> list[str]:
    return [sys.executable, "-m", "briefgen", *args]


def clean(site: Path, output: Path, trash: Trash) -> None:
    """What a clean build must not find: the previous output and briefgen's parse cache."""
    for folder in (output, site / CACHE_DIR):
        trash.put(folder)


def briefgen_row(size: int, measure: str, out: Path, repeat: int, once: Callable[[], Run]) -> Row:
    """Run ``once`` ``repeat`` times; its median as a row of briefgen's, with the output's files
    and the last run's stages."""
    secs, peak, runs = median_of(repeat, once)
    return Row(
        size,
        "briefgen",
        measure,
        secs,
        peak,
        count_files(out),
        None,
        stages(runs[-1].stderr),
        [r.seconds for r in runs],
    )


def cached_build(
    site: Path, out: Path, size: int, repeat: int, timeout: float, trash: Trash
) -> Row:
    """A build into a fresh output with the parse cache of the clean build before it, no search:
    what CI does when it restores ``SITE/.briefgen-cache`` between runs (every body is in it)."""

    def once() -> Run:
        trash.put(out)  # the output goes; the parse cache stays
        cmd = briefgen("-v", "build", "--source", str(site), "--output", str(out), "--no-search")
        return timed(cmd, ROOT, timeout, trash)

    return briefgen_row(size, "fresh output, parse cache kept, no search", out, repeat, once)


def measure_briefgen(
    site: Path, work: Path, size: int, repeat: int, timeout: float, trash: Trash, search: bool
) -> list[Row]:
    """Clean builds (without search, and with it when ``search``), a build into a fresh output
    with the parse cache kept, then a no-op rebuild and a one-article edit rebuild of the last
    clean build's output (with search or without)."""
    rows: list[Row] = []
    out = work / f"briefgen-{size}"
    env_cwd = ROOT  # run from the checkout so `-m briefgen` is this worktree's briefgen
    measures = [("clean build, no search", ["--no-search"])]
    if search:
        measures.append(("clean build", []))
    last = measures[-1][1]

    for measure, extra in measures:

        def once(extra: list[str] = extra) -> Run:
            clean(site, out, trash)
            cmd = briefgen("-v", "build", "--source", str(site), "--output", str(out), *extra)
            return timed(cmd, env_cwd, timeout, trash)

        rows.append(briefgen_row(size, measure, out, repeat, once))
        if extra == ["--no-search"]:
            rows.append(cached_build(site, out, size, repeat, timeout, trash))

    # The output and cache of the last clean build (with search unless --search-max) are the
    # starting point.
    def noop() -> Run:
        cmd = briefgen("-v", "build", "--source", str(site), "--output", str(out), *last)
        return timed(cmd, env_cwd, timeout, trash)

    rows.append(briefgen_row(size, "no-op rebuild", out, repeat, noop))

    target = sorted((site / "content" / "articles" / "ar").glob("*.md"))[0]
    original = target.read_bytes()

    def edit() -> Run:
        with target.open("a", encoding="utf-8") as f:
            f.write("\nجملة أضيفت لقياس إعادة البناء.\n")
        return noop()

    try:
        rows.append(briefgen_row(size, "one-article edit rebuild", out, repeat, edit))
    finally:
        target.write_bytes(original)  # the corpus stays byte-identical for the next run
    return rows


# ---------------------------------------------------------------------------------------------
# peers


def install_peers() -> None:
    """Install what is missing from the ordinary registries (apt, npm, PyPI); report failures."""
    if shutil.which("hugo") is None:
        say("installing hugo with apt-get (Debian's package)")
        subprocess.run(["apt-get", "install", "-y", "-qq", "hugo"], check=False)
    PEERS_DIR.mkdir(exist_ok=True)
    if not ELEVENTY.exists() and shutil.which("npm"):
        say(f"installing @11ty/eleventy with npm into {PEERS_DIR}")
        subprocess.run(
            ["npm", "install", "--silent", "--prefix", str(PEERS_DIR), "@11ty/eleventy"],
            check=False,
        )
    if not PELICAN.exists():
        say(f"installing pelican with pip into {PELICAN_VENV}")
        subprocess.run([sys.executable, "-m", "venv", str(PELICAN_VENV)], check=False)
        pip = PELICAN_VENV / "bin" / "pip"
        subprocess.run([str(pip), "install", "-q", "pelican", "markdown"], check=False)


def version(cmd: Sequence[str]) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    except OSError as error:
        return f"unavailable ({error})"
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0] if done.returncode == 0 and lines else f"unavailable (exit {done.returncode})"


def peer_commands(project: Path) -> dict[str, tuple[list[str], Path, Path]]:
    """Per peer: the build command, its working directory and its output directory."""
    return {
        "hugo": (["hugo", "--quiet"], project / "hugo", project / "hugo" / "public"),
        "eleventy": (
            [str(ELEVENTY), "--quiet"],
            project / "eleventy",
            project / "eleventy" / "_site",
        ),
        "pelican": (
            [str(PELICAN), "content", "-s", "pelicanconf.py", "-o", "output", "-q"],
            project / "pelican",
            project / "pelican" / "output",
        ),
    }


def available(name: str) -> str | None:
    """None when the peer can run, else why not."""
    exe = {"hugo": shutil.which("hugo"), "eleventy": ELEVENTY, "pelican": PELICAN}[name]
    return None if exe and Path(exe).exists() else f"{name} is not installed (--install-peers)"


def measure_peers(
    site: Path, work: Path, size: int, repeat: int, timeout: float, per_page: int, trash: Trash
) -> list[Row]:
    rows: list[Row] = []
    project = work / f"peers-{size}"
    for name, (cmd, cwd, out) in peer_commands(project).items():
        reason = available(name)
        if reason is not None:
            say(f"skipping {name}: {reason}")
            continue
        trash.put(cwd)  # the exporter would delete the previous export and output
        peers.EXPORTERS[name](site, cwd, per_page)

        def once(out: Path = out, cmd: list[str] = cmd, cwd: Path = cwd) -> Run:
            trash.put(out)
            return timed(cmd, cwd, timeout, trash)

        try:
            secs, peak, runs = median_of(repeat, once)
        except RunError as error:
            say(f"skipping {name}: {error}")
            continue
        rows.append(
            Row(
                size,
                name,
                "clean build",
                secs,
                peak,
                count_files(out),
                runs=[r.seconds for r in runs],
            )
        )
        if name == "hugo":
            pf = [sys.executable, "-m", "pagefind", "--site", str(out)]

            def index(out: Path = out, pf: list[str] = pf) -> Run:
                trash.put(out / "pagefind")
                return timed(pf, ROOT, timeout, trash)

            try:
                secs, peak, runs = median_of(repeat, index)
                rows.append(
                    Row(
                        size,
                        "pagefind",
                        "index hugo output",
                        secs,
                        peak,
                        count_files(out / "pagefind"),
                        runs=[r.seconds for r in runs],
                    )
                )
            except RunError as error:
                say(f"skipping pagefind: {error}")
    return rows


def add_ratios(rows: list[Row]) -> None:
    """briefgen / peer at the same size: --no-search vs each peer, with search vs Hugo+Pagefind."""
    for size in {r.size for r in rows}:
        mine = {r.measure: r for r in rows if r.size == size and r.tool == "briefgen"}
        hugo = [r for r in rows if r.size == size and r.tool == "hugo"]
        for row in rows:
            if row.size != size or row.tool in ("briefgen",):
                continue
            if row.tool == "pagefind" and hugo and "clean build" in mine:
                row.ratio = mine["clean build"].seconds / (hugo[0].seconds + row.seconds)
                row.detail = "ratio: briefgen with search / (hugo + pagefind)"
            elif "clean build, no search" in mine and row.tool != "pagefind":
                row.ratio = mine["clean build, no search"].seconds / row.seconds
                row.detail = "ratio: briefgen --no-search / peer"


# ---------------------------------------------------------------------------------------------
# report


def machine(with_peers: bool) -> dict[str, str]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        kb = int(meminfo.read_text().split()[1])
        ram = f"{kb / 1024**2:.1f} GB"
    osname = platform.platform()
    release = Path("/etc/os-release")
    if release.is_file():
        for line in release.read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                osname = line.split("=", 1)[1].strip('"')
    info = {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "os": osname,
        "python": platform.python_version(),
        "briefgen": version(briefgen("--version")),
        "pagefind": version([sys.executable, "-m", "pagefind", "--version"]),
    }
    if with_peers:
        info["hugo"] = version(["hugo", "version"])
        info["eleventy"] = version([str(ELEVENTY), "--version"])
        info["pelican"] = version([str(PELICAN), "--version"])
    return info


def table(rows: Sequence[Row]) -> str:
    def num(value: float | int | None, fmt: str) -> str:
        return "" if value is None else format(value, fmt)

    lines = [
        "| N | tool | measure | median s | peak MB | files | briefgen/peer | detail |",
        "|---:|---|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.size} | {r.tool} | {r.measure} | {r.seconds:.2f} | {num(r.peak_mb, '.0f')} "
            f"| {num(r.pages, 'd')} | {num(r.ratio, '.2f')} | {r.detail} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000], metavar="N")
    parser.add_argument(
        "--peers", action="store_true", help="also build with Hugo, Eleventy, Pelican"
    )
    parser.add_argument("--install-peers", action="store_true", help="install the peers and exit")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure (median)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep corpora and outputs here")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per run")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the rows as JSON")
    parser.add_argument(
        "--search-max",
        type=int,
        metavar="N",
        help="no build with search above N articles (Pagefind's own peak grows by about "
        "0.4 MB an Arabic article: 3.2 GB at 10,000); the rebuilds are then without search",
    )
    args = parser.parse_args(argv)
    if args.install_peers:
        install_peers()
        return 0
    if args.peers and any(available(p) for p in peers.EXPORTERS):
        say("some peers are missing: installing them")
        install_peers()

    with tempfile.TemporaryDirectory(prefix="briefgen-bench-") as tmp:
        work = (args.keep or Path(tmp)).resolve()
        work.mkdir(parents=True, exist_ok=True)
        rows: list[Row] = []
        trash = Trash(work)
        trash.empty()  # an interrupted run's
        for size in args.sizes:
            site = work / f"corpus-{size}-s{args.seed}"
            if corpus.is_generated(site, size, args.seed):
                say(f"N={size}: reusing {site}")
            else:
                say(f"N={size}: generating {site}")
                if (site / corpus.MARKER).is_file():
                    trash.put(site)  # another seed or size: out of the way, not deleted
                corpus.generate(site, size, args.seed)
            try:
                search = args.search_max is None or size <= args.search_max
                if not search:
                    say(f"N={size}: no build with search (--search-max {args.search_max})")
                rows += measure_briefgen(site, work, size, args.repeat, args.timeout, trash, search)
            except RunError as error:
                say(f"briefgen failed at N={size}: {error}")
                return 1
            if args.peers:
                rows += measure_peers(site, work, size, args.repeat, args.timeout, 20, trash)
            add_ratios(rows)
            trash.empty()
            say(table([r for r in rows if r.size == size]))
        info = machine(args.peers)
    print("\n".join(f"- {k}: {v}" for k, v in info.items()) + "\n")  # noqa: T201
    print(f"repeat: {args.repeat} (median)\n\n{table(rows)}")  # noqa: T201
    if args.json:
        payload = {"machine": info, "repeat": args.repeat, "rows": [asdict(r) for r in rows]}
        args.json.write_text(json.dumps(payload, indent=1, ensure_ascii=False), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
