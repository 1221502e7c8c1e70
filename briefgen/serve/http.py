"""The preview HTTP server: only the built site, only to requests addressed to it.

Paths are checked before touching the file system: a request target is decoded exactly once,
and anything that could climb out of the served directory (``..``, encoded or double-encoded
separators, backslashes, NUL, absolute forms, dot-files) is a 404, as is any file whose real
path (symlinks resolved) is outside the served directory. Directories are never listed. The
``Host`` header must name this server (against DNS rebinding), no CORS header is ever sent, and
the live-reload channel refuses requests from another ``Origin``.
"""

from __future__ import annotations

import contextlib
import ipaddress
import mimetypes
import os
import posixpath
import socket
import sys
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from briefgen.serve.reload import EVENTS_PATH, Broadcaster, Status, inject, overlay, script

CONNECTION_TIMEOUT = 10.0
"""Seconds a connection may stay silent before it is dropped (a slow client holds one thread)."""

HEARTBEAT = 15.0
"""Seconds between keep-alive comments on the live-reload channel."""

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
    ".wasm": "application/wasm",
    ".woff2": "font/woff2",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
}
"""Explicit types: the platform's mimetypes table varies and often lacks ``.wasm``."""


def content_type(name: str) -> str:
    """The ``Content-Type`` for a file name; UTF-8 for every text type."""
    suffix = posixpath.splitext(name)[1].lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


