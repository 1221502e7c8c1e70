"""The parse cache: a body rendered by an earlier build is not rendered again, and nothing the
cache holds, damaged, stale or forged, can change what is built."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

import briefgen.markdown
import briefgen.parsecache
from briefgen.build import build
from briefgen.parsecache import MAGIC, ParseCache, body_key
from tests.helpers import tree

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
    """A pack whose header (magic, CRC, length) is right for ``payload``."""
    header = MAGIC + zlib.crc32(payload).to_bytes(4, "big") + len(payload).to_bytes(8, "big")
    return header + payload


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

make = tempfile.mkdtemp
def refuse(suffix=None, prefix=None, dir=None):
    if prefix == ".pending-":  # neither in the cache nor in the system's temporary directory
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
