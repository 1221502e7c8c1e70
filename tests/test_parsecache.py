"""The parse cache: a body rendered by an earlier build is not rendered again, and nothing the
cache holds, damaged, stale or forged, can change what is built."""

from __future__ import annotations

import logging
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import pytest

import briefgen.markdown
import briefgen.parsecache
from briefgen.build import build
from briefgen.parsecache import ParseCache, body_key, framed, signature
from tests.helpers import tree
from tests.processes import environment

ROOT = Path(__file__).resolve().parent.parent


def built(site: Path, output: Path) -> dict[str, bytes]:
    """A full build of ``site`` (never "up to date") without search; the tree it wrote."""
    build(site, output, search=False, force=True, jobs=1)
    return tree(output)


def packs(site: Path) -> list[Path]:
    return sorted((site / ".briefgen-cache" / "parse").glob("*/*.pack"))


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The bodies Markdown is rendered for from now on."""
    seen: list[str] = []
    render = briefgen.markdown.render

    def counting(md: object, text: str) -> object:
        seen.append(text)
        return render(md, text)  # type: ignore[arg-type]

    monkeypatch.setattr(briefgen.markdown, "render", counting)
    return seen


def pack_bytes(payload: bytes) -> bytes:
    """A pack whose header (magic, digest, length) is right for ``payload``."""
    return framed(payload, signature().encode())


def body_of(article: Path) -> str:
    """The Markdown body of an article file (after its front matter)."""
    return article.read_text("utf-8").split("\n---\n", 1)[1]


def test_a_second_build_renders_no_body_and_writes_the_same_bytes(
    valid_copy: Path, tmp_path: Path, renders: list[str]
) -> None:
    clean = built(valid_copy, tmp_path / "one")
    assert len(renders) == 6 and packs(valid_copy)
    renders.clear()
    assert built(valid_copy, tmp_path / "two") == clean
    assert renders == []
    # The cache stays out of version control, like the rest of .briefgen-cache.
    assert (valid_copy / ".briefgen-cache" / ".gitignore").read_text("utf-8").endswith("*\n")


def test_an_edited_body_alone_is_rendered_again(
    valid_copy: Path, tmp_path: Path, renders: list[str]
) -> None:
    built(valid_copy, tmp_path / "one")
    article = valid_copy / "content/articles/it/sberbank.md"
    article.write_text(article.read_text("utf-8") + "\nUn paragrafo aggiunto.\n", "utf-8")
    renders.clear()
    cached = built(valid_copy, tmp_path / "two")
    assert renders == [body_of(article)]
    showing = [path for path, data in cached.items() if b"Un paragrafo aggiunto." in data]
    assert "it/articles/sberbank/index.html" in showing, showing
    shutil.rmtree(valid_copy / ".briefgen-cache")
    assert built(valid_copy, tmp_path / "three") == cached  # as a build with no cache


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[:-10], id="truncated"),
        pytest.param(lambda data: data[:200] + bytes([data[200] ^ 1]) + data[201:], id="bit-flip"),
        pytest.param(lambda data: b"not a pack at all", id="garbage"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(
            lambda data: pack_bytes(pickle.dumps([(b"short", "<p>x</p>", "x", ())])),
            id="entry-of-the-wrong-shape",
        ),
        pytest.param(
            lambda data: pack_bytes(pickle.dumps({"not": "a list"})), id="not-a-list-of-entries"
        ),
    ],
)
def test_a_damaged_pack_is_deleted_and_its_bodies_rendered_again(
    valid_copy: Path, tmp_path: Path, renders: list[str], damage: object
) -> None:
    clean = built(valid_copy, tmp_path / "one")
    (pack,) = packs(valid_copy)
    pack.write_bytes(damage(pack.read_bytes()))  # type: ignore[operator]
    renders.clear()
    assert built(valid_copy, tmp_path / "two") == clean
    assert len(renders) == 6  # nothing was taken from the damaged pack
    assert not pack.exists() and len(packs(valid_copy)) == 1  # replaced by a good one


SCRIPT = b"<script>forged()</script>"


def _solve(columns: list[int], target: int) -> int:
    """The bits ``x`` such that the XOR of ``columns[i]`` over the bits ``i`` set in ``x`` is
    ``target`` (Gaussian elimination over GF(2))."""
    basis: dict[int, tuple[int, int]] = {}
    for i, column in enumerate(columns):
        combination = 1 << i
        for bit in reversed(range(32)):
            if column >> bit & 1:
                if bit not in basis:
                    basis[bit] = (column, combination)
                    break
                column ^= basis[bit][0]
                combination ^= basis[bit][1]
    x = 0
    for bit in reversed(range(32)):
        if target >> bit & 1:
            column, combination = basis[bit]
            target ^= column
            x ^= combination
    return x


def crc_kept(data: bytes, at: int, new: bytes) -> bytes:
    """``data`` with ``new`` written over it from ``at``, the last four bytes of ``new`` changed
    so that the CRC-32 of every stretch of ``data`` that runs from before ``at`` to its end
    stays what it was. A CRC is linear: anyone can do this, in a few lines."""
    edited = bytearray(data)
    edited[at : at + len(new)] = new
    window = at + len(new) - 4
    crc = zlib.crc32(edited)
    columns = []  # what flipping each bit of the four bytes does to the CRC
    for bit in range(32):
        edited[window + bit // 8] ^= 1 << bit % 8
        columns.append(zlib.crc32(edited) ^ crc)
        edited[window + bit // 8] ^= 1 << bit % 8
    fix = _solve(columns, crc ^ zlib.crc32(data))
    for bit in range(32):
        if fix >> bit & 1:
            edited[window + bit // 8] ^= 1 << bit % 8
    return bytes(edited)


def test_a_pack_edited_by_hand_is_refused_even_when_its_crc_still_matches(
    valid_copy: Path, tmp_path: Path, renders: list[str]
) -> None:
    """Raw HTML written into a stored body, the pack's header left as it was and its CRC-32
    kept: Markdown's ban on raw HTML must hold all the same. The build is a clean build's."""
    clean = built(valid_copy, tmp_path / "one")
    (pack,) = packs(valid_copy)
    data = pack.read_bytes()
    size = len(SCRIPT) + 8  # the script, four digits, the four bytes that keep the CRC
    at = next(  # a stretch of one paragraph's ASCII text
        i
        for i in range(len(data))
        if data.startswith(b"<p>", i)
        and all(32 <= byte < 127 for byte in data[i : i + size])
        and b"</p>" not in data[i : i + size]
    )
    for nonce in range(10_000):  # until the four bytes are ASCII too, as UTF-8 text must be
        edited = crc_kept(data, at, SCRIPT + b"%04d" % nonce + b"????")
        if all(32 <= byte < 127 for byte in edited[at + size - 4 : at + size]):
            break
    assert all(zlib.crc32(edited[start:]) == zlib.crc32(data[start:]) for start in range(at))
    pack.write_bytes(edited)
    renders.clear()
    site = built(valid_copy, tmp_path / "two")
    assert not [path for path, page in site.items() if SCRIPT in page]
    assert site == clean
    assert len(renders) == 6 and not pack.exists()  # the whole pack refused and deleted


def sig_dir(site: Path) -> Path:
    return site / ".briefgen-cache" / "parse" / signature()


def replace_by_link(path: Path, to: Path) -> None:
    shutil.rmtree(path)
    path.symlink_to(to, target_is_directory=True)


def replace_by_file(path: Path, to: Path) -> None:
    shutil.rmtree(path)
    path.write_text("not a directory")


CACHE_STATES = {
    "a directory named like a pack": lambda site, elsewhere: (sig_dir(site) / "d.pack").mkdir(),
    "a FIFO named like a pack": lambda site, elsewhere: os.mkfifo(sig_dir(site) / "f.pack"),
    "a link named like a pack to a file elsewhere": lambda site, elsewhere: (
        sig_dir(site) / "l.pack"
    ).symlink_to(elsewhere / "kept.pack"),
    "parse/ a link to a directory elsewhere": lambda site, elsewhere: replace_by_link(
        sig_dir(site).parent, elsewhere
    ),
    "the signature's directory a link elsewhere": lambda site, elsewhere: replace_by_link(
        sig_dir(site), elsewhere
    ),
    "parse/ a file": lambda site, elsewhere: replace_by_file(sig_dir(site).parent, elsewhere),
    "the signature's directory a file": lambda site, elsewhere: replace_by_file(
        sig_dir(site), elsewhere
    ),
}
"""What a build may find in its cache (a restored CI cache, a hand, a crash), made of what a
build left. A FIFO used to keep the build waiting forever; a directory named like a pack
crashed it; the links had it read, and delete, files elsewhere."""


@pytest.mark.parametrize("state", CACHE_STATES)
def test_whatever_is_in_the_cache_the_build_succeeds_and_reads_nothing_elsewhere(
    valid_copy: Path, tmp_path: Path, renders: list[str], state: str
) -> None:
    clean = built(valid_copy, tmp_path / "one")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "kept.pack").write_bytes(b"someone's file that looks like a pack")
    (elsewhere / "notes").mkdir()
    (elsewhere / "notes" / "a.txt").write_text("mine")
    before = tree(elsewhere)
    CACHE_STATES[state](valid_copy, elsewhere)
    assert built(valid_copy, tmp_path / "two") == clean
    assert tree(elsewhere) == before and (elsewhere / "notes").is_dir()
    renders.clear()  # the cache works again
    assert built(valid_copy, tmp_path / "three") == clean
    assert renders == []


@pytest.mark.parametrize("to", ["elsewhere", "the site itself"])
def test_a_cache_directory_that_is_a_link_is_not_followed(
    valid_copy: Path,
    tmp_path: Path,
    renders: list[str],
    caplog: pytest.LogCaptureFixture,
    to: str,
) -> None:
    """Out of the site it would be read and written outside it; into it, the cache's files
    (and the .gitignore that keeps them out of git) would land among the site's."""
    clean = built(valid_copy, tmp_path / "one")
    shutil.rmtree(valid_copy / ".briefgen-cache")
    target = tmp_path / "elsewhere" if to == "elsewhere" else valid_copy
    target.mkdir(exist_ok=True)
    before = tree(target)
    (valid_copy / ".briefgen-cache").symlink_to(target, target_is_directory=True)
    renders.clear()
    with caplog.at_level(logging.WARNING, logger="briefgen"):
        assert built(valid_copy, tmp_path / "two") == clean
    assert tree(target) == before  # no pack, no build record, no .gitignore
    assert len(renders) == 6
    said = [r.getMessage() for r in caplog.records if "symbolic link" in r.getMessage()]
    assert len(said) == 1 and "not followed, so this build keeps no cache" in said[0]