def clean_path(target: str) -> str | None:
    """The site-relative path a request target names, or None when it is not a plain path.

    Decodes percent escapes once; a path still containing an escape afterwards (double
    encoding), or one that has ``.``/``..`` segments, empty segments, backslashes, NUL or
    control characters, or names a dot-file, is refused.
    """
    path = target.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/") or path.startswith("//"):
        return None
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    if "%" in decoded and unquote(decoded) != decoded:
        return None
    if "\\" in decoded or any(ord(c) < 0x20 or c == "\x7f" for c in decoded):
        return None
    parts = decoded[1:].split("/")
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "" and not last:
            return None
        if part.startswith("."):
            return None
    return decoded[1:]


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address: nothing outside this machine can connect."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """``Host`` header values that address this server (lower case)."""
    names = {host.lower()}
    if is_loopback(host):
        names |= {"localhost", "127.0.0.1", "[::1]"}
    if ":" in host and not host.startswith("["):
        names.add(f"[{host}]")
    with_port = {f"{name}:{port}" for name in names if name != host or ":" not in host}
    with_port |= {f"[{host}]:{port}"} if ":" in host else set()
    if port == 80:
        with_port |= names
    return frozenset(with_port)


def _wildcard(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


class PreviewServer(ThreadingHTTPServer):
    """A threading server whose handler threads are daemons and whose connections it can end."""

    daemon_threads = True
    request_queue_size = 512
    """Connections waiting to be accepted: a page load or a test burst opens hundreds at once."""
    block_on_close = False

    def __init__(
        self,
        address: tuple[str, int],
        *,
        site_root: Callable[[], Path | None],
        base_path: Callable[[], str],
        broadcaster: Broadcaster,
    ) -> None:
        self.site_root = site_root
        self.base_path = base_path
        self.broadcaster = broadcaster
        self._connections: set[socket.socket] = set()
        self._workers: set[threading.Thread] = set()
        self._lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, PreviewHandler)
        self.host = address[0]
        self.port = int(self.server_address[1])
        self.hosts = allowed_hosts(self.host, self.port)

    def host_allowed(self, header: str | None) -> bool:
        """Whether a ``Host`` header names this server."""
        if not header:
            return False
        value = header.strip().lower()
        if value in self.hosts:
            return True
        if not _wildcard(self.host):
            return False
        # Bound to every interface: accept IP literals and this machine's names, with our port.
        name, _, port = value.rpartition(":")
        if port != str(self.port):
            return False
        name = name.strip("[]")
        if name in ("localhost", socket.gethostname().lower()):
            return True
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up early is normal (a reload mid-page); anything else is shown."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._handle,
            args=(request, client_address),
            daemon=True,
            name="briefgen-serve-request",
        )
        with self._lock:
            self._connections.add(request)
            self._workers.add(thread)
        thread.start()

    def _handle(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._lock:
                self._connections.discard(request)
                self._workers.discard(threading.current_thread())

    def close_connections(self, timeout: float = 5.0) -> None:
        """End every open connection and wait for its thread (after ``shutdown()``)."""
        with self._lock:
            connections = list(self._connections)
            threads = list(self._workers)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for thread in threads:
            thread.join(timeout)


class PreviewHandler(BaseHTTPRequestHandler):
    """Serves the last good build, with the live-reload script in every HTML page."""

    server: PreviewServer
    protocol_version = "HTTP/1.0"
    timeout = CONNECTION_TIMEOUT
    server_version = "briefgen-serve"
    sys_version = ""

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal shows rebuilds and errors, not every request."""

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _refuse(self, status: HTTPStatus, text: str | None = None) -> None:
        body = (text or status.phrase).encode("utf-8") + b"\n"
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _serve(self, head: bool) -> None:
        if not self.server.host_allowed(self.headers.get("Host")):
            self._refuse(HTTPStatus.MISDIRECTED_REQUEST, "not addressed to this server")
            return
        target = self.path.split("?", 1)[0]
        if target == EVENTS_PATH:
            self._events(head)
            return
        rel = clean_path(self.path)
        if rel is None:
            self._refuse(HTTPStatus.NOT_FOUND)
            return
        status = self.server.broadcaster.status
        root = self.server.site_root()
        if root is None:
            page = _waiting_page(status)
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, page, "text/html; charset=utf-8", head)
            return
        base = self.server.base_path().lstrip("/")
        if not rel.startswith(base):
            if rel == "" or f"{rel}/" == base:
                self._redirect("/" + base)
            else:
                self._refuse(HTTPStatus.NOT_FOUND)
            return
        rel = rel[len(base) :]
        file = _resolve(root, rel)
        if file is not None and file.is_dir():
            if rel and not rel.endswith("/"):
                self._redirect("/" + base + rel + "/")
                return
            file = _resolve(root, rel + "index.html")
        if file is None or not file.is_file():
            self._refuse(HTTPStatus.NOT_FOUND)
            return
        try:
            data = file.read_bytes()
        except OSError:  # replaced or removed by a rebuild a moment ago
            self._refuse(HTTPStatus.NOT_FOUND)
            return
        ctype = content_type(file.name)
        if ctype.startswith("text/html"):
            data = inject(data, status)
        self._send(HTTPStatus.OK, data, ctype, head)

    def _send(self, status: HTTPStatus, data: bytes, ctype: str, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", quote(location, safe="/"))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _events(self, head: bool) -> None:
        """Server-Sent Events: the status now, then at every change, until the server stops."""
        origin = self.headers.get("Origin")
        if origin is not None and not self._same_origin(origin):
            self._refuse(HTTPStatus.FORBIDDEN, "the live-reload channel is for this server's pages")
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if head:
            return
        broadcaster = self.server.broadcaster
        seen: Status | None = None
        try:
            self.wfile.write(b"retry: 500\n\n")
            while True:
                status = broadcaster.wait(seen, HEARTBEAT)
                if broadcaster.closed:
                    break
                if status is None:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    self.wfile.write(status.message())
                    seen = status
                self.wfile.flush()
        except OSError:
            pass  # the page went away
        self.close_connection = True

    def _same_origin(self, origin: str) -> bool:
        scheme, _, rest = origin.partition("://")
        return scheme == "http" and self.server.host_allowed(rest)


def _resolve(root: Path, rel: str) -> Path | None:
    """What ``rel`` names under ``root`` with symlinks resolved, or None when it is outside."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(os.path.join(real_root, rel))
    if real != real_root and not real.startswith(real_root + os.sep):
        return None
    return Path(real) if os.path.exists(real) else None


def _waiting_page(status: Status) -> bytes:
    """What every page is before the first build succeeds: the error, and a reload when fixed."""
    body = overlay(status.error) if status.error else "<p>Building…</p>\n"
    page = (
        '<!DOCTYPE html>\n<html lang="en" dir="ltr"><head><meta charset="utf-8">'
        "<title>briefgen: no build yet</title></head>\n<body>\n"
        f"{body}{script(status)}</body></html>\n"
    )
    return page.encode("utf-8")
