"""Themes: template and static directories layered file by file, and the UI strings per language.

A site's ``themes/<name>/`` overrides the built-in default theme one file at a time, so changing
one template never means copying the others. UI strings live in ``i18n/<lang>.yml``; a string that
depends on a number gives one text per CLDR plural category of the language (Arabic has six).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import rcssmin
from babel import Locale

from briefgen.config import SiteConfig
from briefgen.errors import ConfigError, ErrorList
from briefgen.yamltree import Map, Scalar, kind, parse, read_text

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
    strings: Mapping[str, Strings]
    """UI strings per language code."""

    @property
    def template_dirs(self) -> tuple[Path, ...]:
        """``templates/`` of each layer that has one."""
        return tuple(d / "templates" for d in self.dirs if (d / "templates").is_dir())

    def static_files(self) -> dict[str, Path]:
        """Static files by output path (``static/…``); the upper layer wins per file."""
        files: dict[str, Path] = {}
        for layer in reversed(self.dirs):
            static = layer / "static"
            if not static.is_dir():
                continue
            for path in sorted(static.rglob("*")):
                if path.is_file() and not path.is_symlink():
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
    site_theme = config.root / "themes" / config.theme
    if site_theme.is_dir():
        layers.append(site_theme)
    elif config.theme != "default":
        raise ConfigError.single(
            config.root / "site.yml", None, f"theme {config.theme!r}: {site_theme} not found"
        )
    default = builtin_theme()
    if default.resolve() not in [p.resolve() for p in layers]:
        layers.append(default)
    errors = ErrorList()
    strings: dict[str, Strings] = {}
    for lang in config.languages:
        merged: dict[str, str | Mapping[str, str]] = {}
        found = False
        for layer in reversed(layers):
            path = layer / "i18n" / f"{lang.code}.yml"
            if path.is_file():
                found = True
                merged.update(_load_strings(path, lang.code, errors))
        if not found:
            errors.add(
                config.root / "site.yml",
                None,
                f"theme {config.theme!r} has no UI strings for {lang.code!r}",
            )
        strings[lang.code] = MappingProxyType(merged)
    _check_complete(strings, layers, errors)
    errors.raise_if_errors(ConfigError)
    return Theme(config.theme, tuple(layers), MappingProxyType(strings))


def _load_strings(path: Path, code: str, errors: ErrorList) -> dict[str, str | Mapping[str, str]]:
    text = read_text(path, errors)
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
                errors.add(where, None, f"missing UI strings: {', '.join(missing)}")
