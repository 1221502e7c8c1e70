"""Helpers for the tests that stop a build as a user or CI does (Ctrl-C, SIGTERM, ``kill -9``):
run briefgen from this checkout, and watch its processes through Linux's ``/proc``."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HAS_PROC = Path("/proc/self/stat").is_file()
"""Whether processes can be watched (Linux)."""


def _stat(pid: str) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name: state, parent, group, ..."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rpartition(")")[2].split()


def running(*, parent: int | None = None, group: int | None = None) -> list[int]:
    """Processes not yet ended (zombies have) with this parent or in this process group."""
    found = []
    for entry in os.listdir("/proc"):
        fields = _stat(entry) if entry.isdigit() else None
        if fields is None or fields[0] == "Z":
            continue
        if int(fields[1]) == parent or int(fields[2]) == group:
            found.append(int(entry))
    return found


def group_alive(group: int) -> bool:
    """Whether a process of ``group`` still runs (zombies hold no files or locks)."""
    return bool(running(group=group))


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


def environment(pagefind: Path | None = None, **more: str) -> dict[str, str]:
    """The environment to run briefgen from this checkout in; ``pagefind``: the binary it
    runs (a stand-in)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), **more}
    if pagefind is not None:
        env["PAGEFIND_BINARY_PATH"] = str(pagefind)
    return env
