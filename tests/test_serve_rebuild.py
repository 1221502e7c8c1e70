"""Incremental rebuilds: byte for byte a clean build, touching only what an edit reaches."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from briefgen.build import build
from briefgen.config import load_config
from briefgen.content import load_site
from briefgen.errors import BuildError, ContentError
from briefgen.pages import Page, PageContext, i18n_table
from briefgen.serve.rebuild import Rebuilder
from briefgen.stages import list_pages
from briefgen.theme import load_theme
from briefgen.write import MANIFEST
from tests.conftest import MakeSite, article


def _article(title: str, date: str, language: str, tags: str, body: str, outlet: str = "") -> str:
    outlet = outlet or ("meteoweb" if language == "it" else "al-akhbar")
    return article(title=title, date=date, outlet=outlet, language=language, tags=tags, body=body)


ARTICLES = {
    "content/articles/ar/a1.md": _article("أ1", "2025-01-02", "ar", "[russia]", "نص 1."),
    "content/articles/ar/a2.md": _article("أ2", "2025-01-05", "ar", "[russia, china]", "نص 2."),
    "content/articles/ar/a3.md": _article("أ3", "2024-11", "ar", "[china]", "نص 3."),
    "content/articles/ar/a4.md": _article("أ4", "unknown", "ar", "[russia]", "نص 4."),
    "content/articles/it/i1.md": _article("I1", "2025-01-03", "it", "[china]", "Testo 1."),
    "content/articles/it/i2.md": _article("I2", "2023", "it", "[russia]", "Testo 2."),
    "content/articles/it/i3.md": _article(
        "I3", "2025-02-10T09:30:00+01:00", "it", "[russia, china]", "Testo 3."
    ),
}

Edit = Callable[[Path], list[Path]]


def _replace(rel: str, old: str, new: str) -> Edit:
    def apply(root: Path) -> list[Path]:
        path = root / rel
        text = path.read_text("utf-8")
        assert old in text
        path.write_text(text.replace(old, new), "utf-8")
        return [path]

    return apply


def _field(rel: str, line: str) -> Edit:
    """Adds a front-matter line first in the file."""

    def apply(root: Path) -> list[Path]:
        path = root / rel
        text = path.read_text("utf-8")
        assert text.startswith("---\n")
        path.write_text(f"---\n{line}\n{text[4:]}", "utf-8")
        return [path]

    return apply


def _create(rel: str, text: str) -> Edit:
    def apply(root: Path) -> list[Path]:
        (root / rel).write_text(text, "utf-8")
        return [root / rel]

    return apply


def _delete(rel: str) -> Edit:
    def apply(root: Path) -> list[Path]:
        (root / rel).unlink()
        return [root / rel]

    return apply


def _rename(old: str, new: str) -> Edit:
    def apply(root: Path) -> list[Path]:
        os.replace(root / old, root / new)
        return [root / old, root / new]

    return apply


EDITS: dict[str, Edit] = {
    "body": _replace("content/articles/ar/a1.md", "نص 1.", "نص 1 معدّل.\n\n## عنوان"),
    "title": _replace("content/articles/it/i1.md", "title: I1", "title: Primo"),
    "date moves it to another month and page": _replace(
        "content/articles/ar/a3.md", "date: 2024-11", "date: 2025-03-01"
    ),
    "date becomes unknown": _replace("content/articles/it/i2.md", "date: 2023", "date: unknown"),
    "tags": _replace("content/articles/ar/a2.md", "tags: [russia, china]", "tags: [china]"),
    "language": _replace("content/articles/ar/a4.md", "language: ar", "language: it"),
    "outlet": _replace("content/articles/it/i3.md", "outlet: meteoweb", "outlet: al-akhbar"),
    "draft hides it": _replace("content/articles/it/i3.md", "title: I3", "title: I3\ndraft: true"),
    "new article": _create(
        "content/articles/it/i4.md", _article("I4", "2025-01-04", "it", "[russia]", "Nuovo.")
    ),
    "deleted article, its tag emptied": _delete("content/articles/ar/a3.md"),
    "renamed file": _rename("content/articles/it/i2.md", "content/articles/it/i2-renamed.md"),
    "new tag page": _replace("content/articles/it/i1.md", "tags: [china]", "tags: [china, russia]"),
    "same instant, another offset": _replace(
        "content/articles/it/i3.md", "2025-02-10T09:30:00+01:00", "2025-02-10T08:30:00Z"
    ),
    "briefing added": _field("content/articles/it/i3.md", "translated: {ar: {title: ثالث}}"),
    "added brings an undated article into the feeds": _field(
        "content/articles/ar/a4.md", "added: 2026-01-01"
    ),
    "article in another language, briefed in Italian": _create(
        "content/articles/ar/r1.md",
        article(
            title="R1",
            date="2025-01-06",
            outlet="al-akhbar",
            language="ru",
            tags="[china]",
            translated="{it: {title: Primo russo}}",
            body="Текст.",
        ),
    ),
}


def _both(first: Edit, second: Edit) -> Edit:
    return lambda root: first(root) + second(root)


IN_PLACE: dict[str, Edit] = {
    "body": EDITS["body"],
    "title": EDITS["title"],
    "summary and agency added": _replace(
        "content/articles/ar/a2.md", "title: أ2", "title: أ2\nsummary: ملخص\nagency: وكالة"
    ),
    "source URL": _replace(
        "content/articles/it/i2.md", "title: I2", "title: I2\nsource_url: https://example.org/i2"
    ),
    "two neighbours at once": _both(
        _replace("content/articles/ar/a1.md", "title: أ1", "title: أول"),
        _replace("content/articles/ar/a2.md", "title: أ2", "title: ثان"),
    ),
    "undated article": _replace("content/articles/ar/a4.md", "نص 4.", "نص رابع."),
    "saved unchanged": _replace("content/articles/it/i3.md", "I3", "I3"),
    "briefing added": EDITS["briefing added"],
    "access day and archived copy": _field(
        "content/articles/it/i2.md",
        "accessed: 2025-01-05\narchived_url: https://web.archive.org/web/2025/https://example.org/i2",
    ),
}
"""Edits that move no article: the rebuild patches the pages that hold it, listing nothing."""


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    return make_site(ARTICLES)


@pytest.fixture
def rebuilder(site: Path, tmp_path: Path) -> Iterator[Rebuilder]:
    work = tmp_path / "work"
    work.mkdir()
    rebuilder = Rebuilder(site, work)
    rebuilder.rebuild()
    yield rebuilder
    rebuilder.close()


def _clean_build(site: Path, tmp_path: Path, name: str) -> dict[str, bytes]:
    out = tmp_path / name
    build(site, out, search=False)  # the rebuilder under test indexes nothing
    return _tree(out)


@pytest.mark.parametrize("name", EDITS)
def test_incremental_rebuild_equals_a_clean_build(
    name: str, site: Path, rebuilder: Rebuilder, tmp_path: Path
) -> None:
    changed = EDITS[name](site)
    outcome = rebuilder.rebuild(changed)
    rebuilder.finish()
    assert not outcome.full
    assert rebuilder.root is not None
    served, clean = _tree(rebuilder.root), _clean_build(site, tmp_path, "clean")
    assert served.keys() == clean.keys()
    assert [p for p in served if served[p] != clean[p]] == []


SEQUENCES: dict[str, list[Edit]] = {
    "every kind of edit": list(EDITS.values()),
    "edits in place, an article moved between them": [
        *IN_PLACE.values(),
        _replace("content/articles/ar/a3.md", "date: 2024-11", "date: 2024-12"),
        _replace("content/articles/ar/a3.md", "نص 3.", "نص ثالث."),
    ],
    "an article in another language and its briefings": [
        EDITS["article in another language, briefed in Italian"],
        _replace("content/articles/ar/r1.md", "title: Primo russo", "title: Primo russo rivisto"),
        _replace(
            "content/articles/ar/r1.md",
            "{it: {title: Primo russo rivisto}}",
            "{ar: {title: الأول}, it: {title: Primo}}",
        ),
        _replace("content/articles/ar/r1.md", "Текст.", "Другой текст."),
        _replace(
            "content/articles/ar/r1.md",
            "translated: {ar: {title: الأول}, it: {title: Primo}}\n",
            "",
        ),
    ],
}


@pytest.mark.parametrize("name", SEQUENCES)
def test_a_sequence_of_edits_stays_equal_to_a_clean_build(
    name: str, site: Path, rebuilder: Rebuilder, tmp_path: Path
) -> None:
    for i, edit in enumerate(SEQUENCES[name]):
        rebuilder.rebuild(edit(site))
        if i % 2:
            rebuilder.finish()  # and sometimes the next rebuild finishes the previous one
    rebuilder.rebuild([])  # an event that changed nothing
    rebuilder.finish()
    assert rebuilder.root is not None
    assert _tree(rebuilder.root) == _clean_build(site, tmp_path, "clean")


def _count_listings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that grows by one each time a rebuild lists every page."""
    calls: list[int] = []

    def counting(*args: Any) -> object:
        calls.append(1)
        return list_pages(*args)

    monkeypatch.setattr("briefgen.serve.rebuild.list_pages", counting)
    return calls


