"""A small web server on 127.0.0.1 for the tests of ``import`` and ``check --links``: saved
pages, redirects, errors, a slow answer and a huge page, never the internet."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    """What one path answers."""

    status: int = 200
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    location: str | None = None
    delay: float = 0.0
    """Seconds to wait before answering (a slow server)."""
    stream_bytes: int = 0
    """Send this many bytes, in chunks, with no Content-Length (a huge page)."""


@dataclass
class Server:
    """The running server: its routes, the requests it saw and how many ran at once."""

    routes: dict[str, Route]
    port: int = 0
    seen: list[tuple[str, str]] = field(default_factory=list)
    """(path, User-Agent) of every request, in order."""
    busiest: int = 0
    """The most requests handled at the same time."""
    _running: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, format: str, *args: object) -> None:  # quiet tests
            pass

        def do_GET(self) -> None:
            with server._lock:
                server.seen.append((self.path, self.headers.get("User-Agent", "")))
                server._running += 1
                server.busiest = max(server.busiest, server._running)
            try:
                self.answer(server.routes.get(self.path, Route(404, b"not found")))
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped reading: what a size cap or a timeout does
            finally:
                with server._lock:
                    server._running -= 1

        def answer(self, route: Route) -> None:
            if route.delay:
                time.sleep(route.delay)
            self.send_response(route.status)
            if route.content_type:
                self.send_header("Content-Type", route.content_type)
            if route.location:
                self.send_header("Location", route.location)
            if not route.stream_bytes:
                self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            if route.stream_bytes:
                chunk = b"<p>" + b"x" * (1 << 20) + b"</p>\n"
                sent = 0
                while sent < route.stream_bytes:
                    self.wfile.write(chunk)
                    sent += len(chunk)
            else:
                self.wfile.write(route.body)

    return Handler


def serving(routes: dict[str, Route]) -> Iterator[Server]:
    """Run a server for ``routes`` until the generator is closed (a pytest fixture's body)."""
    state = Server(routes)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)
