"""The output is replaced all at once or not at all, and only when briefgen owns it.

A build writes into a staging directory beside the output and swaps it in at the end. A failed
build leaves the previous output byte for byte; files a user put in the output survive; an output
briefgen did not make, or one that would overwrite the sources, is refused.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from briefgen.cli import main
from tests.helpers import tree, tree_hash


def build(site: Path, output: Path) -> int:
    return main(["build", "--source", str(site), "--output", str(output)])


def leftovers(output: Path) -> list[str]:
    """Staging or backup directories left beside the output."""
    return sorted(
        p.name for p in output.parent.iterdir() if p.name.endswith((".staging", ".previous"))
    )


@pytest.fixture
def built(valid_copy: Path, tmp_path: Path) -> Path:
    """The valid site built once into tmp/out; returns the output."""
    output = tmp_path / "out"
    assert build(valid_copy, output) == 0
    return output


def test_a_content_error_leaves_the_previous_output(valid_copy: Path, built: Path) -> None:
    before = tree_hash(built)
    article = valid_copy / "content/articles/it/sberbank.md"
    article.write_text(article.read_text("utf-8").replace("2025-02-03T", "2025-02-30T"), "utf-8")
    assert build(valid_copy, built) == 1
    assert tree_hash(built) == before
    assert leftovers(built) == []


def test_a_template_error_leaves_the_previous_output(
    valid_copy: Path, built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The site's own theme layer overrides one template with one that fails while rendering."""
    before = tree_hash(built)
    override = valid_copy / "themes/default/templates/article.html"
    override.parent.mkdir(parents=True)
    override.write_text('{% extends "base.html" %}{% block main %}{{ no_such_name }}{% endblock %}')
    capsys.readouterr()
    assert build(valid_copy, built) == 1
    assert "no_such_name" in capsys.readouterr().err
    assert tree_hash(built) == before
    assert leftovers(built) == []


def test_user_files_in_the_output_survive_a_rebuild(valid_copy: Path, built: Path) -> None:
    (built / "CNAME").write_text("archive.example.org\n")
    (built / ".nojekyll").write_text("")
    (built / ".git").mkdir()
    (built / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (built / "it" / "notes.txt").write_text("appunti\n")
    assert build(valid_copy, built) == 0
    assert (built / "CNAME").read_text() == "archive.example.org\n"
    assert (built / ".nojekyll").read_text() == ""
    assert (built / ".git" / "HEAD").read_text() == "ref: refs/heads/gh-pages\n"
    assert (built / "it" / "notes.txt").read_text() == "appunti\n"
    manifest = (built / ".briefgen-manifest").read_text().splitlines()
    assert not {"CNAME", ".nojekyll", ".git/HEAD", "it/notes.txt"} & set(manifest)
    assert leftovers(built) == []


def test_an_output_briefgen_did_not_make_is_refused(valid_copy: Path, tmp_path: Path) -> None:
    output = tmp_path / "precious"
    output.mkdir()
    (output / "thesis.tex").write_text("\\documentclass{article}\n")
    before = tree_hash(output)
    assert build(valid_copy, output) == 2
    assert tree_hash(output) == before
    assert leftovers(output) == []


def test_an_empty_output_directory_is_fine(valid_copy: Path, tmp_path: Path) -> None:
    output = tmp_path / "empty"
    output.mkdir()
    assert build(valid_copy, output) == 0
    assert (output / "index.html").is_file()


@pytest.mark.parametrize(
    "where",
    [".", "..", "content", "content/out", "themes", "themes/out", "content/articles"],
)
def test_an_output_that_would_overwrite_the_sources_is_refused(
    valid_copy: Path, where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (valid_copy / "themes").mkdir(exist_ok=True)
    before = tree_hash(valid_copy.parent)
    assert build(valid_copy, valid_copy / where) == 2
    assert "refusing" in capsys.readouterr().err
    assert tree_hash(valid_copy.parent) == before


def test_an_output_in_site_yml_that_would_overwrite_the_sources_is_refused(
    valid_copy: Path,
) -> None:
    site_yml = valid_copy / "site.yml"
    site_yml.write_text(site_yml.read_text("utf-8") + "output: content\n", "utf-8")
    before = tree_hash(valid_copy)
    assert main(["build", "--source", str(valid_copy)]) == 2
    assert tree_hash(valid_copy) == before


def test_a_deleted_article_disappears_everywhere(valid_copy: Path, built: Path) -> None:
    assert b"sberbank" in (built / "sitemap.xml").read_bytes()
    (valid_copy / "content/articles/it/sberbank.md").unlink()
    assert build(valid_copy, built) == 0
    assert not (built / "it/articles/sberbank").exists()
    mentions = [path for path, data in tree(built).items() if b"sberbank" in data.lower()]
    assert mentions == []
    assert "it/articles/sberbank/index.html" not in (built / ".briefgen-manifest").read_text()


def test_a_user_file_where_a_new_page_goes_is_a_clear_error(
    valid_copy: Path, built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The user's file is not briefgen's to overwrite: the build stops and keeps both."""
    mine = built / "it/articles/nuovo/index.html"
    mine.parent.mkdir(parents=True)
    mine.write_text("<p>my own page</p>\n")
    before = tree_hash(built)
    source = (valid_copy / "content/articles/it/sberbank.md").read_text("utf-8")
    new = source.replace("title: L'alleanza", "slug: nuovo\ntitle: Un nuovo")
    (valid_copy / "content/articles/it/nuovo.md").write_text(new, "utf-8")
    capsys.readouterr()
    assert build(valid_copy, built) == 1
    err = capsys.readouterr().err
    assert "files in the output that briefgen did not write would be overwritten" in err
    assert "it/articles/nuovo" in err
    assert tree_hash(built) == before
    assert leftovers(built) == []


def test_the_default_output_is_relative_to_the_site_root(
    valid_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert main(["build", "--source", os.path.relpath(valid_copy, elsewhere)]) == 0
    assert (valid_copy / "_site" / "index.html").is_file()
    assert list(elsewhere.iterdir()) == []


def test_files_another_tool_wrote_keep_their_mtime_only_when_unchanged(tmp_path: Path) -> None:
    # The search bundle is written by Pagefind into the staging directory, then adopted.
    from briefgen.write import Staging

    output = tmp_path / "out"

    def stage(files: dict[str, bytes], unchanged: int) -> None:
        with Staging(output) as staging:
            for path, data in files.items():
                (staging.dir / path).parent.mkdir(parents=True, exist_ok=True)
                (staging.dir / path).write_bytes(data)
            staging.adopt(sorted(files))
            staging.commit()
        assert staging.unchanged == unchanged

    stage({"pagefind/same.bin": b"one", "pagefind/other.bin": b"two", "gone.bin": b"x"}, 0)
    same, other = output / "pagefind/same.bin", output / "pagefind/other.bin"
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (same, other)}
    stage({"pagefind/same.bin": b"one", "pagefind/other.bin": b"TWO", "new.bin": b"n"}, 1)
    assert (same.stat().st_ino, same.stat().st_mtime_ns) == before[same]
    assert other.stat().st_ino != before[other][0] and other.read_bytes() == b"TWO"
    assert not (output / "gone.bin").exists() and (output / "new.bin").read_bytes() == b"n"
    assert not list(output.rglob("*.briefgen-link"))
