"""YAML read as the curator wrote it: a tree of scalars with line numbers, typed by our schema.

PyYAML's resolver reads YAML 1.1: ``no`` becomes False, ``012`` becomes 10, ``12:30:00`` becomes
45000 and dates are parsed on sight. We never construct Python objects from a document. We compose
it (safe, with the C parser when available) and keep every scalar as its source text; each field
then says which type it wants and rejects what does not fit, with the line of the value.
Aliases are refused outright: they are what makes a "billion laughs" document explode.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from briefgen.errors import ErrorList
from briefgen.text import bidi_problem, control_message, forbidden_character

try:  # the C composer is ~10x faster; the pure-Python one behaves the same
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

_STANDARD_TAG = "tag:yaml.org,2002:"


def link_problem(path: Path, within: Path, what: str = "the site") -> str | None:
    """Why ``path`` must not be opened, or None: a symbolic link on its way leads out of
    ``within`` (a resolved directory: a site publishes nothing from outside it), or nowhere."""
    real = Path(os.path.realpath(path))
    if not real.is_relative_to(within):
        return f"symbolic link to {real} leads outside {what}: not read"
    if path.is_symlink() and not real.exists():
        return f"symbolic link to {real.relative_to(within).as_posix()} leads nowhere"
    return None


def read_text(path: Path, errors: ErrorList, *, within: Path, what: str = "the site") -> str | None:
    """A file's text: UTF-8 (a BOM is fine), line ends normalised; None after reporting why not.

    Nothing outside ``within`` is opened (see :func:`link_problem`).
    """
    refused = link_problem(path, within, what)
    if refused is not None:
        errors.add(path, None, refused)
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:  # a folder, no permission
        errors.add(path, None, f"cannot read: {exc.strerror or exc}")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start : exc.start + 1].hex()
        errors.add(
            path,
            line,
            f"not valid UTF-8 (byte 0x{byte} at offset {exc.start}); save the file as UTF-8",
        )
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = forbidden_character(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        errors.add(path, line, control_message(bad.group()))
        return None
    return text


_MAX_DEPTH = 64


@dataclass(frozen=True, slots=True)
class Scalar:
    """A scalar exactly as written."""

    text: str
    """The source text, unquoted and unescaped, never re-typed."""
    line: int
    """1-based line in the file."""
    plain: bool
    """True when written without quotes (so ``null``/``~``/empty mean nothing)."""

    @property
    def is_null(self) -> bool:
        """A plain ``null``, ``~`` or empty value."""
        return self.plain and self.text in ("", "~", "null", "Null", "NULL")


@dataclass(frozen=True, slots=True)
class Seq:
    """A sequence."""

    items: tuple[Node, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Map:
    """A mapping whose keys are scalars; duplicate keys are rejected while parsing."""

    items: tuple[tuple[Scalar, Node], ...]
    line: int

    def get(self, key: str) -> Node | None:
        """The value of ``key``, or None."""
        for k, v in self.items:
            if k.text == key:
                return v
        return None

    def key_line(self, key: str) -> int:
        """The line of ``key`` (or of the mapping when absent)."""
        for k, _ in self.items:
            if k.text == key:
                return k.line
        return self.line


Node = Scalar | Seq | Map


def kind(node: Node) -> str:
    """A reader's word for what a node is, for error messages."""
    if isinstance(node, Map):
        return "a mapping"
    if isinstance(node, Seq):
        return "a list"
    return "empty" if node.is_null else "text"


