"""Two versions of briefgen side by side: the same archives, runs interleaved, medians.

    git worktree add /tmp/before <commit>
    python benchmarks/compare.py /tmp/before . --sizes 1000 10000 --repeat 3 --serve 10000

For each size, ``benchmarks/corpus.py`` (this checkout's) writes one archive, and each round
runs both versions in turn, the order alternating from round to round (A B, B A, …) so that
a machine that slows down or speeds up during the run weighs on both alike:

- a clean build without search (the output and the site's ``.briefgen-cache`` moved aside
  first, see ``run.Trash``), then a no-op rebuild of that output;
- with ``--serve N``: ``benchmarks/serve_latency.py`` of each version at N articles (save →
  new page; its archive is generated from each version's own ``content/``, so give both the
  same content, e.g. ``git checkout <commit> -- content site.yml`` in the newer worktree).

Each version runs from its own tree (``python -m briefgen`` with that tree as the working
directory). Wall time and CPU time (user + system of the process and its children, from
``os.wait4``) are reported: on a shared machine the CPU time moves less than the wall time.
Not a test: it prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
from run import CACHE_DIR, RunError, Trash  # noqa: E402

Times = dict[tuple[str, str], list[tuple[float, float]]]


def timed(cmd: Sequence[str], cwd: Path, trash: Trash, timeout: float) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (with children) and stdout of ``cmd``."""
    trash.settle()
    os.sync()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > timeout:
                proc.kill()
                os.wait4(proc.pid, 0)
                raise RunError(f"timed out: {' '.join(cmd)}")
            time.sleep(0.01)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, problem = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise RunError(f"exit {proc.returncode}: {' '.join(cmd)}\n{problem[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, text


def builds(
    trees: dict[str, Path], size: int, work: Path, repeat: int, trash: Trash, times: Times
) -> None:
    site = work / f"corpus-{size}-s1"  # run.py's name: its archives are reused
    if not corpus.is_generated(site, size, 1):
        corpus.generate(site, size, 1)
    names = list(trees)
    for round_ in range(repeat):
        for name in names if round_ % 2 == 0 else names[::-1]:
            out = work / f"out-{name}-{size}"
            trash.put(out)
            trash.put(site / CACHE_DIR)
            cmd = [sys.executable, "-m", "briefgen", "build", "--source", str(site)]
            cmd += ["--output", str(out), "--no-search"]
            wall, cpu, _ = timed(cmd, trees[name], trash, 3600)
            times[(f"clean build, {size:,} articles", name)].append((wall, cpu))
            wall, cpu, _ = timed(cmd, trees[name], trash, 3600)
            times[(f"no-op rebuild, {size:,} articles", name)].append((wall, cpu))
            print(f"  {name} {size}: round {round_ + 1} done", file=sys.stderr, flush=True)  # noqa: T201


SAVE_TO_PAGE = re.compile(
    r"save→new page median (\d+) ms.*rebuild itself median (\d+) ms wall, (\d+) ms CPU"
)


def serves(trees: dict[str, Path], size: int, repeat: int, trash: Trash, times: Times) -> None:
    names = list(trees)
    for round_ in range(repeat):
        for name in names if round_ % 2 == 0 else names[::-1]:
            cmd = [sys.executable, "benchmarks/serve_latency.py", "--articles", str(size)]
            _, _, text = timed([*cmd, "--edits", "5"], trees[name], trash, 3600)
            found = SAVE_TO_PAGE.search(text)
            if found is None:
                raise RunError(f"no latency in: {text}")
            page, rebuild_cpu = int(found[1]) / 1000, int(found[3]) / 1000
            times[(f"serve edit, {size:,} articles (save → new page; rebuild CPU)", name)].append(
                (page, rebuild_cpu)
            )


def table(times: Times, names: Sequence[str]) -> str:
    measures = list(dict.fromkeys(measure for measure, _ in times))
    head = " | ".join(f"{n} wall | {n} CPU" for n in names)
    lines = [
        f"| measure | {head} | after ÷ before (wall, CPU) |",
        "|---" * (2 * len(names) + 2) + "|",
    ]
    for measure in measures:
        cells, med = [], {}
        for name in names:
            runs = times[(measure, name)]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            med[name] = (wall, cpu)
            cells.append(f"{wall:.2f} s | {cpu:.2f} s")
        a, b = med[names[0]], med[names[-1]]
        lines.append(f"| {measure} | {' | '.join(cells)} | {b[0] / a[0]:.2f}, {b[1] / a[1]:.2f} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--serve", type=int, metavar="N", help="also the preview at N articles")
    parser.add_argument("--keep", type=Path, metavar="DIR")
    args = parser.parse_args(argv)
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    work = args.keep or Path(tempfile.mkdtemp(prefix="briefgen-compare-"))
    work.mkdir(parents=True, exist_ok=True)
    trash = Trash(work)
    times: Times = defaultdict(list)
    for size in args.sizes:
        builds(trees, size, work, args.repeat, trash, times)
    if args.serve:
        serves(trees, args.serve, max(2, args.repeat - 1), trash, times)
    for name, tree in trees.items():
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=tree, capture_output=True, text=True
        )
        print(f"- {name}: {tree} at {rev.stdout.strip()}")  # noqa: T201
    print(f"- load average at the end: {os.getloadavg()[0]:.1f}\n")  # noqa: T201
    print(table(times, list(trees)))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
