"""What is indexed: one record per article in its language's bundle, and the filter table each
bundle carries beside Pagefind's files (split from :mod:`briefgen.search.index`, which runs
Pagefind on the records)."""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from types import MappingProxyType

from briefgen.errors import BuildError
from briefgen.model import UNDATED_SORT, Article, Site
from briefgen.search.normalize import fold_index, function_words

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
DATE_TABLE = "briefgen-dates.json"
"""In each bundle: the date rank of every page (:func:`date_rows`), loaded for a date sort."""
TAG_PAGES = "briefgen-tag-{}.json"
"""Beside a bundle that loads only when a query needs it: the page ids of the records with one
tag (:func:`tag_pages`), by the tag's word without the undertie (``briefgen-tag-china.json``)."""
_MARKER = b"pagefind_dcd"
_FRAGMENT_URL = re.compile(rb'pagefind_dcd\{"url":("(?:[^"\\]|\\.)*")')
"""The start of a Pagefind fragment (after gunzip): its page's URL comes first."""


NONE: Mapping[str, str] = MappingProxyType({})


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
    """The model's date order as text (:attr:`PartialDate.sort_text`): the search page sorts
    by its rank among all records' (:func:`date_ranks`)."""
    filters: Mapping[str, tuple[str, ...]]
    hrefs: Mapping[str, str] = field(default_factory=lambda: NONE)
    """The article's page in each other reader language it has one in (``href_<reader>``: a
    foreign article has a page in every reader language, the result links to the reader's)."""
    titles: Mapping[str, str] = field(default_factory=lambda: NONE)
    """The curator's briefing titles by reader language (``title_<reader>``): shown, marked as
    a translation, on that reader's search page whichever bundle found the article."""
    original: str = ""
    """For a briefing's record (in the reader language's bundle), the article's own language;
    empty for the record of the article's own text."""
    original_title: str = ""
    """For a briefing's record, the article's own title (its ``title`` meta)."""


def bundle_languages(site: Site) -> tuple[str, ...]:
    """One bundle per language to search: the reader languages with articles or briefings, in
    site order (a briefing is indexed in its reader language's bundle), then every other
    content language of the articles, by tag. One ``<html lang>`` per bundle: Pagefind gives
    each value an index of its own and searches one, so ``zh-Hans`` and ``zh-Hant`` are two."""
    present = {a.language for a in site.articles}
    briefed = {r for a in site.articles for r in a.translated if r != a.language}
    readers = [lang.code for lang in site.config.languages]
    first = [code for code in readers if code in present or code in briefed]
    return (*first, *sorted(present - set(first)))


def loads_with_page(site: Site, lang: str) -> bool:
    """Whether ``lang``'s bundle loads with the search page: a reader language's does (it also
    holds the briefings of foreign articles); another loads when a query can match in it."""
    return any(language.code == lang for language in site.config.languages)


def bundle_records(site: Site, lang: str, base_path: str) -> Iterator[tuple[Article, Record]]:
    """The records of ``lang``'s bundle: its articles' own text, then the briefings in ``lang``
    of articles in other languages (their record file is also ``<slug>.html``: slugs are
    unique across the archive)."""
    for article in site.articles_in(lang):
        yield article, record(article, base_path)
    for article in site.articles:
        briefing = article.translated.get(lang)
        if briefing is not None and article.language != lang:
            yield article, record(article, base_path, lang)


def record(article: Article, base_path: str, briefing: str | None = None) -> Record:
    """The searchable part of an article, with its filters (ids, labelled by the page);
    ``briefing``: a reader language, for the record of the curator's briefing in it (its title
    and summary, indexed in that language's bundle) instead of the article's own text."""
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
    lang, title, text = article.language, article.title, article.body_text
    if briefing is not None:
        brief = article.translated[briefing]
        lang, title, text = briefing, brief.title, brief.summary or ""
    readers = article.page_languages
    return Record(
        article.slug + ".html",
        lang,
        base_path + article.url,
        title,
        text,
        date,
        sort,
        filters,
        {r: base_path + article.url_in(r) for r in readers[1:]},
        {r: b.title for r, b in sorted(article.translated.items()) if r != article.language},
        article.language if briefing is not None else "",
        article.title if briefing is not None else "",
    )


def tag_token(key: str) -> str:
    """The indexed word standing for a tag (``german-gref`` → ``‿germangref``)."""
    return TAG_TOKEN + re.sub(r"[^a-z0-9]", "", key.lower())


