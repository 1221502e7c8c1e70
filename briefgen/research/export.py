"""Metadata export: articles, tags and outlets as JSON (lossless) and CSV (for spreadsheets).

Records are pure functions of the site, in the archive's order, with sorted keys. CSV files are
UTF-8 with a byte-order mark (so spreadsheet programs do not mangle Arabic), RFC 4180 quoting
(commas, quotes and line breaks survive), and a leading apostrophe on any cell that a spreadsheet
would otherwise run as a formula (OWASP's advice for CSV injection).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

from briefgen.model import Site

from .citations import archive_url, outlet_name

ARTICLE_FIELDS: tuple[str, ...] = (
    "slug",
    "title",
    "date",
    "date_precision",
    "language",
    "outlet",
    "outlet_name",
    "via",
    "via_name",
    "agency",
    "summary",
    "source_url",
    "draft",
    "tags",
    "tag_labels",
    "url",
    "translated",
)
"""Fields of ``articles.json`` in documentation order (``tag_labels`` is a mapping per language,
``translated`` one per reader language of ``{title, summary}``)."""

TAG_FIELDS: tuple[str, ...] = ("key", "labels", "descriptions", "aliases", "counts", "urls")
OUTLET_FIELDS: tuple[str, ...] = ("key", "name", "language", "country", "website", "count", "urls")

MULTI_SEPARATOR = "; "
"""Joins the values of a list in a CSV cell (the JSON files keep real lists)."""

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def article_records(site: Site) -> list[dict[str, Any]]:
    """One record per article with every front-matter field, tag labels and the page URL."""
    codes = [lang.code for lang in site.config.languages]
    records = []
    for a in site.articles:
        tags = list(dict.fromkeys(a.tags))
        records.append(
            {
                "slug": a.slug,
                "title": a.title,
                "date": a.date.iso if a.date is not None else None,
                "date_precision": a.date.precision.name.lower() if a.date is not None else None,
                "language": a.language,
                "outlet": a.outlet,
                "outlet_name": outlet_name(site, a.outlet),
                "via": a.via,
                "via_name": outlet_name(site, a.via),
                "agency": a.agency,
                "summary": a.summary,
                "source_url": a.source_url,
                "draft": a.draft,
                "tags": tags,
                "tag_labels": {
                    code: [site.tags[k].labels.get(code, k) for k in tags] for code in codes
                },
                "url": archive_url(site, a),
                "translated": {
                    code: {"title": b.title, "summary": b.summary}
                    for code in codes
                    if (b := a.briefing(code)) is not None
                },
            }
        )
    return records


def tag_records(site: Site) -> list[dict[str, Any]]:
    """The tag vocabulary, with article counts per language articles are written in and the tag
    page in each reader language."""
    codes = [lang.code for lang in site.config.languages]
    out = []
    for tag in site.tags.values():
        articles = site.by_tag.get(tag.key, ())
        out.append(
            {
                "key": tag.key,
                "labels": dict(sorted(tag.labels.items())),
                "descriptions": dict(sorted(tag.descriptions.items())),
                "aliases": list(tag.aliases),
                "counts": {
                    code: sum(1 for a in articles if a.language == code)
                    for code in site.content_languages
                },
                "urls": {code: f"{site.config.base_url}{code}/tags/{tag.key}/" for code in codes},
            }
        )
    return out


def outlet_records(site: Site) -> list[dict[str, Any]]:
    """Outlets that are defined or used, with their article count and pages."""
    codes = [lang.code for lang in site.config.languages]
    out = []
    for outlet in site.outlets.values():
        count = len(site.by_outlet.get(outlet.key, ()))
        if not outlet.known and not count:
            continue
        out.append(
            {
                "key": outlet.key,
                "name": outlet.name or None,
                "language": outlet.language or None,
                "country": outlet.country,
                "website": outlet.url,
                "count": count,
                "urls": {
                    code: f"{site.config.base_url}{code}/outlets/{outlet.key}/" for code in codes
                },
            }
        )
    return out


def to_json(records: Sequence[Mapping[str, Any]]) -> bytes:
    """Pretty, sorted, UTF-8 JSON (Arabic stays readable: no ``\\u`` escapes)."""
    return (json.dumps(list(records), ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode(
        "utf-8"
    )


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: a leading ``=`` ``+`` ``-`` ``@`` gets an apostrophe."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def flatten(value: Any) -> str:
    """One CSV cell: lists joined with ``; ``, booleans as ``true``/``false``, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return MULTI_SEPARATOR.join(flatten(v) for v in value)
    return str(value)


def csv_columns(
    records: Sequence[Mapping[str, Any]], fields: Sequence[str]
) -> list[tuple[str, tuple[str, ...]]]:
    """(column name, path into the record): mappings become ``field_<key>`` columns, mappings of
    mappings ``field_<key>_<subkey>`` (``translated_it_title``)."""
    columns: list[tuple[str, tuple[str, ...]]] = []
    for name in fields:
        sample = next((r[name] for r in records if isinstance(r.get(name), Mapping)), None)
        if isinstance(sample, Mapping):
            keys = sorted({k for r in records for k in (r.get(name) or {})})
            for k in keys:
                inner = [r[name][k] for r in records if k in (r.get(name) or {})]
                if inner and all(isinstance(v, Mapping) for v in inner):
                    subkeys = list(dict.fromkeys(sk for v in inner for sk in v))
                    columns += [(f"{name}_{k}_{sk}", (name, k, sk)) for sk in subkeys]
                else:
                    columns.append((f"{name}_{k}", (name, k)))
        else:
            columns.append((name, (name,)))
    return columns


def to_csv(records: Sequence[Mapping[str, Any]], fields: Sequence[str]) -> bytes:
    """CSV with a header row, UTF-8 with BOM, CRLF rows, every cell formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    columns = csv_columns(records, fields)
    writer.writerow([name for name, _ in columns])
    for record in records:
        row = []
        for _, path in columns:
            value: Any = record.get(path[0])
            for key in path[1:]:
                value = (value or {}).get(key)
            row.append(safe_cell(flatten(value)))
        writer.writerow(row)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
