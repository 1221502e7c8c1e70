"""Search budgets on a generated archive: index size and time, first-search bytes and latency.

    /work/venv/bin/python benchmarks/search.py 1000 10000

For each size, writes an archive of that many articles (half Arabic, half Italian; with
``--languages ar,it,ru,zh-Hans,fa`` spread evenly over those, the others with briefings: see
make_archive) whose text is
sampled from the real articles in content/: sentences are picked at random and about a third of
their words swapped for other words of the same language, so no two articles are alike. Then it
builds the site (reporting the search stage per 1,000 articles and the bundles' size) and opens
both search pages in Chromium, reporting per query what the page loads, what the first search
downloads before its first result and until the network is idle (Pagefind's files as they are,
gzip already; the others gzip-compressed as a server would send them; each also per kind of
file, ``*_by_kind``: :func:`kind_of`), and the time from typing
stopping (the query's input event) to the frame that shows the first result, with Playwright's
round trip beside it. ``--repeat N`` opens each page and query N times. Goals at 10,000 articles:
under 300 kB and 300 ms for the first search. A benchmark, not a test: it prints what it measures.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import re
import shutil
import sys
import tempfile
import time
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefgen.build import build  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, serve_directory  # noqa: E402

if TYPE_CHECKING:
    from playwright.sync_api import Browser

QUERIES = [
    ("ar", "الذكاء"),
    ("ar", "والعقوبات"),
    ("it", "Cina"),
    ("it", "sanzioni"),
    ("ar", "غريف"),
]
WATCH_FIRST_RESULT = """(query) => {
  delete window.__typedAt; delete window.__shownAt;
  document.addEventListener("input", (event) => { window.__typedAt = event.timeStamp; }, true);
  const watch = new MutationObserver(() => {
    if (!document.querySelector("pagefind-results li.search-result .pf-result-link")) return;
    if (!document.querySelector("pagefind-summary")?.textContent.includes(query)) return;
    watch.disconnect();
    requestAnimationFrame(() => { window.__shownAt = performance.now(); });
  });
  watch.observe(document.body, { subtree: true, childList: true, characterData: true });
}"""
"""Typing stops when the query's last input event fires; its first result is shown in the frame
after the Component UI has put a result link in the page and the summary names the whole query
(typed key by key, the results of its first letters show earlier). The animation frame callback
runs just before that frame is painted. Both in the page's clock: Playwright's own round trip
(sending the text, then polling for the result) adds 40 to 60 ms here and is reported apart,
as round_trip_ms."""
KEY_DELAYS = (60, 150)
"""Milliseconds between keys when a query is also typed key by key (a fast and a brisk typist)."""
PRECOMPRESSED = (".pagefind", ".pf_index", ".pf_fragment", ".pf_meta", ".pf_filter")
"""Pagefind's own files are gzip already: counted as they are."""


def sentences(lang: str) -> list[str]:
    """The sentences of the real articles in ``lang`` (front matter and headings dropped)."""
    out: list[str] = []
    for path in sorted((ROOT / "content/articles" / lang).glob("*.md")):
        body = path.read_text("utf-8").split("\n---\n", 1)[1]
        for line in body.splitlines():
            if line.strip() and not line.startswith(("#", "-", "[")):
                out += [s.strip() for s in re.split(r"(?<=[.!?؟])\s+", line) if len(s.split()) > 4]
    return out


