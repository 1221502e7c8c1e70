"""One article file: front matter and body, each field checked against the site and the
vocabularies. What needs other files too (duplicate slugs) :mod:`briefgen.content` checks."""

from __future__ import annotations

import datetime
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from briefgen import languages
from briefgen.config import SiteConfig
from briefgen.content.files import LINKED_FOLDER, split_front_matter
from briefgen.content.values import SLUG_RULE, valid_slug, valid_url
from briefgen.errors import ErrorList
from briefgen.model import (
    UNKNOWN_OUTLET,
    Article,
    Briefing,
    Outlet,
    PartialDate,
    Tag,
    parse_date,
)
from briefgen.parsecache import Bodies
from briefgen.text import bidi_lines, nfc
from briefgen.yamltree import Fields, Map, did_you_mean, kind, link_problem, parse, read_text

ARTICLE_FIELDS = (
    "title",
    "date",
    "outlet",
    "language",
    "tags",
    "slug",
    "summary",
    "source_url",
    "via",
    "agency",
    "draft",
    "translated",
    "accessed",
    "archived_url",
)
BRIEFING_FIELDS = ("title", "summary")


@dataclass(frozen=True, slots=True)
class Draft:
    """An article whose own fields are valid; cross-file checks come after."""

    article: Article
    slug_line: int
    links: tuple[tuple[str, int], ...]
    body_key: bytes = b""
    """The digest of the Markdown body (:func:`briefgen.parsecache.body_key`)."""


def load_article(
    path: Path,
    config: SiteConfig,
    tags: Mapping[str, Tag] | None,
    outlets: Mapping[str, Outlet] | None,
    bodies: Bodies,
    errors: ErrorList,
) -> Draft | None:
    """One Markdown file with front matter; None (with errors reported) when it is invalid.

    ``tags``/``outlets`` are None when their file could not be read: references to them are
    then not checked, since that file's own error already explains every one of them.
    """
    before = len(errors.problems)
    read = _read(path, config.root, errors)
    if read is None:
        return None
    fields, body, body_line = read
    title = fields.text("title", required=True)
    date = _date(fields)
    readers = tuple(lang.code for lang in config.languages)
    lang = _language(fields, readers)
    translated = _translated(fields, readers, lang, path, errors)
    outlet, via = _outlet(fields, outlets), _via(fields, outlets)
    tag_keys = _tags(fields, tags)
    slug, slug_line = _slug(fields, path)
    source_url = _source_url(fields)
    _provenance(fields)
    summary = fields.text("summary")
    agency = fields.text("agency")
    draft = fields.boolean("draft") or False

    if len(errors.problems) != before:
        return None
    assert title is not None and lang is not None and outlet is not None
    key, (html, plain, found) = bodies.render(body)
    article = Article(
        source=path,
        slug=slug,
        title=title,
        date=date,
        outlet=outlet,
        language=lang,
        tags=tag_keys,
        summary=summary,
        source_url=source_url,
        via=via,
        agency=agency,
        draft=draft,
        body_html=html,
        body_text=plain,
        translated=translated,
        readers=(lang,) if lang in readers else readers,
    )
    return Draft(article, slug_line, tuple((href, line + body_line) for href, line in found), key)


def _read(path: Path, root: Path, errors: ErrorList) -> tuple[Fields, str, int] | None:
    """The front matter's fields, the body and the body's first line; None when the file has
    no front matter to check (why is reported). The body's bidirectional controls are
    reported here: they reach the output as they are."""
    before = len(errors.problems)
    if os.path.isdir(path) and link_problem(path, root) is None:
        errors.warn(path, None, LINKED_FOLDER)
        return None
    text = read_text(path, errors, within=root)
    if text is None:
        return None
    if not text.strip():
        errors.add(path, 1, "empty file: expected front matter between '---' lines and a body")
        return None
    front, body, body_line = split_front_matter(text)
    if front is None:
        errors.add(path, 1, body)
        return None
    for number, problem in bidi_lines(body, body_line, references=True):
        errors.add(path, number, problem.message)
    node = parse(front, path, errors, line_offset=1)
    if node is None:
        if len(errors.problems) == before:
            errors.add(path, 1, "front matter is empty")
        return None
    if not isinstance(node, Map):
        errors.add(path, node.line, "front matter must be a mapping of fields")
        return None
    return Fields(node, path, errors, ARTICLE_FIELDS, what="field"), body, body_line


def _date(fields: Fields) -> PartialDate | None:
    """``date``: required, a day, a month or a year that exists."""
    raw = fields.text("date", required=True)
    if raw is None:
        return None
    parsed = parse_date(raw)
    if isinstance(parsed, str):
        fields.error("date", parsed)
        return None
    return parsed


