"""Search: a Pagefind bundle per content language and a search page per site language.

:func:`pages` is the producer listed in :data:`briefgen.producers.PRODUCERS`: it adds
``<lang>/search/`` with everything the page's script needs inline (bundle paths, labels in the
page's language, the tag alias table, the CLDR plural forms). :class:`Indexing` is the build's
search stage (started before the pages render, finished after them); :func:`index_site` runs
it in one call.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from briefgen.config import Language
from briefgen.languages import direction
from briefgen.model import Site
from briefgen.pages import I18n, Page, PageContext, Urls
from briefgen.search.index import BUNDLE_DIR, COMPONENT_UI, Indexing, index_site
from briefgen.search.normalize import alias_key, fold_index, persian_alphabet
from briefgen.search.records import (
    TAG_TOKEN,
    bundle_languages,
    bundle_records,
    loads_with_page,
    record,
    tag_token,
)

__all__ = [
    "BUNDLE_DIR",
    "Indexing",
    "alias_key",
    "bundle_languages",
    "fold_index",
    "index_site",
    "pages",
    "search_url",
    "warm_word",
]

EXCERPT_WORDS = 30
PAGE_SIZE = 30
"""Results shown at first and added by "more results": the Component UI makes a placeholder per
result shown, and thousands of them took seconds."""
FILTERS = ("lang", "tag", "outlet", "year")
"""Filter keys in the index (values are ids; the page shows labels)."""


def search_url(lang: str) -> str:
    """The search page of a site language (:meth:`Urls.search`)."""
    return Urls.search(lang)


def capitalise(text: str) -> str:
    """The first letter upper-case (scripts without case are unchanged)."""
    return text[:1].upper() + text[1:]


def aliases(site: Site) -> dict[str, list[str]]:
    """Alias key → tag keys, from every tag's labels and aliases (any script)."""
    table: dict[str, list[str]] = {}
    for tag in site.tags.values():
        for name in (*tag.labels.values(), *tag.aliases):
            key = alias_key(name)
            if key and tag.key not in table.setdefault(key, []):
                table[key].append(tag.key)
    return dict(sorted(table.items()))


def warm_word(site: Site, lang: str) -> str | None:
    """The word the search page searches for in ``lang``'s bundle while it loads: the token of
    the tag most of its articles carry (one small index chunk, thousands of matches), or None.

    A browser runs WebAssembly through a quick baseline compiler first and optimises what has
    run; Pagefind's first search in a bundle was two to three times slower than the next (466
    against 170 ms at 5,000 articles). Warmed, the reader's first search is not the slow one."""
    counts: dict[str, int] = {}
    for article in site.articles_in(lang):
        for key in article.tags:
            counts[key] = counts.get(key, 0) + 1
    if not counts:
        return None
    return tag_token(max(sorted(counts), key=counts.__getitem__))


SCRIPTS = {
    "arab": re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]"),
    "latn": re.compile("[A-Za-z\u00c0-\u024f]"),
    "cyrl": re.compile("[\u0400-\u052f]"),
    "grek": re.compile("[\u0370-\u03ff\u1f00-\u1fff]"),
    "hebr": re.compile("[\u0590-\u05ff\ufb1d-\ufb4f]"),
    "hani": re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"),
    "hang": re.compile("[\u1100-\u11ff\uac00-\ud7af]"),
    "thai": re.compile("[\u0e00-\u0e7f]"),
}
"""Scripts a query word can be in that a bundle may lack (``normalize.js`` has the same classes).
A bundle without a word in a script is not searched for a query word in it: nothing there can
match, Pagefind would still fetch an index chunk and run (25 to 60 ms of a two-core machine's
time at 5,000 articles, while the other bundle's search is the one the reader waits for), and
Pagefind answers a word it lacks with the longest indexed word it starts with."""


def bundle_scripts(site: Site, lang: str) -> list[str]:
    """The :data:`SCRIPTS` that the titles and texts of ``lang``'s records use (its articles and
    the briefings in it; tag words excluded: they match only through an alias)."""
    missing = list(SCRIPTS)
    for _, rec in bundle_records(site, lang, ""):
        for text in (rec.title, rec.text):
            # One pass over the text for every script not found yet (a script no record uses
            # is looked for once per text, not once per script: 2 s less at 10,000 articles).
            while missing and (found := _any_letter(tuple(missing)).search(text)) is not None:
                missing.remove(next(n for n in missing if SCRIPTS[n].match(found[0])))
        if not missing:
            break
    return [name for name in SCRIPTS if name not in missing]


@lru_cache(maxsize=256)
def _any_letter(names: tuple[str, ...]) -> re.Pattern[str]:
    """A letter of any of the scripts ``names`` (their classes of :data:`SCRIPTS` joined)."""
    return re.compile("[" + "".join(SCRIPTS[name].pattern[1:-1] for name in names) + "]")


