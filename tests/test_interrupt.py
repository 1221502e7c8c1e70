"""Ctrl-C: one line, exit status 130, no process left running, the previous output as it was.

A terminal sends SIGINT to every process of its foreground group: the build, its reading and
rendering processes and Pagefind. Each test starts briefgen in a group of its own and does the
same with ``os.killpg``, at a moment it knows the stage is under way (a ``-v`` line and the
processes that stage runs), not after a fixed sleep.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers import tree_hash

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = 400
"""Enough for two reader processes (content.READ_MIN); --jobs 2 makes two render workers."""
INTERRUPTED = "briefgen: interrupted; the previous output is unchanged"

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").is_file() or not hasattr(os, "killpg"),
    reason="watches processes through Linux's /proc",
)


def _stat(pid: str) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name: state, parent, group, ..."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rpartition(")")[2].split()


def running(*, parent: int | None = None, group: int | None = None) -> list[int]:
    """Processes not yet ended (zombies have) with this parent or in this process group."""
    found = []
    for entry in os.listdir("/proc"):
        fields = _stat(entry) if entry.isdigit() else None
        if fields is None or fields[0] == "Z":
            continue
        if int(fields[1]) == parent or int(fields[2]) == group:
            found.append(int(entry))
    return found


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


def environment(pagefind: Path | None = None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if pagefind is not None:
        env["PAGEFIND_BINARY_PATH"] = str(pagefind)
    return env


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, Path]]:
    """A generated site, built once into ``out`` by two processes: (site, output, Pagefind).

    The Pagefind stand-in ignores SIGINT and sleeps: only briefgen can end it, and an index
    under way lasts as long as a test needs.
    """
    sys.path.insert(0, str(ROOT))
    from benchmarks.corpus import generate

    base = tmp_path_factory.mktemp("interrupt")
    site, output = base / "site", base / "out"
    generate(site, ARTICLES, seed=7)
    command = [sys.executable, "-m", "briefgen", "build", "--no-search", "--jobs", "2"]
    command += ["--source", str(site), "--output", str(output)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=environment())
    assert done.returncode == 0, done.stderr
    pagefind = base / "pagefind"
    pagefind.write_text("#!/bin/sh\ntrap '' INT\nexec sleep 600\n")
    pagefind.chmod(0o755)
    yield site, output, pagefind


STAGES = {
    # stage: (the -v line just before it, the build's processes running while it is under way)
    "reading": ("fresh ", 2),  # two readers
    "rendering": ("rendered by 2 process(es)", 4),  # Pagefind for ar and it, two workers
    "indexing": ("write ", 2),  # Pagefind for ar and it
}


@pytest.mark.parametrize("presses", [1, 2], ids=["once", "twice"])
@pytest.mark.parametrize("stage", list(STAGES))
def test_ctrl_c_during_a_build(corpus: tuple[Path, Path, Path], stage: str, presses: int) -> None:
    """Every process ends, one line is printed, the exit status is 130, the previous output is
    as it was and nothing is left beside it. Pressed twice, the second Ctrl-C comes while the
    first one's cleanup runs, and must not cut it short."""
    site, output, pagefind = corpus
    before = tree_hash(output)
    if stage == "reading":  # bodies not parsed yet: the readers take a while
        for pack in (site / ".briefgen-cache").glob("parse/*/*.pack"):
            pack.unlink()  # the folder stays: readers put their packs beside them till done
    after, processes = STAGES[stage]
    command = [sys.executable, "-m", "briefgen", "-v", "build", "--force", "--jobs", "2"]
    command += ["--source", str(site), "--output", str(output)]
    build = subprocess.Popen(
        command,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=environment(pagefind),
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    try:
        assert build.stderr is not None
        for line in build.stderr:
            if after in line:
                break
        else:
            raise AssertionError(f"the build ended before {stage}: {build.wait()}")
        wait_for(lambda: len(running(parent=build.pid)) >= processes, f"{stage} processes")
        os.killpg(build.pid, signal.SIGINT)
        if presses == 2:  # once the cleanup has begun to end them
            wait_for(lambda: len(running(parent=build.pid)) < processes, "the cleanup")
            os.killpg(build.pid, signal.SIGINT)
        rest = build.stderr.read()
        assert build.stdout is not None and build.stdout.read() == ""
        build.wait(timeout=60)
    finally:
        if build.poll() is None:
            os.killpg(build.pid, signal.SIGKILL)
            build.wait()
    # Only the line, and no -v line either: the stage had not ended when Ctrl-C came.
    assert rest.splitlines() == [INTERRUPTED]
    assert build.returncode == 130
    assert running(group=build.pid) == []
    assert tree_hash(output) == before
    assert [p.name for p in output.parent.iterdir() if p.name.startswith(".")] == []
    assert list((site / ".briefgen-cache").glob("parse/**/.pending-*")) == []


STARTING = """
import os, signal, sys
import briefgen.parallel
from briefgen.cli import main

work = briefgen.parallel._work
def starting(*args):
    os.killpg(0, signal.SIGINT)  # Ctrl-C just as a rendering process starts
    return work(*args)
briefgen.parallel._work = starting
sys.exit(main(sys.argv[1:]))
"""


def test_ctrl_c_as_the_rendering_processes_start(valid_copy: Path, tmp_path: Path) -> None:
    """A worker that Ctrl-C reaches before it is under way leaves it to the build too."""
    output = tmp_path / "out"
    build = [sys.executable, "-m", "briefgen", "build", "--no-search", "--jobs", "2"]
    build += ["--source", str(valid_copy), "--output", str(output)]
    assert subprocess.run(build, capture_output=True, env=environment()).returncode == 0
    before = tree_hash(output)
    command = [sys.executable, "-c", STARTING, *build[3:], "--force"]
    run = subprocess.Popen(
        command, stderr=subprocess.PIPE, text=True, env=environment(), start_new_session=True
    )
    try:
        _, err = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    assert (err, run.returncode) == (INTERRUPTED + "\n", 130)
    assert running(group=run.pid) == []
    assert tree_hash(output) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "valid"]