def record_html(rec: Record) -> str:
    """A record as the smallest page Pagefind indexes: the title (meta), the text, the date to
    sort by. Its filters are not given to Pagefind: they go into the bundle's filter table."""
    outlet = rec.filters["outlet"][0]
    fields = (
        # The article's own title: the page shows the briefing's from title_<reader>.
        ("title", rec.original_title or rec.title),
        ("href", rec.href),
        ("date", rec.date),
        ("sort", rec.sort),
        ("outlet", outlet),
        ("lang", rec.original),
        *((f"href_{reader}", href) for reader, href in rec.hrefs.items()),
        *((f"title_{reader}", title) for reader, title in rec.titles.items()),
    )
    meta = "".join(
        f'<i data-pagefind-meta="{key}:{escape(value)}"></i>' for key, value in fields if value
    )
    return (
        f'<!DOCTYPE html><html lang="{rec.lang}"><head><meta charset="utf-8"></head><body>'
        f"<main data-pagefind-body>{meta}"
        f"<h1>{indexed_text(rec.title, rec.lang)}</h1>"
        f"<p>{indexed_text(rec.text, rec.lang)}</p>"
        f"<p>{' '.join(tag_token(key) for key in rec.filters['tag'])}</p></main></body></html>"
    )


WEIGHTLESS = r'<i data-pagefind-weight="0">\g<0></i>'
"""A function word as indexed: matched, but scoring 0 (:func:`indexed_text`)."""


def indexed_text(text: str, lang: str) -> str:
    """A title or text as Pagefind indexes it (HTML): :func:`fold_index`, and each function word
    of ``lang`` weightless, so that a query reaching it only through Pagefind's prefix matching
    or stemming (``منغوليا`` → ``من``) scores 0 and is dropped by the search page."""
    html = escape(fold_index(text, lang), quote=False)
    pattern = function_words(lang)
    return html if pattern is None else pattern.sub(WEIGHTLESS, html)


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


def _cbor_head(data: bytes, at: int) -> tuple[int, int, int]:
    """The CBOR item header at ``at``: (major type, argument, where its content starts)."""
    first = data[at]
    major, info = first >> 5, first & 31
    if info < 24:
        return major, info, at + 1
    if info > 27:
        raise ValueError(f"CBOR header {first:#x} at {at}")
    size = 1 << (info - 24)
    return major, int.from_bytes(data[at + 1 : at + 1 + size], "big"), at + 1 + size


def meta_pages(bundle: Path) -> list[str]:
    """Pagefind's page ids in the order its metadata (``pagefind.<hash>.pf_meta``: gzip, the
    ``pagefind_dcd`` marker, then CBOR ``[version, [[page id, words], ...], ...]``) lists them:
    the order the search page numbers pages in (its worker reads the same list), so that the
    filter table needs no page ids (they were half its bytes)."""
    found = sorted(bundle.glob("pagefind.*.pf_meta"))
    if len(found) != 1:
        raise BuildError(f"Pagefind wrote {len(found)} metadata files into {bundle}, not one")
    try:
        data = gzip.decompress(found[0].read_bytes())
        if not data.startswith(_MARKER):
            raise ValueError("no marker")
        major, _, at = _cbor_head(data, len(_MARKER))
        kind, size, at = _cbor_head(data, at)  # the version
        if (major, kind) != (4, 3):
            raise ValueError("not [version, pages, ...]")
        major, count, at = _cbor_head(data, at + size)
        if major != 4:
            raise ValueError("no page list")
        pages = []
        for _ in range(count):
            major, pair, at = _cbor_head(data, at)
            kind, size, at = _cbor_head(data, at)
            if (major, pair, kind) != (4, 2, 3):
                raise ValueError("a page is not [id, words]")
            pages.append(data[at : at + size].decode("utf-8"))
            _, _, at = _cbor_head(data, at + size)  # its word count
    except (OSError, ValueError, IndexError, EOFError, zlib.error) as exc:
        message = f"Pagefind wrote metadata briefgen cannot read: {found[0]}: {exc}"
        raise BuildError(message) from exc
    return pages


def ordered_page_ids(bundle: Path) -> dict[str, str]:
    """:func:`page_ids` in the order of :func:`meta_pages`; fails the build when the two do not
    name the same pages."""
    ids = page_ids(bundle)
    order = meta_pages(bundle)
    if sorted(order) != sorted(ids):
        raise BuildError(f"Pagefind's metadata and fragments name different pages in {bundle}")
    return {page: ids[page] for page in order}


DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
"""The filter table writes a value's number in these (base 64), in as many digits as the key's
number of values needs, so that a page's row is a short string (``"9AB.2.4"``)."""


def digits_for(count: int) -> int:
    """How many :data:`DIGITS` a key with ``count`` values writes each number in."""
    width = 1
    while len(DIGITS) ** width < count:
        width += 1
    return width


def _number(n: int, width: int) -> str:
    return "".join(DIGITS[(n >> (6 * (width - 1 - i))) & 63] for i in range(width))


