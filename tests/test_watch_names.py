"""The preview's watcher takes a path that comes as bytes (watchdog reports a path given as bytes
that way) as the file system has it: one that is not UTF-8 (a Latin-1 name, a name in the C
locale) was decoded as UTF-8 and crashed the watching thread."""

from __future__ import annotations

import os
from pathlib import Path

from watchdog.events import FileModifiedEvent

from briefgen.serve.watch import Debouncer, _Handler


def test_a_file_name_in_bytes_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    debouncer = Debouncer(quiet=0.01)
    handler = _Handler(tmp_path, (), debouncer)
    name = os.fsencode(tmp_path / "content/articles/it") + b"/caff\xe8.md"  # Latin-1
    handler.on_any_event(FileModifiedEvent(name))
    change = debouncer.take(idle=5)
    assert change is not None and change.articles == {Path(os.fsdecode(name))}