def _language(fields: Fields, readers: tuple[str, ...]) -> str | None:
    """``language``: required, any language tag CLDR knows (a reader language or not), kept in
    its canonical spelling (``zh-hant`` → ``zh-Hant``)."""
    lang = fields.text("language", required=True)
    if lang is None:
        return None
    tag = languages.canonical(lang)
    if tag is None:
        close = languages.suggestion(lang, readers)
        hint = f" (did you mean {close!r}?)" if close else ""
        fields.error("language", f"language: {lang!r} is not a language tag CLDR knows{hint}")
    return tag


def _translated(
    fields: Fields, readers: tuple[str, ...], lang: str | None, path: Path, errors: ErrorList
) -> Mapping[str, Briefing]:
    """``translated``: per reader language, the curator's ``title`` (required) and ``summary``."""
    node = fields.mapping("translated")
    if node is None:
        return {}
    briefings: dict[str, Briefing] = {}
    for key, value in node.items:
        if key.text not in readers:
            hint = did_you_mean(key.text, readers)
            errors.add(
                path,
                key.line,
                f"translated: {key.text!r} is not a reader language ({', '.join(readers)}){hint}",
            )
            continue
        if key.text == lang:
            errors.add(path, key.line, f"translated: the article is already in {lang!r}")
            continue
        if not isinstance(value, Map):
            errors.add(
                path, value.line, f"translated.{key.text}: expected a mapping, got {kind(value)}"
            )
            continue
        entry = Fields(
            value, path, errors, BRIEFING_FIELDS, what="field", context=f"translated.{key.text}: "
        )
        title = entry.text("title", required=True)
        if title is not None:
            briefings[key.text] = Briefing(title, entry.text("summary"))
    return briefings


def _outlet(fields: Fields, outlets: Mapping[str, Outlet] | None) -> str | None:
    """``outlet``: required, an outlet of ``outlets.yml`` or ``unknown``."""
    outlet = fields.text("outlet", required=True)
    known = (*(outlets or ()), UNKNOWN_OUTLET)
    if outlet is not None and outlets is not None and outlet not in known:
        fields.error(
            "outlet",
            f"outlet: unknown outlet {outlet!r}{did_you_mean(outlet, known)}; "
            "define it in content/outlets.yml (or write 'unknown')",
        )
    return outlet


def _via(fields: Fields, outlets: Mapping[str, Outlet] | None) -> str | None:
    """``via``: optional, an outlet of ``outlets.yml`` (the republisher is always known)."""
    via = fields.text("via")
    if via is not None and outlets is not None and via not in outlets:
        fields.error(
            "via",
            f"via: unknown outlet {via!r}{did_you_mean(via, outlets)}; "
            "define it in content/outlets.yml",
        )
    return via


def _tags(fields: Fields, tags: Mapping[str, Tag] | None) -> tuple[str, ...]:
    """``tags``: at least one, each in ``tags.yml``, none twice."""
    keys: list[str] = []
    for item in fields.text_list("tags", required=True) or ():
        if tags is not None and item.text not in tags:
            fields.errors.add(
                fields.path,
                item.line,
                f"tags: unknown tag {item.text!r}{did_you_mean(item.text, tags)}",
            )
        elif item.text in keys:
            fields.errors.add(fields.path, item.line, f"tags: {item.text!r} is listed twice")
        else:
            keys.append(item.text)
    return tuple(keys)


def _slug(fields: Fields, path: Path) -> tuple[str, int]:
    """``slug``, else the file name, in NFC (macOS names files decomposed), and its line."""
    given = "slug" in fields
    slug = nfc(fields.text("slug") or path.stem)
    line = fields.line("slug") if given else 1
    if not valid_slug(slug):
        where = "slug" if given else "file name"
        fields.errors.add(path, line, f"{where}: {slug!r} is not a valid slug: {SLUG_RULE}")
    return slug, line


def _provenance(fields: Fields) -> None:
    """``accessed`` (the day the source was read or fetched, ``YYYY-MM-DD``) and
    ``archived_url`` (a copy in a web archive): optional, validated only (``check --links``
    reads ``archived_url``)."""
    accessed = fields.text("accessed")
    if accessed is not None:
        try:
            ok = len(accessed) == 10 and bool(datetime.date.fromisoformat(accessed))
        except ValueError:
            ok = False
        if not ok:
            fields.error("accessed", f"accessed: {accessed!r} is not a day (YYYY-MM-DD)")
    archived = fields.text("archived_url")
    if archived is not None and not valid_url(archived):
        fields.error("archived_url", "archived_url: expected an absolute http(s) URL")


def _source_url(fields: Fields) -> str | None:
    """``source_url``: optional, an absolute http(s) URL."""
    url = fields.text("source_url")
    if url is not None and not valid_url(url):
        fields.error("source_url", "source_url: expected an absolute http(s) URL")
    return url
