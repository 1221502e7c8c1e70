"""Which file events matter to the preview, and how a burst of them becomes one rebuild."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen.serve.watch import Debouncer, Kind, Watcher, classify

SOURCE = Path("/site")
THEMES = (SOURCE / "themes", Path("/usr/lib/briefgen/themes/default"))


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/site/site.yml", Kind.FULL),
        ("/site/content/tags.yml", Kind.FULL),
        ("/site/content/outlets.yml", Kind.FULL),
        ("/site/content/articles/ar/one.md", Kind.ARTICLE),
        ("/site/content/articles/2025", Kind.ARTICLE),  # a folder moved in or out
        ("/site/themes/default/templates/list.html", Kind.FULL),
        ("/site/themes/default/static/style.css", Kind.FULL),
        ("/usr/lib/briefgen/themes/default/i18n/ar.yml", Kind.FULL),
        ("/site/content/articles/ar/.one.md.swp", None),
        ("/site/content/articles/ar/one.md~", None),
        ("/site/content/articles/ar/#one.md#", None),
        ("/site/content/articles/ar/notes.txt", None),
        ("/site/content/README", None),
        ("/site/site.yml.tmp", None),
        ("/site/_site/ar/index.html", None),
        ("/site/.git/index", None),
        ("/site/themes/default/templates/.list.html.swp", None),
    ],
)
def test_classify(path: str, kind: Kind | None) -> None:
    assert classify(Path(path), SOURCE, THEMES) is kind


def test_a_burst_is_delivered_once_it_has_been_quiet() -> None:
    debouncer = Debouncer(quiet=1.0)  # generous: a loaded machine may pause the writer
    got: list[object] = []
    taker = threading.Thread(target=lambda: got.append(debouncer.take()))
    taker.start()
    started = time.monotonic()
    for i in range(40):
        debouncer.add(Kind.ARTICLE, Path(f"/site/content/articles/a{i}.md"))
        time.sleep(0.005)
    debouncer.add(Kind.FULL, SOURCE / "site.yml")
    taker.join(5)
    assert time.monotonic() - started >= 1.0 + 40 * 0.005
    assert len(got) == 1
    change = got[0]
    assert change is not None
    assert change.full and len(change.articles) == 40  # type: ignore[attr-defined]
    debouncer.close()
    assert debouncer.take() is None


def test_an_endless_burst_is_cut_after_the_longest_wait() -> None:
    debouncer = Debouncer(quiet=0.2, longest=0.5)
    stop = threading.Event()

    def churn() -> None:
        while not stop.is_set():
            debouncer.add(Kind.ARTICLE, Path("/site/content/articles/a.md"))
            time.sleep(0.01)

    writer = threading.Thread(target=churn)
    writer.start()
    started = time.monotonic()
    try:
        assert debouncer.take() is not None
        assert time.monotonic() - started < 2
    finally:
        stop.set()
        writer.join()
        debouncer.close()


def test_pending_says_an_event_waits_until_it_is_taken() -> None:
    debouncer = Debouncer(quiet=0.01)
    assert not debouncer.pending
    debouncer.add(Kind.ARTICLE, SOURCE / "content/articles/a.md")
    assert debouncer.pending
    assert debouncer.take() is not None
    assert not debouncer.pending


def _events_of(source: Path, act: Callable[[], None]) -> set[Path]:
    debouncer = Debouncer(quiet=0.3)
    watcher = Watcher(source, debouncer)
    try:
        time.sleep(0.2)
        act()
        change = debouncer.take()
    finally:
        watcher.stop()
    assert change is not None and not change.full
    return change.articles


def test_a_save_reports_the_file_not_its_folder(tmp_path: Path) -> None:
    """The folder's own "modified" event would make the preview list every file again."""
    articles = tmp_path / "content" / "articles" / "ar"
    articles.mkdir(parents=True)
    one = articles / "one.md"
    one.write_text("old", "utf-8")

    def atomic_save() -> None:
        (articles / ".one.md.tmp").write_text("new", "utf-8")
        os.replace(articles / ".one.md.tmp", one)

    assert _events_of(tmp_path, lambda: one.write_text("newer", "utf-8")) == {one}
    assert _events_of(tmp_path, atomic_save) == {one}


def test_a_folder_moved_in_is_reported(tmp_path: Path) -> None:
    (tmp_path / "content" / "articles").mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "one.md").write_text("text", "utf-8")
    target = tmp_path / "content" / "articles" / "2025"
    assert target in _events_of(tmp_path, lambda: os.replace(outside, target))


def test_a_theme_folder_deleted_and_made_again_is_watched_again(tmp_path: Path) -> None:
    """Its old watch ended with it: the preview's refresh after the full rebuild that each of
    the two changes makes watches the new folder, whose edits were missed before."""
    (tmp_path / "content" / "articles").mkdir(parents=True)
    static = tmp_path / "themes" / "default" / "static"
    static.mkdir(parents=True)
    debouncer = Debouncer(quiet=0.3)
    watcher = Watcher(tmp_path, debouncer)
    try:
        time.sleep(0.2)
        shutil.rmtree(tmp_path / "themes")
        change = debouncer.take(idle=5)
        assert change is not None and change.full
        watcher.refresh()
        static.mkdir(parents=True)
        change = debouncer.take(idle=5)
        assert change is not None and change.full
        watcher.refresh()
        time.sleep(0.2)
        (static / "extra.css").write_text("body { color: red; }\n", "utf-8")
        change = debouncer.take(idle=5)
        assert change is not None and change.full
    finally:
        watcher.stop()