HOLD_PENDING = """
import os, sys
from pathlib import Path
from briefgen.parsecache import ParseCache

cache = ParseCache(Path(sys.argv[1]))
print(cache.pending(), flush=True)  # as a build's readers start
if sys.argv[2] == "killed":
    os._exit(9)  # as under kill -9: nothing of the build runs
sys.stdin.readline()
"""


def test_the_pending_packs_of_killed_builds_go_at_the_next_build_never_a_live_ones(
    valid_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In the cache, or in the system's temporary directory when the site has no cache yet:
    each build holds a lock on its pending directory, which the kernel drops when it dies."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    holders: list[subprocess.Popen[bytes]] = []

    def pending(how: str) -> Path:
        run = subprocess.Popen(
            [sys.executable, "-c", HOLD_PENDING, str(valid_copy), how],
            env=environment(TMPDIR=str(temporary)),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert run.stdout is not None
        holders.append(run)
        path = Path(run.stdout.readline().decode().strip())
        if how == "killed":
            assert run.wait(30) == 9
        return path

    try:
        live, killed = pending("live"), pending("killed")  # the site has no cache yet
        assert live.parent == killed.parent == temporary
        built(valid_copy, tmp_path / "one")
        assert live.is_dir() and not killed.exists()
        live_here, killed_here = pending("live"), pending("killed")
        assert live_here.parent == killed_here.parent == sig_dir(valid_copy)
        built(valid_copy, tmp_path / "two")
        assert live.is_dir() and live_here.is_dir() and not killed_here.exists()
    finally:
        for run in holders:
            if run.stdin is not None:
                run.stdin.close()
            run.wait(30)
    built(valid_copy, tmp_path / "three")  # their builds ended without a word: killed too
    assert not live.exists() and not live_here.exists()


class _Opens:
    """Unpickled, this would create a file: a pack must never run anything."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.path), "w"))


def test_a_pack_that_names_any_class_or_function_is_refused_unrun(
    valid_copy: Path, tmp_path: Path, renders: list[str]
) -> None:
    clean = built(valid_copy, tmp_path / "one")
    (pack,) = packs(valid_copy)
    ran = tmp_path / "ran"
    pack.write_bytes(pack_bytes(pickle.dumps([_Opens(ran)])))
    renders.clear()
    assert built(valid_copy, tmp_path / "two") == clean
    assert not ran.exists() and len(renders) == 6 and not pack.exists()


def test_packs_of_another_signature_are_deleted_unread(
    valid_copy: Path, tmp_path: Path, renders: list[str]
) -> None:
    # Another version of the Markdown module or of markdown-it-py: even an entry for the very
    # same text (here a forged one) is not used.
    article = valid_copy / "content/articles/ar/undated-note.md"
    forged = [(body_key(body_of(article)), "<p>forged</p>", "forged", ())]
    stale = valid_copy / ".briefgen-cache/parse/0123456789abcdef0123"
    stale.mkdir(parents=True)
    (stale / "old.pack").write_bytes(pack_bytes(pickle.dumps(forged)))
    site = built(valid_copy, tmp_path / "one")
    assert not stale.exists() and len(renders) == 6
    assert not any(b"forged" in data for data in site.values())


def test_a_change_to_the_markdown_module_is_a_new_signature(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = ParseCache(tmp_path).dir
    changed = tmp_path / "markdown.py"
    changed.write_text(Path(briefgen.markdown.__file__).read_text("utf-8") + "\n# changed\n")
    monkeypatch.setattr(briefgen.markdown, "__file__", str(changed))
    assert ParseCache(tmp_path).dir != before


def test_a_cache_that_cannot_be_written_still_builds(
    valid_copy: Path, tmp_path: Path, renders: list[str]
) -> None:
    # Where .briefgen-cache cannot be made (here a file is in the way; a read-only checkout
    # is the same), the build renders everything and succeeds.
    (valid_copy / ".briefgen-cache").write_text("in the way", "utf-8")
    first = built(valid_copy, tmp_path / "one")
    renders.clear()
    assert built(valid_copy, tmp_path / "two") == first
    assert len(renders) == 6


WARM_READERS = """
import sys
from pathlib import Path
import briefgen.markdown
import briefgen.parsecache
from briefgen.build import build

def refuse(md, text):
    raise AssertionError("a body was rendered again")

if sys.argv[3] == "cached":
    briefgen.markdown.render = refuse  # inherited by the forked readers
build(Path(sys.argv[1]), Path(sys.argv[2]), search=False, force=True, jobs=2)
"""


def test_readers_in_several_processes_fill_and_use_the_cache(tmp_path: Path) -> None:
    # 340 articles: read by two forked readers, each keeping a pack per share it rendered; a
    # body found in the cache goes back to the parent as its key alone.
    sys.path.insert(0, str(ROOT))
    from benchmarks.corpus import generate

    site = tmp_path / "site"
    generate(site, 340, seed=4)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def run(output: str, mode: str) -> dict[str, bytes]:
        command = [sys.executable, "-c", WARM_READERS, str(site), str(tmp_path / output), mode]
        subprocess.run(command, check=True, timeout=300, env=env, capture_output=True)
        return tree(tmp_path / output)

    clean = run("one", "clean")
    assert len(packs(site)) > 1
    assert run("two", "cached") == clean


def test_a_failed_read_in_several_processes_keeps_nothing(tmp_path: Path) -> None:
    # The readers' packs wait in a pending directory until the whole archive was read without
    # an error: a failed build writes nothing, neither in the cache nor in the temporary files.
    sys.path.insert(0, str(ROOT))
    from benchmarks.corpus import generate

    site = tmp_path / "site"
    files = generate(site, 340, seed=6)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(temporary)}
    command = [sys.executable, "-m", "briefgen", "build", "--no-search", "--jobs", "2"]
    command += ["--source", str(site), "--output", str(tmp_path / "out")]
    text = files[200].read_text("utf-8")
    files[200].write_text(text.replace("---\n", "---\nnot_a_field: 1\n", 1), "utf-8")

    def fails() -> None:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
        assert done.returncode == 1 and "not_a_field" in done.stderr

    fails()  # no cache yet: the pending packs were in TMPDIR
    assert not (site / ".briefgen-cache").exists() and not list(temporary.iterdir())
    files[200].write_text(text, "utf-8")
    subprocess.run(command, capture_output=True, timeout=300, env=env, check=True)
    kept = packs(site)
    assert kept
    files[200].write_text(text.replace("---\n", "---\nnot_a_field: 1\n", 1), "utf-8")
    fails()  # with a cache: the pending packs were beside it
    assert packs(site) == kept
    assert not list((site / ".briefgen-cache/parse").glob("*/.pending-*"))


NO_TEMPORARY = """
import sys, tempfile
from pathlib import Path
from briefgen.build import build
from briefgen.parsecache import PENDING

make = tempfile.mkdtemp
def refuse(suffix=None, prefix=None, dir=None):
    if prefix == PENDING:  # neither in the cache nor in the system's temporary directory
        raise PermissionError("no room for pending packs here")
    return make(suffix, prefix, dir)

tempfile.mkdtemp = refuse
build(Path(sys.argv[1]), Path(sys.argv[2]), search=False, jobs=2)
"""


def test_readers_with_nowhere_to_put_their_packs_keep_nothing_and_build(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from benchmarks.corpus import generate

    site = tmp_path / "site"
    generate(site, 340, seed=7)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", NO_TEMPORARY, str(site), str(tmp_path / "out")]
    subprocess.run(command, check=True, timeout=300, env=env, capture_output=True)
    assert (tmp_path / "out/index.html").is_file()
    assert packs(site) == []


def test_a_big_archives_packs_are_kept_and_only_later_ones_are_limited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A read in several processes writes a pack per share: 1,563 at 100,000 articles. The cache
    # holds those and MAX_PACKS more (one per later build), then starts again.
    monkeypatch.setattr(briefgen.parsecache, "MAX_PACKS", 4)
    cache = ParseCache(tmp_path)
    for i in range(10):
        cache.write({body_key(f"body {i}"): (f"<p>{i}</p>", f"{i}", ())})
    assert len(packs(tmp_path)) == 10
    assert len(cache.load(shares=6)) == 10  # 10 packs: 6 shares and 4 more
    assert len(packs(tmp_path)) == 10
    assert cache.load(shares=5) == {}  # one pack too many: it starts again
    assert packs(tmp_path) == []


def test_build_times_reading_and_parsing_apart(valid_copy: Path, tmp_path: Path) -> None:
    """``build -v`` splits reading the archive into ``read`` (files, front matter, checks) and
    ``parse`` (rendering Markdown): bodies from the cache cost no parsing."""
    first = build(valid_copy, tmp_path / "one", search=False, force=True, jobs=1)
    stages = ["config", "fresh", "read", "parse", "compile", "pages", "render", "write", "swap"]
    assert [name for name, _ in first.stages] == stages
    clean = dict(first.stages)
    assert clean["read"] > 0 and clean["parse"] > 0
    cached = dict(build(valid_copy, tmp_path / "two", search=False, force=True, jobs=1).stages)
    assert cached["read"] > 0 and cached["parse"] == 0
