"""Fetching a web page safely: the one way ``import`` and ``check --links`` reach the network.

Every request has a timeout, a size cap (refused while streaming, never read whole first), a
User-Agent naming briefgen, and follows at most :data:`MAX_REDIRECTS` redirects itself, so each
hop is checked like the first: only ``http`` and ``https``, and only to public addresses. The
host name is resolved here and the connection made to the address that was checked (a second
lookup could answer otherwise); private, loopback, link-local, multicast and reserved addresses
are refused unless ``allow_local`` (tests serve pages on 127.0.0.1).
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urljoin, urlsplit

USER_AGENT = "briefgen/0.1 (news-briefing archive: import and link check; one request per page)"
TIMEOUT = 20.0
"""Seconds to wait for a connection, and then for each read."""
MAX_BYTES = 10 * 1024 * 1024
"""The largest page read (10 MB): larger ones are refused while streaming."""
READ_SECONDS = 60.0
"""The least time a whole page may take to arrive (three timeouts, when that is longer)."""
MAX_REDIRECTS = 5
REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT = frozenset({301, 308})
_CHUNK = 64 * 1024


class FetchError(Exception):
    """A URL that could not be fetched, or was refused; the message says why."""


@dataclass(frozen=True, slots=True)
class Rules:
    """How far a fetch may go."""

    allow_local: bool = False
    """Allow private, loopback and link-local addresses (for testing against a local server)."""
    timeout: float = TIMEOUT
    max_bytes: int = MAX_BYTES
    max_redirects: int = MAX_REDIRECTS


@dataclass(frozen=True, slots=True)
class Hop:
    """One redirect followed."""

    status: int
    url: str
    """Where it led."""


@dataclass(frozen=True, slots=True)
class Response:
    """What the last request answered, after every redirect."""

    url: str
    """The address that answered (the requested one unless redirected)."""
    status: int
    reason: str
    headers: Mapping[str, str]
    """Header names in lower case."""
    body: bytes
    hops: tuple[Hop, ...] = field(default=())

    @property
    def content_type(self) -> str:
        """The media type, lower case, without parameters ('' when not given)."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        """The ``charset`` parameter of Content-Type, when given."""
        match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", self.headers.get("content-type", ""))
        return match.group(1) if match else None


def check_scheme(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL; FetchError for anything else."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = f"{scheme!r} URLs" if scheme else "addresses without http:// or https://"
        raise FetchError(f"refused: only http and https are fetched, not {shown}")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise FetchError("refused: the port is not a number from 0 to 65535") from None
    if not parts.hostname:
        raise FetchError("refused: the URL names no host")
    return scheme, parts.hostname, port


def _refusal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address is not public, or None when it is."""
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    for kind, yes in (
        ("loopback", address.is_loopback),
        ("private", address.is_private),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved or address.is_unspecified),
    ):
        if yes:
            return kind
    return None if address.is_global else "non-public"


def resolve(host: str, port: int, rules: Rules) -> str:
    """The address to connect to: every address the name resolves to must be allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:  # pragma: no cover - getaddrinfo raises instead
        raise FetchError(f"cannot resolve host {host!r}")
    if not rules.allow_local:
        for text in addresses:
            kind = _refusal(ipaddress.ip_address(text.split("%")[0]))
            if kind is not None:
                raise FetchError(
                    f"refused: {host} resolves to {text}, a {kind} address "
                    "(pass --allow-local to allow it)"
                )
    return addresses[0]


class _Pinned(http.client.HTTPConnection):
    """A connection to the address checked, whatever a second lookup would say."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedTLS(http.client.HTTPSConnection):
    """:class:`_Pinned` over TLS, the certificate checked against the host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


def fetch(
    url: str,
    rules: Rules = Rules(),
    *,
    read_body: bool = True,
    accept: frozenset[str] | None = None,
) -> Response:
    """GET ``url``, following redirects one checked hop at a time; FetchError says why not.

    ``read_body=False`` reads only the status and headers (the link check); ``accept``: the
    media types whose body is read (any other is refused before reading, '' for none given).
    """
    hops: list[Hop] = []
    current = url.strip()
    while True:
        response = _get(current, rules, read_body=read_body, accept=accept)
        location = response.headers.get("location")
        if response.status not in REDIRECTS or not location:
            return Response(
                response.url,
                response.status,
                response.reason,
                response.headers,
                response.body,
                tuple(hops),
            )
        if len(hops) >= rules.max_redirects:
            raise FetchError(f"more than {rules.max_redirects} redirects (last to {current})")
        current = urljoin(current, location.strip())
        hops.append(Hop(response.status, current))


def _get(url: str, rules: Rules, *, read_body: bool, accept: frozenset[str] | None) -> Response:
    """One request, no redirect followed."""
    scheme, host, port = check_scheme(url)
    address = resolve(host, port, rules)
    kind = _PinnedTLS if scheme == "https" else _Pinned
    connection = kind(host, port, address, rules.timeout)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(
            "GET",
            target,
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
                "Accept-Encoding": "identity",
            },
        )
        answer = connection.getresponse()
        headers = {name.lower(): value for name, value in answer.getheaders()}
        response = Response(url, answer.status, answer.reason, headers, b"")
        if not read_body or answer.status >= 300:
            return response
        if accept is not None and response.content_type not in accept:
            raise FetchError(f"content type {response.content_type!r} is not a web page: refused")
        return replace(response, body=_read(answer, headers, rules))
    except TimeoutError:
        raise FetchError(f"timed out after {rules.timeout:g} s") from None
    except ssl.SSLError as exc:
        raise FetchError(f"TLS failed: {exc.reason or exc}") from None
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError(f"connection failed: {exc or type(exc).__name__}") from None
    finally:
        connection.close()


def size_text(size: int) -> str:
    """``10 MiB``, or ``1,000 bytes``: how a size cap is named in messages."""
    return f"{size / (1 << 20):g} MiB" if size >= 1 << 20 else f"{size:,} bytes"


def _read(answer: http.client.HTTPResponse, headers: Mapping[str, str], rules: Rules) -> bytes:
    """The body, refused as soon as it is known to pass the size cap."""
    limit = rules.max_bytes
    cap = size_text(limit)
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FetchError(f"the page is larger than {cap} ({int(declared):,} bytes): refused")
    chunks: list[bytes] = []
    size = 0
    # Each read waits at most the timeout; a server trickling bytes is stopped here.
    budget = max(READ_SECONDS, 3 * rules.timeout)
    deadline = time.monotonic() + budget
    while chunk := answer.read1(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise FetchError(f"the page is larger than {cap}: refused while reading")
        if time.monotonic() > deadline:
            raise FetchError(f"the page took more than {budget:g} s to arrive: refused")
        chunks.append(chunk)
    return b"".join(chunks)
