"""The preview server serves the built site and nothing else, to requests addressed to it only.

Requests go through raw sockets so that ``..`` and percent escapes reach the server verbatim.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from briefgen.serve import Preview
from briefgen.serve.http import allowed_hosts, clean_path, content_type
from tests.conftest import MakeSite, article
from tests.serve_support import Listener, raw_request

SECRET = "top secret: not part of the site"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Preview, Path]]:
    """One preview for the whole module, with a secret file beside the site and symlinks to it."""
    base = tmp_path_factory.mktemp("serve-http")
    secret = base / "secret.txt"
    secret.write_text(SECRET, "utf-8")
    (base / "secret-dir").mkdir()
    (base / "secret-dir" / "index.html").write_text(SECRET, "utf-8")
    root = base / "site"
    files = {
        "site.yml": (
            "title: {ar: أرشيف, it: Archivio}\nbase_url: https://example.org/\n"
            "languages: [ar, it]\n"
        ),
        "content/tags.yml": "russia:\n  label: {ar: روسيا, it: Russia}\n",
        "content/outlets.yml": "meteoweb:\n  name: MeteoWeb\n  language: it\n",
        "content/articles/it/uno.md": article(
            title="Uno",
            date="2025-01-02",
            outlet="meteoweb",
            language="it",
            tags="[russia]",
            body="Testo.",
        ),
        "content/articles/it/arabic-slug.md": article(
            title="Slug",
            date="2025-01-01",
            outlet="meteoweb",
            language="it",
            tags="[russia]",
            slug="مقال",
            body="Arabic slug.",
        ),
        "themes/default/static/app.wasm": "\0asm",
        "themes/default/static/app.js": "console.log(1);",
        "themes/default/static/data.json": "{}",
        "themes/default/static/icon.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    preview = Preview(root, port=0)
    preview.start()
    site_root = preview.rebuilder.root
    assert site_root is not None
    os.symlink(secret, site_root / "leak.txt")
    os.symlink(base / "secret-dir", site_root / "leakdir")
    os.symlink(secret, site_root / "it" / "leak.html")
    yield preview, secret
    preview.close()


TRAVERSALS = [
    "/../secret.txt",
    "/../../../../etc/passwd",
    "/it/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/%2e%2e/etc/passwd",
    "/it/%2e%2e%2f%2e%2e%2fsecret.txt",
    "/%2e%2e%2fsecret.txt",
    "/%252e%252e/secret.txt",
    "/%252e%252e%252fsecret.txt",
    "/it%2f..%2f..%2fsecret.txt",
    "/..%5csecret.txt",
    "/it/..\\..\\secret.txt",
    "/%5c..%5c..%5csecret.txt",
    "//etc/passwd",
    "/%2fetc/passwd",
    "http://127.0.0.1/../secret.txt",
    "/etc/passwd%00.html",
    "/leak.txt",
    "/leakdir/",
    "/leakdir/index.html",
    "/it/leak.html",
    "/.briefgen-manifest",
    "/it/articles/",
    "/static/",
    "*",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_nothing_outside_the_build_is_served(served: tuple[Preview, Path], target: str) -> None:
    preview, _ = served
    response = raw_request(preview.server.port, target)
    assert response.status == 404, (target, response.status, response.body[:200])
    assert SECRET not in response.text and "root:" not in response.text
    assert "Directory listing" not in response.text


def test_directories_redirect_to_their_slash_and_serve_index(served: tuple[Preview, Path]) -> None:
    preview, _ = served
    port = preview.server.port
    redirect = raw_request(port, "/it/articles/uno")
    assert redirect.status == 301 and redirect.headers["location"] == "/it/articles/uno/"
    slug = quote("مقال")
    arabic = raw_request(port, f"/it/articles/{slug}")
    assert arabic.status == 301 and arabic.headers["location"] == f"/it/articles/{slug}/"
    assert "Arabic slug." in raw_request(port, f"/it/articles/{slug}/").text
    page = raw_request(port, "/it/articles/uno/?utm=x")
    assert page.status == 200 and "Testo." in page.text


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/it/", "text/html; charset=utf-8"),
        ("/it/atom.xml", "application/xml; charset=utf-8"),
        ("/sitemap.xml", "application/xml; charset=utf-8"),
        ("/static/style.css", "text/css; charset=utf-8"),
        ("/static/app.js", "text/javascript; charset=utf-8"),
        ("/static/data.json", "application/json; charset=utf-8"),
        ("/static/icon.svg", "image/svg+xml; charset=utf-8"),
        ("/static/app.wasm", "application/wasm"),
    ],
)
def test_content_types(served: tuple[Preview, Path], path: str, expected: str) -> None:
    preview, _ = served
    response = raw_request(preview.server.port, path)
    assert response.status == 200
    assert response.headers["content-type"] == expected
    assert response.headers["x-content-type-options"] == "nosniff"
    assert not any(name.startswith("access-control-") for name in response.headers)
    if not path.endswith("/"):
        assert b"__briefgen__" not in response.body  # the script goes into HTML pages only


@pytest.mark.parametrize(
    "host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}", "[::1]:{port}"]
)
def test_requests_addressed_to_the_server_are_answered(
    served: tuple[Preview, Path], host: str
) -> None:
    preview, _ = served
    port = preview.server.port
    assert raw_request(port, "/it/", host=host.format(port=port)).status == 200


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:{port}",
        "127.0.0.1",
        "127.0.0.1:{other}",
        "127.0.0.1.evil.example:{port}",
        "localhost.:{port}",
        "",
        "0.0.0.0:{port}",
    ],
)
def test_other_hosts_are_refused(served: tuple[Preview, Path], host: str) -> None:
    """DNS rebinding: a page of evil.example resolved to 127.0.0.1 sends ``Host: evil.example``."""
    preview, _ = served
    port = preview.server.port
    response = raw_request(port, "/it/", host=host.format(port=port, other=port + 1))
    assert response.status in (400, 421)
    assert "<html" not in response.text
    events = raw_request(port, "/__briefgen__/events", host=host.format(port=port, other=port + 1))
    assert events.status in (400, 421)


def test_the_reload_channel_refuses_other_origins(served: tuple[Preview, Path]) -> None:
    preview, _ = served
    port = preview.server.port
    foreign = Listener(port, origin="http://evil.example")
    assert foreign.status_code == 403
    foreign.close()
    lookalike = Listener(port, origin=f"http://127.0.0.1:{port}.evil.example")
    assert lookalike.status_code == 403
    lookalike.close()
    own = Listener(port, origin=f"http://localhost:{port}")
    assert own.status_code == 200
    assert "access-control-allow-origin" not in own.head.lower()
    assert own.next_status()["error"] is None
    own.close()


def test_only_get_and_head(served: tuple[Preview, Path]) -> None:
    preview, _ = served
    import socket

    with socket.create_connection(("127.0.0.1", preview.server.port), timeout=10) as sock:
        sock.sendall(
            f"POST /it/ HTTP/1.1\r\nHost: 127.0.0.1:{preview.server.port}\r\n"
            "Content-Length: 0\r\n\r\n".encode()
        )
        assert sock.recv(100).split()[1] == b"501"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/", ""),
        ("/ar/articles/x/", "ar/articles/x/"),
        ("/ar/%D8%A7/?q=1#f", "ar/\u0627/"),
        ("/a/../b", None),
        ("/a/./b", None),
        ("/a//b", None),
        ("/%2e%2e/x", None),
        ("/%252e%252e/x", None),
        ("/a%2f..%2fb", None),
        ("/a\\b", None),
        ("/a%5cb", None),
        ("/a%00b", None),
        ("/%ff", None),
        ("/.git/config", None),
        ("relative", None),
        ("//host/x", None),
    ],
)
def test_clean_path(target: str, expected: str | None) -> None:
    assert clean_path(target) == expected


def test_allowed_hosts() -> None:
    assert allowed_hosts("127.0.0.1", 8000) == {"127.0.0.1:8000", "localhost:8000", "[::1]:8000"}
    assert "192.168.1.5:8000" in allowed_hosts("192.168.1.5", 8000)
    assert content_type("x.WASM") == "application/wasm"
    assert content_type("notes.txt") == "text/plain; charset=utf-8"


def test_a_symlinked_page_inside_the_build_is_served(make_site: MakeSite) -> None:
    """Symlinks are judged by where they lead: inside the served build they are fine."""
    root = make_site(
        {
            "content/articles/it/uno.md": article(
                title="Uno",
                date="2025-01-02",
                outlet="meteoweb",
                language="it",
                tags="[russia]",
                body="Testo.",
            )
        }
    )
    with Preview(root, port=0) as preview:
        preview.start()
        site_root = preview.rebuilder.root
        assert site_root is not None
        os.symlink(site_root / "it" / "index.html", site_root / "it" / "alias.html")
        assert raw_request(preview.server.port, "/archive/it/alias.html").status == 200
