"""``briefgen serve`` end to end: a real server on a free port, real files edited under it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from briefgen.build import build
from briefgen.errors import UsageError
from briefgen.model import Site
from briefgen.serve import Preview
from tests.conftest import MakeSite, article
from tests.serve_support import Listener, raw_request

ROOT = Path(__file__).resolve().parent.parent

ARTICLES = {
    "content/articles/ar/one.md": article(
        title="المقال الأول",
        date="2025-01-02",
        outlet="al-akhbar",
        language="ar",
        tags="[russia]",
        body="النص الأصلي.",
    ),
    "content/articles/it/due.md": article(
        title="Secondo articolo",
        date="2025-02",
        outlet="meteoweb",
        language="it",
        tags="[china]",
        body="Testo originale.",
    ),
    "content/articles/ar/three.md": article(
        title="المقال الثالث",
        date="2024-12-01",
        outlet="al-akhbar",
        language="ar",
        tags="[russia, china]",
        body="نص ثالث.",
    ),
}

StartPreview = Callable[..., Preview]


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    return make_site(ARTICLES)


@pytest.fixture
def start_preview() -> Iterator[StartPreview]:
    """``start(root, **options)``: a started preview on a free port, closed after the test."""
    previews: list[Preview] = []

    def start(root: Path, **options: object) -> Preview:
        lines: list[str] = []
        preview = Preview(root, port=0, report=lines.append, **options)  # type: ignore[arg-type]
        preview.lines = lines  # type: ignore[attr-defined]
        previews.append(preview)
        preview.start()
        return preview

    yield start
    for preview in previews:
        preview.close()


def edit(path: Path, text: str) -> None:
    """Save like an editor does: write a temporary file beside it, then rename it over."""
    tmp = path.with_name(f".{path.name}.swp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def new_epoch(listener: Listener, old: object) -> dict[str, object]:
    return listener.until(lambda s: s["epoch"] != old and s["error"] is None)


def test_edit_reloads_the_page_and_serves_the_new_text(
    site: Path, start_preview: StartPreview
) -> None:
    preview = start_preview(site)
    port = preview.server.port
    assert preview.url == f"http://127.0.0.1:{port}/archive/"
    listener = Listener(port)
    first = listener.next_status()
    assert first["error"] is None

    page = raw_request(port, "/archive/ar/articles/one/")
    assert page.status == 200 and "النص الأصلي." in page.text
    assert page.text.count("data-briefgen-reload") == 1
    assert page.text.index("data-briefgen-reload") < page.text.rindex("</body>")

    edit(
        site / "content/articles/ar/one.md",
        ARTICLES["content/articles/ar/one.md"].replace("النص الأصلي.", "نص معدّل."),
    )
    new_epoch(listener, first["epoch"])
    page = raw_request(port, "/archive/ar/articles/one/")
    assert "نص معدّل." in page.text and "النص الأصلي." not in page.text
    assert any(line.startswith("rebuilt ") for line in preview.lines)  # type: ignore[attr-defined]
    listener.close()


def test_site_yml_change_rebuilds_everything(site: Path, start_preview: StartPreview) -> None:
    preview = start_preview(site)
    listener = Listener(preview.server.port)
    first = listener.next_status()
    text = (site / "site.yml").read_text("utf-8")
    edit(site / "site.yml", text.replace("Archivio di prova", "Archivio rinnovato"))
    new_epoch(listener, first["epoch"])
    home = raw_request(preview.server.port, "/archive/it/")
    assert "Archivio rinnovato" in home.text
    assert any(line.startswith("built ") for line in preview.lines[1:])  # type: ignore[attr-defined]


def test_broken_content_shows_the_error_and_keeps_the_last_good_build(
    site: Path, start_preview: StartPreview
) -> None:
    preview = start_preview(site)
    port = preview.server.port
    listener = Listener(port)
    first = listener.next_status()
    path = site / "content/articles/ar/one.md"
    good = path.read_text("utf-8")

    edit(path, good.replace("tags: [russia]", "tags: [rusia]").replace("النص الأصلي.", "نص مكسور."))
    broken = listener.until(lambda s: s["error"] is not None)
    assert broken["epoch"] == first["epoch"]  # still the last good build
    error = str(broken["error"])
    assert "content/articles/ar/one.md:6: tags: unknown tag 'rusia'" in error
    assert "did you mean 'russia'" in error

    page = raw_request(port, "/archive/ar/articles/one/")
    assert page.status == 200
    assert "النص الأصلي." in page.text and "نص مكسور." not in page.text
    assert '<div id="briefgen-error" dir="ltr" lang="en"' in page.text
    assert "unknown tag &#x27;rusia&#x27;" in page.text
    assert any("unknown tag 'rusia'" in line for line in preview.lines)  # type: ignore[attr-defined]

    edit(path, good.replace("النص الأصلي.", "نص مصحّح."))
    fixed = new_epoch(listener, first["epoch"])
    assert fixed["error"] is None
    page = raw_request(port, "/archive/ar/articles/one/")
    assert "نص مصحّح." in page.text and "briefgen-error" not in page.text.replace(
        'getElementById("briefgen-error")', ""
    ).replace('box.id = "briefgen-error"', "")


def test_a_site_broken_from_the_start_is_served_once_fixed(
    make_site: MakeSite, start_preview: StartPreview
) -> None:
    bad = dict(ARTICLES)
    bad["content/articles/ar/one.md"] = bad["content/articles/ar/one.md"].replace(
        "date: 2025-01-02", "date: 2025-13-02"
    )
    root = make_site(bad)
    preview = start_preview(root)
    port = preview.server.port
    listener = Listener(port)
    status = listener.next_status()
    assert "month 13 is not 1 to 12" in str(status["error"])
    waiting = raw_request(port, "/archive/ar/")
    assert waiting.status == 503
    assert "month 13 is not 1 to 12" in waiting.text and "data-briefgen-reload" in waiting.text

    edit(root / "content/articles/ar/one.md", ARTICLES["content/articles/ar/one.md"])
    new_epoch(listener, status["epoch"])
    assert raw_request(port, "/archive/ar/articles/one/").status == 200


def test_a_burst_of_events_gives_one_rebuild(site: Path, start_preview: StartPreview) -> None:
    preview = start_preview(site, debounce=1.0)  # generous: CI machines stall
    listener = Listener(preview.server.port)
    first = listener.next_status()

    def rebuilds() -> int:  # each rebuild reports one line, done or failed
        lines: list[str] = preview.lines  # type: ignore[attr-defined]
        done = sum(1 for line in lines if line.startswith(("built ", "rebuilt ")))
        return done + sum(1 for line in lines if "\nrebuild failed" in line)

    before = rebuilds()
    articles = site / "content/articles/it"
    for i in range(50):  # a git checkout: many files in a moment
        edit(
            articles / f"burst-{i:02d}.md",
            article(
                title=f"Articolo {i}",
                date="2023-05-06",
                outlet="meteoweb",
                language="it",
                tags="[china]",
                body="Testo.",
            ),
        )
    new_epoch(listener, first["epoch"])
    time.sleep(1.5)  # any second rebuild would have started by now
    assert rebuilds() == before + 1
    assert raw_request(preview.server.port, "/archive/it/articles/burst-49/").status == 200


def test_200_concurrent_requests_during_a_rebuild_are_all_answered(
    site: Path, start_preview: StartPreview
) -> None:
    indexing = threading.Event()

    def slow_search(site: Site, root: Path) -> Sequence[str]:
        indexing.set()
        time.sleep(1.5)
        return ()

    preview = start_preview(site, search=slow_search)
    port = preview.server.port
    indexing.clear()
    text = (site / "site.yml").read_text("utf-8")
    edit(site / "site.yml", text.replace("Archivio di prova", "Archivio sotto carico"))
    assert indexing.wait(30), "the rebuild did not start"
    targets = [
        "/archive/ar/",
        "/archive/it/articles/due/",
        "/archive/static/style.css",
        "/archive/sitemap.xml",
    ]
    start = threading.Barrier(200)

    def fetch(i: int) -> tuple[int, bytes]:
        start.wait()
        response = raw_request(port, targets[i % len(targets)])
        return response.status, response.body

    with ThreadPoolExecutor(max_workers=200) as pool:
        results = list(pool.map(fetch, range(200)))
    assert [status for status, _ in results] == [200] * 200
    for i, (_, body) in enumerate(results):
        if targets[i % len(targets)].endswith("/"):
            assert body.rstrip().endswith(b"</html>")  # whole pages, never half-written


def test_a_slow_client_does_not_stall_the_others(site: Path, start_preview: StartPreview) -> None:
    preview = start_preview(site)
    port = preview.server.port
    slow = [socket.create_connection(("127.0.0.1", port)) for _ in range(5)]
    for sock in slow:
        sock.sendall(b"GET /archive/ar/ HTTP/1.1\r\nHost: 127.0.0.1")  # and never finishes
    started = time.monotonic()
    assert raw_request(port, "/archive/ar/").status == 200
    assert time.monotonic() - started < 5
    for sock in slow:
        sock.close()


def test_close_leaves_no_threads_and_no_temporary_files(site: Path) -> None:
    before = set(threading.enumerate())
    preview = Preview(site, port=0)
    preview.start()
    workdir = preview.workdir
    assert preview.rebuilder.root is not None and preview.rebuilder.root.is_dir()
    listener = Listener(preview.server.port)
    listener.next_status()
    idle = socket.create_connection(("127.0.0.1", preview.server.port))  # a silent client
    assert raw_request(preview.server.port, "/archive/ar/").status == 200
    preview.close()
    deadline = time.monotonic() + 10
    while set(threading.enumerate()) - before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert set(threading.enumerate()) - before == set()
    assert not workdir.exists()
    assert listener.sock.recv(1024) == b""  # the live-reload connection was ended
    idle.close()
    listener.close()


def test_a_busy_port_is_named_or_the_next_free_one_announced(site: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(UsageError, match=f"port {port} is in use"):
            Preview(site, port=port)
        lines: list[str] = []
        try:
            with Preview(site, port=port, fallback_ports=20, report=lines.append) as preview:
                assert preview.server.port != port
                assert lines == [
                    f"port {port} is in use; serving on port {preview.server.port} instead"
                ]
        except UsageError:
            pytest.skip("no free port near the busy one")


def test_serve_never_touches_the_output_and_build_has_no_reload_script(
    site: Path, start_preview: StartPreview
) -> None:
    start_preview(site).close()
    assert not (site / "_site").exists()
    report = build(site)
    for path in report.output.rglob("*"):
        if path.is_file():
            assert b"__briefgen__" not in path.read_bytes(), path


@pytest.mark.parametrize("receiver", ["main-thread", "another-thread"])
def test_cli_serve_prints_the_url_and_stops_cleanly_on_ctrl_c(
    receiver: str, site: Path, tmp_path: Path
) -> None:
    """The kernel hands a signal sent to a process to any of its threads that does not block it
    (the main one mostly, another now and then on a busy machine): both stop the preview."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "TMPDIR": str(temp), "PYTHONPATH": str(ROOT), "PYTHONFAULTHANDLER": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "briefgen", "serve", "--source", str(site), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("serving "):
                break
        assert lines[-1] == f"serving http://127.0.0.1:{port}/archive/ (Ctrl-C to stop)\n", lines
        assert raw_request(port, "/archive/ar/").status == 200
        if receiver == "main-thread":
            process.send_signal(signal.SIGINT)
        else:  # a signal sent to a thread's id goes to that thread when it can take it
            threads = [int(t) for t in os.listdir(f"/proc/{process.pid}/task")]
            os.kill(max(t for t in threads if t != process.pid), signal.SIGINT)
        try:
            out, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:  # where each thread is (PYTHONFAULTHANDLER), then fail
            process.send_signal(signal.SIGABRT)
            out, _ = process.communicate(timeout=20)
            raise AssertionError(f"still running 20 s after Ctrl-C:\n{out}") from None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, out
    assert "Traceback" not in out
    assert list(temp.iterdir()) == []


