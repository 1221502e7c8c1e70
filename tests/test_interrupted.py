"""A build killed at any moment (``kill -9``, a power cut) costs nothing but the build.

What it leaves beside the output (its staging directory, or the old output it had moved aside
to swap) is finished or undone by the next build of the same output: the output it finds is
the old one or the new one, never none, and the files the user keeps in it are all there. A
directory that is not a dead build's of that output (someone else's, another output's, a build
still running) is never touched.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefgen.build import build
from briefgen.write import Staging
from tests import processes
from tests.helpers import tree
from tests.processes import ROOT, environment, group_alive, wait_for

sys.path.insert(0, str(ROOT / "benchmarks"))

import corpus

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="no directory locks: no sweep")

USER_FILES = {"CNAME": b"archive.example.org\n", ".git/HEAD": b"ref: x\n", "it/notes.txt": b"n"}


def litter(output: Path) -> list[str]:
    """What builds of ``output`` left beside it."""
    return sorted(
        p.name
        for p in output.parent.iterdir()
        if p.name.startswith(f".{output.name}.") and p.name.endswith((".staging", ".previous"))
    )


def add_user_files(output: Path) -> None:
    for name, data in USER_FILES.items():
        (output / name).parent.mkdir(parents=True, exist_ok=True)
        (output / name).write_bytes(data)


def site_files(output: Path) -> dict[str, bytes]:
    """The output without the user's files (which a clean build does not make)."""
    return {k: v for k, v in tree(output).items() if k not in USER_FILES}


def python(
    *args: str, session: bool = False, piped: bool = False, pagefind: Path | None = None
) -> subprocess.Popen[bytes]:
    """Python running ``args`` (from this checkout); ``piped``: stdin and stdout are pipes;
    ``pagefind``: the Pagefind binary it runs."""
    return subprocess.Popen(
        [sys.executable, *args],
        env=environment(pagefind),
        start_new_session=session,
        stdin=subprocess.PIPE if piped else None,
        stdout=subprocess.PIPE if piped else None,
    )


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 articles: rendering them in one process takes seconds, time to kill the build."""
    root = tmp_path_factory.mktemp("corpus") / "site"
    corpus.generate(root, 300, seed=1)
    return root


def staged_files(output: Path) -> int:
    return sum(len(files) for d in litter(output) for _, _, files in os.walk(output.parent / d))


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_a_build_killed_mid_render_leaves_what_the_next_build_removes(
    big: Path, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    assert build(big, output, jobs=1).pages > 2000
    add_user_files(output)
    before = tree(output)
    run = python(
        "-m", "briefgen", "build", "--force", "--jobs", "1", "--source", str(big),
        "--output", str(output), session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while staged_files(output) < 300:  # rendering, Pagefind started
        assert run.poll() is None, "the build ended before it could be killed: a bigger site"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    os.kill(run.pid, signal.SIGKILL)  # kill -9
    assert run.wait() == -signal.SIGKILL
    with_children = time.monotonic() + 30
    while group_alive(run.pid) and time.monotonic() < with_children:  # its Pagefind runs
        os.killpg(run.pid, signal.SIGKILL)
        time.sleep(0.05)
    assert [name.endswith(".staging") for name in litter(output)] == [True]
    assert tree(output) == before  # the output is the old one, whole

    # Nothing changed since the last build that finished: a no-op, which sweeps all the same.
    assert build(big, output, jobs=1).fresh
    assert litter(output) == []
    assert site_files(output) == site_files(build(big, tmp_path / "clean", jobs=1).output)
    assert {k: v for k, v in tree(output).items() if k in USER_FILES} == USER_FILES


DIE = """
import os, shutil, sys
from briefgen.cli import main

name, nth, root = sys.argv[1], int(sys.argv[2]), sys.argv[3]
calls = 0

def dying(real, mine):
    def call(path, *args, **kwargs):
        global calls
        if mine(str(path)):
            calls += 1
            if calls == nth:
                os._exit(9)  # dies as under kill -9: no cleanup of any kind
        return real(path, *args, **kwargs)
    return call

if name == "rename":
    os.rename = dying(os.rename, lambda path: path.startswith(root))
else:
    shutil.rmtree = dying(shutil.rmtree, lambda path: ".previous/" in path)
