"""``site.yml``: the site's settings, validated with the line of every offending key or value."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError

from briefgen import languages
from briefgen.errors import ConfigError, ErrorList, UsageError
from briefgen.yamltree import Fields, Map, Scalar, Seq, did_you_mean, kind, parse, read_text

SITE_FILE = "site.yml"
SITE_KEYS = ("title", "description", "base_url", "languages", "output", "theme", "per_page")
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
_THEME_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True, slots=True)
class Language:
    """A language as CLDR knows it."""

    code: str
    """The plain ISO 639 code used in URLs and on ``<html lang>`` (``ar``, ``it``)."""
    dir: str
    """``rtl`` or ``ltr``, from CLDR."""
    autonym: str
    """The language's name in itself (``العربية``, ``italiano``)."""


def language(code: str) -> Language | None:
    """The CLDR facts for a plain language code, or None when CLDR does not know it."""
    if not _LANGUAGE_CODE.match(code):
        return None
    try:
        locale = Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return None
    return Language(code, direction(code), locale.get_display_name(locale) or code)


def direction(code: str) -> str:
    """``rtl`` or ``ltr`` for a language tag CLDR knows (:func:`briefgen.languages.direction`,
    the one place a direction is decided)."""
    return languages.direction(code)


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """Everything ``site.yml`` says, resolved against the site root."""

    root: Path
    """The site root (holds ``site.yml``, ``content/`` and optionally ``themes/``)."""
    title: Mapping[str, str]
    """The site title per language code."""
    description: Mapping[str, str]
    """An optional description per language code (may be empty)."""
    base_url: str
    """Absolute URL the site is published at, always ending in ``/``."""
    languages: tuple[Language, ...]
    """Site languages; the first is the default."""
    output: Path
    """Where the site is written (default ``_site`` under the root)."""
    theme: str
    """Theme name, looked up in ``themes/`` of the site, then the built-in default."""
    per_page: int
    """Articles per list page."""

    @property
    def default_language(self) -> Language:
        """The first language listed."""
        return self.languages[0]

    @property
    def base_path(self) -> str:
        """The path of ``base_url`` (``/`` or ``/archive/``): root-relative links start here."""
        return urlsplit(self.base_url).path

    @property
    def content_dir(self) -> Path:
        """``content/`` under the root."""
        return self.root / "content"

    def language(self, code: str) -> Language:
        """The site language with ``code``."""
        for lang in self.languages:
            if lang.code == code:
                return lang
        raise KeyError(code)


def per_language(
    value: object,
    key: str,
    codes: tuple[str, ...],
    path: Path,
    errors: ErrorList,
    *,
    required: bool,
) -> Mapping[str, str]:
    """A value given per language: a mapping with a text for every one of ``codes``.

    Texts in other languages CLDR knows are kept too (a theme may offer more languages).
    """
    if not isinstance(value, Map):
        if value is not None and not (isinstance(value, Scalar) and value.is_null):
            assert isinstance(value, (Scalar, Seq))
            errors.add(
                path, value.line, f"{key}: expected one text per language, got {kind(value)}"
            )
        return MappingProxyType({})
    out: dict[str, str] = {}
    for lang_key, text in value.items:
        if language(lang_key.text) is None:
            errors.add(
                path,
                lang_key.line,
                f"{key}: {lang_key.text!r} is not a language code"
                + did_you_mean(lang_key.text, codes),
            )
        elif not isinstance(text, Scalar) or text.is_null or not text.text.strip():
            errors.add(path, text.line, f"{key}.{lang_key.text}: expected text, got {kind(text)}")
        else:
            out[lang_key.text] = text.text.strip()
    if required:
        for code in codes:
            if code not in out and value.get(code) is None:
                errors.add(path, value.line, f"{key}: missing the {code!r} text")
    return MappingProxyType(dict(sorted(out.items())))


