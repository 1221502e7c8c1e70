"""Where rendering time goes: every page of a site rendered in one process, grouped by kind.

    python benchmarks/pages_profile.py SITE [--jobs N]

Reads SITE (``--jobs`` reader processes, as a build does), lists its pages, then renders each
page once in this process, in the build's order, and prints per group the files, the seconds
spent rendering them and their size. Nothing is written. The groups separate what the peers of
benchmarks/run.py also build (article pages, and home, tag and outlet lists over every language)
from what only briefgen writes (the lists narrowed to one language, the archive, the citation
files, feeds and data), so the ratio to a peer can be read against the work each does. A list
entry is rendered once per page language and remembered, so the first list pages of a language
also pay for their entries.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections import Counter
from pathlib import Path

from briefgen import parallel
from briefgen.config import load_config
from briefgen.content import load_site
from briefgen.pages import Page, PageContext, i18n_table
from briefgen.producers import TEMPLATE_GLOBALS, site_pages
from briefgen.render import Renderer
from briefgen.theme import load_theme

GROUPS = (
    ("article pages", "peers too"),
    ("home, tag and outlet lists, every language", "peers too"),
    ("the same lists narrowed to one language", "briefgen only"),
    ("archive: years, months, undated", "briefgen only"),
    ("citation files (CSL-JSON, BibTeX, RIS)", "briefgen only"),
    ("feeds, sitemap, data exports, indexes, search, 404", "briefgen only"),
)


def group(page: Page) -> str:
    """The group a page is counted in (see :data:`GROUPS`)."""
    if page.kind == "article":
        return GROUPS[0][0]
    if page.kind in ("home", "tag", "outlet"):
        filters = page.data.get("filters") or ()
        narrowed = any(f.current and f.code is not None for f in filters)
        return GROUPS[2][0] if narrowed else GROUPS[1][0]
    if page.kind in ("archive", "year", "month", "undated"):
        return GROUPS[3][0]
    if page.kind == "citation":
        return GROUPS[4][0]
    return GROUPS[5][0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--jobs", type=int, default=parallel.cores())
    args = parser.parse_args(argv)
    config = load_config(args.site)
    theme = load_theme(config)
    loaded = load_site(config, processes=args.jobs)
    i18n = i18n_table(config, theme)
    renderer = Renderer(config, theme, i18n, TEMPLATE_GLOBALS)
    renderer.prepare()
    pages = site_pages(PageContext(loaded.site, i18n))
    gc.freeze()  # as the build does: the model and the pages stay out of collection
    seconds: Counter[str] = Counter()
    files: Counter[str] = Counter()
    size: Counter[str] = Counter()
    for page in pages:
        started = time.perf_counter()
        data = renderer.render(loaded.site, page)
        name = group(page)
        seconds[name] += time.perf_counter() - started
        files[name] += 1
        size[name] += len(data)
    print("| pages | built by | files | render, one process | size |")  # noqa: T201
    print("|---|---|---:|---:|---:|")  # noqa: T201
    for name, who in GROUPS:
        print(  # noqa: T201
            f"| {name} | {who} | {files[name]:,} | {seconds[name]:.2f} s "
            f"| {size[name] / 2**20:.0f} MB |"
        )
    total = sum(seconds.values())
    print(  # noqa: T201
        f"| all | | {sum(files.values()):,} | {total:.2f} s | {sum(size.values()) / 2**20:.0f} MB |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
