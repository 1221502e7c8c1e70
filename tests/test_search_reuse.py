"""A language's search bundle is made again only when what it is made from changed: otherwise
the previous build's bundle is linked into the new site, and the site is the same, byte for
byte, as one whose every bundle was made by Pagefind."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from briefgen import fresh
from briefgen.build import build
from briefgen.cli import main
from briefgen.errors import BuildError
from briefgen.search.index import Indexing, RecordFiles, pagefind_binary
from tests.helpers import tree


@pytest.fixture
def runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A log of the languages Pagefind is run for (it runs behind a wrapper that logs them)."""
    log = tmp_path / "runs.log"
    wrapper = tmp_path / "pagefind"
    wrapper.write_text(
        "#!/bin/sh\n"
        'previous=""\n'
        'for arg in "$@"; do\n'
        f'  if [ "$previous" = "--output-path" ]; then basename "$arg" >> "{log}"; fi\n'
        '  previous="$arg"\n'
        "done\n"
        f'exec "{pagefind_binary()}" "$@"\n'
    )
    wrapper.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(wrapper))
    return log


def ran(log: Path) -> list[str]:
    """The languages Pagefind ran for since the last call."""
    found = log.read_text("utf-8").split() if log.exists() else []
    log.unlink(missing_ok=True)
    return found


@pytest.fixture
def out(valid_copy: Path, tmp_path: Path, runs: Path) -> Path:
    """The output of a first build of the site, every bundle made (the run log then emptied)."""
    output = tmp_path / "out"
    build(valid_copy, output, jobs=1)
    assert sorted(ran(runs)) == ["ar", "it"]
    return output


def append(article: Path, text: str) -> None:
    """Edit an article: a paragraph more."""
    article.write_text(article.read_text("utf-8") + f"\n{text}\n", "utf-8")


def made_by_pagefind(site: Path, output: Path) -> dict[str, bytes]:
    """What a build that reuses nothing writes (the reference to compare with)."""
    build(site, output, force=True, jobs=1)
    return tree(output)


def test_an_unchanged_language_keeps_its_bundle(
    valid_copy: Path, tmp_path: Path, runs: Path, out: Path
) -> None:
    # An edit to an Italian article: the Arabic records are the same.
    append(valid_copy / "content/articles/it/sberbank.md", "Una frase aggiunta.")
    ar_files = {p: os.stat(p).st_ino for p in (out / "pagefind/ar").rglob("*") if p.is_file()}
    build(valid_copy, out, jobs=1)
    assert ran(runs) == ["it"]
    kept = {p: os.stat(p).st_ino for p in (out / "pagefind/ar").rglob("*") if p.is_file()}
    filter_table = out / "pagefind/ar/briefgen-filters.json"
    assert {p: n for p, n in kept.items() if p != filter_table} == {
        p: n for p, n in ar_files.items() if p != filter_table
    }  # the same files (inodes): linked, not written again
    reused = tree(out)
    assert reused == made_by_pagefind(valid_copy, tmp_path / "reference")
    assert not [name for name in reused if name.endswith(".briefgen-link")]


def test_a_change_outside_the_records_runs_no_pagefind(
    valid_copy: Path, tmp_path: Path, runs: Path, out: Path
) -> None:
    # A template is used by pages, not by what is searched.
    page = valid_copy / "themes/default/templates"
    page.mkdir(parents=True)
    theme = Path(__file__).resolve().parent.parent / "themes/default/templates"
    links = (theme / "_research_links.html").read_text("utf-8")  # in every page's footer
    (page / "_research_links.html").write_text(links + "\n<!-- changed -->\n", "utf-8")
    build(valid_copy, out, jobs=1)
    assert ran(runs) == []
    assert b"<!-- changed -->" in (out / "404.html").read_bytes()
    assert tree(out) == made_by_pagefind(valid_copy, tmp_path / "reference")


