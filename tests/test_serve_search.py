"""The preview's search index after edits: each refresh indexes exactly the articles of now.

The refreshes run the real Pagefind, in the served build (where the first build's bundles
already are), as the preview runs them: the full build's hook, then one kept for refreshes.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Callable, Iterator
from itertools import pairwise
from pathlib import Path
from typing import cast

import pytest

from briefgen.errors import BuildError
from briefgen.model import Site
from briefgen.serve import Preview, _Indexer
from briefgen.serve.rebuild import Rebuilder
from briefgen.serve.search import PagefindSearch, pagefind_search
from tests.conftest import MakeSite, article
from tests.serve_support import Listener, raw_request

ITALIAN = "content/articles/it/due.md"
ARTICLES = {
    "content/articles/ar/one.md": article(
        title="المقال الأول",
        date="2025-01-02",
        outlet="al-akhbar",
        language="ar",
        tags="[russia]",
        body="النص الأصلي.",
    ),
    ITALIAN: article(
        title="Secondo articolo",
        date="2025-02",
        outlet="meteoweb",
        language="it",
        tags="[china]",
        body="Testo originale.",
    ),
    "content/articles/it/tre.md": article(
        title="Terzo articolo",
        date="2024-12-01",
        outlet="meteoweb",
        language="it",
        tags="[russia]",
        body="Altro testo.",
    ),
}
WORDS = ("originale", "zanzara", "farfalla", "libellula")
"""The word only the Italian article's text has: the first, then the one each edit puts in."""

Refresh = Callable[[Rebuilder], None]


def _preview_refresh(work: Path) -> tuple[PagefindSearch, Refresh]:
    """The preview's wiring: the full build's hook, and a refresh that keeps its record files,
    run on what :meth:`Rebuilder.finish` hands over (as ``Preview`` does in a thread)."""
    refresh = PagefindSearch(work / "records")

    def run(rebuilder: Rebuilder) -> None:
        built = rebuilder.finish(index=False)
        assert built is not None
        refresh(*built)

    return PagefindSearch(), run


def _finish_refresh(work: Path) -> tuple[Callable[..., object], Refresh]:
    """The rebuilder's own search stage, run by :meth:`Rebuilder.finish`."""
    return pagefind_search, lambda rebuilder: rebuilder.finish()


WIRINGS = {"preview": _preview_refresh, "finish": _finish_refresh}


@pytest.fixture(params=WIRINGS)
def preview(
    request: pytest.FixtureRequest, make_site: MakeSite, tmp_path: Path
) -> Iterator[tuple[Path, Rebuilder, Refresh]]:
    site = make_site(ARTICLES)
    work = tmp_path / "work"
    work.mkdir()
    search, refresh = WIRINGS[request.param](work)
    rebuilder = Rebuilder(site, work, search=search)  # type: ignore[arg-type]
    rebuilder.rebuild()
    yield site, rebuilder, refresh
    rebuilder.close()


def records(bundle: Path) -> list[str]:
    """The text of every record a Pagefind bundle holds (its fragment files)."""
    texts = []
    for path in sorted((bundle / "fragment").iterdir()):
        data = gzip.decompress(path.read_bytes())
        texts.append(str(json.loads(data[data.index(b"{") :])["content"]))
    return texts


def filtered_pages(bundle: Path) -> int:
    """The pages of a bundle's filter table."""
    return len(json.loads((bundle / "briefgen-filters.json").read_text("utf-8"))["pages"])


def test_each_refresh_indexes_the_latest_edit_and_nothing_it_replaced(
    preview: tuple[Path, Rebuilder, Refresh],
) -> None:
    """Edit after edit, the Italian bundle holds its two articles, the word the last edit put in
    and none that an edit took out. Pagefind adds its output to what its directory holds: the
    refresh into the served bundle found the first build's record beside the new one and
    failed ("Pagefind indexed 3 of the 2 'it' articles", one more at each edit)."""
    site, rebuilder, refresh = preview
    path = site / ITALIAN
    for old, new in pairwise(WORDS):
        path.write_text(path.read_text("utf-8").replace(old, new), "utf-8")
        rebuilder.rebuild([path])
        refresh(rebuilder)
        assert rebuilder.root is not None
        bundle = rebuilder.root / "pagefind" / "it"
        texts = records(bundle)
        assert len(texts) == 2 and filtered_pages(bundle) == 2
        assert [new in text for text in texts].count(True) == 1
        assert not any(old in text for text in texts)
        assert len(records(rebuilder.root / "pagefind" / "ar")) == 1