def parse(text: str, path: Path, errors: ErrorList, line_offset: int = 0) -> Node | None:
    """Compose one YAML document into a :data:`Node` tree; report problems to ``errors``.

    ``line_offset`` is the number of file lines before ``text`` (front matter starts at line 2).
    Returns None when the document is empty or invalid.
    """
    try:
        # The composer resolves an alias to the node it names and forgets where the alias was;
        # the event stream still knows, so the error points at the ``*name`` itself. It also
        # tells an explicit tag (``!!binary``, ``!!python/object``) from one the resolver
        # guessed: we would ignore it, so the writer must not believe it did something.
        # Both are written with a character of their own (``*``, ``!``): a text with neither
        # has no alias or tag to find, and skips that pass (a third of reading front matter).
        events = yaml.parse(text, Loader=_Loader) if "*" in text or "!" in text else ()
        for event in events:
            mark = event.start_mark
            at = mark.line + 1 + line_offset if mark is not None else None
            if isinstance(event, yaml.AliasEvent):
                errors.add(path, at, f"YAML aliases (*{event.anchor}) are not allowed")
                return None
            tag = getattr(event, "tag", None)
            if tag is not None:
                short = "!!" + tag.removeprefix(_STANDARD_TAG)
                shown = short if tag.startswith(_STANDARD_TAG) else tag
                errors.add(path, at, f"YAML tag {shown!r} is not allowed")
                return None
        documents = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark is not None else None
        reason = exc.problem or exc.context or "invalid YAML"
        errors.add(path, line, f"invalid YAML: {reason}")
        return None
    except yaml.reader.ReaderError as exc:  # a control read_text did not see first: no mark
        line = text.count("\n", 0, max(0, text.find(chr(exc.character)))) + 1 + line_offset
        errors.add(path, line, control_message(chr(exc.character)))
        return None
    except yaml.YAMLError as exc:  # pragma: no cover - every other YAML error has a mark
        errors.add(path, None, f"invalid YAML: {exc}")
        return None
    documents = [d for d in documents if d is not None]
    if not documents:
        return None
    if len(documents) > 1:
        second = documents[1].start_mark.line + 1 + line_offset
        errors.add(path, second, "expected one YAML document, found several")
        return None
    converter = _Converter(path, errors, line_offset)
    try:
        return converter.convert(documents[0], 0)
    except _Refused:
        return None


class _Refused(Exception):
    """The document uses a feature we refuse; the reason is already in the error list."""