def test_a_bundle_changed_in_the_output_is_made_again(
    valid_copy: Path, tmp_path: Path, runs: Path, out: Path
) -> None:
    touched = next((out / "pagefind/it/fragment").iterdir())
    data = touched.read_bytes()
    touched.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # same size, new bytes and time
    append(valid_copy / "content/articles/ar/undated-note.md", "جملة مضافة.")
    build(valid_copy, out, jobs=1)
    assert sorted(ran(runs)) == ["ar", "it"]
    assert tree(out) == made_by_pagefind(valid_copy, tmp_path / "reference")


def test_force_another_pagefind_or_no_record_make_every_bundle(
    valid_copy: Path, tmp_path: Path, runs: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(valid_copy, out, jobs=1, force=True)
    assert sorted(ran(runs)) == ["ar", "it"]
    # Another binary (here the same one under another name) is another index.
    other = tmp_path / "other" / "pagefind"
    other.parent.mkdir()
    shutil.copy2(tmp_path / "pagefind", other)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(other))
    build(valid_copy, out, jobs=1)
    assert sorted(ran(runs)) == ["ar", "it"]
    # Without the record of the previous build (the cache deleted), nothing is reused.
    shutil.rmtree(valid_copy / ".briefgen-cache")
    append(valid_copy / "content/articles/it/sberbank.md", "Una frase aggiunta.")
    build(valid_copy, out, jobs=1)
    assert sorted(ran(runs)) == ["ar", "it"]


def _empty(folder: Path) -> None:
    for entry in folder.iterdir():
        shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


def _flip_last_byte(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))


def _rename_files_outside(site: Path, out: Path) -> None:
    """A record edited by hand so that the Italian bundle's files are found outside the output
    (copies there with the recorded size and time): a name from the record is never followed
    out of the output (this one failed the build, a file linked onto itself)."""
    state = fresh.state_file(site, out)
    record = json.loads(state.read_text("utf-8"))
    files = {}
    for name, stat in record["files"].items():
        if name.startswith("pagefind/it/") and name != "pagefind/it/pagefind.js":
            copy = out.parent / "elsewhere" / name
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(out / name, copy)
            name = "pagefind/it/../../../elsewhere/" + name
        files[name] = stat
    state.write_text(json.dumps({**record, "files": files}), "utf-8")


DAMAGE = [
    "output removed",
    "output emptied",
    "a bundle removed",
    "every bundle removed",
    "a bundle file removed",
    "a bundle's entry removed",
    "a bundle file edited by hand",
    "a page edited by hand",
    "a page removed",
    "cache removed",
    "cache emptied",
    "build record garbage",
    "build record truncated",
    "build record naming files outside the output",
    "output and cache removed",
]
"""Whatever happened to a build's own output and cache, the next build makes the site a clean
build makes. (An output left with briefgen's files but without its manifest is no longer known
to be briefgen's: it is refused, see the test after this one.)"""


def damage(case: str, site: Path, out: Path) -> None:
    state = fresh.state_file(site, out)
    if case in ("output removed", "output and cache removed"):
        shutil.rmtree(out)
    if case in ("cache removed", "output and cache removed"):
        shutil.rmtree(site / fresh.CACHE_DIR)
    if case == "output emptied":
        _empty(out)
    elif case == "a bundle removed":
        shutil.rmtree(out / "pagefind/ar")
    elif case == "every bundle removed":
        shutil.rmtree(out / "pagefind")
    elif case == "a bundle file removed":
        next((out / "pagefind/ar/fragment").iterdir()).unlink()
    elif case == "a bundle's entry removed":
        (out / "pagefind/it/pagefind.js").unlink()
    elif case == "a bundle file edited by hand":
        _flip_last_byte(next((out / "pagefind/ar/index").iterdir()))
    elif case == "a page edited by hand":
        (out / "it/index.html").write_text("defaced")
    elif case == "a page removed":
        (out / "ar/index.html").unlink()
    elif case == "cache emptied":
        _empty(site / fresh.CACHE_DIR)
    elif case == "build record garbage":
        state.write_bytes(os.urandom(300))
    elif case == "build record truncated":
        state.write_bytes(state.read_bytes()[:200])
    elif case == "build record naming files outside the output":
        _rename_files_outside(site, out)