def filter_table(
    site: Site,
    lang: str,
    ids: Mapping[str, str],
    bundles: Mapping[str, Mapping[str, str]] | None = None,
) -> bytes:
    """The bundle's filter table: each key's values (ids, labelled by the page), and per page,
    in the order of ``ids`` (Pagefind's page id → record URL, in :func:`meta_pages` order), its
    row: the numbers of its values per key in :data:`DIGITS`, the keys (:data:`FILTER_KEYS`)
    separated by dots; ``same``: for each bundle of an article with a briefing here, pairs of
    numbers, the briefing's page here and the article's own page there (``bundles``: every
    bundle's ``ids``), so that the page shows an article found in both once."""
    records = {f"/{rec.path}": rec for _, rec in bundle_records(site, lang, "")}
    values: dict[str, list[str]] = {key: [] for key in FILTER_KEYS}
    for rec in records.values():
        for key in FILTER_KEYS:
            values[key].extend(rec.filters.get(key, ()))
    ordered = {key: sorted(set(found)) for key, found in values.items()}
    index = {key: {value: n for n, value in enumerate(found)} for key, found in ordered.items()}
    width = [digits_for(len(ordered[key])) for key in FILTER_KEYS]
    own = {
        code: {url: n for n, url in enumerate(pages.values())}
        for code, pages in (bundles or {}).items()
    }
    rows: list[str] = []
    same: dict[str, list[int]] = {}
    for number, url in enumerate(ids.values()):
        found = records.get(url)
        if found is None:
            raise BuildError(f"Pagefind indexed {url!r} in the {lang!r} bundle: no such article")
        rows.append(
            ".".join(
                "".join(_number(index[key][v], w) for v in found.filters.get(key, ()))
                for key, w in zip(FILTER_KEYS, width, strict=True)
            )
        )
        if found.original:
            original = own.get(found.original, {}).get(url)
            if original is None:
                raise BuildError(f"no {found.original!r} record of the briefing {url!r}")
            same.setdefault(found.original, []).extend((number, original))
    if len(rows) != len(records):
        raise BuildError(f"Pagefind indexed {len(rows)} of the {len(records)} {lang!r} articles")
    table: dict[str, object] = {
        "keys": FILTER_KEYS,
        "values": ordered,
        "digits": width,
        "pages": rows,
    }
    if same:
        table["same"] = same
    return json.dumps(table, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def date_ranks(site: Site) -> dict[str, int]:
    """Each record's date order (:attr:`Record.sort`) → its rank among all of the archive's,
    oldest first: comparable across bundles."""
    return {text: n for n, text in enumerate(sorted({record(a, "").sort for a in site.articles}))}


def date_rows(site: Site, lang: str, ids: Mapping[str, str], ranks: Mapping[str, int]) -> bytes:
    """The bundle's date ranks (:func:`date_ranks`), one per page in the order of ``ids`` (the
    filter table's rows): written beside the table (:data:`DATE_TABLE`) and loaded only when a
    reader sorts by date. Pagefind gets no sort: its sort order was a fifth of its metadata,
    which every search page loads."""
    records = {f"/{rec.path}": rec for _, rec in bundle_records(site, lang, "")}
    return json.dumps([ranks[records[url].sort] for url in ids.values()]).encode()


def tag_pages(site: Site, lang: str, ids: Mapping[str, str]) -> dict[str, list[str]]:
    """Per tag word (``germangref``), the page ids of the bundle's records with the tag, in
    the order of ``ids`` (:func:`meta_pages`). Written beside a bundle that does not load with
    the search page (:data:`TAG_PAGES`): a query naming a tag finds its articles there from
    this, the filter table and their fragments, without loading the bundle's Pagefind."""
    records = {f"/{rec.path}": rec for _, rec in bundle_records(site, lang, "")}
    out: dict[str, list[str]] = {}
    for page, url in ids.items():
        for key in dict.fromkeys(records[url].filters["tag"]):
            out.setdefault(tag_token(key)[len(TAG_TOKEN) :], []).append(page)
    return out


def used_wasm(bundle: Path) -> set[str] | None:
    """The WASM files pagefind.js loads for the bundle's languages: ``wasm.<lang>.pagefind``
    for a language Pagefind stems, ``wasm.unknown.pagefind`` for one it does not (fa, he, zh:
    the entry's ``"wasm": null``); None without an entry (all are kept)."""
    try:
        entry = json.loads((bundle / "pagefind-entry.json").read_text("utf-8"))
    except FileNotFoundError:
        return None
    return {f"wasm.{v.get('wasm') or 'unknown'}.pagefind" for v in entry["languages"].values()}