SEGMENTED = ("zh", "ja", "th")
"""Languages whose text has no spaces between words: the page splits a query into words
(``Intl.Segmenter``) before searching their bundles, as the extended Pagefind binary split the
text."""


def totals(site: Site) -> dict[str, dict[str, int]]:
    """Every filter value's count over the archive (each article once): the filter pane shows
    them before any bundle is loaded."""
    counts: dict[str, dict[str, int]] = {key: {} for key in FILTERS}
    for article in site.articles:
        rec = record(article, "")
        for key, values in (*rec.filters.items(), ("lang", (article.language,))):
            for value in values:
                counts[key][value] = counts[key].get(value, 0) + 1
    return counts


def bundle_config(site: Site, lang: str, scripts: list[str]) -> dict[str, Any]:
    """What the page knows of one bundle before loading it (the same on every page)."""
    home = loads_with_page(site, lang)
    config: dict[str, Any] = {
        "lang": lang,
        "dir": direction(lang),
        "path": f"{site.config.base_path}{BUNDLE_DIR}/{lang}/",
        # The language filter's total (the index has no language filter).
        "pages": len(site.articles_in(lang)),
        "warm": warm_word(site, lang),
        "scripts": scripts,
        # A reader language's bundle loads with the page; another when a query can match in it.
        "home": home,
    }
    if not home:
        carried = {key for a in site.articles_in(lang) for key in a.tags}
        config["tags"] = [tag_token(key) for key in sorted(carried)]
    if lang.split("-", 1)[0].lower() in SEGMENTED:
        config["segment"] = True
    if persian_alphabet(lang):
        config["persian"] = True
    return config


def page_config(site: Site, t: I18n, scripts: Mapping[str, list[str]]) -> dict[str, Any]:
    """What the search script needs, in the page's language (embedded as JSON in the page);
    ``scripts``: :func:`bundle_scripts` of each bundle language (the same on every page)."""
    code = t.code
    languages = bundle_languages(site)
    content = sorted({a.language for a in site.articles})
    return {
        "lang": code,
        "dir": t.dir,
        "bundles": [bundle_config(site, lang, scripts[lang]) for lang in languages],
        "told": list(SCRIPTS),
        "directions": {lang: direction(lang) for lang in content},
        "totals": totals(site),
        "translation": t("translation"),
        "originalTitle": t("original_title"),
        "excerptLength": EXCERPT_WORDS,
        "pageSize": PAGE_SIZE,
        "tagToken": TAG_TOKEN,
        "filterNames": {key: t(f"search_filter_{key}") for key in FILTERS},
        "labels": {
            # CLDR writes Italian language names in lower case (arabo): a filter label starts upper.
            "lang": {lang: capitalise(t.language_name(lang)) for lang in content},
            "tag": {tag.key: tag.labels.get(code, tag.key) for tag in site.tags.values()},
            "outlet": {
                o.key: o.name if o.known else t("unknown_outlet")
                for o in site.outlets.values()
                if o.key in site.by_outlet
            },
        },
        "outletLang": {
            o.key: [o.language, direction(o.language)] if o.known else [code, t.dir]
            for o in site.outlets.values()
            if o.key in site.by_outlet
        },
        "undated": t("undated"),
        "aliases": aliases(site),
        "plurals": {
            category: text.format(count="[COUNT]", term="[SEARCH_TERM]")
            for category, text in t.forms("search_results").items()
        },
    }


def pages(ctx: PageContext) -> Iterator[Page]:
    """The search page in each site language."""
    site = ctx.site
    languages = bundle_languages(site)
    ui = f"{BUNDLE_DIR}/{languages[0]}/" if languages else None
    scripts = {code: bundle_scripts(site, code) for code in languages}  # reads every text once
    for lang in ctx.config.languages:
        t = ctx.i18n[lang.code]
        data = {
            "search": page_config(site, t, scripts),
            "component_ui": tuple(ui + name for name in COMPONENT_UI) if ui else (),
        }
        yield Page(
            search_url(lang.code),
            "search.html",
            lang,
            "search",
            t("search_title"),
            ctx.everywhere(search_url),
            data,
        )
        yield opensearch_page(ctx, lang)


SHORT_NAME = 16
"""OpenSearch's limit for ``ShortName``, the name a browser gives the engine (characters)."""
LONG_NAME = 48
"""OpenSearch's limit for ``LongName``."""


def clipped(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a space when there is one, with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"


def opensearch_page(ctx: PageContext, lang: Language) -> Page:
    """The OpenSearch description of the search page in ``lang`` (``<lang>/opensearch.xml``):
    a browser offers to add the archive as a search engine, named with the site title."""
    title = ctx.config.title[lang.code]
    data = {"short_name": clipped(title, SHORT_NAME), "long_name": clipped(title, LONG_NAME)}
    return Page(
        Urls.opensearch(lang.code),
        "opensearch.xml",
        lang,
        "opensearch",
        title,
        ctx.everywhere(Urls.opensearch),
        data,
        sitemap=False,
    )
