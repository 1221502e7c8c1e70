"""One article file: front matter and body, each field checked against the site and the
vocabularies. What needs other files too (duplicate slugs) :mod:`briefgen.content` checks."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from briefgen.config import SiteConfig, language
from briefgen.content.files import LINKED_FOLDER, split_front_matter
from briefgen.content.values import valid_slug, valid_url
from briefgen.errors import ErrorList
from briefgen.model import UNKNOWN_OUTLET, Article, Outlet, PartialDate, Tag, parse_date
from briefgen.parsecache import Bodies
from briefgen.text import bidi_lines, nfc
from briefgen.yamltree import Fields, Map, did_you_mean, link_problem, parse, read_text

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
)


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
    if os.path.isdir(path) and link_problem(path, config.root) is None:
        errors.warn(path, None, LINKED_FOLDER)
        return None
    text = read_text(path, errors, within=config.root)
    if text is None:
        return None
    if not text.strip():
        errors.add(path, 1, "empty file: expected front matter between '---' lines and a body")
        return None
    front, body, body_line = split_front_matter(text)
    if front is None:
        errors.add(path, 1, body)
        return None
    for number, problem in bidi_lines(body, body_line, references=True):  # reaches output too
        errors.add(path, number, problem.message)
    node = parse(front, path, errors, line_offset=1)
    if node is None:
        if len(errors.problems) == before:
            errors.add(path, 1, "front matter is empty")
        return None
    if not isinstance(node, Map):
        errors.add(path, node.line, "front matter must be a mapping of fields")
        return None

    fields = Fields(node, path, errors, ARTICLE_FIELDS, what="field")
    title = fields.text("title", required=True)

    date: PartialDate | None = None
    raw_date = fields.text("date", required=True)
    if raw_date is not None:
        parsed = parse_date(raw_date)
        if isinstance(parsed, str):
            errors.add(path, fields.line("date"), parsed)
        else:
            date = parsed

    codes = tuple(lang.code for lang in config.languages)
    lang = fields.text("language", required=True)
    if lang is not None and lang not in codes:
        if language(lang) is None:
            message = (
                f"language: {lang!r} is not a language code CLDR knows{did_you_mean(lang, codes)}"
            )
        else:
            message = f"language: {lang!r} is not a site language ({', '.join(codes)})"
        errors.add(path, fields.line("language"), message)

    outlet = fields.text("outlet", required=True)
    known_outlets = (*(outlets or ()), UNKNOWN_OUTLET)
    if outlet is not None and outlets is not None and outlet not in known_outlets:
        errors.add(
            path,
            fields.line("outlet"),
            f"outlet: unknown outlet {outlet!r}{did_you_mean(outlet, known_outlets)}; "
            "define it in content/outlets.yml (or write 'unknown')",
        )
    via = fields.text("via")
    if via is not None and outlets is not None and via not in outlets:
        errors.add(
            path,
            fields.line("via"),
            f"via: unknown outlet {via!r}{did_you_mean(via, outlets)}; "
            "define it in content/outlets.yml",
        )

    tag_keys: list[str] = []
    for item in fields.text_list("tags", required=True) or ():
        if tags is not None and item.text not in tags:
            errors.add(
                path, item.line, f"tags: unknown tag {item.text!r}{did_you_mean(item.text, tags)}"
            )
        elif item.text in tag_keys:
            errors.add(path, item.line, f"tags: {item.text!r} is listed twice")
        else:
            tag_keys.append(item.text)

    slug = nfc(fields.text("slug") or path.stem)  # macOS names files decomposed (NFD)
    slug_line = fields.line("slug") if "slug" in fields else 1
    if not valid_slug(slug):
        where = "slug" if "slug" in fields else "file name"
        errors.add(
            path,
            slug_line,
            f"{where}: {slug!r} is not a valid slug: use one path segment of letters, digits, "
            "'-', '_' or '.'",
        )

    source_url = fields.text("source_url")
    if source_url is not None and not valid_url(source_url):
        errors.add(path, fields.line("source_url"), "source_url: expected an absolute http(s) URL")

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
        tags=tuple(tag_keys),
        summary=summary,
        source_url=source_url,
        via=via,
        agency=agency,
        draft=draft,
        body_html=html,
        body_text=plain,
    )
    return Draft(article, slug_line, tuple((href, line + body_line) for href, line in found), key)
