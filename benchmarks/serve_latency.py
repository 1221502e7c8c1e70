"""Edit-to-reload latency of ``briefgen serve`` on generated archives.

    /work/venv/bin/python benchmarks/serve_latency.py --articles 1000 10000 --edits 5

For each size it generates a deterministic archive from the repository's own articles (same
vocabularies, bodies and front matter, varied slugs, dates, tags and languages), starts a
:class:`~briefgen.serve.Preview` on a free loopback port, listens on the live-reload channel
like a page does, then edits one article at a time and measures:

* ``event``: file saved → the reload event arrives on the channel;
* ``page``: file saved → the article page with the new text is served.

The goal is under 300 ms at 10,000 articles for a one-article edit. Not a test: it prints.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefgen.content import split_front_matter  # noqa: E402
from briefgen.serve import Preview  # noqa: E402


def generate(target: Path, count: int) -> list[Path]:
    """Write a site of ``count`` articles into ``target``; returns the article files."""
    shutil.copy(ROOT / "site.yml", target / "site.yml")
    (target / "content" / "articles").mkdir(parents=True)
    for name in ("tags.yml", "outlets.yml"):
        shutil.copy(ROOT / "content" / name, target / "content" / name)
    tags = sorted(yaml.safe_load((ROOT / "content" / "tags.yml").read_text("utf-8")))
    seeds = []
    for path in sorted((ROOT / "content" / "articles").rglob("*.md")):
        front, body, _ = split_front_matter(path.read_text("utf-8"))
        assert front is not None
        seeds.append((path.stem, yaml.safe_load(front), body))
    files = []
    for i in range(count):
        stem, fields, body = seeds[i % len(seeds)]
        year = 2015 + (i * 7) % 11
        month = 1 + (i * 5) % 12
        day = 1 + (i * 3) % 28
        chosen = [tags[(i * k + k) % len(tags)] for k in (1, 3, 7)]
        front = {
            "title": f"{fields['title']} ({i})",
            "date": f"{year:04d}-{month:02d}-{day:02d}" if i % 10 else f"{year:04d}-{month:02d}",
            "outlet": fields["outlet"],
            "language": fields["language"],
            "tags": list(dict.fromkeys(chosen)),
            "summary": fields.get("summary") or "",
        }
        lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in front.items()]
        path = target / "content" / "articles" / fields["language"] / f"{stem}-{i:05d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\n" + "\n".join(lines) + "\n---\n" + body, "utf-8")
        files.append(path)
    return files


class Listener:
    """A live-reload client on a raw socket, as a page's EventSource would be."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.sock.sendall(
            f"GET /__briefgen__/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
        )
        self.buffer = b""

    def next_status(self) -> dict[str, object]:
        while True:
            while b"\n\n" not in self.buffer:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("live-reload channel closed")
                self.buffer += chunk
            block, self.buffer = self.buffer.split(b"\n\n", 1)
            for line in block.decode().splitlines():
                if line.startswith("data: "):
                    return dict(json.loads(line[6:]))

    def close(self) -> None:
        self.sock.close()


def fetch(port: int, path: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path)
        return conn.getresponse().read().decode("utf-8")
    finally:
        conn.close()


def measure(count: int, edits: int, pause: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="briefgen-bench-") as tmp:
        site = Path(tmp)
        files = generate(site, count)
        started = time.perf_counter()
        with Preview(site, port=0) as preview:
            preview.start()
            first = time.perf_counter() - started
            port = preview.server.port
            listener = Listener(port)
            epoch = listener.next_status()["epoch"]
            events: list[float] = []
            rebuild_wall: list[float] = []
            rebuild_cpu: list[float] = []
            pages: list[float] = []
            for n in range(edits):
                time.sleep(pause)  # a person saves every few seconds: the last rebuild has finished
                path = files[(n * 7919) % len(files)]
                marker = f"benchmark edit {n} {time.time_ns()}"
                text = path.read_text("utf-8")
                saved = time.perf_counter()
                path.write_text(text + f"\n{marker}\n", "utf-8")
                while True:
                    status = listener.next_status()
                    if status["error"]:
                        raise RuntimeError(str(status["error"]))
                    if status["epoch"] != epoch:
                        break
                epoch = status["epoch"]
                events.append(time.perf_counter() - saved)
                outcome = preview.last_outcome
                assert outcome is not None and not outcome.full
                rebuild_wall.append(outcome.seconds)
                rebuild_cpu.append(outcome.cpu_seconds)
                language = path.parent.name
                while marker not in fetch(port, f"/{language}/articles/{path.stem}/"):
                    time.sleep(0.005)
                pages.append(time.perf_counter() - saved)
            listener.close()
    return {
        "articles": count,
        "first_build_s": first,
        "event_median_ms": statistics.median(events) * 1000,
        "event_max_ms": max(events) * 1000,
        "page_median_ms": statistics.median(pages) * 1000,
        "page_max_ms": max(pages) * 1000,
        "rebuild_median_ms": statistics.median(rebuild_wall) * 1000,
        "rebuild_cpu_median_ms": statistics.median(rebuild_cpu) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--pause", type=float, default=2.0, help="seconds between edits")
    args = parser.parse_args()
    for count in args.articles:
        result = measure(count, args.edits, args.pause)
        print(  # noqa: T201 (a benchmark reports on stdout)
            f"{result['articles']:>6} articles: first build {result['first_build_s']:.1f} s; "
            f"save→reload event median {result['event_median_ms']:.0f} ms "
            f"(max {result['event_max_ms']:.0f}); save→new page median "
            f"{result['page_median_ms']:.0f} ms (max {result['page_max_ms']:.0f}); rebuild itself "
            f"median {result['rebuild_median_ms']:.0f} ms wall, "
            f"{result['rebuild_cpu_median_ms']:.0f} ms CPU; load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
