"""Reading and rendering in several processes: the same site, byte for byte, the same failures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import VALID_SITE, tree


def run_build(
    source: Path, output: Path, jobs: int, pagefind: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``briefgen -v build``, without search unless given the ``pagefind`` binary to run."""
    # A subprocess: forking is only done by a process with a single thread, which pytest may
    # not be once other tests have run.
    command = [sys.executable, "-m", "briefgen", "-v", "build", "--source", str(source)]
    command += ["--output", str(output), "--jobs", str(jobs)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    if pagefind is None:
        command.append("--no-search")
    else:
        env["PAGEFIND_BINARY_PATH"] = str(pagefind)
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


def built_then_broken(site: Path, output: Path, undefined: str) -> dict[str, bytes]:
    """Build ``site`` into ``output``, then give it an article template that names
    ``undefined``; returns the built tree (what a failed build must leave)."""
    assert run_build(site, output, 2).returncode == 0
    templates = site / "themes/default/templates"
    templates.mkdir(parents=True)
    (templates / "article.html").write_text(f"{{{{ {undefined} }}}}", "utf-8")
    return tree(output)


def test_a_template_error_in_a_worker_fails_the_build_and_keeps_the_site(
    valid_copy: Path, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    before = built_then_broken(valid_copy, output, "no_such_name")
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
    from briefgen.pages import PageContext, i18n_table
    from briefgen.parallel import render_order
    from briefgen.producers import site_pages
    from briefgen.research.citations import reference_shape
    from briefgen.theme import load_theme

    config = load_config(VALID_SITE)
    site = load_site(config).site
    pages = site_pages(PageContext(site, i18n_table(config, load_theme(config))))
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


def test_list_pages_of_one_language_go_to_one_worker() -> None:
    # An article's list entry is rendered once per page language and remembered by the worker
    # that rendered it: with every list page of a language in one worker's lane, no other
    # worker renders those entries again. Article pages are in the lane every worker takes from.
    from briefgen.config import load_config
    from briefgen.content import load_site
    from briefgen.pages import PageContext, i18n_table
    from briefgen.parallel import lanes
    from briefgen.producers import site_pages
    from briefgen.theme import load_theme

    config = load_config(VALID_SITE)
    site = load_site(config).site
    pages = site_pages(PageContext(site, i18n_table(config, load_theme(config))))
    chunks = lanes(site, pages, 2)
    assert len(chunks) == 3  # shared, then one per worker
    where = {i: lane for lane, chunked in enumerate(chunks) for chunk in chunked for i in chunk}
    assert sorted(where) == list(range(len(pages)))  # every page once
    for kind in ("home", "tag", "outlet", "month", "feed"):
        by_lang = {pages[i].lang.code: lane for i, lane in where.items() if pages[i].kind == kind}
        assert by_lang == {"ar": 1, "it": 2}, kind
    assert {where[i] for i, page in enumerate(pages) if page.kind == "article"} == {0}
    assert {where[i] for i, page in enumerate(pages) if page.kind == "citation"} == {0}
    # With more workers than languages, a worker without a language starts on the shared lane.
    assert [len(lane) > 0 for lane in lanes(site, pages, 3)] == [True, True, True, False]


KILLED = """
import os, signal, sys
import briefgen.render
from briefgen.cli import main

parent = os.getpid()
render = briefgen.render.Renderer.render
def dies(self, site, page):
    if os.getpid() != parent and page.kind == "tag":
        os.kill(os.getpid(), signal.SIGKILL)  # as the kernel does to a process out of memory
    return render(self, site, page)
briefgen.render.Renderer.render = dies
source, output = sys.argv[1:]
build = ["build", "--force", "--no-search", "--jobs", "2"]
sys.exit(main([*build, "--source", source, "--output", output]))
"""


def test_a_rendering_process_killed_fails_the_build_and_keeps_the_site(
    valid_copy: Path, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    assert run_build(valid_copy, output, 2).returncode == 0
    before = tree(output)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    command = [sys.executable, "-c", KILLED, str(valid_copy), str(output)]
    killed = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
    assert killed.returncode == 1, killed.stderr
    assert "a rendering process ended before its work was done (exit code -9)" in killed.stderr
    assert "Traceback" not in killed.stderr
    assert tree(output) == before
    assert not list(tmp_path.glob(".out.*"))  # the staging directory is gone


OVERLAP = """
import os, sys, time
from pathlib import Path
import briefgen.render
from briefgen.build import build

log = sys.argv[2]
render = briefgen.render.Renderer.render
def spy(self, site, page):
    with open(log, "a") as out:
        out.write(f"render {os.getpid()} {os.nice(0)}\\n")
    return render(self, site, page)
briefgen.render.Renderer.render = spy
print("parent", os.getpid(), os.nice(0))
build(Path(sys.argv[1]), Path(sys.argv[3]), search=sys.argv[4] == "search", jobs=2)
"""


def _overlap_build(tmp_path: Path, search: str) -> tuple[str, list[str]]:
    """Build a 120-article site with two workers, Pagefind wrapped to log when it starts; the
    parent's pid and niceness, and the log lines (Pagefind's start, each page rendered)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks.corpus import generate
    from briefgen.search.index import pagefind_binary

    site = tmp_path / "site"
    if not site.exists():
        generate(site, 120, seed=5)
    log = tmp_path / f"{search}.log"
    wrapper = tmp_path / "pagefind"
    wrapper.write_text(f'#!/bin/sh\necho index >> "{log}"\nexec "{pagefind_binary()}" "$@"\n')
    wrapper.chmod(0o755)
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        "PAGEFIND_BINARY_PATH": str(wrapper),
    }
    out = tmp_path / f"out-{search}"
    command = [sys.executable, "-c", OVERLAP, str(site), str(log), str(out), search]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True, env=env)
    return done.stdout.split("\n")[0], log.read_text("utf-8").splitlines()


def test_pagefind_indexes_while_the_pages_render_and_the_workers_yield_to_it(
    tmp_path: Path,
) -> None:
    # Records come from the model: Pagefind starts before the first page is rendered, and the
    # rendering workers run at a lower priority so that it keeps a core (the build waits for it).
    parent, lines = _overlap_build(tmp_path, "search")
    _, pid, nice = parent.split()
    renders = [line.split() for line in lines if line.startswith("render")]
    assert len(renders) > 600
    assert lines.index("index") < 3  # Pagefind's first run started before the pages
    workers = {p for _, p, _ in renders}
    assert len(workers) == 2 and pid not in workers
    assert {n for _, _, n in renders} == {str(min(int(nice) + 10, 19))}  # 19: the lowest
    # Without search the workers keep the build's priority.
    _, lines = _overlap_build(tmp_path, "no-search")
    assert "index" not in lines
    assert {line.split()[2] for line in lines} == {nice}


def test_a_failed_render_stops_pagefind_and_keeps_the_site(
    valid_copy: Path, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    before = built_then_broken(valid_copy, output, "nope")
    pids = tmp_path / "pids"
    slow = tmp_path / "pagefind"
    slow.write_text(f'#!/bin/sh\necho $$ >> "{pids}"\nexec sleep 600\n')
    slow.chmod(0o755)
    failed = run_build(valid_copy, output, 2, pagefind=slow)
    assert failed.returncode == 1 and "nope" in failed.stderr
    assert tree(output) == before
    started = pids.read_text("utf-8").split()
    assert started  # Pagefind was running when the render failed
    for pid in started:
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            continue
        raise AssertionError(f"Pagefind ({pid}) still runs after the build failed")


PARENT_COMPILES = """
import sys
from pathlib import Path
import briefgen.content as content
from briefgen.config import load_config
from briefgen.parallel import render_parallel
from briefgen.pages import PageContext, i18n_table
from briefgen.producers import TEMPLATE_GLOBALS, site_pages
from briefgen.render import Renderer
from briefgen.theme import load_theme
from briefgen.write import Staging

content.READ_MIN = 1  # the fixture's few articles are read by two processes too
config = load_config(Path(sys.argv[1]), Path(sys.argv[2]))
theme = load_theme(config)
i18n = i18n_table(config, theme)
renderer = Renderer(config, theme, i18n, TEMPLATE_GLOBALS)
calls = []
def idle():
    calls.append("while readers read" if content._reading is not None else "no readers")
    renderer.prepare()
content.load_site(config, idle=lambda: calls.append("one process reads"))  # not called
loaded = content.load_site(config, processes=2, idle=idle)
print(calls, 0 < loaded.parse_share < 1)
listed = renderer.env.list_templates(extensions=("html", "xml"))
print("compiled", sorted(renderer.templates) == sorted(listed), len(listed))
# What the workers render with is the parent's renderer: a template swapped in after
# compiling shows in every article page they write.
renderer.templates["article.html"] = renderer.env.from_string("compiled in the parent")
with Staging(config.output) as staging:
    pages = site_pages(PageContext(loaded.site, i18n))
    render_parallel(loaded.site, renderer, pages, staging, 2, print)
    staging.commit()
"""


def test_templates_are_compiled_while_readers_read_and_workers_inherit_them(
    tmp_path: Path,
) -> None:
    """The parent compiles the theme's templates while the reader processes parse, and the
    rendering workers it forks later use them instead of each compiling its own."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    out = tmp_path / "out"
    command = [sys.executable, "-c", PARENT_COMPILES, str(VALID_SITE), str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    calls, compiled = done.stdout.splitlines()[:2]
    assert calls == "['while readers read'] True"  # and the readers timed their Markdown
    assert compiled.startswith("compiled True ") and int(compiled.split()[-1]) > 10
    pages = tree(out)
    articles = {p: b for p, b in pages.items() if "/articles/" in p and p.endswith("index.html")}
    assert articles and set(articles.values()) == {b"compiled in the parent"}
    assert b"<!DOCTYPE html>" in pages["it/index.html"]  # the other templates as they are


def test_a_broken_template_no_page_uses_does_not_fail_the_build(
    valid_copy: Path, tmp_path: Path
) -> None:
    # Compiling every template ahead is an optimisation: only a page's template may fail it.
    templates = valid_copy / "themes/default/templates"
    templates.mkdir(parents=True)
    (templates / "unused.html").write_text("{% if %}", "utf-8")
    for jobs in (1, 2):
        done = run_build(valid_copy, tmp_path / f"out{jobs}", jobs)
        assert done.returncode == 0, done.stderr