def test_a_language_left_without_articles_loses_its_bundle(
    preview: tuple[Path, Rebuilder, Refresh],
) -> None:
    """As in a clean build, where no bundle is made for it (the search page no longer names it)."""
    site, rebuilder, refresh = preview
    for rel in ARTICLES:
        if rel.startswith("content/articles/it/"):
            (site / rel).unlink()
    rebuilder.rebuild([site / rel for rel in ARTICLES if rel.startswith("content/articles/it/")])
    refresh(rebuilder)
    assert rebuilder.root is not None
    assert sorted(p.name for p in (rebuilder.root / "pagefind").iterdir()) == ["ar"]


def test_the_preview_announces_each_refreshed_index_after_the_edit(make_site: MakeSite) -> None:
    """The preview refreshes the index after each edit, says nothing of it when it went well, and
    announces it (search pages reload: they read the index as they load, which was before the
    refresh when the edit's reload made them load); the bundle it serves then holds the edit."""
    site = make_site(ARTICLES)
    path = site / ITALIAN
    lines: list[str] = []
    with Preview(site, port=0, report=lines.append) as preview:
        preview.start()
        port = preview.server.port
        listener = Listener(port)
        status = listener.next_status()
        for old, new in pairwise(WORDS):
            path.write_text(path.read_text("utf-8").replace(old, new), "utf-8")
            status = listener.until(  # the edit's pages, then its index (or both at once)
                lambda s, seen=status: s["epoch"] != seen["epoch"] and s["index"] != seen["index"]
            )
            assert status["error"] is None
            table = json.loads(raw_request(port, "/archive/pagefind/it/briefgen-filters.json").text)
            assert len(table["pages"]) == 2
            assert preview.rebuilder.root is not None
            texts = records(preview.rebuilder.root / "pagefind" / "it")
            assert [new in text for text in texts].count(True) == 1
            assert not any(old in text for text in texts)
        listener.close()
    assert not [line for line in lines if "search" in line], lines


def test_a_refresh_never_makes_a_deleted_build_again(make_site: MakeSite, tmp_path: Path) -> None:
    """A refresh asked for before two full rebuilds (the second deletes the build it was for)
    fails instead of making that build's folder again, which nothing would delete."""
    site = make_site(ARTICLES)
    work = tmp_path / "work"
    work.mkdir()
    rebuilder = Rebuilder(site, work, search=PagefindSearch())
    try:
        rebuilder.rebuild()
        path = site / ITALIAN
        path.write_text(path.read_text("utf-8").replace("originale", "zanzara"), "utf-8")
        rebuilder.rebuild([path])
        built = rebuilder.finish(index=False)
        assert built is not None
        rebuilder.rebuild()
        rebuilder.rebuild()
        assert not built[1].exists()
        with pytest.raises(BuildError):
            PagefindSearch(work / "records")(*built)
        assert not built[1].exists()
        assert not [p.name for p in work.iterdir() if p.name.startswith(".")]  # nor its scratch
    finally:
        rebuilder.close()


def test_the_indexer_drops_a_request_for_a_build_no_longer_served(tmp_path: Path) -> None:
    """A full rebuild indexed the build it serves: the refresh for the one before is not run
    (half a minute of Pagefind at 10,000 articles, for nothing), reported or announced."""
    served = tmp_path / "site-2"
    indexed: list[Path] = []
    lines: list[str] = []
    announced: list[bool] = []
    asked: list[bool] = []  # the indexer asks which build is served first thing in each run

    def serving() -> Path:
        asked.append(True)
        return served

    indexer = _Indexer(
        lambda site, root: indexed.append(root) or ["pagefind/it/pagefind.js"],
        lines.append,
        lambda: announced.append(True),
        serving,
    )
    thread = threading.Thread(target=indexer.run)
    thread.start()
    try:
        # One request at a time: the second once the first was taken and looked at, then
        # until the second run announced its index.
        for root, done in ((tmp_path / "site-1", asked), (served, announced)):
            indexer.request(cast("Site", object()), root)  # the hook does not read it
            deadline = time.monotonic() + 10
            while not done:
                assert time.monotonic() < deadline
                time.sleep(0.01)
    finally:
        indexer.close()
        thread.join(10)
    assert indexed == [served] and announced == [True] and lines == []
