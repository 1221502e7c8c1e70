"""A build with nothing to do leaves the output alone; what the record cannot vouch for builds."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from briefgen import fresh
from briefgen.build import build
from briefgen.cli import TerminalProgress, main
from tests.helpers import VALID_SITE, tree
from tests.processes import environment


def stamps(output: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(output).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in output.rglob("*")
        if p.is_file()
    }


def test_nothing_changed_means_nothing_written(valid_copy: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    first = build(valid_copy, output, search=False)
    before = stamps(output)
    second = build(valid_copy, output, search=False)
    assert second.fresh and not first.fresh
    assert (second.pages, second.articles) == (first.pages, first.articles)
    assert stamps(output) == before  # the manifest included: not one file touched
    assert [name for name, _ in second.stages] == ["config", "fresh"]
    assert not list(tmp_path.glob(".out.*"))  # no staging directory either
    assert (valid_copy / fresh.CACHE_DIR / ".gitignore").read_text("utf-8").endswith("*\n")


def test_a_build_with_nothing_to_do_loads_no_parser_or_template_engine(
    valid_copy: Path, tmp_path: Path
) -> None:
    """Starting Python is most of a no-op build: it imports only what the check needs."""
    output = tmp_path / "out"
    build(valid_copy, output, search=False)
    script = (
        "import sys\n"
        "from briefgen.cli import main\n"
        f"assert main(['build', '--no-search', '--source', {str(valid_copy)!r}, "
        f"'--output', {str(output)!r}]) == 0\n"
        "heavy = ('markdown_it', 'jinja2', 'citeproc', 'briefgen.content', 'briefgen.render')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert "up to date" in run.stdout
    assert run.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize(
    "change",
    [
        "edit an article",
        "add an article",
        "edit site.yml",
        "edit a vocabulary",
        "override a template",
        "delete an output file",
        "edit an output file",
        "corrupt the record",
        "record from another version",
        "turn search on",
        "include drafts",
    ],
)
def test_any_change_builds(valid_copy: Path, tmp_path: Path, change: str) -> None:
    output = tmp_path / "out"
    build(valid_copy, output, search=False)
    article = valid_copy / "content/articles/it/inedito.md"
    page = output / "it/index.html"
    search, drafts = False, False
    if change == "edit an article":
        article.write_text(article.read_text("utf-8") + "\nUna frase aggiunta.\n", "utf-8")
    elif change == "add an article":
        shutil.copy(article, article.with_name("copia.md"))
        text = article.with_name("copia.md").read_text("utf-8")
        article.with_name("copia.md").write_text(text.replace("title:", "slug: copia\ntitle:", 1))
    elif change == "edit site.yml":
        (valid_copy / "site.yml").write_text(
            (valid_copy / "site.yml").read_text("utf-8") + "\n# a comment\n", "utf-8"
        )
    elif change == "edit a vocabulary":
        tags = valid_copy / "content/tags.yml"
        tags.write_text(tags.read_text("utf-8") + "\n", "utf-8")
    elif change == "override a template":
        (valid_copy / "themes/default/templates").mkdir(parents=True)
        source = Path(__file__).parent.parent / "themes/default/templates/404.html"
        shutil.copy(source, valid_copy / "themes/default/templates/404.html")
    elif change == "delete an output file":
        page.unlink()
    elif change == "edit an output file":
        page.write_text("defaced", "utf-8")
    elif change == "corrupt the record":
        fresh.state_file(valid_copy, output).write_text("{not json", "utf-8")
    elif change == "record from another version":
        record = json.loads(fresh.state_file(valid_copy, output).read_text("utf-8"))
        fresh.state_file(valid_copy, output).write_text(
            json.dumps({**record, "version": 0}), "utf-8"
        )
    elif change == "turn search on":
        search = True
    elif change == "include drafts":
        drafts = True
    report = build(valid_copy, output, search=search, drafts=drafts)
    assert not report.fresh
    assert page.read_text("utf-8").startswith("<!DOCTYPE html>")
    assert build(valid_copy, output, search=search, drafts=drafts).fresh  # and then it is fresh


def test_force_builds_and_the_cli_says_up_to_date(
    valid_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["build", "--source", str(valid_copy), "--output", str(tmp_path / "out"), "--no-search"]
    assert main(args) == 0
    built = capsys.readouterr()
    assert main(args) == 0
    again = capsys.readouterr()
    assert again.out.startswith("up to date: nothing changed since the last build (")
    assert again.err == built.err  # the warnings are told again, not lost
    assert main([*args, "--force"]) == 0
    assert capsys.readouterr().out.startswith("built ")


def test_an_unwritable_cache_never_fails_the_build(valid_copy: Path, tmp_path: Path) -> None:
    (valid_copy / fresh.CACHE_DIR).write_text("a file where the cache directory would go")
    output = tmp_path / "out"
    assert not build(valid_copy, output, search=False).fresh
    assert not build(valid_copy, output, search=False).fresh  # no record: always builds


def test_progress_is_shown_on_a_terminal_only(
    valid_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    screen = io.StringIO()
    progress = TerminalProgress(screen)
    report = build(valid_copy, tmp_path / "out", search=True, progress=progress)
    progress.close()
    lines = screen.getvalue().split("\r\x1b[K")
    assert lines[0] == "" and lines[-1] == ""  # every redraw erases the line; close erases it too
    stages = [line.split("…")[0] for line in lines[1:-1]]
    assert stages[0] == "reading articles" and stages[-1] == "swapping in"
    assert "rendering" in stages and "indexing for search" in stages
    assert all(line.endswith(" s)") for line in lines[1:-1])
    assert report.pages > 0
    # Not a terminal (a pipe, a CI log): the summary line alone.
    args = ["build", "--source", str(valid_copy), "--output", str(tmp_path / "o2"), "--no-search"]
    assert main(args) == 0
    out = capsys.readouterr()
    assert "\r" not in out.err + out.out and out.out.startswith("built ")


def test_without_directory_relative_lookups_the_output_is_checked_by_whole_paths(
    valid_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows has no ``dir_fd``: the same check, the slower way."""
    monkeypatch.setattr(fresh.os, "supports_dir_fd", set())
    output = tmp_path / "out"
    build(valid_copy, output, search=False)
    assert build(valid_copy, output, search=False).fresh
    page = output / "it/index.html"
    page.write_bytes(page.read_bytes() + b" ")
    assert not build(valid_copy, output, search=False).fresh


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX has dir_fd")
def test_on_posix_the_output_is_checked_relative_to_its_directory(
    valid_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fast path (a third faster at 63,000 files): it was once skipped on Linux for asking
    # whether os.lstat takes dir_fd, which it never says it does.
    assert fresh.relative_lookups()
    output = tmp_path / "out"
    build(valid_copy, output, search=False)
    with monkeypatch.context() as patch:
        patch.setattr(fresh, "_stat", lambda path: pytest.fail(f"whole path: {path}"))
        assert build(valid_copy, output, search=False).fresh
    link = output / "it/index.html"
    target = link.read_bytes()
    link.unlink()
    (output / "elsewhere.html").write_bytes(target)
    link.symlink_to(output / "elsewhere.html")  # same bytes, but a link: not what was written
    assert not build(valid_copy, output, search=False).fresh


def test_a_link_to_nothing_in_the_content_is_fingerprinted_not_fatal(valid_copy: Path) -> None:
    """The fingerprint is taken before the content is read: a broken link there crashed the
    build with a traceback instead of reaching the loader, which says what is wrong."""
    from briefgen.config import load_config
    from briefgen.theme import load_theme

    config = load_config(valid_copy)
    theme = load_theme(config)
    before = fresh.fingerprint(config, theme, drafts=False, search=False)
    (valid_copy / "content/articles/gone").symlink_to(valid_copy / "nowhere")
    assert fresh.fingerprint(config, theme, drafts=False, search=False) != before


@pytest.mark.parametrize("kind", ["fifo", "directory", "link"])
def test_a_build_record_that_is_not_a_file_is_not_read(
    valid_copy: Path, tmp_path: Path, kind: str
) -> None:
    """A FIFO would keep a plain read waiting forever; a link is not followed, not even to the
    very record: nothing outside the site is read (nor written through it). What was in the
    record's place is replaced by the next record."""
    output = tmp_path / "out"
    build(valid_copy, output, search=False)
    state = fresh.state_file(valid_copy, output)
    record = state.read_bytes()
    state.unlink()
    elsewhere = tmp_path / "elsewhere.json"
    if kind == "fifo":
        os.mkfifo(state)
    elif kind == "directory":
        state.mkdir()
    else:
        elsewhere.write_bytes(record)
        state.symlink_to(elsewhere)
    assert not build(valid_copy, output, search=False).fresh
    assert not elsewhere.exists() or elsewhere.read_bytes() == record
    assert build(valid_copy, output, search=False).fresh  # recorded in its place this time


C_LOCALE = {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
"""Python in the C locale with UTF-8 mode turned off: file names are ASCII to it, and the bytes
of any other name are surrogate escapes (which UTF-8 refuses to encode)."""


def in_c_locale(*args: str) -> subprocess.CompletedProcess[str]:
    """``briefgen args`` run in the C locale; its output read as the UTF-8 it is."""
    env = environment(**C_LOCALE)
    for name in ("LANG", "LC_CTYPE", "PYTHONIOENCODING"):
        env.pop(name, None)
    command = [sys.executable, "-m", "briefgen", *args]
    done = subprocess.run(command, capture_output=True, env=env, timeout=120)
    return subprocess.CompletedProcess(
        done.args, done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
    )


def arabic_name(site: Path, slug: str | None) -> Path:
    """The fixture's undated Arabic article renamed in Arabic; with ``slug``, its URL is that."""
    old = site / "content/articles/ar/undated-note.md"
    new = old.with_name("ملاحظة.md")
    text = old.read_bytes()
    if slug is not None:  # the file has a byte order mark and CRLF line ends
        text = text.replace(b"language: ar\r\n", f"language: ar\r\nslug: {slug}\r\n".encode())
    new.write_bytes(text)
    old.unlink()
    return new


def test_a_site_and_a_file_named_in_other_scripts_build_in_the_c_locale(tmp_path: Path) -> None:
    """The build's fingerprint encoded paths as UTF-8: "surrogates not allowed", a traceback."""
    site = tmp_path / "archivio-ñ-أرشيف"
    shutil.copytree(VALID_SITE, site, ignore=shutil.ignore_patterns(".briefgen-cache"))
    arabic_name(site, "undated-note")
    output = tmp_path / "uscita-ñ"
    args = ["--source", str(site)]
    first = in_c_locale("build", "--no-search", *args, "--output", str(output))
    assert (first.returncode, first.stdout[:6]) == (0, "built "), first.stderr
    assert "Traceback" not in first.stderr
    again = in_c_locale("build", "--no-search", *args, "--output", str(output))
    assert again.stdout.startswith("up to date"), again.stderr
    checked = in_c_locale("check", *args)
    assert checked.returncode == 0 and "Traceback" not in checked.stderr
    # The same site as a build in a UTF-8 locale makes.
    assert tree(output) == tree(build(site, tmp_path / "utf-8", search=False).output)


def test_a_name_the_c_locale_cannot_decode_is_said_so(tmp_path: Path) -> None:
    """Its slug would come from its name, which is not text to this Python: no traceback, the
    file named, and how to read names as UTF-8."""
    site = tmp_path / "site"
    shutil.copytree(VALID_SITE, site, ignore=shutil.ignore_patterns(".briefgen-cache"))
    arabic_name(site, None)
    for command in (["build", "--output", str(tmp_path / "out")], ["check"]):
        done = in_c_locale(*command, "--source", str(site))
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert "content/articles/ar/ملاحظة.md:1: file name:" in done.stderr
        assert "run briefgen with PYTHONUTF8=1" in done.stderr