def load_config(root: Path, output: Path | None = None) -> SiteConfig:
    """Read and validate ``root/site.yml``; every problem is reported before failing once."""
    root = root.resolve()
    errors = ErrorList()
    node, path = _read_site(root, errors)
    fields = Fields(node, path, errors, SITE_KEYS)
    languages = _languages(fields)
    codes = tuple(lang.code for lang in languages)
    base_url = _base_url(fields)
    theme = _theme(fields, root)
    per_page = _per_page(fields)
    if node.get("title") is None:
        errors.add(path, node.line, "missing required field 'title'")
    title = per_language(node.get("title"), "title", codes, path, errors, required=True)
    description = per_language(
        node.get("description"), "description", codes, path, errors, required=False
    )
    out_text = fields.text("output") or "_site"
    errors.raise_if_errors(ConfigError)
    resolved_output = (output if output is not None else root / out_text).resolve()
    _check_output(root, resolved_output)
    return SiteConfig(
        root=root,
        title=title,
        description=description,
        base_url=base_url,
        languages=languages,
        output=resolved_output,
        theme=theme,
        per_page=per_page,
    )


def _read_site(root: Path, errors: ErrorList) -> tuple[Map, Path]:
    """``site.yml`` as a mapping and its path; raise when there is none to check."""
    path = root / SITE_FILE
    if not root.is_dir():
        raise UsageError(f"{root}: no such directory")
    if not path.is_file():
        raise UsageError(f"{path}: not found (is {root} a briefgen site?)")
    text = read_text(path, errors, within=root)  # the one reader of every source file
    if text is None:
        raise ConfigError(errors.errors)
    node = parse(text, path, errors)
    if node is None:
        if not errors.errors:
            errors.add(path, 1, "site.yml is empty")
        raise ConfigError(errors.errors)
    if not isinstance(node, Map):
        errors.add(path, node.line, f"expected a mapping of settings, got {kind(node)}")
        raise ConfigError(errors.errors)
    return node, path


def _languages(fields: Fields) -> tuple[Language, ...]:
    """``languages``: required, each a code CLDR knows, none twice; the first is the default."""
    languages: list[Language] = []
    for item in fields.text_list("languages", required=True) or ():
        lang = language(item.text)
        if lang is None:
            message = f"languages: {item.text!r} is not a language code CLDR knows"
            fields.errors.add(fields.path, item.line, message)
        elif lang in languages:
            fields.errors.add(fields.path, item.line, f"languages: {item.text!r} is listed twice")
        else:
            languages.append(lang)
    return tuple(languages)


def _base_url(fields: Fields) -> str:
    """``base_url``: required, absolute http(s) without query or fragment; ends in ``/``."""
    base_url = fields.text("base_url", required=True) or ""
    if not base_url:
        return base_url
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        fields.error("base_url", "base_url: expected an absolute http(s) URL")
    elif not base_url.endswith("/"):
        base_url += "/"
    return base_url


def _theme(fields: Fields, root: Path) -> str:
    """``theme``: a plain name, ``default`` or a folder in the site's ``themes/``."""
    theme = fields.text("theme") or "default"
    if not _THEME_NAME.match(theme):
        fields.error("theme", f"theme: {theme!r} is not a valid theme name")
    elif theme != "default" and not (root / "themes" / theme).is_dir():
        fields.error("theme", f"theme: {theme!r} not found in themes/{theme}")
    return theme


def _per_page(fields: Fields) -> int:
    """``per_page``: a whole number from 1 to 1000 (20 when not given)."""
    raw = fields.text("per_page")
    if raw is None:
        return 20
    if raw.isdigit() and 1 <= int(raw) <= 1000:
        return int(raw)
    fields.error("per_page", "per_page: expected a whole number from 1 to 1000")
    return 20


def _check_output(root: Path, output: Path) -> None:
    """Refuse an output that would overwrite the sources: the root itself, or anything inside
    ``content/`` or ``themes/`` (a build replaces its output wholesale)."""
    if output == root or root.is_relative_to(output):
        raise UsageError(
            f"output {output} is or holds the site root {root}: refusing to replace it"
        )
    for protected in (root / "content", root / "themes"):
        if output.is_relative_to(protected):
            raise UsageError(f"output {output} is inside {protected}: refusing to write there")
        if protected.is_relative_to(output):
            raise UsageError(f"output {output} holds {protected}: refusing to replace it")
