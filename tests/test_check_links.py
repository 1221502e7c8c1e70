"""``briefgen check --links``: every ``source_url`` and ``archived_url`` asked over the network.

The sources are served by a local server on 127.0.0.1 (``--allow-local``): a live page, a gone
one, one moved for good, one that never answers in time. Findings are ``path:line: message`` in
every format ``check`` has; results are cached for a day in ``.briefgen-cache/links.json``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest

from briefgen.checks import check_site
from briefgen.cli import main
from briefgen.fetch import Rules
from briefgen.linkcheck import PER_HOST, WAYBACK_API, check_sources
from tests.conftest import MakeSite, article
from tests.web_server import Route, Server, serving

LOCAL = Rules(allow_local=True, timeout=0.5)


@pytest.fixture
def server() -> Iterator[Server]:
    yield from serving(
        {
            "/live": Route(body=b"<html><body>live</body></html>"),
            "/live-2": Route(body=b"<html><body>live</body></html>"),
            "/gone": Route(404, b"gone"),
            "/gone-2": Route(410, b"gone"),
            "/old": Route(301, location="/live"),
            "/elsewhere": Route(302, location="/live-2"),
            "/slow": Route(body=b"late", delay=2),
            "/archive/live": Route(body=b"<html><body>archived</body></html>"),
            "/archive/gone": Route(404, b"gone"),
        }
    )


def it_article(source: str, archived: str | None = None) -> str:
    fields = {
        "title": "Un articolo",
        "date": "2025-01-03",
        "outlet": "meteoweb",
        "language": "it",
        "tags": "[russia]",
        "summary": "Un riassunto.",
        "source_url": source,
    }
    if archived is not None:
        fields["archived_url"] = archived
    return article(**fields, body="Il testo.")


@pytest.fixture
def site(make_site: MakeSite, server: Server) -> Path:
    url = server.url
    return make_site(
        {
            "content/articles/it/a-live.md": it_article(url("/live")),
            "content/articles/it/b-gone.md": it_article(url("/gone")),
            "content/articles/it/c-gone-archived.md": it_article(
                url("/gone-2"), url("/archive/live")
            ),
            "content/articles/it/d-moved.md": it_article(url("/old")),
            "content/articles/it/e-slow.md": it_article(url("/slow")),
            "content/articles/it/f-archive-gone.md": it_article(
                url("/elsewhere"), url("/archive/gone")
            ),
            "content/tags.yml": "russia:\n  label: {ar: روسيا, it: Russia}\n",
            "content/outlets.yml": "meteoweb:\n  name: MeteoWeb\n  language: it\n",
        }
    )


def test_dead_and_moved_sources_in_github_format(
    site: Path, server: Server, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(site)
    code = main(["check", "--links", "--allow-local", "--timeout", "0.5", "--format", "github"])
    out, err = capsys.readouterr()
    assert code == 1
    url = server.url
    assert out.splitlines() == [
        "::error file=content/articles/it/b-gone.md,line=8::source_url is dead: HTTP 404 Not "
        f"Found ({url('/gone')}); add archived_url: a copy in a web archive, such as one listed "
        f"at https://web.archive.org/web/*/{url('/gone')}",
        "::warning file=content/articles/it/c-gone-archived.md,line=8::source_url is dead: HTTP "
        f"410 Gone ({url('/gone-2')}); readers can use the archived_url",
        "::warning file=content/articles/it/d-moved.md,line=8::source_url has moved "
        f"permanently to {url('/live')}: update it ({url('/old')})",
        "::error file=content/articles/it/e-slow.md,line=8::source_url is dead: timed out "
        f"after 0.5 s ({url('/slow')}); add archived_url: a copy in a web archive, such as one "
        f"listed at https://web.archive.org/web/*/{url('/slow')}",
        "::error file=content/articles/it/f-archive-gone.md,line=9::archived_url is dead: HTTP "
        f"404 Not Found ({url('/archive/gone')})",
    ]
    assert err == "briefgen: 3 errors in the archive (and 2 warnings); nothing was written\n"


def test_text_and_json_formats_carry_the_same_findings(
    site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(site)
    args = ["check", "--links", "--allow-local", "--timeout", "0.5"]
    assert main(args) == 1
    text = capsys.readouterr().err.splitlines()
    assert text[0].startswith("content/articles/it/b-gone.md:8: source_url is dead: HTTP 404")
    assert text[1].startswith("content/articles/it/c-gone-archived.md:8: warning: source_url")
    assert main([*args, "--format", "json"]) == 1
    found = json.loads(capsys.readouterr().out)
    assert [(f["path"], f["line"], f["severity"]) for f in found] == [
        ("content/articles/it/b-gone.md", 8, "error"),
        ("content/articles/it/c-gone-archived.md", 8, "warning"),
        ("content/articles/it/d-moved.md", 8, "warning"),
        ("content/articles/it/e-slow.md", 8, "error"),
        ("content/articles/it/f-archive-gone.md", 9, "error"),
    ]


def test_results_are_kept_for_a_day(site: Path, server: Server) -> None:
    now = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    first = check_sources(site, check_site(site), LOCAL, now=now)
    asked = len(server.seen)
    assert asked == 10  # 8 addresses, 2 of them redirected once
    cached = json.loads((site / ".briefgen-cache" / "links.json").read_text(encoding="utf-8"))
    assert len(cached["links"]) == 8
    again = check_sources(site, check_site(site), LOCAL, now=now + timedelta(hours=23))
    assert again.problems == first.problems
    assert len(server.seen) == asked  # nothing asked again
    check_sources(site, check_site(site), LOCAL, now=now + timedelta(days=1, minutes=1))
    assert len(server.seen) == 2 * asked  # a day later, everything is asked again


def test_a_damaged_cache_is_ignored(site: Path) -> None:
    (site / ".briefgen-cache").mkdir()
    (site / ".briefgen-cache" / "links.json").write_text("{not json", encoding="utf-8")
    report = check_sources(site, check_site(site), LOCAL)
    assert report.errors == 3


def test_no_more_than_two_requests_at_once_to_one_host(make_site: MakeSite, server: Server) -> None:
    for n in range(6):
        server.routes[f"/wait-{n}"] = Route(body=b"ok", delay=0.3)
    files = {f"content/articles/it/a{n}.md": it_article(server.url(f"/wait-{n}")) for n in range(6)}
    files["content/tags.yml"] = "russia:\n  label: {ar: روسيا, it: Russia}\n"
    files["content/outlets.yml"] = "meteoweb:\n  name: MeteoWeb\n  language: it\n"
    root = make_site(files, name="many")
    report = check_sources(root, check_site(root), Rules(allow_local=True), jobs=8)
    assert report.errors == 0
    assert len(server.seen) == 6
    assert server.busiest == PER_HOST


def test_local_addresses_are_not_fetched_without_allow_local(site: Path, server: Server) -> None:
    report = check_sources(site, check_site(site), Rules())
    assert server.seen == []
    messages = {p.message for p in report.problems if "not checked" in p.message}
    assert (
        f"source_url not checked: refused: 127.0.0.1 resolves to 127.0.0.1, a loopback "
        f"address (pass --allow-local to allow it) ({server.url('/live')})" in messages
    )
    assert report.errors == 0  # not fetched is not dead
    assert not (site / ".briefgen-cache" / "links.json").exists()  # refusals are not kept


def test_check_without_links_asks_no_one(site: Path, server: Server) -> None:
    assert main(["check", "--source", str(site)]) == 0
    assert main(["build", "--source", str(site), "--no-search"]) == 0
    assert server.seen == []


def test_the_wayback_machine_is_asked_only_on_request(
    site: Path, server: Server, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A local stand-in for the availability API: a copy of /gone, none of /slow."""
    url = server.url
    copy = "http://web.archive.org/web/20250104000000/" + url("/gone")
    answers = {
        url("/gone"): {"closest": {"available": True, "url": copy, "status": "200"}},
        url("/slow"): {},
    }
    for source, snapshots in answers.items():
        body = json.dumps({"url": source, "archived_snapshots": snapshots}).encode()
        server.routes[f"/wayback/available?{urlencode({'url': source})}"] = Route(
            body=body, content_type="application/json"
        )
    monkeypatch.chdir(site)
    args = ["check", "--links", "--allow-local", "--timeout", "0.5", "--format", "github"]
    assert main([*args, "--ask-archive", url("/wayback/available")]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith(f"; add archived_url: {copy} (the Wayback Machine's closest copy)")
    assert out[3].endswith(
        "; add archived_url: the Wayback Machine has no copy; look for one in another web archive"
    )
    asked = [path for path, _agent in server.seen if path.startswith("/wayback/")]
    assert len(asked) == 2  # only the dead sources without archived_url
    assert main(args) == 1  # without --ask-archive: nothing asked, the plain suggestion
    assert len([p for p, _a in server.seen if p.startswith("/wayback/")]) == 2
    assert "such as one listed at https://web.archive.org/web/*/" in capsys.readouterr().out


def test_ask_archive_alone_asks_the_wayback_machine(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def check_sources(*args: object, archive_api: str | None, **kwargs: object) -> object:
        asked.append(str(archive_api))
        return check_site(site)

    monkeypatch.setattr("briefgen.linkcheck.check_sources", check_sources)
    main(["check", "--source", str(site), "--links", "--ask-archive"])
    assert asked == [WAYBACK_API]
