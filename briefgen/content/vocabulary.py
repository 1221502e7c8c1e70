"""``content/tags.yml`` and ``content/outlets.yml``: the curated vocabularies, validated."""

from __future__ import annotations

from pathlib import Path

from babel import Locale

from briefgen import languages
from briefgen.config import per_language
from briefgen.content.values import valid_key, valid_url
from briefgen.errors import ErrorList
from briefgen.model import UNKNOWN_OUTLET, Outlet, Tag
from briefgen.yamltree import Fields, Map, Scalar, iter_mapping, parse, read_text

TAG_FIELDS = ("label", "description", "aliases")
OUTLET_FIELDS = ("name", "language", "country", "url")

_COUNTRIES = frozenset(Locale("en").territories)


def _vocabulary(
    path: Path, errors: ErrorList, what: str, name: str
) -> list[tuple[Scalar, Map]] | None:
    """The ``key: {fields}`` entries of a vocabulary file; None when it is missing or unreadable."""
    if not path.is_file() and not path.is_symlink():  # a link is judged by read_text
        errors.add(path, None, f"missing: {name} is required (content/{path.name})")
        return None
    root = path.parent.parent.resolve()  # vocabularies live in content/ of the site root
    text = read_text(path, errors, within=root)
    if text is None:
        return None
    return list(iter_mapping(parse(text, path, errors), path, errors, what))


def load_tags(path: Path, codes: tuple[str, ...], errors: ErrorList) -> dict[str, Tag] | None:
    """``content/tags.yml``: each tag needs a label in every site language.

    None when the file is missing or unreadable (reported once, here).
    """
    entries = _vocabulary(path, errors, "tag", "the tag vocabulary")
    if entries is None:
        return None
    tags: dict[str, Tag] = {}
    for key, node in entries:
        if not valid_key(key.text):
            errors.add(
                path, key.line, f"tag key {key.text!r}: use lower-case letters, digits and hyphens"
            )
            continue
        fields = Fields(node, path, errors, TAG_FIELDS, what="field", context=f"tag {key.text!r}: ")
        if node.get("label") is None:
            errors.add(path, key.line, f"tag {key.text!r}: missing required field 'label'")
        labels = per_language(node.get("label"), "label", codes, path, errors, required=True)
        descriptions = per_language(
            node.get("description"), "description", codes, path, errors, required=False
        )
        aliases = tuple(a.text for a in fields.text_list("aliases") or ())
        tags[key.text] = Tag(key.text, labels, descriptions, aliases, key.line)
    return tags


def load_outlets(path: Path, errors: ErrorList) -> dict[str, Outlet] | None:
    """``content/outlets.yml``: name and language required; country and url when known.

    None when the file is missing or unreadable (reported once, here).
    """
    entries = _vocabulary(path, errors, "outlet", "the outlet list")
    if entries is None:
        return None
    outlets: dict[str, Outlet] = {}
    for key, node in entries:
        if key.text == UNKNOWN_OUTLET:
            errors.add(
                path, key.line, "'unknown' is reserved for articles whose outlet is not known"
            )
            continue
        if not valid_key(key.text):
            errors.add(
                path,
                key.line,
                f"outlet key {key.text!r}: use lower-case letters, digits and hyphens",
            )
            continue
        fields = Fields(
            node, path, errors, OUTLET_FIELDS, what="field", context=f"outlet {key.text!r}: "
        )
        name = fields.text("name", required=True)
        written = fields.text("language", required=True)
        lang = None if written is None else languages.canonical(written)
        if written is not None and lang is None:
            close = languages.suggestion(written)
            hint = f" (did you mean {close!r}?)" if close else ""
            errors.add(
                path,
                fields.line("language"),
                f"language: {written!r} is not a language tag CLDR knows{hint}",
            )
        country = fields.text("country")
        if country is not None and country not in _COUNTRIES:
            hint = f" (did you mean {country.upper()!r}?)" if country.upper() in _COUNTRIES else ""
            errors.add(
                path, fields.line("country"), f"country: {country!r} is not an ISO 3166 code{hint}"
            )
        url = fields.text("url")
        if url is not None and not valid_url(url):
            errors.add(path, fields.line("url"), "url: expected an absolute http(s) URL")
        if name is not None and lang is not None:
            outlets[key.text] = Outlet(key.text, name, lang, country, url, key.line)
    return outlets
