"""The search stage: the bundles it writes, what goes into them, and what happens when it fails.

The golden tree leaves the bundles out (their bytes are Pagefind's, and change with its version);
these tests check their presence, shape and reproducibility. What a reader finds is tested in a
real browser: tests/browser/test_search_browser.py.
"""

from __future__ import annotations

import gzip
import json
import os
import stat
from pathlib import Path

import pytest

from briefgen import search
from briefgen.build import build, check
from briefgen.cli import main
from briefgen.config import load_config
from briefgen.content import load_site
from briefgen.errors import BuildError
from briefgen.model import Site
from briefgen.search import alias_key, fold_index
from tests.helpers import MANIFEST, SITES, VALID_SITE, parse_html, tree, tree_hash

INSTALL = 'pip install "pagefind[bin]"'


def fragments(bundle: Path) -> list[dict[str, object]]:
    """The stored records of a bundle (gzip, after Pagefind's ``pagefind_dcd`` marker)."""
    out = []
    for path in sorted((bundle / "fragment").iterdir()):
        data = gzip.decompress(path.read_bytes())
        out.append(json.loads(data[data.index(b"{") :]))
    return out


def page_urls(bundle: Path) -> list[str]:
    """The bundle's record URLs (``/<slug>.html``) in the order of Pagefind's metadata: the
    order of the filter table's rows."""
    urls = {
        path.name.split(".")[0]: str(record["url"])
        for path, record in zip(
            sorted((bundle / "fragment").iterdir()), fragments(bundle), strict=True
        )
    }
    order = search.records.meta_pages(bundle)
    assert sorted(order) == sorted(urls)  # every page indexed, no other
    return [urls[page] for page in order]


def filter_table(bundle: Path) -> dict[str, dict[str, list[str]]]:
    """The bundle's filter table read back: record URL → values per key. Its rows are the pages
    in the order of Pagefind's metadata, each value a number in base-64 digits, the keys
    separated by dots."""
    table = json.loads((bundle / search.index.FILTER_TABLE).read_text("utf-8"))
    urls = page_urls(bundle)
    assert len(table["pages"]) == len(urls)

    def values(key: str, width: int, column: str) -> list[str]:
        numbers = [column[i : i + width] for i in range(0, len(column), width)]
        return [
            table["values"][key][
                sum(DIGITS.index(c) << (6 * (width - 1 - k)) for k, c in enumerate(n))
            ]
            for n in numbers
        ]

    return {
        url: {
            key: values(key, width, column)
            for key, width, column in zip(
                table["keys"], table["digits"], row.split("."), strict=True
            )
        }
        for url, row in zip(urls, table["pages"], strict=True)
    }


DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"


def test_one_bundle_per_content_language_holds_that_language_only(valid_output: Path) -> None:
    for lang, slugs in (
        ("ar", {"alliance-month", "putin-china-ai", "undated-note"}),
        ("it", {"escaping", "sberbank"}),
    ):
        bundle = valid_output / "pagefind" / lang
        entry = json.loads((bundle / "pagefind-entry.json").read_text("utf-8"))
        assert list(entry["languages"]) == [lang]
        assert entry["languages"][lang]["page_count"] == len(slugs)
        assert (bundle / f"wasm.{lang}.pagefind").is_file()
        assert (bundle / "pagefind.js").is_file()
        records = fragments(bundle)
        # The link a result leads to (the record file's own URL is not shown: the page uses href).
        hrefs = {str(r["meta"]["href"]) for r in records}
        assert hrefs == {f"/archive/{lang}/articles/{slug}/" for slug in slugs}


def test_two_builds_write_the_same_bundles(tmp_path: Path) -> None:
    # With filters, Pagefind 1.5.2 gave its filter and meta files new names and bytes on every
    # run; the filters are in briefgen's table now, and the bundles are reproducible.
    build(VALID_SITE, tmp_path / "one")
    build(VALID_SITE, tmp_path / "two")
    one, two = tree(tmp_path / "one/pagefind"), tree(tmp_path / "two/pagefind")
    assert one == two and any(path.endswith(".pf_meta") for path in one)


