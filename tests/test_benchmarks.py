"""The benchmark tooling: the corpus generator, the peer exporters (no peer is run), the runner's
trash."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter
from pathlib import Path

import pytest
import yaml

from briefgen.build import build, check
from briefgen.model import UNKNOWN_OUTLET
from briefgen.write import MANIFEST

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCH))

import corpus  # noqa: E402
import peers  # noqa: E402
import run  # noqa: E402

N = 120
"""Articles in the test corpus: enough for the 80/20 split and every date shape."""


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def paths(site: Path) -> list[Path]:
    return sorted(site.glob("content/articles/*/*.md"))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus") / "site"
    corpus.generate(root, N, seed=1)
    return root


def test_same_seed_same_bytes_other_seed_other_text(site: Path, tmp_path: Path) -> None:
    corpus.generate(tmp_path / "again", N, seed=1)
    corpus.generate(tmp_path / "other", N, seed=2)
    assert tree(tmp_path / "again") == tree(site)
    other = tree(tmp_path / "other")
    articles = [k for k in other if k.startswith("content/articles")]
    assert sum(other[k] != tree(site).get(k) for k in articles) > N * 0.9


def test_refuses_a_folder_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(SystemExit):
        corpus.generate(tmp_path, 3)
    assert (tmp_path / "mine.txt").read_text() == "keep me"


def test_briefgen_loads_the_corpus_with_the_promised_shape(site: Path) -> None:
    loaded = check(site)  # raises on any error
    articles = loaded.site.articles
    assert len(articles) == N
    share = Counter(a.language for a in articles)["ar"] / len(articles)
    assert 0.72 <= share <= 0.88
    words = [len(a.body_text.split()) for a in articles]
    assert min(words) >= 300 and max(words) <= 1500
    assert len({a.body_text for a in articles}) == N
    assert all(1 <= len(a.tags) <= 4 for a in articles)
    dates = [yaml.safe_load(p.read_text("utf-8").split("---\n")[1])["date"] for p in paths(site)]
    shapes = Counter("unknown" if d == "unknown" else len(str(d)) for d in dates)
    assert shapes[10] > N * 0.7  # YYYY-MM-DD (PyYAML reads it as a date; str() gives it back)
    assert shapes[7] > 0 and shapes[4] > 0 and shapes["unknown"] > 0
    assert sum(a.date is None for a in articles) == shapes["unknown"]
    assert any(a.outlet == UNKNOWN_OUTLET for a in articles)
    assert len(loaded.site.tags) == 40
    assert all(set(t.labels) == {"ar", "it", "en"} for t in loaded.site.tags.values())
    assert len([o for o in loaded.site.outlets if o != UNKNOWN_OUTLET]) == 25


def test_bodies_have_headings_lists_and_links(site: Path) -> None:
    bodies = [p.read_text("utf-8") for p in paths(site)]
    assert sum("\n## " in b for b in bodies) > N * 0.8
    assert sum("\n- " in b for b in bodies) > N * 0.8
    assert sum("](https://" in b for b in bodies) > N * 0.3


def test_hugo_export(site: Path, tmp_path: Path) -> None:
    peers.export_hugo(site, tmp_path / "hugo", per_page=7)
    config = tomllib.loads((tmp_path / "hugo" / "hugo.toml").read_text("utf-8"))
    assert set(config["languages"]) == {"ar", "it"}
    assert config["taxonomies"] == {"tag": "tags", "outlet": "outlets"}
    assert config["paginate"] == 7
    files = sorted((tmp_path / "hugo" / "content").rglob("*.md"))
    assert len(files) == N
    front = json.loads(files[0].read_text("utf-8").split("---\n")[1])
    assert files[0].parent.parent.name in ("ar", "it")
    assert {"title", "slug", "tags", "outlets", "briefdate"} <= set(front)
    for name in ("baseof", "single", "list", "terms"):
        assert (tmp_path / "hugo" / "layouts" / "_default" / f"{name}.html").is_file()


def test_eleventy_export(site: Path, tmp_path: Path) -> None:
    peers.export_eleventy(site, tmp_path / "11ty")
    root = tmp_path / "11ty"
    config = (root / "eleventy.config.js").read_text("utf-8")
    assert "const per = 20;" in config and "by_" in config
    files = sorted((root / "articles").rglob("*.md"))
    assert len(files) == N
    front = json.loads(files[0].read_text("utf-8").split("---\n")[1])
    assert front["permalink"] == f"/{front['lang']}/articles/{files[0].stem}/"
    assert "tags" not in front and front["tags_"]
    for name in ("home-ar.njk", "home-it.njk", "tags.njk", "outlets.njk"):
        assert "pagination:" in (root / name).read_text("utf-8")


def test_pelican_export(site: Path, tmp_path: Path) -> None:
    peers.export_pelican(site, tmp_path / "pelican")
    root = tmp_path / "pelican"
    conf = (root / "pelicanconf.py").read_text("utf-8")
    namespace: dict[str, object] = {}
    exec(compile(conf, "pelicanconf.py", "exec"), namespace)  # the file is Python by design
    assert namespace["DEFAULT_PAGINATION"] == 20
    assert namespace["DIRECT_TEMPLATES"] == ["index"]
    assert namespace["FEED_ALL_ATOM"] is None
    files = sorted((root / "content").rglob("*.md"))
    assert len(files) == N
    head = files[0].read_text("utf-8").split("\n\n", 1)[0]
    fields = dict(line.split(": ", 1) for line in head.splitlines())
    assert fields["Lang"] == files[0].parent.name
    assert fields["Author"] and fields["Tags"]
    assert fields["Slug"] == files[0].stem


def test_the_runner_moves_outputs_aside_and_times_nothing_soon_after_a_deletion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A clean build must not follow a deletion: on a journal-less ext4 the kernel then checks
    every freshly freed inode for each new file. Outputs go to the trash, freeing nothing; once
    it is emptied, the next timed run waits out the kernel's window."""
    monkeypatch.setattr(run.Trash, "SETTLE", 0.6)
    trash = run.Trash(tmp_path)
    out = tmp_path / "public"
    (out / "a").mkdir(parents=True)
    (out / "a" / "index.html").write_text("x", "utf-8")
    inode = (out / "a" / "index.html").stat().st_ino
    trash.put(out)
    trash.put(tmp_path / "never-built")  # nothing there: nothing to do
    assert not out.exists()
    [kept] = trash.folder.iterdir()
    assert (kept / "a" / "index.html").stat().st_ino == inode  # renamed, not deleted

    quick = [sys.executable, "-c", "pass"]
    start = time.monotonic()
    run.timed(quick, tmp_path, 60, trash)
    assert time.monotonic() - start < 0.6  # nothing deleted yet: no wait

    trash.empty()
    assert not trash.folder.exists()
    start = time.monotonic()
    measured = run.timed(quick, tmp_path, 60, trash)
    waited = time.monotonic() - start
    assert waited >= 0.5
    assert measured.seconds < waited - 0.3  # the wait is not part of the measure
    start = time.monotonic()
    run.timed(quick, tmp_path, 60, trash)
    assert time.monotonic() - start < 0.5  # waited once