def _listing(site: Path) -> dict[str, Page]:
    config = load_config(site)
    pages = list_pages(load_site(config).site, i18n_table(config, load_theme(config)))
    return {p.path: p for p in pages}


@pytest.mark.parametrize("name", IN_PLACE)
def test_an_edit_in_place_patches_pages_and_equals_a_full_listing(
    name: str, site: Path, rebuilder: Rebuilder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_listing(*args: object) -> object:
        raise AssertionError("an edit in place listed every page")

    monkeypatch.setattr("briefgen.serve.rebuild.list_pages", no_listing)
    rebuilder.rebuild(IN_PLACE[name](site))
    rebuilder.finish()
    state = rebuilder._state
    assert state is not None
    listing = _listing(site)
    assert list(state.pages) == list(listing)  # the same pages, in the sitemap's order
    assert [path for path, page in listing.items() if state.pages[path] != page] == []
    assert _tree(state.root) == _clean_build(site, tmp_path, "clean")


@pytest.mark.parametrize(
    "name", ["same instant, another offset", "tags", "draft hides it", "new article"]
)
def test_an_edit_that_moves_an_article_lists_every_page_again(
    name: str, site: Path, rebuilder: Rebuilder, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_listings(monkeypatch)
    rebuilder.rebuild(EDITS[name](site))
    assert calls == [1]


def test_an_edit_to_a_file_with_a_problem_before_lists_every_page_again(
    site: Path, rebuilder: Rebuilder, monkeypatch: pytest.MonkeyPatch
) -> None:
    a1 = site / "content/articles/ar/a1.md"
    good = a1.read_text("utf-8")
    a1.write_text(good.replace("tags: [russia]", "tags: [nope]"), "utf-8")
    with pytest.raises(ContentError):
        rebuilder.rebuild([a1])
    calls = _count_listings(monkeypatch)
    a1.write_text(good, "utf-8")
    rebuilder.rebuild([a1])
    assert calls == [1]


def test_a_body_edit_rewrites_only_the_pages_that_show_the_article(
    site: Path, rebuilder: Rebuilder
) -> None:
    root = rebuilder.root
    assert root is not None
    before = {p: p.stat().st_ino for p in root.rglob("*") if p.is_file()}
    outcome = rebuilder.rebuild(EDITS["body"](site))
    rebuilder.finish()
    rewritten = {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and before.get(p) != p.stat().st_ino
    }
    # The article, its neighbours in Arabic (their prev/next links show its title), the pages of
    # the lists that show it, in both interface languages (home, its tag, outlet, month, year,
    # each with its Arabic-only variant; per_page is 2, so it is on page 2), the Arabic feeds
    # and, in both interface languages, the feed of the articles written in Arabic.
    # Nothing else: not page 1 of those lists, not the Italian feed or articles; not the sitemap
    # or the data exports either, deferred until after the reload and, as a body edit leaves
    # their bytes as they were, not rewritten.
    expected = {
        "ar/articles/a1/index.html",
        "ar/articles/a2/index.html",
        "ar/articles/a3/index.html",
        "ar/atom.xml",
        "ar/tags/russia/atom.xml",
        "it/tags/russia/atom.xml",
    }
    for ui in ("ar", "it"):
        expected |= {
            f"{ui}/page/2/index.html",
            f"{ui}/ar/index.html",
            f"{ui}/ar/atom.xml",
            f"{ui}/tags/russia/page/2/index.html",
            f"{ui}/tags/russia/ar/index.html",
            f"{ui}/outlets/al-akhbar/index.html",
            f"{ui}/archive/2025/01/page/2/index.html",
            f"{ui}/archive/2025/01/ar/index.html",
            f"{ui}/archive/2025/page/2/index.html",
            f"{ui}/archive/2025/ar/index.html",
        }
    assert rewritten == expected
    assert outcome.written == len(rewritten)


def test_broken_content_changes_nothing_and_the_fix_applies(
    site: Path, rebuilder: Rebuilder, tmp_path: Path
) -> None:
    root = rebuilder.root
    assert root is not None
    good = _tree(root)
    a1 = site / "content/articles/ar/a1.md"
    a1.write_text(a1.read_text("utf-8").replace("tags: [russia]", "tags: [nope]"), "utf-8")
    dup = site / "content/articles/it/a1.md"
    dup.write_text(_article("Dup", "2025-01-01", "it", "[china]", "x"), "utf-8")
    with pytest.raises(ContentError) as failure:
        rebuilder.rebuild([a1, dup])
    text = failure.value.render(site)
    assert "content/articles/ar/a1.md:6: tags: unknown tag 'nope'" in text
    assert rebuilder.root == root and _tree(root) == good

    # The cache must not hide the cross-file error: fixing the tag still leaves the duplicate slug.
    a1.write_text(ARTICLES["content/articles/ar/a1.md"], "utf-8")
    with pytest.raises(ContentError, match="1 error"):
        rebuilder.rebuild([a1])
    dup.unlink()
    rebuilder.rebuild([dup])
    rebuilder.finish()
    assert _tree(root) == _clean_build(site, tmp_path, "clean")


def test_a_full_rebuild_swaps_in_a_new_directory_and_removes_the_old_ones(
    site: Path, rebuilder: Rebuilder
) -> None:
    first = rebuilder.root
    assert first is not None
    rebuilder.rebuild()
    second = rebuilder.root
    assert second is not None and second != first and first.exists()  # may still be answering
    rebuilder.rebuild()
    assert not first.exists() and second.exists()
    rebuilder.close()
    assert list(rebuilder.workdir.iterdir()) == []


def test_after_a_failed_full_rebuild_an_article_edit_does_not_hide_the_error(
    site: Path, rebuilder: Rebuilder, tmp_path: Path
) -> None:
    from briefgen.errors import ConfigError

    config = site / "site.yml"
    good = config.read_text("utf-8")
    config.write_text(good + "colour: blue\n", "utf-8")
    with pytest.raises(ConfigError):
        rebuilder.rebuild()
    changed = EDITS["body"](site)
    with pytest.raises(ConfigError, match="1 error"):
        rebuilder.rebuild(changed)  # still broken: rebuilt in full, not skipped
    config.write_text(good, "utf-8")
    rebuilder.rebuild(changed)
    assert rebuilder.root is not None
    assert _tree(rebuilder.root) == _clean_build(site, tmp_path, "clean")


def test_after_a_broken_article_an_edit_elsewhere_does_not_hide_the_error(
    site: Path, rebuilder: Rebuilder, tmp_path: Path
) -> None:
    a1 = site / "content/articles/ar/a1.md"
    good = a1.read_text("utf-8")
    a1.write_text(good.replace("tags: [russia]", "tags: [nope]"), "utf-8")
    for edit in (lambda root: [a1], IN_PLACE["title"]):  # an edit in place; a1 still broken
        changed = edit(site)
        with pytest.raises(ContentError) as raised:
            rebuilder.rebuild(changed)
        assert [p.message for p in raised.value.problems] == ["tags: unknown tag 'nope'"]
    a1.write_text(good, "utf-8")
    rebuilder.rebuild([a1])
    rebuilder.finish()
    assert rebuilder.root is not None
    assert _tree(rebuilder.root) == _clean_build(site, tmp_path, "clean")


def test_the_search_hook_indexes_every_new_build(site: Path, tmp_path: Path) -> None:
    """The search stage (a hook until it exists) runs on the staged site and after each edit."""
    indexed: list[tuple[Path, bool]] = []
    work = tmp_path / "work"
    work.mkdir()
    rebuilder = Rebuilder(
        site,
        work,
        search=lambda site, root: indexed.append((root, (root / "sitemap.xml").exists())) or (),
    )
    try:
        rebuilder.rebuild()
        assert len(indexed) == 1 and indexed[0][0].name.endswith(".staging") and indexed[0][1]
        rebuilder.rebuild(EDITS["body"](site))
        assert len(indexed) == 1  # not before the reload is announced
        rebuilder.finish()
        assert indexed[1] == (rebuilder.root, True)
    finally:
        rebuilder.close()


def test_an_edit_that_moves_nothing_does_not_list_every_page_again(
    site: Path, rebuilder: Rebuilder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lists whose articles were edited in place are patched, not produced again; a list page
    carrying data the patch does not know is produced again in full."""
    from briefgen import producers

    calls: list[str] = []
    original = producers.paginate

    def counting(ctx: PageContext, lang: object, kind: str, *args: object, **kw: object) -> object:
        calls.append(kind)
        return original(ctx, lang, kind, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(producers, "paginate", counting)
    rebuilder.rebuild(EDITS["title"](site))
    rebuilder.finish()
    assert calls == []
    assert rebuilder.root is not None
    assert _tree(rebuilder.root) == _clean_build(site, tmp_path, "clean")

    def with_extra_data(ctx: PageContext, *args: object, **kw: object) -> object:
        for page in original(ctx, *args, **kw):  # type: ignore[arg-type]
            first = page.data["articles"][:1]
            yield replace(page, data={**page.data, "first_title": [a.title for a in first]})

    monkeypatch.setattr(producers, "paginate", with_extra_data)
    rebuilder.rebuild()  # pages now carry first_title
    changed = _replace("content/articles/it/i1.md", "title: Primo", "title: Primissimo")(site)
    rebuilder.rebuild(changed)
    pages = {p.path: p for p in rebuilder._state.pages.values()}  # type: ignore[union-attr]
    assert any(
        p.data.get("first_title") == ["Primissimo"] for p in pages.values() if p.kind == "home"
    )


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("404.html", "two outputs want the same path '404.html'"),
        (MANIFEST, f"two outputs want the same path {MANIFEST!r}"),
        ("it/../../escaped.html", "it would escape the output directory"),
    ],
)
def test_an_edit_keeps_the_builds_rule_for_output_paths(
    path: str,
    message: str,
    site: Path,
    rebuilder: Rebuilder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A page at another page's path, at the manifest's or outside the output fails a rebuild
    with the build's own message, and the served site stays as it was."""
    from briefgen import producers

    def stray(ctx: PageContext) -> Iterator[Page]:
        lang = ctx.config.default_language
        yield Page(path, "", lang, "data-file", path, content=b"stray", sitemap=False)

    monkeypatch.setattr(producers, "PRODUCERS", (*producers.PRODUCERS, stray))
    assert rebuilder.root is not None
    before = _tree(rebuilder.root)
    with pytest.raises(BuildError, match=re.escape(message)):
        rebuilder.rebuild(EDITS["tags"](site))  # moves an article: every page is listed
    assert _tree(rebuilder.root) == before
    with pytest.raises(BuildError, match=re.escape(message)):
        build(site, tmp_path / "out", search=False)


def test_the_data_exports_follow_an_edit_after_the_reload(site: Path, rebuilder: Rebuilder) -> None:
    root = rebuilder.root
    assert root is not None
    exported = root / "data/articles.json"
    assert "Primo" not in exported.read_text("utf-8")
    rebuilder.rebuild(EDITS["title"](site))
    assert "Primo" not in exported.read_text("utf-8")  # deferred: the reload comes first
    rebuilder.finish()
    assert '"title": "Primo"' in exported.read_text("utf-8")
    assert "Primo" in (root / "data/articles.csv").read_text("utf-8")


def test_finish_stops_between_pages_when_asked_and_the_next_rebuild_catches_up(
    site: Path, rebuilder: Rebuilder, tmp_path: Path
) -> None:
    """The preview stops writing the exports when an edit comes, and they follow the next one."""
    root = rebuilder.root
    assert root is not None
    rebuilder.rebuild(EDITS["title"](site))
    asked: list[int] = []

    def after_one_page() -> bool:
        asked.append(1)
        return len(asked) > 1

    assert rebuilder.finish(stop=after_one_page) is None
    assert rebuilder.unfinished
    assert '"title": "Primo"' in (root / "data/articles.json").read_text("utf-8")
    assert "Primo" not in (root / "data/articles.csv").read_text("utf-8")  # not reached
    rebuilder.rebuild(IN_PLACE["body"](site))
    assert rebuilder.finish() is not None
    assert not rebuilder.unfinished
    assert _tree(root) == _clean_build(site, tmp_path, "clean")


def test_a_body_edit_leaves_the_exports_and_the_sitemap_unrendered(
    site: Path, rebuilder: Rebuilder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Their page data (the records; each page's URL, kind and alternates) did not change."""
    rebuilder.rebuild(EDITS["body"](site))
    assert rebuilder._state is not None
    rendered: list[str] = []
    render = rebuilder._state.renderer.render
    monkeypatch.setattr(
        rebuilder._state.renderer, "render", lambda s, p: rendered.append(p.kind) or render(s, p)
    )
    rebuilder.finish()
    assert rendered == []
    rebuilder.rebuild(EDITS["title"](site))
    rendered.clear()
    rebuilder.finish()
    assert sorted(rendered) == ["data-file"] * 2  # the articles' JSON and CSV, not the sitemap
