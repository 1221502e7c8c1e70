"""Reading and rendering in several processes: the same site, byte for byte, the same failures."""

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


READ_BOTH_WAYS = """
import sys
from pathlib import Path
from briefgen.config import load_config
from briefgen.content import load_site
from briefgen.errors import ContentError
import briefgen.content

forked = []
serial_read = briefgen.content._read_parallel
def spy(*args):
    forked.append(args[1])
    return serial_read(*args)
briefgen.content._read_parallel = spy

def read(processes):
    try:
        return load_site(load_config(Path(sys.argv[1])), processes=processes)
    except ContentError as exc:
        return [str(p) for p in exc.problems]

one, two = read(1), read(2)
print("same" if one == two else "different", len(one) if isinstance(one, list) else "site")
print("forked", forked)
"""


def test_two_readers_give_the_same_site_and_the_same_errors(tmp_path: Path) -> None:
    """Big archives are read by one process per core: the site, its warnings and every error
    (with its line) are the same as one process's, in the same order."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks.corpus import generate

    files = generate(tmp_path / "site", 340, seed=3)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}

    def compare() -> str:
        command = [sys.executable, "-c", READ_BOTH_WAYS, str(tmp_path / "site")]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=120, check=True, env=env
        )
        return done.stdout.strip()

    assert compare() == "same site\nforked [2]"  # only the second read forked, into two
    # Errors in the first, a middle and the last chunk of readers' work.
    for index in (0, 150, len(files) - 1):
        text = files[index].read_text("utf-8")
        files[index].write_text(text.replace("---\n", "---\nnot_a_field: 1\n", 1), "utf-8")
    assert compare() == "same 3\nforked [2]"


def test_article_pages_go_out_grouped_by_the_shape_of_their_reference() -> None:
    # One worker then formats each shape's citeproc probes, instead of every worker doing so.
    from briefgen.config import load_config
    from briefgen.content import load_site
    from briefgen.parallel import render_order
    from briefgen.render import site_pages
    from briefgen.research.citations import reference_shape
    from briefgen.theme import load_theme

    config = load_config(VALID_SITE)
    site = load_site(config).site
    pages = site_pages(site, load_theme(config))
    order = render_order(site, pages)
    assert sorted(order) == list(range(len(pages)))  # every page once
    shapes = [
        reference_shape(site, pages[i].data["article"]) for i in order if pages[i].kind == "article"
    ]
    assert len(shapes) == len(site.articles)
    runs = [shape for n, shape in enumerate(shapes) if n == 0 or shapes[n - 1] != shape]
    assert len(runs) == len(set(runs)) > 1  # each shape in one run, and there are several
    articles_first = [pages[i].kind == "article" for i in order]
    assert articles_first == sorted(articles_first, reverse=True)