def test_a_fragment_briefgen_cannot_read_fails_the_build(tmp_path: Path) -> None:
    folder = tmp_path / "bundle/fragment"
    folder.mkdir(parents=True)
    (folder / "ar_0000000.pf_fragment").write_bytes(gzip.compress(b'pagefind_dcd{"content":""}'))
    with pytest.raises(BuildError, match="fragment briefgen cannot read"):
        search.index.page_ids(tmp_path / "bundle")
    (folder / "ar_0000000.pf_fragment").write_bytes(
        gzip.compress(b'pagefind_dcd{"url":"/a\\"b.html","content":"' + b"x" * 9000 + b'"}')
    )
    assert search.index.page_ids(tmp_path / "bundle") == {"ar_0000000": '/a"b.html'}


def test_the_filter_table_refuses_a_page_that_is_no_article() -> None:
    site = load_site(load_config(VALID_SITE)).site
    with pytest.raises(BuildError, match="no such article"):
        search.index.filter_table(site, "it", {"it_1": "/elsewhere.html"})
    with pytest.raises(BuildError, match="indexed 1 of the 2"):
        search.index.filter_table(site, "it", {"it_1": "/sberbank.html"})


def test_records_are_articles_with_their_metadata_not_pages(valid_output: Path) -> None:
    (record,) = [r for r in fragments(valid_output / "pagefind/it") if "sberbank" in str(r["url"])]
    assert record["meta"] == {
        "title": "L'alleanza di Sberbank con la Cina",
        "href": "/archive/it/articles/sberbank/",
        "date": "2025-02-03T10:30:00+01:00",
        # the model's date order as text: the day shown, then the instant (µs since 0001 UTC)
        "sort": "2025-02-03-1-063874171800000000",
        "outlet": "meteoweb",
    }
    # Pagefind gets no filters: the bundle's table holds them (and no language: each bundle is
    # one language).
    assert record["filters"] == {}
    assert filter_table(valid_output / "pagefind/it")[str(record["url"])] == {
        "tag": ["russia", "china"],
        "outlet": ["meteoweb"],
        "year": ["2025"],
    }
    assert not (valid_output / "pagefind/it/filter").exists()
    content = str(record["content"])
    assert content.startswith("L'alleanza di Sberbank con la Cina.")
    for navigation in (
        "Temi",
        "Testate",
        "Archivio",
        "Cerca",
        "Home",
    ):  # no menus, lists or footers
        assert navigation not in content


def test_the_date_table_ranks_pages_across_bundles_as_the_lists_order_them(
    valid_output: Path,
) -> None:
    # Pagefind gets no sort (its order was a fifth of the metadata every search page loads): the
    # page sorts by these ranks, one per page in the filter table's order, comparable across
    # bundles because they rank the model's date order of all the archive's articles.
    ranked = []
    for lang in ("ar", "it"):
        bundle = valid_output / "pagefind" / lang
        ranks = json.loads((bundle / "briefgen-dates.json").read_text("utf-8"))
        orders = {str(r["url"]): str(r["meta"]["sort"]) for r in fragments(bundle)}  # type: ignore[index]
        urls = page_urls(bundle)
        assert len(ranks) == len(urls)
        ranked += [(rank, orders[url]) for rank, url in zip(ranks, urls, strict=True)]
    by_rank = [order for _, order in sorted(ranked)]
    assert by_rank == sorted(by_rank)
    assert len({rank for rank, _ in ranked}) == len({order for _, order in ranked})


def test_an_undated_article_is_indexed_without_a_year(valid_output: Path) -> None:
    (record,) = [
        r for r in fragments(valid_output / "pagefind/ar") if "undated-note" in str(r["url"])
    ]
    assert filter_table(valid_output / "pagefind/ar")[str(record["url"])]["year"] == []
    assert "date" not in dict(record["meta"])  # type: ignore[arg-type]


def test_only_what_the_search_page_loads_is_kept(valid_output: Path) -> None:
    names = {p.name for p in (valid_output / "pagefind").rglob("*") if p.is_file()}
    assert not names & {
        "pagefind-ui.js",
        "pagefind-modular-ui.js",
        "pagefind-worker.js",
        "wasm.unknown.pagefind",
    }
    # The Component UI is loaded from the first bundle only.
    assert (valid_output / "pagefind/ar/pagefind-component-ui.js").is_file()
    assert not (valid_output / "pagefind/it/pagefind-component-ui.js").exists()


def test_the_manifest_lists_every_bundle_file(valid_output: Path) -> None:
    listed = set((valid_output / MANIFEST).read_text("utf-8").splitlines())
    bundle = {
        p.relative_to(valid_output).as_posix()
        for p in (valid_output / "pagefind").rglob("*")
        if p.is_file()
    }
    assert bundle and bundle <= listed