class _Converter:
    def __init__(self, path: Path, errors: ErrorList, line_offset: int) -> None:
        self.path = path
        self.errors = errors
        self.offset = line_offset
        self.seen: set[int] = set()

    def line(self, node: yaml.Node) -> int:
        return int(node.start_mark.line) + 1 + self.offset

    def refuse(self, node: yaml.Node, message: str) -> _Refused:
        self.errors.add(self.path, self.line(node), message)
        return _Refused()

    def convert(self, node: yaml.Node, depth: int) -> Node:
        # The composer hands an alias back as the very node it names: seeing a node twice
        # means an alias, and refusing it keeps the walk linear whatever the document does.
        if id(node) in self.seen:
            raise self.refuse(node, "YAML aliases (*name) are not allowed")
        self.seen.add(id(node))
        if depth > _MAX_DEPTH:
            raise self.refuse(node, f"YAML nested deeper than {_MAX_DEPTH} levels")
        tag = str(node.tag)
        if not tag.startswith(_STANDARD_TAG):
            raise self.refuse(node, f"YAML tag {tag!r} is not allowed")
        if isinstance(node, yaml.ScalarNode):
            bad = forbidden_character(str(node.value))  # written as an escape ("\x85")
            if bad:
                raise self.refuse(node, control_message(bad.group()))
            # Every scalar may reach a page, a feed or a citation: one check covers them all.
            # Reported, not refused: the rest of the document is still checked.
            bidi = bidi_problem(str(node.value))
            if bidi is not None:
                self.errors.add(self.path, self.line(node), bidi.message)
            # Plain scalars have style None in PyYAML's Python composer but '' in the C one.
            return Scalar(str(node.value), self.line(node), not node.style)
        if isinstance(node, yaml.SequenceNode):
            return Seq(tuple(self.convert(n, depth + 1) for n in node.value), self.line(node))
        assert isinstance(node, yaml.MappingNode)
        items: list[tuple[Scalar, Node]] = []
        keys: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = self.convert(key_node, depth + 1)
            if not isinstance(key, Scalar):
                raise self.refuse(key_node, "mapping keys must be plain text")
            if key.text in keys:
                raise self.refuse(
                    key_node, f"duplicate key {key.text!r} (first on line {keys[key.text]})"
                )
            keys[key.text] = key.line
            items.append((key, self.convert(value_node, depth + 1)))
        return Map(tuple(items), self.line(node))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when a choice is close to ``word``, else an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class Fields:
    """Schema-typed access to one mapping: unknown keys are reported once, on construction."""

    def __init__(
        self,
        node: Map,
        path: Path,
        errors: ErrorList,
        known: Iterable[str],
        what: str = "key",
        context: str = "",
    ) -> None:
        self.node = node
        self.path = path
        self.errors = errors
        self.context = context  # e.g. "outlet 'x': " when the mapping is one entry of a file
        known = tuple(known)
        for key, _ in node.items:
            if key.text not in known:
                errors.add(
                    path,
                    key.line,
                    f"{context}unknown {what} {key.text!r}{did_you_mean(key.text, known)}",
                )

    def __contains__(self, key: str) -> bool:
        value = self.node.get(key)
        return value is not None and not (isinstance(value, Scalar) and value.is_null)

    def line(self, key: str) -> int:
        """The line of the value of ``key`` (the key's own line when the value is absent)."""
        value = self.node.get(key)
        return value.line if value is not None else self.node.key_line(key)

    def error(self, key: str, message: str) -> None:
        """Report ``message`` at the line of ``key``'s value (see :meth:`line`)."""
        self.errors.add(self.path, self.line(key), message)

    def _missing(self, key: str, required: bool) -> None:
        if required:
            if self.node.get(key) is None:
                self.errors.add(
                    self.path, self.node.line, f"{self.context}missing required field {key!r}"
                )
            else:
                self.errors.add(
                    self.path, self.line(key), f"{self.context}{key}: must not be empty"
                )

    def text(self, key: str, *, required: bool = False) -> str | None:
        """A non-empty string, exactly as written (``no`` stays "no", ``012`` stays "012")."""
        value = self.node.get(key)
        if value is None or (isinstance(value, Scalar) and value.is_null):
            self._missing(key, required)
            return None
        if not isinstance(value, Scalar):
            self.errors.add(self.path, value.line, f"{key}: expected text, got {kind(value)}")
            return None
        stripped = value.text.strip()
        if not stripped:
            self._missing(key, required)
            return None
        return stripped

    def boolean(self, key: str) -> bool | None:
        """``true`` or ``false`` only: YAML 1.1's yes/no/on/off are refused, not guessed."""
        value = self.node.get(key)
        if value is None or (isinstance(value, Scalar) and value.is_null):
            return None
        if isinstance(value, Scalar) and value.plain and value.text.lower() in ("true", "false"):
            return value.text.lower() == "true"
        shown = value.text if isinstance(value, Scalar) else kind(value)
        self.errors.add(self.path, value.line, f"{key}: expected true or false, got {shown!r}")
        return None

    def text_list(self, key: str, *, required: bool = False) -> tuple[Scalar, ...] | None:
        """A list of non-empty strings, each with its own line (for per-item errors)."""
        value = self.node.get(key)
        if value is None or (isinstance(value, Scalar) and value.is_null):
            self._missing(key, required)
            return None
        if not isinstance(value, Seq):
            self.errors.add(self.path, value.line, f"{key}: expected a list, got {kind(value)}")
            return None
        out: list[Scalar] = []
        for item in value.items:
            if not isinstance(item, Scalar) or item.is_null or not item.text.strip():
                self.errors.add(
                    self.path, item.line, f"{key}: each item must be text, got {kind(item)}"
                )
                continue
            out.append(Scalar(item.text.strip(), item.line, item.plain))
        if required and not out and not value.items:
            self.errors.add(self.path, value.line, f"{key}: must list at least one item")
        return tuple(out)

    def mapping(self, key: str, *, required: bool = False) -> Map | None:
        """A nested mapping."""
        value = self.node.get(key)
        if value is None or (isinstance(value, Scalar) and value.is_null):
            self._missing(key, required)
            return None
        if not isinstance(value, Map):
            self.errors.add(self.path, value.line, f"{key}: expected a mapping, got {kind(value)}")
            return None
        return value


def iter_mapping(
    node: Node | None, path: Path, errors: ErrorList, what: str
) -> Iterator[tuple[Scalar, Map]]:
    """The entries of a top-level ``key: {mapping}`` file such as ``tags.yml``."""
    if node is None:
        return
    if not isinstance(node, Map):
        errors.add(path, node.line, f"expected a mapping of {what}, got {kind(node)}")
        return
    for key, value in node.items:
        if not isinstance(value, Map):
            errors.add(
                path, value.line, f"{what} {key.text!r}: expected a mapping, got {kind(value)}"
            )
            continue
        yield key, value