WATCHED = """
import sys
import briefgen.content, briefgen.importer
from briefgen.cli import main

def announcing(module, name):
    # The first call says so on stdout, then the work goes on as it would.
    real = getattr(module, name)
    def first(*args, **kwargs):
        if not getattr(first, "told", False):
            first.told = True
            print("under way", flush=True)
        return real(*args, **kwargs)
    setattr(module, name, first)

announcing(briefgen.content, "load_article")  # check reads every article
announcing(briefgen.importer, "_slug_and_body")  # import reads the archive's bodies first
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("command", ["check", "import"])
def test_ctrl_c_during_check_and_import(
    corpus: tuple[Path, Path, Path], command: str, tmp_path: Path
) -> None:
    """One line, no traceback, exit status 130; an interrupted import wrote nothing."""
    site, _, _ = corpus
    args = [command, "--source", str(site)]
    if command == "import":
        args += [str(p) for p in sorted((ROOT / "tests/import_seeds").glob("*.txt"))]
    articles = sorted(site.rglob("*.md"))
    run = subprocess.Popen(
        [sys.executable, "-c", WATCHED, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(),
        start_new_session=True,
    )
    try:
        assert run.stdout is not None
        assert run.stdout.readline() == "under way\n", run.communicate()
        os.killpg(run.pid, signal.SIGINT)
        out, err = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    assert (out, err) == ("", "briefgen: interrupted\n")
    assert run.returncode == 130
    assert sorted(site.rglob("*.md")) == articles


SWAP = """
import os, signal, sys
from briefgen.cli import main
from briefgen.write import Staging

commit = Staging.commit
def interrupted(self):
    os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C just as the swap begins
    return commit(self)
Staging.commit = interrupted
sys.exit(main(sys.argv[1:]))
"""


def test_ctrl_c_during_the_swap_lets_the_build_finish(valid_copy: Path, tmp_path: Path) -> None:
    """Stopping between the two renames would leave neither output: the build completes."""
    output = tmp_path / "out"
    command = [sys.executable, "-c", SWAP, "build", "--no-search", "--jobs", "1"]
    command += ["--source", str(valid_copy), "--output", str(output)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=environment())
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and done.stdout.startswith("built ")
    assert (output / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "valid"]
