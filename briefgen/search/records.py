"""What is indexed: one record per article in its language's bundle, and the filter table each
bundle carries beside Pagefind's files (split from :mod:`briefgen.search.index`, which runs
Pagefind on the records)."""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path

from briefgen.errors import BuildError
from briefgen.model import UNDATED_SORT, Article, Site
from briefgen.search.normalize import fold_index

TAG_TOKEN = "\u203f"
"""Prefix of the word each record carries per tag (``‿china``): a search for an alias is a search
for that word, which reads one index chunk (a filter-only search reads every chunk: 2.4 MB at
10,000 articles). Pagefind keeps the undertie (a connector) inside words, and no reader types it,
so no query is a prefix of a tag word (``bgtag`` was: ``b`` matched every article)."""
FILTER_TABLE = "briefgen-filters.json"
"""In each bundle: the tag, outlet and year of every page, by Pagefind's page id. The search page
filters and counts results with it. Pagefind 1.5.2 counts filter values by checking each value's
pages against the list of results one at a time: 70 to 90 ms a search at 5,000 articles, and
only a lower bound for the union of a query's expanded forms; from the table the count is exact
and takes a millisecond."""
FILTER_KEYS = ("tag", "outlet", "year")
_FRAGMENT_URL = re.compile(rb'pagefind_dcd\{"url":("(?:[^"\\]|\\.)*")')
"""The start of a Pagefind fragment (after gunzip): its page's URL comes first."""


@dataclass(frozen=True, slots=True)
class Record:
    """What is indexed for one article."""

    path: str
    """The record file, inside the language's directory: ``<slug>.html``, side by side (the
    page shows ``href``; one directory per article would double the files made, and making a
    file is what indexing 10,000 records spends most on before Pagefind starts)."""
    lang: str
    href: str
    """The article's URL with the base path, shown as the result link."""
    title: str
    text: str
    date: str
    """ISO date at the source's precision (empty when undated), formatted by the page."""
    sort: str
    """The model's date order as text (:attr:`PartialDate.sort_text`): Pagefind sorts each
    bundle by it, and the search page merges the bundles' lists by it."""
    filters: Mapping[str, tuple[str, ...]]


def bundle_languages(site: Site) -> tuple[str, ...]:
    """The languages that have articles, in site order: one bundle each."""
    present = {a.language for a in site.articles}
    return tuple(lang.code for lang in site.config.languages if lang.code in present)


def record(article: Article, base_path: str) -> Record:
    """The searchable part of an article, with its filters (ids, labelled by the page)."""
    when = article.date
    date = "" if when is None else when.iso
    sort = UNDATED_SORT if when is None else when.sort_text
    # No language filter: each bundle is one language, and the page filters by bundle.
    filters: dict[str, tuple[str, ...]] = {
        "tag": tuple(dict.fromkeys(article.tags)),
        "outlet": (article.outlet,),
    }
    if when is not None:
        filters["year"] = (f"{when.year:04d}",)
    return Record(
        article.slug + ".html",
        article.language,
        base_path + article.url,
        article.title,
        article.body_text,
        date,
        sort,
        filters,
    )


def tag_token(key: str) -> str:
    """The indexed word standing for a tag (``german-gref`` → ``‿germangref``)."""
    return TAG_TOKEN + re.sub(r"[^a-z0-9]", "", key.lower())


def record_html(rec: Record) -> str:
    """A record as the smallest page Pagefind indexes: the title (meta), the text, the date to
    sort by. Its filters are not given to Pagefind: they go into the bundle's filter table."""
    outlet = rec.filters["outlet"][0]
    fields = (
        ("title", rec.title),
        ("href", rec.href),
        ("date", rec.date),
        ("sort", rec.sort),
        ("outlet", outlet),
    )
    meta = "".join(
        f'<i data-pagefind-meta="{key}:{escape(value)}"></i>' for key, value in fields if value
    )
    sort = f'<i data-pagefind-sort="date:{escape(rec.sort)}"></i>'
    return (
        f'<!DOCTYPE html><html lang="{rec.lang}"><head><meta charset="utf-8"></head><body>'
        f"<main data-pagefind-body>{meta}{sort}"
        f"<h1>{escape(fold_index(rec.title))}</h1><p>{escape(fold_index(rec.text))}</p>"
        f"<p>{' '.join(tag_token(key) for key in rec.filters['tag'])}</p></main></body></html>"
    )


def page_ids(bundle: Path) -> dict[str, str]:
    """Pagefind's page ids (its fragment files' names) → the record each one indexed
    (``/<slug>.html``). Only the head of each fragment is decompressed: the URL comes first."""
    ids: dict[str, str] = {}
    folder = bundle / "fragment"
    for path in sorted(folder.iterdir()) if folder.is_dir() else ():
        head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(path.read_bytes(), 4096)
        match = _FRAGMENT_URL.match(head)
        if match is None:
            raise BuildError(f"Pagefind wrote a fragment briefgen cannot read: {path}")
        ids[path.name.split(".", 1)[0]] = json.loads(match.group(1))
    return ids


def filter_table(site: Site, lang: str, ids: Mapping[str, str]) -> bytes:
    """The bundle's filter table: each key's values (ids, labelled by the page), and for every
    page id the indexes of its values per key, in :data:`FILTER_KEYS` order."""
    records = {f"/{a.slug}.html": record(a, "") for a in site.articles_in(lang)}
    values: dict[str, list[str]] = {key: [] for key in FILTER_KEYS}
    for rec in records.values():
        for key in FILTER_KEYS:
            values[key].extend(rec.filters.get(key, ()))
    ordered = {key: sorted(set(found)) for key, found in values.items()}
    index = {key: {value: n for n, value in enumerate(found)} for key, found in ordered.items()}
    pages: dict[str, list[list[int]]] = {}
    for page_id, url in ids.items():
        found = records.get(url)
        if found is None:
            raise BuildError(f"Pagefind indexed {url!r} in the {lang!r} bundle: no such article")
        pages[page_id] = [[index[k][v] for v in found.filters.get(k, ())] for k in FILTER_KEYS]
    if len(pages) != len(records):
        raise BuildError(f"Pagefind indexed {len(pages)} of the {len(records)} {lang!r} articles")
    table = {"keys": FILTER_KEYS, "values": ordered, "pages": pages}
    return json.dumps(table, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def used_wasm(bundle: Path) -> set[str] | None:
    """The WASM files pagefind.js loads for the bundle's languages: ``wasm.<lang>.pagefind``
    for a language Pagefind stems, ``wasm.unknown.pagefind`` for one it does not (fa, he, zh:
    the entry's ``"wasm": null``); None without an entry (all are kept)."""
    try:
        entry = json.loads((bundle / "pagefind-entry.json").read_text("utf-8"))
    except FileNotFoundError:
        return None
    return {f"wasm.{v.get('wasm') or 'unknown'}.pagefind" for v in entry["languages"].values()}