@pytest.mark.parametrize("case", DAMAGE)
def test_a_damaged_or_deleted_output_or_cache_is_built_again(
    valid_copy: Path, tmp_path: Path, out: Path, case: str
) -> None:
    """``rm -rf _site`` then a build failed, blaming the install, until ``--force``: the
    check that a bundle could be reused read the missing output."""
    damage(case, valid_copy, out)
    report = build(valid_copy, out, jobs=1)
    assert not report.fresh
    assert tree(out) == made_by_pagefind(valid_copy, tmp_path / "reference")
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")]  # no litter


def test_an_output_with_briefgen_files_but_no_manifest_is_refused(
    valid_copy: Path, out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Which files are briefgen's is what the manifest says; without it, the output is
    someone's directory like any other, and it is left as it is."""
    (out / ".briefgen-manifest").unlink()
    before = tree(out)
    args = ["build", "--source", str(valid_copy), "--output", str(out)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "was not written by briefgen (its .briefgen-manifest is missing)" in err
    assert "refusing to replace it" in err
    assert tree(out) == before
    (out / ".briefgen-manifest").mkdir()  # there, but not a manifest
    assert main(args) == 2
    assert "(its .briefgen-manifest cannot be read)" in capsys.readouterr().err


def test_rm_rf_of_the_output_then_build_succeeds(
    valid_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The report, as typed: ``briefgen build; rm -rf _site; briefgen build`` exited 1."""
    args = ["build", "--source", str(valid_copy)]
    assert main(args) == 0
    shutil.rmtree(valid_copy / "_site")
    capsys.readouterr()
    assert main(args) == 0
    again = capsys.readouterr()
    assert again.out.startswith("built ") and again.err == ""
    assert main(args) == 0
    assert capsys.readouterr().out.startswith("up to date")


def test_an_output_deleted_while_the_site_is_built_is_indexed_again(
    valid_copy: Path, tmp_path: Path, runs: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bundle found intact when the build started may be gone when it is linked in: it is
    made by Pagefind then, instead of failing the build."""
    append(valid_copy / "content/articles/it/sberbank.md", "Una frase aggiunta.")
    bring_back = Indexing._bring_back

    def output_deleted_first(self: Indexing) -> None:
        shutil.rmtree(out)
        bring_back(self)

    monkeypatch.setattr(Indexing, "_bring_back", output_deleted_first)
    build(valid_copy, out, jobs=1)
    assert sorted(ran(runs)) == ["ar", "it"]  # ar found reusable at the start, made at the end
    monkeypatch.undo()
    assert tree(out) == made_by_pagefind(valid_copy, tmp_path / "reference")


def test_an_error_names_its_cause_and_blames_the_install_only_for_the_binary(
    valid_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unwritable(self: RecordFiles, site: object, lang: str) -> Path:
        raise PermissionError(13, "Permission denied", str(self.root / lang))

    with monkeypatch.context() as patch:
        patch.setattr(RecordFiles, "write", unwritable)
        with pytest.raises(BuildError) as error:
            build(valid_copy, tmp_path / "out", jobs=1)
    message = str(error.value)
    assert "could not prepare the search index" in message and "Permission denied" in message
    assert "briefgen-search-" in message and "reinstall" not in message
    broken = tmp_path / "pagefind"  # executable, but no program
    broken.write_bytes(b"\x00garbage")
    broken.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(broken))
    with pytest.raises(BuildError, match=r"could not run the Pagefind binary .*reinstall it"):
        build(valid_copy, tmp_path / "out", jobs=1)