sys.exit(main(sys.argv[4:]))
"""

KILLED = {
    "before the swap": ("rename", 1),
    "between the two renames of the swap": ("rename", 2),
    "swapped, the user's files not yet moved": ("rename", 3),
    "while the user's files are moved": ("rename", 4),
    "while the old output is deleted": ("rmtree", 2),
}
"""Where the build dies: before the nth call of ``os.rename`` (in the site's folder) or of
``shutil.rmtree`` (in the old output moved aside)."""


@pytest.mark.parametrize("when", KILLED)
def test_a_build_killed_while_swapping_is_finished_or_undone(
    valid_copy: Path, tmp_path: Path, when: str
) -> None:
    output = tmp_path / "out"
    build(valid_copy, output, search=False, jobs=1)
    add_user_files(output)
    article = valid_copy / "content/articles/it/sberbank.md"
    article.write_text(article.read_text("utf-8") + "\nUna frase aggiunta.\n", "utf-8")
    old = site_files(output)
    name, nth = KILLED[when]
    args = ["build", "--no-search", "--jobs", "1", "--source", str(valid_copy)]
    run = python("-c", DIE, name, str(nth), str(tmp_path), *args, "--output", str(output))
    assert run.wait(60) == 9  # it died where it was meant to
    assert litter(output)

    build(valid_copy, output, search=False, jobs=1)
    assert litter(output) == []
    new = build(valid_copy, tmp_path / "clean", search=False, jobs=1, force=True)
    assert site_files(output) == site_files(new.output) != old
    assert {k: v for k, v in tree(output).items() if k in USER_FILES} == USER_FILES


def test_only_dead_builds_directories_of_this_output_are_swept(tmp_path: Path) -> None:
    output = tmp_path / "out"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    dead = [".out.abcd_123.staging", ".out.0a1b2c3d.staging"]
    kept = [
        ".something.staging",  # not made by briefgen
        ".other.abcd1234.staging",  # another output's
        ".out.v2.abcd1234.staging",  # the output "out.v2"'s
        ".out.staging",
        ".out.ABCD1234.staging",  # not mkdtemp's letters
        ".out.abcd12345.staging",
        "out.abcd1234.staging",
        ".out.abcd1234.staging.old",
    ]
    for name in dead + kept:
        (tmp_path / name).mkdir()
        (tmp_path / name / "page.html").write_text("x")
    (tmp_path / ".out.abcd5678.staging").write_text("a file, not a build's directory")
    (tmp_path / ".out.abcd9999.staging").symlink_to(elsewhere, target_is_directory=True)
    (elsewhere / "precious.txt").write_text("mine")
    with Staging(output) as staging:
        staging.write("index.html", b"<p>")
        staging.commit()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [*kept, "out", "elsewhere", ".out.abcd5678.staging", ".out.abcd9999.staging"]
    )
    assert all((tmp_path / name / "page.html").read_text() == "x" for name in kept)
    assert (elsewhere / "precious.txt").read_text() == "mine"


def test_a_running_builds_staging_directory_is_left_alone(tmp_path: Path) -> None:
    output = tmp_path / "out"
    with Staging(output) as first:
        first.write("a.html", b"first")
        with Staging(output) as second:  # its sweep sees the first one locked
            assert (first.dir / "a.html").read_bytes() == b"first"
            assert second.dir != first.dir
        first.commit()
    assert tree(output) == {".briefgen-manifest": b"a.html\n", "a.html": b"first"}
    assert litter(output) == []


HOLD = """
import sys
from pathlib import Path
from briefgen.write import Staging

with Staging(Path(sys.argv[1])) as staging:
    staging.write("index.html", b"from the other build")
    print(staging.dir, flush=True)
    sys.stdin.readline()
    staging.commit()
"""


@pytest.fixture
def running(valid_copy: Path, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """tmp/out built, and another process in the middle of a build of it: its staging
    directory."""
    output = tmp_path / "out"
    build(valid_copy, output, search=False, jobs=1)
    run = python("-c", HOLD, str(output), piped=True)
    assert run.stdout is not None
    yield run, Path(run.stdout.readline().decode().strip())
    run.kill()
    run.wait()


def test_a_build_beside_one_still_running_in_another_process_leaves_it_be(
    valid_copy: Path, tmp_path: Path, running: tuple[subprocess.Popen[bytes], Path]
) -> None:
    run, staging = running
    output = tmp_path / "out"
    build(valid_copy, output, search=False, jobs=1, force=True)  # sweeps, builds, swaps in
    assert (staging / "index.html").read_bytes() == b"from the other build"
    assert run.stdin is not None
    run.stdin.write(b"go on\n")
    run.stdin.close()
    assert run.wait(30) == 0  # the other build swaps its site in after this one
    assert (output / "index.html").read_bytes() == b"from the other build"
    assert litter(output) == []


INDEXING = """
import sys
from pathlib import Path
import briefgen.search.index as index
from briefgen.cli import main

index.SHARED_MEMORY = Path(sys.argv[1])  # where the record files go (/dev/shm)
sys.exit(main(sys.argv[2:]))
"""

HOLD_RECORDS = """
import sys
from pathlib import Path
import briefgen.search.index as index

index.SHARED_MEMORY = Path(sys.argv[1])
print(index.records_dir(1000)[0], flush=True)  # as a build that indexes does
sys.stdin.readline()
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_the_records_of_a_build_killed_while_indexing_go_at_the_next_build(
    valid_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In /dev/shm they would hold memory until a reboot; a running build's stay."""
    shared = tmp_path / "shm"
    shared.mkdir()
    pagefind = tmp_path / "pagefind"  # a Pagefind that indexes for as long as the test needs
    pagefind.write_text("#!/bin/sh\nexec sleep 600\n")
    pagefind.chmod(0o755)
    args = ["build", "--jobs", "1", "--source", str(valid_copy), "--output", str(tmp_path / "out")]
    run = python("-c", INDEXING, str(shared), *args, session=True, pagefind=pagefind)
    try:  # the build, Pagefind for ar and for it
        wait_for(lambda: len(processes.running(group=run.pid)) == 3, "Pagefind on the records")
    finally:
        os.kill(run.pid, signal.SIGKILL)  # kill -9
        run.wait()
        while group_alive(run.pid):  # its Pagefind runs
            os.killpg(run.pid, signal.SIGKILL)
            time.sleep(0.05)
    (left,) = shared.iterdir()
    assert sorted(p.name for p in left.iterdir()) == ["ar", "it"]

    monkeypatch.setattr("briefgen.search.index.SHARED_MEMORY", shared)
    monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)  # the real one
    build(valid_copy, tmp_path / "out", jobs=1)
    assert list(shared.iterdir()) == []  # the killed build's and this build's own

    holder = python("-c", HOLD_RECORDS, str(shared), piped=True)
    assert holder.stdin is not None and holder.stdout is not None
    live = Path(holder.stdout.readline().decode().strip())
    try:
        build(valid_copy, tmp_path / "out", jobs=1, force=True)
        assert list(shared.iterdir()) == [live]
    finally:
        holder.stdin.close()
        holder.wait(30)
    build(valid_copy, tmp_path / "out", jobs=1, force=True)
    assert list(shared.iterdir()) == []
