"""Symbolic links: a site publishes only what lies inside it.

A link that resolves inside the site root is read like the file it names. One that leads out of
the site (an article, a vocabulary, ``site.yml``, a theme file, a linked folder) is an error at
its own path, reported with every other error, and the file it names is never opened. A link
to nowhere is an error too, never a crash.
"""

from __future__ import annotations

import builtins
import os
import pathlib
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from briefgen import theme
from briefgen.build import build, check
from briefgen.errors import ProblemsError
from briefgen.importer import ImportOptions, import_files
from tests.conftest import MakeSite, article

SECRET = "Segreto fuori dal sito"
OUTSIDE_ARTICLE = article(
    title=SECRET, date="2025-01-02", outlet="meteoweb", language="it", tags="[russia]"
)
GOOD = article(title="Dentro", date="2025-01-02", outlet="meteoweb", language="it", tags="[russia]")


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The real path of every file opened for reading from now on (pathlib or ``open``)."""
    seen: list[str] = []
    path_open = pathlib.Path.open
    plain_open = builtins.open

    def note(file: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        mode = args[0] if args else kwargs.get("mode", "r")
        if isinstance(file, (str, os.PathLike)) and "r" in mode:
            seen.append(os.path.realpath(file))

    def tracked_path_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        note(self, args, kwargs)
        return path_open(self, *args, **kwargs)

    def tracked_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        note(file, args, kwargs)
        return plain_open(file, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", tracked_path_open)
    monkeypatch.setattr(builtins, "open", tracked_open)
    return seen


def link(at: Path, to: Path | str) -> Path:
    """A symbolic link at ``at`` (its folder made) to ``to``."""
    at.parent.mkdir(parents=True, exist_ok=True)
    at.symlink_to(to)
    return at


def errors_of(run: Callable[[], object], root: Path) -> list[str]:
    """The ``path:line: message`` lines ``run`` fails with (paths from the site root)."""
    with pytest.raises(ProblemsError) as failed:
        run()
    return failed.value.render(root).splitlines()


def outside_file(tmp_path: Path, text: str = OUTSIDE_ARTICLE) -> Path:
    target = tmp_path / "elsewhere" / "secret.md"
    target.parent.mkdir(exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


@pytest.mark.parametrize("target", ["beside the site", "/etc/passwd"])
def test_an_article_linked_from_outside_is_refused_and_never_opened(
    make_site: MakeSite, tmp_path: Path, opened: list[str], target: str
) -> None:
    root = make_site({"content/articles/it/ok.md": GOOD})
    to = outside_file(tmp_path) if target == "beside the site" else Path(target)
    link(root / "content/articles/it/linked.md", to)
    output = tmp_path / "out"

    for run in (lambda: check(root), lambda: build(root, output, search=False)):
        assert errors_of(run, root) == [
            f"content/articles/it/linked.md: symbolic link to {os.path.realpath(to)} "
            "leads outside the site: not read"
        ]
    assert os.path.realpath(to) not in opened
    assert not output.exists()


def test_a_link_inside_the_site_is_read_like_its_file(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"shared/dentro.md": GOOD})
    link(root / "content/articles/it/dentro.md", "../../../shared/dentro.md")
    (only,) = check(root).site.articles
    assert (only.title, only.slug) == ("Dentro", "dentro")


def test_a_linked_folder_leading_out_is_refused_and_never_entered(
    make_site: MakeSite, tmp_path: Path, opened: list[str]
) -> None:
    root = make_site({"content/articles/it/ok.md": GOOD})
    target = outside_file(tmp_path).parent
    link(root / "content/articles/elsewhere", target)
    assert errors_of(lambda: check(root), root) == [
        f"content/articles/elsewhere: symbolic link to {target} leads outside the site: not read"
    ]
    assert not [p for p in opened if p.startswith(str(target))]


def test_the_articles_folder_linked_out_is_one_error(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({})
    target = outside_file(tmp_path).parent
    link(root / "content/articles", target)
    assert errors_of(lambda: check(root), root) == [
        f"content/articles: symbolic link to {target} leads outside the site: not read"
    ]


def test_a_linked_folder_inside_the_site_is_a_warning_not_silence(make_site: MakeSite) -> None:
    """Not followed: the build's fingerprint and the preview's watcher do not follow links, so
    an edit inside would go unseen. Said, rather than its articles missing without a word."""
    root = make_site({"content/articles/it/ok.md": GOOD, "shared/more.md": GOOD})
    link(root / "content/articles/shared", "../../shared")
    loaded = check(root)
    assert [a.title for a in loaded.site.articles] == ["Dentro"]
    assert [p.render(root) for p in loaded.warnings if "link" in p.message] == [
        "content/articles/shared: warning: a linked folder is not followed: its articles are "
        "not read (link each file)"
    ]


def test_a_broken_link_is_an_error_not_a_crash(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"content/articles/it/ok.md": GOOD})
    link(root / "content/articles/it/gone.md", "removed.md")
    assert errors_of(lambda: check(root), root) == [
        "content/articles/it/gone.md: symbolic link to content/articles/it/removed.md leads nowhere"
    ]


@pytest.mark.parametrize("name", ["content/tags.yml", "content/outlets.yml", "site.yml"])
def test_vocabularies_and_settings_linked_out_are_refused(
    make_site: MakeSite, tmp_path: Path, opened: list[str], name: str
) -> None:
    root = make_site({"content/articles/it/ok.md": GOOD})
    target = tmp_path / "elsewhere" / Path(name).name
    target.parent.mkdir()
    shutil.move(root / name, target)
    link(root / name, target)
    assert errors_of(lambda: check(root), root) == [
        f"{name}: symbolic link to {target} leads outside the site: not read"
    ]
    assert str(target) not in opened


@pytest.mark.parametrize(
    "name",
    [
        "themes/default/templates/article.html",
        "themes/default/static/extra.css",
        "themes/default/i18n/it.yml",
        "themes/default/templates/partials",
    ],
)
def test_theme_files_linked_out_are_refused(
    make_site: MakeSite, tmp_path: Path, opened: list[str], name: str
) -> None:
    root = make_site({"content/articles/it/ok.md": GOOD})
    secret = outside_file(tmp_path, "<p>{{ secret }}</p>\n")
    target = secret if "." in name else secret.parent  # a file, or a folder of templates
    link(root / name, target)
    output = tmp_path / "out"
    assert errors_of(lambda: build(root, output, search=False), root) == [
        f"{name}: symbolic link to {target} leads outside the site: not read"
    ]
    assert str(secret) not in opened
    assert not output.exists()


def test_a_site_theme_linked_out_is_refused(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"content/articles/it/ok.md": GOOD})
    target = tmp_path / "shared-theme"
    (target / "templates").mkdir(parents=True)
    link(root / "themes/default", target)
    assert errors_of(lambda: check(root), root) == [
        f"themes/default: symbolic link to {target} leads outside the site: not read"
    ]


def test_a_static_file_linked_inside_the_site_is_published(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = make_site({"content/articles/it/ok.md": GOOD, "assets/extra.css": "p { color: red }\n"})
    link(root / "themes/default/static/extra.css", "../../../assets/extra.css")
    build(root, tmp_path / "out", search=False)
    assert (tmp_path / "out/static/extra.css").read_text("utf-8") == "p{color:red}"


def test_the_builtin_theme_is_held_to_its_own_directory(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builtin = tmp_path / "package" / "default"
    shutil.copytree(theme.builtin_theme(), builtin)
    target = outside_file(tmp_path, "body { display: none }\n")
    link(builtin / "static" / "extra.css", target)
    monkeypatch.setattr(theme, "builtin_theme", lambda: builtin)
    root = make_site({"content/articles/it/ok.md": GOOD})
    assert errors_of(lambda: check(root), root) == [
        f"{builtin / 'static' / 'extra.css'}: symbolic link to {target} "
        "leads outside the theme: not read"
    ]


def test_import_does_not_read_an_article_linked_from_outside(
    make_site: MakeSite, tmp_path: Path, opened: list[str]
) -> None:
    root = make_site({"content/articles/it/ok.md": GOOD})
    target = outside_file(tmp_path)
    link(root / "content/articles/it/linked.md", target)
    raw = tmp_path / "raw.txt"
    raw.write_text(
        "Il Presidente russo ha ordinato al governo di sviluppare partnership tecnologiche "
        "di intelligenza artificiale con la Cina, secondo il Cremlino.\n",
        encoding="utf-8",
    )
    import_files(root, [raw], ImportOptions(language="it", outlet="meteoweb", dry_run=True))
    assert str(target) not in opened
