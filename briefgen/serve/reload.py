"""The live-reload channel: a build epoch and the current error, pushed as Server-Sent Events.

Every page served while previewing carries the epoch it was built at. The page listens on
:data:`EVENTS_PATH`; each message says the current epoch and error. A page whose epoch is
older reloads itself; a message with an error shows it over the page (the last good build stays
underneath), and the next good build clears it by reloading. The search index is refreshed after
the pages (see :class:`~briefgen.serve.Preview`) and has an epoch of its own: the search page
reads the index once, as it loads, so it reloads again when the index is refreshed; other pages
do not.
"""

from __future__ import annotations

import html
import json
import threading
from dataclasses import dataclass, replace

EVENTS_PATH = "/__briefgen__/events"
"""Where pages listen for rebuilds; never a path of the site (briefgen URLs have no ``__``)."""

SEARCH_PAGE = "briefgen-search"
"""The id of the search page's settings element (``templates/search.html``; the theme's
``static/search/pagefind.js`` reads it): a page that has it reloads when the index changes."""


@dataclass(frozen=True, slots=True)
class Status:
    """What the channel announces."""

    epoch: str
    """Changes whenever a rebuild succeeds."""
    error: str | None
    """The last rebuild's errors (``path:line: message`` lines), or None once it succeeded."""
    index: str
    """Changes whenever the search index is refreshed after an edit."""

    def message(self) -> bytes:
        """One Server-Sent Event."""
        fields = {"epoch": self.epoch, "error": self.error, "index": self.index}
        data = json.dumps(fields, ensure_ascii=True)
        return f"event: status\ndata: {data}\n\n".encode("ascii")


class Broadcaster:
    """Holds the status; request threads wait on it for the next change."""

    def __init__(self, token: str) -> None:
        self._token = token
        self._count = 0
        self._indexed = 0
        self._status = Status(f"{token}-0", None, f"{token}-i0")
        self._changed = threading.Condition()
        self._closed = False

    @property
    def status(self) -> Status:
        """The current status."""
        with self._changed:
            return self._status

    @property
    def closed(self) -> bool:
        """True once the server is stopping: listeners return."""
        with self._changed:
            return self._closed

    def built(self) -> Status:
        """A rebuild succeeded: a new epoch, no error."""
        with self._changed:
            self._count += 1
            self._status = Status(f"{self._token}-{self._count}", None, self._status.index)
            self._changed.notify_all()
            return self._status

    def indexed(self) -> Status:
        """The search index was refreshed: a new index epoch (search pages reload)."""
        with self._changed:
            self._indexed += 1
            self._status = replace(self._status, index=f"{self._token}-i{self._indexed}")
            self._changed.notify_all()
            return self._status

    def failed(self, error: str) -> Status:
        """A rebuild failed: same epoch (the last good build), with the error."""
        with self._changed:
            self._status = replace(self._status, error=error)
            self._changed.notify_all()
            return self._status

    def wait(self, seen: Status | None, timeout: float) -> Status | None:
        """The status once it differs from ``seen``; None on timeout or when closed."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self._status != seen, timeout)
            if self._closed or self._status == seen:
                return None
            return self._status

    def close(self) -> None:
        """Wake every listener so its connection ends."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()


_SCRIPT = """<script data-briefgen-reload>(() => {
  const built = %(epoch)s, indexed = %(index)s;
  const show = (text) => {
    let box = document.getElementById("briefgen-error");
    if (!box) {
      box = document.createElement("div");
      box.id = "briefgen-error";
      box.dir = "ltr";
      box.lang = "en";
      box.setAttribute("role", "alert");
      box.style.cssText = %(style)s;
      box.appendChild(document.createElement("strong")).textContent = %(title)s;
      box.appendChild(document.createElement("pre")).style.whiteSpace = "pre-wrap";
      document.body.appendChild(box);
    }
    box.querySelector("pre").textContent = text;
  };
  const source = new EventSource(%(events)s);
  source.addEventListener("status", (event) => {
    const status = JSON.parse(event.data);
    if (status.error) { show(status.error); return; }
    const searching = document.getElementById(%(search)s) !== null;
    if (status.epoch !== built || (searching && status.index !== indexed)
        || document.getElementById("briefgen-error")) {
      source.close();
      location.reload();
    }
  });
})();</script>
"""

OVERLAY_TITLE = "briefgen: the last edit does not build; showing the last good build"

OVERLAY_STYLE = (
    "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;"
    "margin:0;padding:1em;background:#2b0000;color:#fff;font:14px/1.4 monospace;"
    "text-align:left;border-top:4px solid #f33"
)


def overlay(error: str) -> str:
    """The error box, rendered by the server so it shows even before the script runs."""
    return (
        f'<div id="briefgen-error" dir="ltr" lang="en" role="alert" style="{OVERLAY_STYLE}">'
        f"<strong>{html.escape(OVERLAY_TITLE)}</strong>"
        f'<pre style="white-space:pre-wrap">{html.escape(error)}</pre></div>\n'
    )


def script(status: Status) -> str:
    """The live-reload script for a page built at ``status.epoch``, with ``status.index``."""
    return _SCRIPT % {
        "epoch": _js(status.epoch),
        "index": _js(status.index),
        "search": _js(SEARCH_PAGE),
        "style": _js(OVERLAY_STYLE),
        "events": _js(EVENTS_PATH),
        "title": _js(OVERLAY_TITLE),
    }


def inject(page: bytes, status: Status) -> bytes:
    """``page`` with the script (and the error box, if any) before its last ``</body>``."""
    extra = (overlay(status.error) if status.error else "") + script(status)
    marker = page.lower().rfind(b"</body>")
    if marker < 0:
        return page + extra.encode("utf-8")
    return page[:marker] + extra.encode("utf-8") + page[marker:]


def _js(value: str) -> str:
    """A JavaScript string literal safe inside ``<script>``."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")
