"""The output of tests/sites/valid, byte for byte, and rebuilds that change nothing.

``tests/golden/valid/`` is the expected output tree. After an intended change to the output,
refresh it and review the diff::

The Pagefind bundle (``pagefind/``) is left out of every comparison here, explicitly, through
``site_tree``: its bytes are Pagefind's and change with its version (see tests/helpers.py).


    /work/venv/bin/python -m pytest tests/test_golden.py --update-golden
    git diff tests/golden
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from briefgen.build import build
from tests.helpers import GOLDEN, SEARCH_BUNDLE, TESTS, VALID_SITE, site_tree

GOLDEN_VALID = GOLDEN / "valid"


def test_output_matches_the_golden_tree(tmp_path: Path, update_golden: bool) -> None:
    output = tmp_path / "out"
    build(VALID_SITE, output)
    if update_golden:
        shutil.rmtree(GOLDEN_VALID, ignore_errors=True)
        # Without the search bundle, Pagefind's bytes (see tests/helpers.py: site_tree).
        skip = ["pagefind"]
        shutil.copytree(output, GOLDEN_VALID, ignore=lambda d, _: skip if Path(d) == output else [])
        (GOLDEN_VALID / ".briefgen-manifest").write_bytes(site_tree(output)[".briefgen-manifest"])
        pytest.skip("golden tree refreshed: review `git diff tests/golden`")
    actual, expected = site_tree(output), site_tree(GOLDEN_VALID)
    assert sorted(actual) == sorted(expected), "the list of output files changed"
    changed = [path for path in expected if actual[path] != expected[path]]
    assert not changed, f"files differ from the golden tree: {changed}"


def test_two_builds_of_the_same_input_are_identical(tmp_path: Path) -> None:
    build(VALID_SITE, tmp_path / "one")
    build(VALID_SITE, tmp_path / "two")
    assert site_tree(tmp_path / "one") == site_tree(tmp_path / "two")


def test_the_output_does_not_depend_on_where_the_site_is(tmp_path: Path) -> None:
    moved = tmp_path / "somewhere" / "else"
    shutil.copytree(VALID_SITE, moved)
    build(moved, tmp_path / "out")
    assert site_tree(tmp_path / "out") == site_tree(GOLDEN_VALID)


def test_the_output_does_not_depend_on_hash_seed_time_zone_or_locale(tmp_path: Path) -> None:
    """Two processes with different hash seeds, time zones and locales write the same bytes."""
    environments = [
        {"PYTHONHASHSEED": "1", "TZ": "UTC", "LC_ALL": "C"},
        {"PYTHONHASHSEED": "2", "TZ": "Pacific/Kiritimati", "LC_ALL": "C.UTF-8"},
    ]
    outputs = []
    for n, extra in enumerate(environments):
        output = tmp_path / f"out{n}"
        env = {**os.environ, **extra, "PYTHONPATH": str(TESTS.parent)}
        command = [sys.executable, "-m", "briefgen", "build", "--source", str(VALID_SITE)]
        subprocess.run([*command, "--output", str(output)], env=env, check=True, cwd=tmp_path)
        outputs.append(site_tree(output))
    assert outputs[0] == outputs[1]


def test_a_rebuild_without_changes_keeps_every_file(tmp_path: Path) -> None:
    """Unchanged files are hard-linked from the previous build: same inode, same mtime."""
    output = tmp_path / "out"

    def stamps() -> dict[Path, tuple[int, int]]:
        return {
            p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in output.rglob("*") if p.is_file()
        }

    first = build(VALID_SITE, output)
    before = stamps()
    second = build(VALID_SITE, output, force=True)  # render again (see test_fresh for no-ops)
    assert not second.fresh
    assert stamps() == before  # every page, feed, static file and search bundle file
    assert any((output / SEARCH_BUNDLE).rglob("*.pf_fragment"))
    assert second.unchanged == first.pages == second.pages
