"""The article file ``import`` and ``new`` write: its YAML values and comments, and writing it."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import yaml

from briefgen.errors import UsageError
from briefgen.importer.clean import Line, Removed
from briefgen.importer.facts import Found


def yaml_text(value: str) -> str:
    """A YAML scalar that reads back as exactly ``value``."""
    dumped = yaml.safe_dump(value, allow_unicode=True, width=1_000_000, default_style=None)
    return dumped.removesuffix("\n...\n").rstrip("\n")


# YAML also breaks lines at NEL, LS and PS, and refuses most control characters: in a comment
# they would end it early (the rest read as front matter) or make the file unreadable.
_NOT_IN_COMMENT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def comment(text: str) -> str:
    """One line of text as a YAML comment; characters YAML would not keep there are escaped."""
    safe = _NOT_IN_COMMENT.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return f"# {safe}".rstrip()


def front_matter(
    *,
    title: str,
    date_text: str,
    added: date | None,
    outlet: str,
    via: str | None,
    language: str,
    tags: Sequence[str],
    agency: Found | None,
    source_url: str | None,
    source: Path,
    filled: Sequence[tuple[str, str, str]],
    missing: Sequence[tuple[str, str]],
    review: Sequence[str],
    dropped: Sequence[Line],
    removed: Sequence[Removed],
    origin: str | None = None,
    accessed: str | None = None,
) -> str:
    """An imported article's front matter: its fields (``added``: the day of the import), then
    as comments where the text came from, how each field was found, what is not filled, what
    to review, and every line and character taken out of the copy. ``origin``: the URL a page
    was fetched from (else the input file's name is recorded); ``accessed``: the day it was
    fetched."""
    out = [
        f"title: {yaml_text(title)}",
        f"date: {date_text}",
    ]
    if added is not None:
        out.append(f"added: {added.isoformat()}")
    out.append(f"outlet: {outlet}")
    if via is not None:
        out.append(f"via: {via}")
    out.append(f"language: {language}")
    out.append(f"tags: [{', '.join(tags)}]")
    if source_url is not None:
        out.append(f"source_url: {yaml_text(source_url)}")
    if accessed is not None:
        out.append(f"accessed: {accessed}")
    if agency is not None:
        out.append(f"agency: {yaml_text(agency.value)}")
    out.append(comment(f"Imported from: {origin or source.name}"))
    out.extend(comment(f"{name}: {how}.") for name, _value, how in filled)
    out.extend(comment(f"{name}: NOT FILLED: {why}.") for name, why in missing)
    out.extend(comment(f"REVIEW: {note}.") for note in review)
    if dropped:
        out.append(comment("Removed lines (line: text [reason]):"))
        out.extend(
            comment(f"  {line.number}: {shown(line.text)} [{line.role.value}]") for line in dropped
        )
    else:
        out.append(comment("Removed lines: none."))
    if removed:
        out.append(comment("Removed characters (line: column: what):"))
        out.extend(comment(f"  {r.number}: {r.column}: {r.reason}") for r in removed)
    return "\n".join(out) + "\n"


def shown(text: str) -> str:
    """A dropped line for the report: its text, or what invisible characters it holds."""
    if text.strip():
        return text.strip()
    return "(only a non-breaking space)" if "\u00a0" in text else "(only white space)"


def write_new(target: Path, text: str, *, overwrite: bool, root: Path) -> None:
    """Write ``text`` to ``target`` whole or not at all.

    The text goes to a temporary file beside ``target`` first, synced, then takes its name: a
    Ctrl-C or a crash never leaves an empty or partial article (which the next import would
    refuse as already there), and a failed write leaves no temporary file. Without
    ``overwrite`` an existing file is never replaced. ``root``: the site root, which messages
    name files from.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temp = _temporary_beside(target)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(temp, target)
        else:
            _link_new(temp, target, root)
    finally:
        temp.unlink(missing_ok=True)  # after a replace it is gone already


def _temporary_beside(target: Path) -> tuple[int, Path]:
    """A new file, open for writing, in ``target``'s folder: hidden and not ``*.md`` (no reader
    lists it), with the permissions the umask gives a new file (``mkstemp`` would make it
    private)."""
    while True:
        temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), temp
        except FileExistsError:
            continue


def _link_new(temp: Path, target: Path, root: Path) -> None:
    """Give the written ``temp`` the name ``target``, never replacing a file that has it: a
    hard link fails when the name is taken, where a rename would replace it."""
    taken = f"{site_path(target, root)}: already exists; refusing to overwrite it"
    try:
        os.link(temp, target)
    except FileExistsError:
        raise UsageError(taken) from None
    except OSError:  # a file system without hard links (FAT): look, then rename
        if target.exists():
            raise UsageError(taken) from None
        os.replace(temp, target)


def site_path(path: Path, root: Path) -> str:
    """``path`` from the site root, the way every error names a file of the site."""
    return Path(os.path.relpath(path, root)).as_posix()
