"""Every site in tests/sites/invalid/ fails `check` and `build` with exactly its expected.txt.

Each case is a complete tiny site with one kind of mistake (several-bad-files has many, to show
that one run reports every error, sorted). Errors read ``path:line: message``, the exit status
is 1, and nothing is written: not the output directory, not a staging directory, not a byte in
the site.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefgen.cli import main
from tests.helpers import INVALID_SITES, tree_hash

CASES = sorted(p.name for p in INVALID_SITES.iterdir() if (p / "expected.txt").is_file())


def test_every_case_directory_has_an_expected_file() -> None:
    dirs = sorted(p.name for p in INVALID_SITES.iterdir() if p.is_dir())
    assert dirs == CASES
    assert len(CASES) >= 25


@pytest.mark.parametrize("command", ["check", "build"])
@pytest.mark.parametrize("case", CASES)
def test_invalid_site_reports_every_error_and_writes_nothing(
    case: str,
    command: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    site = tmp_path / case
    shutil.copytree(INVALID_SITES / case, site)
    expected = (site / "expected.txt").read_text("utf-8").splitlines()
    before = tree_hash(tmp_path)
    monkeypatch.chdir(site)  # errors name files relative to the working directory

    status = main([command, "--source", "."])

    out, err = capsys.readouterr()
    *errors, summary = err.splitlines()
    assert errors == expected
    assert summary.startswith("briefgen: ") and summary.endswith("nothing was written")
    assert status == 1
    assert out == ""
    assert not (site / "_site").exists(), "the output directory was created"
    assert tree_hash(tmp_path) == before, "the failed run wrote something"


def test_a_failed_build_does_not_create_an_explicit_output(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(INVALID_SITES / "several-bad-files", site)
    output = tmp_path / "elsewhere" / "out"
    assert main(["build", "--source", str(site), "--output", str(output)]) == 1
    assert not output.exists()
    assert not output.parent.exists()