def test_the_trash_is_emptied_when_the_disk_runs_short(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trash = run.Trash(tmp_path)
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir()
    second.mkdir()
    trash.put(first)
    monkeypatch.setattr(run.Trash, "MIN_FREE", os.statvfs(tmp_path).f_blocks * 2**40)
    trash.put(second)
    assert [p.name for p in trash.folder.iterdir()] == ["2-two"]
    assert trash.emptied_at is not None


def test_the_pages_profile_counts_every_page_a_build_writes_once(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pages_profile

    assert pages_profile.main([str(site), "--jobs", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()[2:]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    files = {row[0]: int(row[2].replace(",", "")) for row in rows}
    assert list(files)[:-1] == [name for name, _ in pages_profile.GROUPS]
    assert all(files[name] > 0 for name, _ in pages_profile.GROUPS)
    assert files["article pages"] == N
    assert files["citation files (CSL-JSON, BibTeX, RIS)"] == 3 * N
    assert sum(files.values()) == 2 * files["all"]
    out = tmp_path / "out"
    build(site, out, search=False)
    written = [p for p in out.rglob("*") if p.is_file()]
    assets = [p for p in written if p.relative_to(out).parts[0] == "static"]
    assert (out / MANIFEST).is_file()  # the build's record of its files, not a page
    assert files["all"] == len(written) - len(assets) - 1


def test_briefgen_measures_with_the_parse_cache_kept_as_ci_would(
    site: Path, tmp_path: Path
) -> None:
    site = Path(shutil.copytree(site, tmp_path / "site"))  # the shared corpus stays as it is
    rows = run.measure_briefgen(site, tmp_path, N, 1, 120, run.Trash(tmp_path), search=False)
    by = {row.measure: row for row in rows}
    assert list(by) == [
        "clean build, no search",
        "fresh output, parse cache kept, no search",
        "no-op rebuild",
        "one-article edit rebuild",
    ]
    clean, cached = by["clean build, no search"], by["fresh output, parse cache kept, no search"]
    assert cached.pages == clean.pages
    # The clean build parsed every body; with the cache kept, none is parsed again.
    assert float(clean.detail.split("parse ")[1].split(",")[0]) > 0
    assert cached.detail.split("parse ")[1].startswith("0.00,")
    assert (site / run.CACHE_DIR).is_dir()


@pytest.mark.parametrize("layer", ["parse", "links", "memo", "reference"])
def test_each_cache_switched_off_builds_the_same_site(
    site: Path, tmp_path: Path, layer: str
) -> None:
    """benchmarks/caches.py measures a layer by patching it out: the site must not change (a
    cache that changed what is built would be a bug, and its figure meaningless), and the patch
    must reach briefgen (with the links off, no file is linked unchanged)."""
    shipped, patched = tmp_path / "shipped", tmp_path / "patched"
    args = ["build", "--source", str(site), "--no-search", "--force"]
    for layer_, out in (("none", shipped), (layer, patched), (layer, patched)):
        done = subprocess.run(
            [
                sys.executable,
                str(BENCH / "caches.py"),
                "--child",
                layer_,
                *args,
                "--output",
                str(out),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    assert tree(patched) == tree(shipped)
    unchanged = int(re.search(r"(\d+) unchanged", done.stdout)[1])  # type: ignore[index]
    assert (unchanged == 0) == (layer == "links")