def test_cli_serve_warns_on_a_non_loopback_host(site: Path) -> None:
    from briefgen.serve import serve

    lines: list[str] = []
    with pytest.raises(UsageError):  # an address this machine does not have: bind fails
        serve(site, host="192.0.2.1", port=0, report=lines.append)
    assert lines and lines[0].startswith("warning: listening on 192.0.2.1")


def test_a_theme_folder_made_while_serving_is_watched(
    site: Path, start_preview: StartPreview
) -> None:
    preview = start_preview(site)
    port = preview.server.port
    listener = Listener(port)
    status = listener.next_status()
    static = site / "themes" / "default" / "static"
    static.mkdir(parents=True)
    edit(static / "extra.css", "body { color: red; }\n")
    status = new_epoch(listener, status["epoch"])
    assert (
        raw_request(port, "/archive/static/extra.css").text == "body{color:red}"
    )  # published minified
    edit(static / "extra.css", "body { color: blue; }\n")
    new_epoch(listener, status["epoch"])
    assert raw_request(port, "/archive/static/extra.css").text == "body{color:blue}"


def test_the_sitemap_follows_once_the_reloaded_pages_were_served(
    site: Path, start_preview: StartPreview
) -> None:
    preview = start_preview(site)
    port = preview.server.port
    listener = Listener(port)
    status = listener.next_status()
    edit(
        site / "content/articles/it/nuovo.md",
        article(
            title="Nuovo",
            date="2025-03-01",
            outlet="meteoweb",
            language="it",
            tags="[china]",
            body="Testo nuovo.",
        ),
    )
    new_epoch(listener, status["epoch"])
    assert raw_request(port, "/archive/it/articles/nuovo/").status == 200
    deadline = time.monotonic() + 10
    while "it/articles/nuovo/" not in raw_request(port, "/archive/sitemap.xml").text:
        assert time.monotonic() < deadline, "the sitemap was never updated"
        time.sleep(0.05)


