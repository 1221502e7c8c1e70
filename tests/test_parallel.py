"""Rendering in several processes gives the same site, byte for byte, and fails the same way."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import VALID_SITE, tree


def run_build(source: Path, output: Path, jobs: int) -> subprocess.CompletedProcess[str]:
    # A subprocess: forking is only done by a process with a single thread, which pytest may
    # not be once other tests have run.
    command = [sys.executable, "-m", "briefgen", "-v", "build", "--source", str(source)]
    command += ["--output", str(output), "--jobs", str(jobs), "--no-search"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, check=False, env=env
    )


def test_two_processes_build_the_same_site_as_one(tmp_path: Path) -> None:
    one = run_build(VALID_SITE, tmp_path / "one", 1)
    two = run_build(VALID_SITE, tmp_path / "two", 2)
    assert one.returncode == two.returncode == 0, one.stderr + two.stderr
    assert "rendered by 1 process(es)" in one.stderr
    assert "rendered by 2 process(es)" in two.stderr
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
    assert two.stdout.split(" in ")[0] == one.stdout.split(" in ")[0]  # same files, same count


def test_a_template_error_in_a_worker_fails_the_build_and_keeps_the_site(
    valid_copy: Path, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    assert run_build(valid_copy, output, 2).returncode == 0
    before = tree(output)
    templates = valid_copy / "themes/default/templates"
    templates.mkdir(parents=True)
    (templates / "article.html").write_text("{{ no_such_name }}", "utf-8")
    failed = run_build(valid_copy, output, 2)
    assert failed.returncode == 1
    assert "template article.html" in failed.stderr and "no_such_name" in failed.stderr
    assert tree(output) == before
    assert not list(tmp_path.glob(".out.*"))  # the staging directory is gone
