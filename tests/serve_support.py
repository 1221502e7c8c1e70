"""Helpers for the serve tests: a live-reload listener and raw HTTP requests.

Raw sockets, so that request targets reach the server exactly as written (no client
normalises ``..`` or percent escapes away).
"""

from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def raw_request(port: int, target: str, host: str | None = None, extra: str = "") -> Response:
    """Send ``GET target`` verbatim and read the whole response (the server closes it)."""
    host_line = (
        f"Host: {host if host is not None else f'127.0.0.1:{port}'}\r\n" if host != "" else ""
    )
    request = f"GET {target} HTTP/1.1\r\n{host_line}{extra}Connection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request.encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Response(int(lines[0].split()[1]), headers, body)


class Listener:
    """The live-reload channel, read as a page's EventSource would."""

    def __init__(self, port: int, origin: str | None = None) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        origin_line = f"Origin: {origin}\r\n" if origin else ""
        self.sock.sendall(
            f"GET /__briefgen__/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"{origin_line}\r\n".encode()
        )
        self.buffer = b""
        self.head = self._read_until(b"\r\n\r\n").decode("latin-1")

    def _read_until(self, marker: bytes) -> bytes:
        while marker not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("channel closed")
            self.buffer += chunk
        block, self.buffer = self.buffer.split(marker, 1)
        return block

    @property
    def status_code(self) -> int:
        return int(self.head.split()[1])

    def next_status(self, timeout: float = 30) -> dict[str, object]:
        """The next status event (comments and the retry line are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            block = self._read_until(b"\n\n").decode()
            for line in block.splitlines():
                if line.startswith("data: "):
                    return dict(json.loads(line[6:]))

    def until(self, predicate: object, timeout: float = 30) -> dict[str, object]:
        """The first status for which ``predicate(status)`` is true."""
        assert callable(predicate)
        deadline = time.monotonic() + timeout
        while True:
            status = self.next_status(max(0.01, deadline - time.monotonic()))
            if predicate(status):
                return status

    def close(self) -> None:
        self.sock.close()