def test_cli_serve_refuses_a_directory_that_is_not_a_site(tmp_path: Path) -> None:
    from briefgen.cli import main

    assert main(["serve", "--source", str(tmp_path), "--port", "0"]) == 2


def test_a_slow_search_stage_does_not_hold_up_the_next_edit(
    site: Path, start_preview: StartPreview
) -> None:
    gate = threading.Event()
    indexed: list[Path] = []

    def search(site: Site, root: Path) -> Sequence[str]:
        if root.name.endswith(".staging"):
            return ()  # the first build indexes its staged site before swapping it in
        indexed.append(root)
        assert gate.wait(30)
        return ()

    preview = start_preview(site, search=search)
    listener = Listener(preview.server.port)
    status = listener.next_status()
    path = site / "content/articles/ar/one.md"
    text = ARTICLES["content/articles/ar/one.md"]
    edit(path, text.replace("النص الأصلي.", "تعديل أول."))
    status = new_epoch(listener, status["epoch"])
    deadline = time.monotonic() + 10
    while not indexed:  # indexing of the first edit started, and is stuck
        assert time.monotonic() < deadline
        time.sleep(0.02)
    edit(path, text.replace("النص الأصلي.", "تعديل ثان."))
    new_epoch(listener, status["epoch"])  # the second edit is served all the same
    assert "تعديل ثان." in raw_request(preview.server.port, "/archive/ar/articles/one/").text
    gate.set()
    deadline = time.monotonic() + 10
    while len(indexed) < 2:  # and the index catches up
        assert time.monotonic() < deadline
        time.sleep(0.02)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param("content/articles/ar/one.md", id="index-refresh-after-an-edit"),
        pytest.param("site.yml", id="full-rebuild"),
    ],
)
def test_closing_ends_a_search_run_under_way(
    change: str, site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while Pagefind runs (half a minute at 10,000 articles), in the index refresh after
    an edit or in a full rebuild, stops it at once: the preview neither waits for it nor leaves
    it running, and says nothing of the run it ended."""
    import pagefind_bin  # type: ignore[import-untyped]

    hang, pids = tmp_path / "hang", tmp_path / "pids"
    fake = tmp_path / "pagefind"  # the real binary until told to hang
    fake.write_text(
        "#!/bin/sh\n"
        f"if [ -e {hang} ]; then echo $$ >> {pids}; exec sleep 60; fi\n"
        f'exec {pagefind_bin.get_executable()} "$@"\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    lines: list[str] = []
    preview = Preview(site, port=0, report=lines.append)
    try:
        preview.start()
        hang.touch()
        path = site / change
        edit(path, path.read_text("utf-8").replace("النص الأصلي.", "تعديل.") + "\n")
        deadline = time.monotonic() + 10
        while not pids.is_file() or not pids.read_text().endswith("\n"):
            assert time.monotonic() < deadline, "Pagefind did not start"
            time.sleep(0.02)
        running = [int(pid) for pid in pids.read_text().split()]
    finally:
        started = time.monotonic()
        preview.close()
    assert time.monotonic() - started < 5
    for pid in running:
        with pytest.raises(ProcessLookupError):  # killed and reaped, not left behind
            os.kill(pid, 0)
    assert not [line for line in lines if "refreshed" in line or "failed" in line], lines


def test_search_works_in_the_preview(site: Path, start_preview: StartPreview) -> None:
    """By default the preview runs the pipeline's own search stage: the bundles are served."""
    preview = start_preview(site)
    port = preview.server.port
    for lang in ("ar", "it"):
        response = raw_request(port, f"/archive/pagefind/{lang}/pagefind.js")
        assert response.status == 200
        assert "javascript" in response.headers.get("content-type", "")
    assert raw_request(port, "/archive/ar/search/").status == 200


def test_a_killed_preview_leaves_nothing_behind_for_long(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A preview ended by ``kill -9`` cannot remove its directory: the next preview does, and
    never the directory of one still running (each holds a lock on its own)."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    hold = (
        "import sys, time; from pathlib import Path; from briefgen.serve import Preview;"
        "p = Preview(Path(sys.argv[1]), port=0, search=lambda *a: None);"
        "print(p.workdir, flush=True); time.sleep(600)"
    )
    env = {**os.environ, "TMPDIR": str(temp)}
    previews = [
        subprocess.Popen([sys.executable, "-c", hold, str(site)], stdout=subprocess.PIPE, env=env)
        for _ in range(2)
    ]
    try:
        dead, alive = (Path(p.stdout.readline().decode().strip()) for p in previews)  # type: ignore[union-attr]
        assert dead.is_dir() and alive.is_dir() and dead.parent == temp
        previews[0].kill()
        previews[0].wait()
        monkeypatch.setattr("tempfile.tempdir", str(temp))
        with Preview(site, port=0, search=lambda *a: None) as preview:
            assert not dead.exists()
            assert alive.is_dir()
            ours = preview.workdir
            assert ours.is_dir()
        assert not ours.exists()
    finally:
        for process in previews:
            process.kill()
            process.wait()
