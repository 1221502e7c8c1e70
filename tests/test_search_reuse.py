"""A language's search bundle is made again only when what it is made from changed: otherwise
the previous build's bundle is linked into the new site, and the site is the same, byte for
byte, as one whose every bundle was made by Pagefind."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from briefgen.build import build
from briefgen.search.index import pagefind_binary
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