def article(
    rnd: random.Random,
    lang: str,
    pool: list[str],
    words: list[str],
    tags: list[str],
    outlets: list[str],
) -> str:
    picked = [
        " ".join(w if rnd.random() > 0.33 else rnd.choice(words) for w in s.split())
        for s in rnd.sample(pool, min(len(pool), rnd.randint(4, 10)))
    ]
    title = " ".join(picked[0].split()[:9]).strip(".،,:")
    date = f"{rnd.randint(2015, 2025)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
    front = {
        "title": title,
        "date": date,
        "outlet": rnd.choice(outlets),
        "language": lang,
        "tags": rnd.sample(tags, rnd.randint(1, 4)),
    }
    lines = [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in front.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + "\n\n".join(picked) + "\n"


SCRIPT_OF = {"ru": "cyrl", "zh-Hans": "hani", "fa": "arab", "he": "hebr", "en": "latn"}
"""The other content languages ``--languages`` can add, and the script their text is made in."""
_CYRILLIC = str.maketrans({chr(0x61 + i): chr(0x0430 + i) for i in range(26)})
"""Latin a-z → Cyrillic U+0430-U+0449 (letter for letter: the script, not the sounds)."""
_HEBREW = str.maketrans({chr(0x0621 + i): chr(0x05D0 + i % 27) for i in range(0x064A - 0x0621 + 1)})
"""Arabic letters → Hebrew ones, letter for letter."""


def foreign_text(text: str, lang: str) -> str:
    """Italian (Latin) or Arabic text remade in ``lang``'s script with the same word lengths and
    frequencies: Cyrillic and Hebrew letter for letter, Persian with its own ک/ی, Chinese as two
    Han characters per word without spaces (what the bundle loads and the scripts the page
    tells apart depend on the script, the index size on the words)."""
    if lang == "ru":
        return text.lower().translate(_CYRILLIC)
    if lang == "he":
        return text.translate(_HEBREW)
    if lang == "fa":
        return text.replace("\u0643", "\u06a9").replace("\u064a", "\u06cc")
    if lang == "zh-Hans":

        def han(word: str) -> str:
            code = zlib.crc32(word.lower().encode())
            return chr(0x4E00 + code % 3000) + chr(0x4E00 + (code >> 12) % 3000)

        return "。".join("".join(han(w) for w in s.split()) for s in text.split(". "))
    return text


def make_archive(
    root: Path, count: int, seed: int = 1, languages: Sequence[str] = ("ar", "it")
) -> None:
    """``count`` articles spread evenly over ``languages`` (the first two are the reader
    languages, ar and it, with the real articles' sentences); the others are written from the
    Arabic (fa, he) or Italian (ru, zh-Hans, en) sentences in their own script, and 70 % of them
    carry the curator's briefings in both reader languages, 15 % in Arabic only."""
    rnd = random.Random(seed)
    (root / "content").mkdir(parents=True)
    (root / "site.yml").write_text(
        "title: {ar: أرشيف, it: Archivio}\nbase_url: https://example.org/\n"
        "languages: [ar, it]\nper_page: 50\n",
        "utf-8",
    )
    for name in ("tags.yml", "outlets.yml"):
        shutil.copy(ROOT / "content" / name, root / "content" / name)
    tags = re.findall(r"^([a-z0-9-]+):", (ROOT / "content/tags.yml").read_text("utf-8"), re.M)
    outlets = re.findall(r"^([a-z0-9-]+):", (ROOT / "content/outlets.yml").read_text("utf-8"), re.M)
    pools = {lang: sentences(lang) for lang in ("ar", "it")}
    for lang in languages:
        source = "ar" if lang in ("ar", "fa", "he") else "it"
        pool = pools[source]
        words = sorted({w for s in pool for w in s.split()})
        folder = root / "content/articles" / lang
        folder.mkdir(parents=True)
        for i in range(count // len(languages)):
            text = article(rnd, lang, pool, words, tags, outlets)
            if lang not in ("ar", "it"):
                front, body = text.split("\n---\n", 1)
                title = json.loads(front.split("title: ", 1)[1].split("\n", 1)[0])
                front = front.replace(
                    json.dumps(title, ensure_ascii=False),
                    json.dumps(foreign_text(title, lang), ensure_ascii=False),
                    1,
                )
                roll = rnd.random()
                readers = ("ar", "it") if roll < 0.7 else ("ar",) if roll < 0.85 else ()
                if readers:
                    front += "\ntranslated:"
                    for reader in readers:
                        brief = rnd.choice(pools[reader])
                        head = " ".join(brief.split()[:9]).strip(".،,:")
                        fields = {"title": head, "summary": brief}
                        front += f"\n  {reader}: {json.dumps(fields, ensure_ascii=False)}"
                text = front + "\n---\n" + foreign_text(body, lang)
            (folder / f"{lang}-{i:05d}.md").write_text(text, "utf-8")


def wire_size(path: Path) -> int:
    data = path.read_bytes()
    return len(data) if path.name.endswith(PRECOMPRESSED) else len(gzip.compress(data, 6))


def wire_total(output: Path, urls: Iterable[str], earlier: Iterable[str] = ()) -> int:
    """The bytes of the files behind ``urls``, each counted once and none of ``earlier``: the
    browser's cache answers a file fetched again (each bundle's second worker loads the files
    the first one did; checked in the server's log). The page itself (a directory's
    ``index.html``) counts too."""
    return sum(wire_by_kind(output, urls, earlier).values())


def kind_of(path: str) -> str:
    """What a fetched file is, for the per-file figures: ``ar wasm``, ``it filter table``, ``ru
    fragments``, ``component UI``, ``page scripts``, ``page``..."""
    parts = path.split("?")[0].strip("/").split("/")
    name = parts[-1]
    if "pagefind" in parts[:-1]:
        lang = parts[parts.index("pagefind") + 1]
        kinds = (
            ("pagefind-component-ui", "component UI"),
            ("wasm.", "wasm"),
            ("pagefind.js", "pagefind.js"),
            ("pagefind-entry", "entry"),
            ("briefgen-filters", "filter table"),
            ("briefgen-tag-", "tag pages"),
        )
        for start, kind in kinds:
            if name.startswith(start):
                return kind if kind == "component UI" else f"{lang} {kind}"
        if name.endswith(".pf_meta"):
            return f"{lang} meta"
        return f"{lang} {'index chunks' if 'index' in parts else 'fragments'}"
    if "search" in parts[:-1] and "static" in parts:
        return "page scripts"
    return "page" if name in ("", "search") or name.endswith(".html") else "site files"


def wire_by_kind(output: Path, urls: Iterable[str], earlier: Iterable[str] = ()) -> dict[str, int]:
    """:func:`wire_total` per :func:`kind_of`, largest first."""
    paths = {u.split("?")[0] for u in urls} - {u.split("?")[0] for u in earlier}
    kinds: dict[str, int] = {}
    for path in sorted(paths):
        file = output / path.lstrip("/")
        if file.is_dir():
            file = file / "index.html"
        if file.is_file():
            kinds[kind_of(path)] = kinds.get(kind_of(path), 0) + wire_size(file)
    return dict(sorted(kinds.items(), key=lambda item: -item[1]))


def browse(output: Path, repeat: int = 1) -> list[dict[str, Any]]:
    """Per page language and query: what the page loads, then what the first search fetches
    before its first result is shown and until the network is idle, and the time from typing to
    the first result (:data:`WATCH_FIRST_RESULT`)."""
    from playwright.sync_api import Request, sync_playwright

    server, base = serve_directory(output)
    runs: list[dict[str, Any]] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for page_lang, (_, query), _ in itertools.product(("ar", "it"), QUERIES, range(repeat)):
                context = browser.new_context()
                page = context.new_page()
                fetched: list[str] = []

                def done(request: Request, fetched: list[str] = fetched) -> None:
                    fetched.append(request.url.removeprefix(base))

                page.on("requestfinished", done)
                page.goto(f"{base}{page_lang}/search/")
                page.wait_for_selector("pagefind-input input")
                page.wait_for_load_state("networkidle")
                page_files = list(fetched)
                fetched.clear()
                box = page.locator("pagefind-input input")
                box.click()
                page.evaluate(WATCH_FIRST_RESULT, query)
                started = time.perf_counter()
                box.fill(query)
                # The round trip polls every frame: wait_for_selector backs off (0, 20, 50,
                # 100, 100, then 500 ms between checks).
                page.wait_for_function(
                    "window.__shownAt !== undefined", polling="raf", timeout=60000
                )
                round_trip_ms = (time.perf_counter() - started) * 1000
                ui_ms = page.evaluate("window.__shownAt - window.__typedAt")
                before = list(fetched)
                page.wait_for_load_state("networkidle")
                runs.append(
                    {
                        "page": page_lang,
                        "query": query,
                        "summary": page.inner_text("pagefind-summary"),
                        "typed_to_first_result_ms": round(ui_ms),
                        "round_trip_ms": round(round_trip_ms),
                        "page_load_wire_bytes": wire_total(output, page_files),
                        "first_result_wire_bytes": wire_total(output, before, page_files),
                        "first_search_requests": len(fetched),
                        "first_search_wire_bytes": wire_total(output, fetched, page_files),
                        "page_load_by_kind": wire_by_kind(output, page_files),
                        "first_result_by_kind": wire_by_kind(output, before, page_files),
                        "first_search_by_kind": wire_by_kind(output, fetched, page_files),
                    }
                )
                context.close()
                runs[-1]["key_by_key_ms"] = {
                    str(delay): typed_key_by_key(
                        browser, f"{base}{page_lang}/search/", query, delay
                    )
                    for delay in KEY_DELAYS
                }
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return runs


def typed_key_by_key(browser: Browser, url: str, query: str, delay: int) -> int:
    """Milliseconds from the last key of ``query``, typed ``delay`` ms a key, to its first
    result shown (:data:`WATCH_FIRST_RESULT`)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("pagefind-input input")
    page.wait_for_load_state("networkidle")
    box = page.locator("pagefind-input input")
    box.click()
    page.evaluate(WATCH_FIRST_RESULT, query)
    box.press_sequentially(query, delay=delay)
    page.wait_for_function("window.__shownAt !== undefined", polling="raf", timeout=60000)
    shown = round(float(page.evaluate("window.__shownAt - window.__typedAt")))
    context.close()
    return shown


def measure(
    count: int, work: Path, repeat: int = 1, languages: Sequence[str] = ("ar", "it")
) -> dict[str, object]:
    mix = "" if tuple(languages) == ("ar", "it") else "-" + "-".join(languages)
    root, output = work / f"site-{count}{mix}", work / f"out-{count}{mix}"
    if not (root / "site.yml").is_file():  # a kept archive is reused: the same seed wrote it
        make_archive(root, count, languages=languages)
    report = build(root, output, force=True)  # timed whole, even over a kept output
    stages = dict(report.stages)
    bundle = [p for p in (output / "pagefind").rglob("*") if p.is_file()]
    per_1000 = 1000 / report.articles
    size = sum(p.stat().st_size for p in bundle)
    result: dict[str, object] = {
        "articles": report.articles,
        "build_seconds": round(report.seconds, 1),
        "stages_seconds": {k: round(v, 2) for k, v in stages.items()},
        "index_seconds_per_1000": round(stages["index"] * per_1000, 2),
        "bundle_files": len(bundle),
        "bundle_bytes": size,
        "bundle_bytes_per_1000": round(size * per_1000),
        "bundle_bytes_per_language": {
            lang: sum(
                p.stat().st_size for p in bundle if p.is_relative_to(output / "pagefind" / lang)
            )
            for lang in sorted(p.name for p in (output / "pagefind").iterdir())
        },
    }
    searches = browse(output, repeat)
    result["searches"] = searches
    for key in (
        "typed_to_first_result_ms",
        "round_trip_ms",
        "page_load_wire_bytes",
        "first_result_wire_bytes",
        "first_search_wire_bytes",
    ):
        values = sorted(int(str(run[key])) for run in searches)
        result[f"{key}_range_median"] = [values[0], values[-1], values[len(values) // 2]]
    for delay in KEY_DELAYS:
        typed = sorted(run["key_by_key_ms"][str(delay)] for run in searches)
        result[f"key_by_key_{delay}ms_range_median"] = [typed[0], typed[-1], typed[len(typed) // 2]]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument(
        "--keep",
        type=Path,
        help="build and keep the sites here, for the next run too (default: a temp dir)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="searches per page and query")
    parser.add_argument(
        "--languages",
        default="ar,it",
        help="content languages, comma-separated: ar,it then any of "
        + ", ".join(SCRIPT_OF)
        + " (default: ar,it)",
    )
    args = parser.parse_args()
    languages = args.languages.split(",")
    if languages[:2] != ["ar", "it"] or not set(languages[2:]) <= set(SCRIPT_OF):
        parser.error(f"--languages: ar,it then any of {', '.join(SCRIPT_OF)}")
    with tempfile.TemporaryDirectory(prefix="briefgen-bench-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for size in args.sizes:
            measured = measure(size, work, args.repeat, languages)
            report = json.dumps(measured, ensure_ascii=False, indent=1)
            print(report, flush=True)  # noqa: T201


if __name__ == "__main__":
    main()
