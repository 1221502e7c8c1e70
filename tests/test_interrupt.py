"""Ctrl-C and SIGTERM: one line, exit status 130 (143), no process left running, the previous
output as it was.

A terminal sends SIGINT to every process of its foreground group: the build, its reading and
rendering processes and Pagefind. Each test starts briefgen in a group of its own and does the
same with ``os.killpg``, at a moment it knows the stage is under way (a ``-v`` line and the
processes that stage runs), not after a fixed sleep. SIGTERM (``timeout``, a cancelled CI job)
is sent to briefgen alone: it must end its processes itself.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from briefgen.parsecache import PENDING
from tests.helpers import tree_hash
from tests.processes import HAS_PROC, ROOT, environment, running, wait_for

ARTICLES = 400
"""Enough for two reader processes (content.READ_MIN); --jobs 2 makes two render workers."""
INTERRUPTED = "briefgen: interrupted; the previous output is unchanged"
TERMINATED = "briefgen: terminated; the previous output is unchanged"

pytestmark = pytest.mark.skipif(
    not HAS_PROC or not hasattr(os, "killpg"), reason="watches processes through Linux's /proc"
)


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


def ctrl_c(build: subprocess.Popen[str]) -> None:
    """What a terminal does: SIGINT to every process of the foreground group."""
    os.killpg(build.pid, signal.SIGINT)


def sigterm(build: subprocess.Popen[str]) -> None:
    """What ``timeout`` or a CI runner cancelling a job does: SIGTERM to briefgen alone."""
    os.kill(build.pid, signal.SIGTERM)


STOPS: dict[str, tuple[Callable[[subprocess.Popen[str]], None], str, int]] = {
    "ctrl-c": (ctrl_c, INTERRUPTED, 130),
    "sigterm": (sigterm, TERMINATED, 143),
}
"""How the build is stopped: the signal sent, the line it prints, its exit status."""


@pytest.mark.parametrize("presses", [1, 2], ids=["once", "twice"])
@pytest.mark.parametrize("stage", list(STAGES))
@pytest.mark.parametrize("stop", list(STOPS))
def test_ctrl_c_or_sigterm_during_a_build(
    corpus: tuple[Path, Path, Path], stop: str, stage: str, presses: int
) -> None:
    """Every process ends, one line is printed, the exit status is 130 (143 for SIGTERM), the
    previous output is as it was and nothing is left beside it. Sent twice, the second signal
    comes while the first one's cleanup runs, and must not cut it short."""
    site, output, pagefind = corpus
    send, said, status = STOPS[stop]
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
        send(build)
        if presses == 2:  # once the cleanup has begun to end them
            wait_for(lambda: len(running(parent=build.pid)) < processes, "the cleanup")
            send(build)
        rest = build.stderr.read()
        assert build.stdout is not None and build.stdout.read() == ""
        build.wait(timeout=60)
    finally:
        if build.poll() is None:
            os.killpg(build.pid, signal.SIGKILL)
            build.wait()
    # Only the line, and no -v line either: the stage had not ended when the signal came.
    assert rest.splitlines() == [said]
    assert build.returncode == status
    assert running(group=build.pid) == []
    assert tree_hash(output) == before
    assert [p.name for p in output.parent.iterdir() if p.name.startswith(".")] == []
    assert list((site / ".briefgen-cache").glob(f"parse/**/{PENDING}*")) == []


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
@pytest.mark.parametrize("stop", list(STOPS))
def test_ctrl_c_or_sigterm_during_check_and_import(
    corpus: tuple[Path, Path, Path], stop: str, command: str, tmp_path: Path
) -> None:
    """One line, no traceback, exit status 130 (143); an interrupted import wrote nothing."""
    site, _, _ = corpus
    send, said, status = STOPS[stop]
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
        send(run)
        out, err = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    assert (out, err) == ("", said.partition(";")[0] + "\n")
    assert run.returncode == status
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