def test_no_search_builds_the_page_but_no_bundle(tmp_path: Path) -> None:
    assert (
        main(
            ["build", "--source", str(VALID_SITE), "--output", str(tmp_path / "out"), "--no-search"]
        )
        == 0
    )
    assert not (tmp_path / "out/pagefind").exists()
    assert (tmp_path / "out/ar/search/index.html").is_file()


def test_check_never_indexes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def fail(*args: object) -> None:
        raise AssertionError("the indexer ran")

    monkeypatch.setattr(search.Indexing, "start", fail)  # where a build starts Pagefind
    check(VALID_SITE)
    with pytest.raises(AssertionError, match="the indexer ran"):  # as a build does
        build(VALID_SITE, tmp_path / "out", force=True)


def broken_binary(tmp_path: Path, text: bytes) -> Path:
    path = tmp_path / "pagefind"
    path.write_bytes(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.mark.parametrize(
    "binary",
    [
        pytest.param(b"\x7fELF garbage", id="not-an-executable"),
        pytest.param(b"#!/bin/sh\necho 'Error: broken' >&2\nexit 3\n", id="exits-with-an-error"),
        pytest.param(b"#!/bin/sh\nexit 0\n", id="writes-nothing"),
        pytest.param(None, id="missing"),
    ],
)
def test_a_broken_pagefind_fails_the_build_and_keeps_the_previous_site(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    binary: bytes | None,
) -> None:
    output = tmp_path / "out"
    build(VALID_SITE, output)
    before = tree_hash(output)
    path = tmp_path / "no-such-pagefind" if binary is None else broken_binary(tmp_path, binary)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(path))
    capsys.readouterr()
    assert main(["build", "--source", str(VALID_SITE), "--output", str(output)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("briefgen: error: ") and "Pagefind" in err
    if binary != b"#!/bin/sh\nexit 0\n":
        assert INSTALL in err
    assert tree_hash(output) == before
    assert (
        sorted(p.name for p in tmp_path.iterdir() if ".staging" in p.name or ".previous" in p.name)
        == []
    )


def test_a_missing_binary_package_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
    monkeypatch.setitem(__import__("sys").modules, "pagefind_bin", None)  # import fails
    monkeypatch.setitem(__import__("sys").modules, "pagefind_bin_extended", None)  # and this
    with pytest.raises(BuildError, match=r'pip install "pagefind\[bin\]"'):
        search.index.pagefind_binary()


def test_each_bundle_is_warmed_with_the_word_of_its_most_common_tag() -> None:
    # The search page searches for it while it loads, so the reader's first search runs on
    # optimised WebAssembly; a language without tags has nothing to warm with.
    site = load_site(load_config(VALID_SITE)).site
    for lang in search.bundle_languages(site):
        counts: dict[str, int] = {}
        for article in site.articles_in(lang):
            for key in article.tags:
                counts[key] = counts.get(key, 0) + 1
        top = max(counts.values())
        word = search.warm_word(site, lang)
        assert word in {search.index.tag_token(k) for k, n in counts.items() if n == top}
        assert word == search.warm_word(site, lang)  # the same on every build
    assert search.warm_word(site, "xx") is None


def test_the_search_page_carries_its_strings_and_tables(valid_output: Path) -> None:
    for lang in ("ar", "it"):
        doc = parse_html((valid_output / lang / "search/index.html").read_text("utf-8"))
        config_script = next(s for s in doc.find_all("script") if s.get("id") == "briefgen-search")
        config = json.loads(config_script.text)
        assert config["lang"] == lang
        assert [b["path"] for b in config["bundles"]] == [
            "/archive/pagefind/ar/",
            "/archive/pagefind/it/",
        ]
        # The Arabic articles quote Latin names; no Italian one has an Arabic word.
        assert [b["scripts"] for b in config["bundles"]] == [["arab", "latn"], ["latn"]]
        assert config["labels"]["tag"]["china"] == {"ar": "الصين", "it": "Cina"}[lang]
        assert (
            config["labels"]["lang"]
            == {
                "ar": {"ar": "العربية", "it": "الإيطالية"},
                "it": {"ar": "Arabo", "it": "Italiano"},
            }[lang]
        )
        assert set(config["aliases"]["china"]) == {"china"} and config["aliases"]["中国"] == [
            "china"
        ]
        plurals = {
            "ar": {"zero", "one", "two", "few", "many", "other"},
            "it": {"one", "many", "other"},
        }[lang]
        assert set(config["plurals"]) == plurals
        assert all("[SEARCH_TERM]" in text for text in config["plurals"].values())
        noscript = doc.find("noscript")
        assert noscript is not None
        assert [a.get("href") for a in noscript.find_all("a")] == [
            f"/archive/{lang}/tags/",
            f"/archive/{lang}/archive/",
        ]


def test_every_page_links_to_the_search_page_of_its_language(valid_output: Path) -> None:
    for lang in ("ar", "it"):
        for path in (valid_output / lang).rglob("index.html"):
            assert f'href="/archive/{lang}/search/"' in path.read_text("utf-8"), path


@pytest.mark.parametrize(
    ("text", "indexed"),
    [
        ("کتاب", "كتاب"),  # Persian kaf
        ("روسیا", "روسيا"),  # Persian yeh
        ("۲۰۲۳", "٢٠٢٣"),  # Persian digits → Arabic-Indic (the Arabic index folds those)
        ("dell’Ucraina", "dell'Ucraina"),  # typographic apostrophe → ASCII (Pagefind splits there)
        ("l’1 gennaio", "l'1 gennaio"),
        ("‘citato’", "‘citato’"),  # quotation marks, not apostrophes: kept
        ("الذَّكَاء", "الذَّكَاء"),  # Pagefind folds diacritics itself: kept for the excerpt
    ],
)
def test_index_side_folding(text: str, indexed: str) -> None:
    assert fold_index(text) == indexed


def test_index_side_folding_is_its_plain_definition_on_any_text() -> None:
    """The folding skips work a text does not need; it must give what the plain rules give."""
    import random
    import re
    import unicodedata

    persian = str.maketrans(
        {"ک": "ك", "ی": "ي", **{chr(0x06F0 + i): chr(0x0660 + i) for i in range(10)}}
    )
    apostrophe = re.compile(r"(?<=\w)[\u2019\u02bc\u2018\u0060\u00b4](?=\w)")

    def plain(text: str) -> str:
        return apostrophe.sub("'", unicodedata.normalize("NFC", text).translate(persian))

    alphabet = "کی۰۵۹كيابة’ʼ‘`´'_ a1é\u0301e"
    rng = random.Random(7)
    texts = ["".join(rng.choices(alphabet, k=rng.randint(0, 30))) for _ in range(5000)]
    assert [fold_index(t) for t in texts] == [plain(t) for t in texts]


@pytest.mark.parametrize(
    ("names", "same"),
    [
        (("سبيربنك", "سبير بنك", "سبير-بنك"), True),
        (("Sberbank", "Sber-bank", "SBER BANK"), True),
        (("غريف", "جريف", "جريـف", "جَرِيف"), True),
        (("إنجلترا", "انجلترا", "آنجلترا"), True),
        (("مكتبة", "مكتبه"), True),
        (("٢٠٢٣", "2023", "۲۰۲۳"), True),
        (("ديب سيك", "ديبسيك", "دیب سیک"), True),
        (("China", "Cina"), False),
    ],
)
def test_alias_keys_meet_across_spellings(names: tuple[str, ...], same: bool) -> None:
    keys = {alias_key(n) for n in names}
    assert (len(keys) == 1) is same


def test_aliases_in_tags_yml_reach_the_search_pages(tmp_path: Path) -> None:
    build(SITES / "search", tmp_path / "out")
    doc = parse_html((tmp_path / "out/it/search/index.html").read_text("utf-8"))
    config = json.loads(
        next(s for s in doc.find_all("script") if s.get("id") == "briefgen-search").text
    )
    assert config["aliases"][alias_key("سبير بنك")] == ["sberbank"]
    assert config["aliases"][alias_key("German Gref")] == ["gref"]


@pytest.mark.parametrize("background", [False, True])
def test_the_preview_indexes_in_the_background_at_the_lowest_priority(
    background: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``serve`` refreshes the index while the curator edits: Pagefind must not slow a rebuild."""
    niceness = 19 if background else os.getpriority(os.PRIO_PROCESS, 0)
    report = tmp_path / "niceness"
    fake = broken_binary(
        tmp_path,
        # Waits for the priority to be set, notes it (field 19 of /proc/self/stat), then writes
        # the files a bundle must have: pagefind.js, a fragment per record and the metadata
        # listing their page ids (CBOR: [version, [[page id, words], ...]]).
        b'#!/bin/sh\nsleep 0.3\ncut -d" " -f19 /proc/$$/stat >> "' + bytes(report) + b'"\n'
        b'site="$2"; out="$4"; mkdir -p "$out/fragment" && touch "$out/pagefind.js"\n'
        b'for f in "$site"/*.html; do n=$(basename "$f")\n'
        b'  printf \'pagefind_dcd{"url":"/%s"}\' "$n" | gzip > "$out/fragment/p_$n.pf_fragment"\n'
        b"done\n"
        b'count=$(ls "$site"/*.html | wc -l)\n'
        b"{ printf 'pagefind_dcd\\202\\1451.5.2'; printf \"\\\\$(printf %o $((128 + count)))\"\n"
        b'  for f in "$site"/*.html; do id="p_$(basename "$f" .html)"; printf "\\202"\n'
        b'    printf "\\\\$(printf %o $((96 + ${#id})))"; printf "%s\\000" "$id"; done\n'
        b'} | gzip > "$out/pagefind.p.pf_meta"\n',
    )
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    config = load_config(VALID_SITE)
    site = load_site(config).site
    search.index_site(site, tmp_path / "out", background=background)
    assert report.read_text().split() == [str(niceness)] * len(search.bundle_languages(site))


def test_kept_record_files_are_rewritten_only_where_an_article_changed(tmp_path: Path) -> None:
    """The preview's index refresh after one edit writes one record, not the archive's."""
    from dataclasses import replace

    from briefgen.model import Site
    from briefgen.search.index import RecordFiles

    site = load_site(load_config(VALID_SITE)).site
    records = RecordFiles(tmp_path / "records")

    def stamps() -> dict[str, tuple[int, int]]:
        return {
            p.relative_to(records.root).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in records.root.rglob("*.html")
        }

    for lang in search.bundle_languages(site):
        records.write(site, lang)
    first = stamps()
    assert sorted(first) == sorted(f"{a.language}/{a.slug}.html" for a in site.articles)

    sberbank = site.by_slug["sberbank"]
    same_text = replace(sberbank)  # another object, the same record
    retitled = site.by_slug["escaping"]
    edited = site.with_edits(
        {"sberbank": same_text, "escaping": replace(retitled, title="Un altro titolo")}
    )
    records.write(edited, "it")
    second = stamps()
    assert [name for name in first if first[name] != second[name]] == ["it/escaping.html"]
    assert "Un altro titolo" in (records.root / "it/escaping.html").read_text("utf-8")

    fewer = Site(edited.config, edited.articles[1:], edited.tags, edited.outlets)
    gone = edited.articles[0]
    records.write(fewer, gone.language)
    assert not (records.root / gone.language / f"{gone.slug}.html").exists()
    records.keep_only(("it",))
    assert sorted(p.name for p in records.root.iterdir()) == ["it"]


def test_an_index_from_kept_record_files_finds_the_same_articles(tmp_path: Path) -> None:
    from briefgen.search.index import RecordFiles

    site = load_site(load_config(VALID_SITE)).site
    records = RecordFiles(tmp_path / "records")
    for run in range(2):  # the second run indexes files written by the first
        out = tmp_path / f"out{run}"
        search.index_site(site, out, records=records)
        hrefs = {str(r["meta"]["href"]) for r in fragments(out / "pagefind" / "it")}
        assert hrefs == {"/archive/it/articles/escaping/", "/archive/it/articles/sberbank/"}


def test_records_are_written_to_memory_when_it_has_room(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefgen.search.index import scratch_dir

    assert scratch_dir(1000, tmp_path) == tmp_path
    assert scratch_dir(1000, tmp_path / "missing") is None

    class Small:
        f_bavail, f_frsize = 10, 4096  # 40 kB free: a container's small /dev/shm, nearly full

    monkeypatch.setattr(os, "statvfs", lambda path: Small())
    assert scratch_dir(4000, tmp_path) == tmp_path  # 32 kB needed
    assert scratch_dir(6000, tmp_path) is None  # 48 kB needed: the system's temporary directory


def test_a_build_leaves_no_record_files_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefgen.search import index

    shared = tmp_path / "shm"
    shared.mkdir()
    monkeypatch.setattr(index, "SHARED_MEMORY", shared)
    seen: list[Path] = []
    real = index.RecordFiles.write

    def spy(self: index.RecordFiles, site: Site, lang: str) -> Path:
        seen.append(self.root)
        return real(self, site, lang)

    monkeypatch.setattr(index.RecordFiles, "write", spy)
    build(VALID_SITE, tmp_path / "out")
    assert seen and all(root.parent == shared for root in seen)  # written in memory
    assert list(shared.iterdir()) == []  # and removed
