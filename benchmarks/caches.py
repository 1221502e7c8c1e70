"""What each of briefgen's caches saves: every layer measured on and off, on one archive.

    python benchmarks/caches.py --articles 10000 --repeat 3 [--keep DIR] [--search] [--serve]

A cache earns its place only by a figure (docs/architecture.md, "Caches"). For each layer this
runs the same command twice in fresh subprocesses, once as briefgen ships and once with that
layer switched off by a patch applied in the child before briefgen starts (nothing in briefgen
has a switch for it), alternating on and off ``--repeat`` times, and prints the medians:

- ``record``: the build record (``fresh.py``): a rebuild with nothing changed, as shipped
  against ``--force`` (the record ignored, every other layer on);
- ``parse``: the parse cache (``parsecache.py``): ``build --force --no-search`` into the same
  output, with the cache against without it (``stages.read`` given no cache);
- ``links``: hard links to the previous output's unchanged files (``write.Staging``): the same
  forced build, linking against writing every file anew (the link count is how many files keep
  their modification time, which is what a sync to the web server looks at);
- ``memo``: the templates' fragment memo (``render.Renderer._memo``): the same forced build,
  each list entry rendered once per language against once per page it is on;
- ``reference``: citeproc's work reused by shape (``research/reference.py``): the same forced
  build, against citeproc called for every article and language;
- ``bundles`` (``--search``): a search bundle reused when its records did not change
  (``search/index.py``): ``build`` after appending a sentence to one Arabic article, against
  every bundle indexed again;
- ``pagememo`` and ``articles`` (``--serve``): the preview's page memo (``serve/pages.py``)
  and article cache (``content/cache.py``): time from saving an article to the rebuilt page,
  for an edit of its text and for a change of its tags (which moves it between lists).

The archive is ``benchmarks/corpus.py``'s (80 % Arabic, 20 % Italian). Not a test: it prints.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import corpus  # noqa: E402
from run import Trash, stages, timed  # noqa: E402

BUILD_LAYERS = ("record", "parse", "links", "memo", "reference")
SERVE_LAYERS = ("pagememo", "articles")


# -- the patches, applied in the child -------------------------------------------------------


def _off_parse() -> None:
    import briefgen.stages as stages_module

    stages_module.ParseCache = lambda root: None  # type: ignore[attr-defined,assignment,return-value]


def _off_links() -> None:
    from briefgen.write import Staging

    Staging._same = staticmethod(lambda old, data: False)  # type: ignore[method-assign]
    Staging._relink = lambda self, key: False  # type: ignore[method-assign]


def _off_memo() -> None:
    from jinja2 import pass_context
    from markupsafe import Markup

    from briefgen.render import Renderer

    @pass_context
    def every_time(
        self: object, context: object, key: str, macro: Callable[..., str], *args: object
    ) -> Markup:
        return Markup(macro(*args))

    Renderer._memo = every_time  # type: ignore[method-assign]


def _off_reference() -> None:
    from markupsafe import Markup

    from briefgen.research.reference import ReferenceFormatter, escaped, format_item

    def each(
        self: ReferenceFormatter, item: dict[str, object], locale: str | None = None
    ) -> Markup:
        language = str(item.get("language", "")) if locale is None else locale
        return Markup(format_item(self._style_for(language), escaped(item)))

    ReferenceFormatter.__call__ = each  # type: ignore[method-assign,assignment]


def _off_bundles() -> None:
    from briefgen.search.index import Indexing

    Indexing._reuse = lambda self, lang: False  # type: ignore[method-assign]


def _off_pagememo() -> None:
    from briefgen.serve.pages import PageMemo

    PageMemo.remember = lambda self, table, slot, key, make: make()  # type: ignore[method-assign]


def _off_articles() -> None:
    from briefgen.content import ArticleCache

    load = ArticleCache.load

    def reread(self: ArticleCache, path: Path, *args: object) -> object:
        self.forget([path])
        return load(self, path, *args)  # type: ignore[arg-type]

    ArticleCache.load = reread  # type: ignore[method-assign,assignment]


OFF: dict[str, Callable[[], None]] = {
    "parse": _off_parse,
    "links": _off_links,
    "memo": _off_memo,
    "reference": _off_reference,
    "bundles": _off_bundles,
    "pagememo": _off_pagememo,
    "articles": _off_articles,
}
"""Each layer's patch; ``record`` has none (``--force`` ignores the record)."""


def switch_off(layer: str) -> None:
    """Patch briefgen so that ``layer`` does nothing (called in a fresh child process)."""
    if layer in OFF:
        OFF[layer]()
    elif layer not in ("none", "record"):
        raise SystemExit(f"unknown layer {layer!r}")


def child(layer: str, argv: Sequence[str]) -> int:
    """``--child LAYER build …`` runs briefgen's CLI; ``--child LAYER serve N KIND`` measures
    the preview and prints its median as JSON."""
    switch_off(layer)
    if argv[0] != "serve":
        from briefgen.cli import main

        return main(list(argv))
    return serve_child(int(argv[1]), argv[2], int(argv[3]))


# -- the preview ---------------------------------------------------------------------------


