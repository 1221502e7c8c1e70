"""Themes: template and static directories layered file by file, and the UI strings per language.

A site's ``themes/<name>/`` overrides the built-in default theme one file at a time, so changing
one template never means copying the others. UI strings live in ``i18n/<lang>.yml``; a string that
depends on a number gives one text per CLDR plural category of the language (Arabic has six).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import rcssmin
from babel import Locale

from briefgen.config import SITE_FILE, SiteConfig
from briefgen.errors import ConfigError, ErrorList
from briefgen.yamltree import Map, Scalar, Seq, kind, link_problem, parse, read_text

Strings = Mapping[str, str | Mapping[str, str]]


def builtin_theme() -> Path:
    """The default theme shipped with briefgen (in the wheel) or beside the package (a checkout)."""
    packaged = Path(__file__).parent / "themes" / "default"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "themes" / "default"


@dataclass(frozen=True, slots=True)
class Theme:
    """A resolved theme."""

    name: str
    dirs: tuple[Path, ...]
    """Theme directories, the one that wins first."""
    bounds: tuple[Path, ...]
    """Per directory, what its files must resolve inside (the site root, or the built-in
    theme itself): :func:`load_theme` refused a theme with a link leading out of it."""
    strings: Mapping[str, Strings]
    """UI strings per language code."""

    @property
    def template_dirs(self) -> tuple[Path, ...]:
        """``templates/`` of each layer that has one."""
        return tuple(d / "templates" for d in self.dirs if (d / "templates").is_dir())

    def static_files(self) -> dict[str, Path]:
        """Static files by output path (``static/…``); the upper layer wins per file."""
        files: dict[str, Path] = {}
        for layer, within in reversed(list(zip(self.dirs, self.bounds, strict=True))):
            static = layer / "static"
            for path in _files(static, within, ErrorList()) if static.is_dir() else ():
                files["static/" + path.relative_to(static).as_posix()] = path
        return dict(sorted(files.items()))

    def assets(self) -> Iterator[tuple[str, bytes]]:
        """(output path, published bytes) of every static file: what build and serve stage."""
        for path, source in self.static_files().items():
            yield path, asset_bytes(source)


def asset_bytes(source: Path) -> bytes:
    """A static file's bytes as published: stylesheets minified (rcssmin), the rest as they are.

    Theme CSS is written to be read, with comments; readers should not download those.
    """
    data = source.read_bytes()
    if source.suffix == ".css":
        minified: str = rcssmin.cssmin(data.decode("utf-8"))
        return minified.encode("utf-8")
    return data


def load_theme(config: SiteConfig) -> Theme:
    """Resolve ``config.theme`` and load its strings for every site language."""
    layers: list[Path] = []
    bounds: list[Path] = []
    errors = ErrorList()
    site_theme = config.root / "themes" / config.theme
    if site_theme.is_dir():
        layers.append(site_theme)
        bounds.append(config.root)
    elif config.theme != "default":  # pragma: no cover - load_config reports it, with its line
        raise ConfigError.single(
            config.root / SITE_FILE, None, f"theme: {config.theme!r} not found"
        )
    default = builtin_theme()
    if default.resolve() not in [p.resolve() for p in layers]:
        layers.append(default)
        bounds.append(default.resolve())
    for layer, within in zip(layers, bounds, strict=True):
        _files(layer, within, errors)  # reports every link leading out, before any is opened
    errors.raise_if_errors(ConfigError)
    strings: dict[str, Strings] = {}
    for lang in config.languages:
        merged: dict[str, str | Mapping[str, str]] = {}
        found = False
        for layer, within in reversed(list(zip(layers, bounds, strict=True))):
            path = layer / "i18n" / f"{lang.code}.yml"
            if path.is_file():
                found = True
                merged.update(_load_strings(path, lang.code, errors, within))
        if not found:
            errors.add(
                config.root / SITE_FILE,
                _language_line(config, lang.code),
                f"theme {config.theme!r} has no UI strings for {lang.code!r}",
            )
        strings[lang.code] = MappingProxyType(merged)
    _check_complete(strings, layers, errors)
    errors.raise_if_errors(ConfigError)
    return Theme(config.theme, tuple(layers), tuple(bounds), MappingProxyType(strings))


def _language_line(config: SiteConfig, code: str) -> int | None:
    """The line of ``site.yml`` that lists the language ``code`` (read again: only an error
    needs it, and the config keeps values, not lines)."""
    path = config.root / SITE_FILE
    text = read_text(path, ErrorList(), within=config.root)
    node = parse(text, path, ErrorList()) if text is not None else None
    listed = node.get("languages") if isinstance(node, Map) else None
    items = listed.items if isinstance(listed, Seq) else ()
    return next((i.line for i in items if isinstance(i, Scalar) and i.text == code), None)


def _files(top: Path, within: Path, errors: ErrorList) -> list[Path]:
    """Every file under ``top`` that resolves inside ``within``, in a stable order; each
    symbolic link leading out (of the site, or of the built-in theme) is reported instead.

    Jinja and the static copy open files through links: the check comes before any of them
    is opened. A linked folder inside is followed once (so a link to an ancestor ends).
    """
    what = "the theme" if within == builtin_theme().resolve() else "the site"
    refused = link_problem(top, within, what)
    if refused is not None:
        errors.add(top, None, refused)
        return []
    found: list[Path] = []
    seen = {os.path.realpath(top)}
    for directory, dirs, names in os.walk(top, followlinks=True):
        kept = []
        for name in sorted(dirs):
            path = Path(directory, name)
            real = os.path.realpath(path)
            if path.is_symlink():
                refused = link_problem(path, within, what)
                if refused is not None:
                    errors.add(path, None, refused)
                if refused is not None or real in seen:
                    continue
            seen.add(real)
            kept.append(name)
        dirs[:] = kept
        for name in sorted(names):
            path = Path(directory, name)
            refused = link_problem(path, within, what)
            if refused is not None:
                errors.add(path, None, refused)
            elif path.is_file():
                found.append(path)
    return found


def _load_strings(
    path: Path, code: str, errors: ErrorList, within: Path
) -> dict[str, str | Mapping[str, str]]:
    text = read_text(path, errors, within=within)
    node = parse(text, path, errors) if text is not None else None
    out: dict[str, str | Mapping[str, str]] = {}
    if node is None:
        return out
    if not isinstance(node, Map):
        errors.add(path, node.line, f"expected a mapping of UI strings, got {kind(node)}")
        return out
    categories = set(Locale.parse(code).plural_form.tags) | {"other"}
    for key, value in node.items:
        if isinstance(value, Scalar):
            out[key.text] = value.text
        elif isinstance(value, Map):
            forms = {k.text: v.text for k, v in value.items if isinstance(v, Scalar)}
            missing = sorted(categories - forms.keys())
            extra = sorted(forms.keys() - categories)
            if missing:
                errors.add(
                    path,
                    value.line,
                    f"{key.text}: missing plural forms {', '.join(missing)} for {code!r}",
                )
            if extra:
                errors.add(
                    path, value.line, f"{key.text}: {code!r} has no plural forms {', '.join(extra)}"
                )
            out[key.text] = MappingProxyType(forms)
        else:
            errors.add(
                path, value.line, f"{key.text}: expected text or plural forms, got {kind(value)}"
            )
    return out


def _check_complete(strings: Mapping[str, Strings], layers: list[Path], errors: ErrorList) -> None:
    """Every site language must define every key any of them defines."""
    every = set().union(*(s.keys() for s in strings.values())) if strings else set()
    for code, table in strings.items():
        missing = sorted(every - table.keys())
        if missing:
            where = next(
                (
                    p / "i18n" / f"{code}.yml"
                    for p in layers
                    if (p / "i18n" / f"{code}.yml").is_file()
                ),
                None,
            )
            if where is not None:
                errors.add(where, 1, f"missing UI strings: {', '.join(missing)}")