def serve_child(count: int, kind: str, edits: int) -> int:
    """Save→new page for ``edits`` edits of one ``kind`` (``text`` or ``tags``), median in ms."""
    import serve_latency as sl

    from briefgen.serve import Preview

    with tempfile.TemporaryDirectory(prefix="briefgen-caches-") as tmp:
        site = Path(tmp)
        files = sl.generate(site, count)
        tags = sorted(yaml.safe_load((site / "content" / "tags.yml").read_text("utf-8")))
        times: list[float] = []
        with Preview(site, port=0) as preview:
            preview.start()
            port = preview.server.port
            listener = sl.Listener(port)
            epoch = listener.next_status()["epoch"]
            for n in range(edits):
                time.sleep(1.0)
                path = files[(n * 7919) % len(files)]
                marker = f"edit {n} {time.time_ns()}"
                text = path.read_text("utf-8")
                if kind == "tags":  # one tag more: the article joins that tag's lists
                    text = _add_tag(text, tags)
                saved = time.perf_counter()
                path.write_text(text + f"\n{marker}\n", "utf-8")
                while True:
                    status = listener.next_status()
                    if status["error"]:
                        raise RuntimeError(str(status["error"]))
                    if status["epoch"] != epoch:
                        break
                epoch = status["epoch"]
                url = f"/{path.parent.name}/articles/{path.stem}/"
                while marker not in sl.fetch(port, url):
                    time.sleep(0.005)
                times.append(time.perf_counter() - saved)
            listener.close()
    print(json.dumps(statistics.median(times) * 1000))  # noqa: T201
    return 0


def _add_tag(text: str, tags: Sequence[str]) -> str:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("tags: "):
            present = json.loads(line.removeprefix("tags: "))
            extra = next(tag for tag in tags if tag not in present)
            lines[i] = "tags: " + json.dumps([*present, extra])
            break
    return "\n".join(lines)


# -- the parent ----------------------------------------------------------------------------


def run_child(layer: str, args: Sequence[str], trash: Trash, timeout: float) -> tuple[float, str]:
    cmd = [sys.executable, __file__, "--child", layer, *args]
    run = timed(cmd, ROOT, timeout, trash)
    return run.seconds, run.stderr


def pair(
    label: str,
    layer: str,
    on: Sequence[str],
    off: Sequence[str],
    repeat: int,
    before: Callable[[], None],
    trash: Trash,
    timeout: float,
) -> None:
    """``on`` as shipped and ``off`` with ``layer`` patched out, alternated; medians printed."""
    times: dict[str, list[float]] = {"on": [], "off": []}
    split: dict[str, str] = {}
    for _ in range(repeat):
        for state, args in (("on", on), ("off", off)):
            before()
            seconds, err = run_child("none" if state == "on" else layer, args, trash, timeout)
            times[state].append(seconds)
            split[state] = stages(err) + _unchanged(err)
    a, b = statistics.median(times["on"]), statistics.median(times["off"])
    print(  # noqa: T201
        f"| {label} | {a:.2f} s | {b:.2f} s | {b - a:+.2f} s ({b / a:.2f} times) | "
        f"on: {split['on']}; off: {split['off']} |",
        flush=True,
    )


def _unchanged(stderr: str) -> str:
    for line in stderr.splitlines():
        if line.startswith("built ") and "unchanged" in line:
            return "; " + line.split(" in ")[0].removeprefix("built ")
    return ""


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:
        return child(argv[1], argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, metavar="DIR", help="archives are kept here")
    parser.add_argument("--search", action="store_true", help="also the search bundle reuse")
    parser.add_argument("--serve", type=int, metavar="N", help="also the preview's, at N articles")
    parser.add_argument("--layers", nargs="+", default=list(BUILD_LAYERS))
    parser.add_argument("--serve-layers", nargs="+", default=list(SERVE_LAYERS))
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="briefgen-caches-"))
    work.mkdir(parents=True, exist_ok=True)
    site = work / f"corpus-{args.articles}"
    if not corpus.is_generated(site, args.articles, 1):
        corpus.generate(site, args.articles, 1)
    out = work / f"out-{args.articles}"
    trash = Trash(work)
    build = ["-v", "build", "--source", str(site), "--output", str(out)]
    nothing: Callable[[], None] = lambda: None  # noqa: E731
    timed([sys.executable, "-m", "briefgen", *build, "--no-search"], ROOT, args.timeout, trash)
    print(f"{args.articles:,} articles, median of {args.repeat}, on and off alternated\n")  # noqa: T201
    print("| layer | on | off | saves | split |\n|---|---:|---:|---:|---|")  # noqa: T201
    forced = [*build, "--no-search", "--force"]
    for layer in args.layers:
        if layer == "record":
            pair(
                "build record (no-op rebuild)",
                layer,
                [*build, "--no-search"],
                forced,
                args.repeat,
                nothing,
                trash,
                args.timeout,
            )
        else:
            pair(
                f"{layer} (forced rebuild)",
                layer,
                forced,
                forced,
                args.repeat,
                nothing,
                trash,
                args.timeout,
            )
    if args.search:
        timed([sys.executable, "-m", "briefgen", *build], ROOT, args.timeout, trash)
        target = sorted((site / "content" / "articles" / "ar").rglob("*.md"))[0]
        counter = iter(range(10**6))

        def edit() -> None:
            with target.open("a", encoding="utf-8") as file:
                file.write(f"\nتعديل {next(counter)}\n")

        pair(
            "bundles (one Arabic article edited)",
            "bundles",
            build,
            build,
            args.repeat,
            edit,
            trash,
            args.timeout,
        )
    if args.serve:
        for layer in args.serve_layers:
            for kind in ("text", "tags"):
                ms = {}
                for state in ("none", layer):
                    cmd = [
                        sys.executable,
                        __file__,
                        "--child",
                        state,
                        "serve",
                        str(args.serve),
                        kind,
                        "5",
                    ]
                    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
                    if done.returncode != 0:
                        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")
                    ms[state] = float(done.stdout.strip().splitlines()[-1])
                print(  # noqa: T201
                    f"| {layer}, serve edit of {kind} at {args.serve:,} | {ms['none']:.0f} ms | "
                    f"{ms[layer]:.0f} ms | {ms[layer] - ms['none']:+.0f} ms | save → new page, median of 5 |",  # noqa: E501
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
