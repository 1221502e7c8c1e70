"""A web page as an article's parts: its bytes decoded, its main text as Markdown, what the
page says about itself, and every block around the article that was left out.

trafilatura finds the article (its XML output, rendered to Markdown here: headings, lists,
links, block quotes and emphasis kept); htmldate finds the publication date in the markup.
Nothing is scraped by hand: this module only decodes, renders and lists what was left out,
so the curator sees every dropped block with its line in the page and the reason.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import htmldate
import lxml.etree
import lxml.html
import trafilatura
from charset_normalizer import from_bytes

from briefgen.importer.clean import Line, Role, escape_markdown

_META_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)
_SNIFF = 4096
_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or an office document)"),
    (b"\x1f\x8b", "gzip-compressed data"),
)
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", ""})
"""Content types read as a page ('' when the server names none: the bytes are sniffed)."""


class PageError(Exception):
    """A page that cannot be imported; the message says why."""


def binary_kind(data: bytes) -> str | None:
    """What a binary file is (its magic number, or NUL bytes), or None for text."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    return "binary data (NUL bytes)" if b"\x00" in data[:_SNIFF] else None


def looks_like_html(data: bytes) -> bool:
    """Whether a file's first bytes are an HTML document (a page saved without ``.html``)."""
    head = data[:_SNIFF].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<!--"))


def decode_page(data: bytes, declared: str | None, forced: str | None) -> tuple[str, str]:
    """(text, encoding): ``--encoding`` when given, else a byte-order mark, the charset the
    server declared, the page's ``<meta charset>``, else UTF-8. A page that is not UTF-8 and
    declares no charset is refused, with charset-normalizer's guess as a hint: never guessed.
    """
    kind = binary_kind(data)
    if kind is not None:
        raise PageError(f"{kind}, not a web page: refused")
    meta = _META_CHARSET.search(data[:_SNIFF])
    for name, why in (
        (forced, "given with --encoding"),
        ("utf-8-sig" if data.startswith(codecs.BOM_UTF8) else None, "byte-order mark"),
        (declared, "the server's Content-Type"),
        (meta.group(1).decode("ascii") if meta else None, "the page's <meta charset>"),
    ):
        if name is None:
            continue
        try:
            return data.decode(name), codecs.lookup(name).name
        except LookupError:
            raise PageError(f"unknown charset {name!r} ({why})") from None
        except UnicodeDecodeError as exc:
            raise PageError(
                f"not valid {name} ({why}): byte 0x{data[exc.start : exc.start + 1].hex()} "
                f"at offset {exc.start}"
            ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        best = from_bytes(data).best()
        hint = f"; it looks like {best.encoding}: " if best is not None else "; "
        raise PageError(
            "not valid UTF-8 and no charset is declared (neither Content-Type nor <meta "
            f"charset>): byte 0x{data[exc.start : exc.start + 1].hex()} at offset {exc.start}"
            f"{hint}re-run with --encoding NAME, or save the page as UTF-8"
        ) from None


@dataclass(frozen=True, slots=True)
class Page:
    """What a page says about itself and its article's text."""

    blocks: tuple[tuple[str, str], ...]
    """The article's text, block by block: its Markdown and its plain text (the headline left
    out: it is the title)."""
    title: str | None
    site_name: str | None
    """og:site_name or the JSON-LD publisher, as trafilatura reads them."""
    canonical: str | None
    """The canonical link (or og:url), made absolute."""
    date: str | None
    """htmldate's publication date from the markup, ``YYYY-MM-DD``."""
    page_type: str | None
    """og:type (trafilatura's ``pagetype``): ``article``, ``website``…"""
    dropped: tuple[Line, ...]
    """Blocks of the page outside the article: line in the page, text, reason."""


def read_page(html: str, url: str | None) -> Page:
    """The article in ``html`` (fetched from ``url``, when it was); PageError when the page
    holds no article text at all."""
    tree = trafilatura.extract(
        html,
        url=url,
        output_format="xml",
        include_links=True,
        include_formatting=True,
        include_tables=True,
        include_images=False,
        include_comments=False,
        with_metadata=False,
        deduplicate=False,
    )
    metadata = trafilatura.extract_metadata(html)
    title = _clean(metadata.title) if metadata and metadata.title else None
    try:
        body = lxml.etree.fromstring(tree.encode("utf-8")).find("main") if tree else None
    except lxml.etree.XMLSyntaxError:  # pragma: no cover - trafilatura writes well-formed XML
        body = None
    if body is None:
        raise PageError("no article text found: the extraction is empty")
    canonical = metadata.url if metadata and metadata.url else None
    base = canonical or url
    if canonical is not None and url is not None:
        canonical = urljoin(url, canonical)
    renderer = _Markdown(title, base)
    blocks = renderer.blocks(body)
    found = htmldate.find_date(
        html, original_date=True, extensive_search=False, outputformat="%Y-%m-%d"
    )
    return Page(
        blocks=tuple(blocks),
        title=title,
        site_name=_clean(metadata.sitename) if metadata and metadata.sitename else None,
        canonical=canonical if canonical and urlsplit(canonical).scheme else None,
        date=found or None,
        page_type=metadata.pagetype if metadata else None,
        dropped=tuple(_left_out(html, renderer.plain, title)),
    )


def _clean(text: str) -> str:
    return " ".join(text.split())


class _Markdown:
    """trafilatura's XML (``head``, ``p``, ``list``/``item``, ``quote``, ``ref``, ``hi``,
    ``table``) as Markdown blocks; ``plain`` collects each block's text."""

    def __init__(self, title: str | None, base: str | None) -> None:
        self.title = title
        self.base = base
        self.plain: list[str] = []

    def blocks(self, parent: lxml.etree._Element) -> list[tuple[str, str]]:
        """Each block's Markdown and its plain text."""
        out: list[tuple[str, str]] = []
        for element in parent:
            before = len(self.plain)
            block = self.block(element)
            if block:
                out.append((block, "\n".join(self.plain[before:])))
        return out

    def block(self, element: lxml.etree._Element) -> str:
        tag = element.tag
        if tag == "head":
            text = self.inline(element)
            plain = _clean("".join(element.itertext()))
            if self.title is not None and _fold(plain) == _fold(self.title):
                return ""  # the headline: it is the title
            rank = re.fullmatch(r"h([1-6])", element.get("rend") or "")
            level = int(rank.group(1)) if rank else 2
            self.plain.append(plain)
            return f"{'#' * min(max(level, 2), 6)} {text}" if text else ""
        if tag == "list":
            return self.items(element, ordered=element.get("rend") == "ol")
        if tag == "quote":
            inner = [md for md, _plain in self.blocks(element)] if len(element) else []
            if not inner or (element.text and element.text.strip()):
                inner = [self.paragraph(element)]
            quoted = "\n\n".join(b for b in inner if b)
            return "\n".join(f"> {line}".rstrip() for line in quoted.split("\n"))
        if tag == "table":
            rows = [
                " · ".join(_clean("".join(cell.itertext())) for cell in row)
                for row in element.iter("row")
            ]
            self.plain.extend(r for r in rows if r)
            return "\n\n".join(escape_markdown(r) for r in rows if r)
        if tag in ("graphic", "comments"):
            return ""
        return self.paragraph(element)

    def paragraph(self, element: lxml.etree._Element) -> str:
        text = self.inline(element)
        if text:
            self.plain.append(_clean("".join(element.itertext())))
        return text

    def items(self, element: lxml.etree._Element, *, ordered: bool, indent: str = "") -> str:
        """A list, its nested lists indented to their item's text (as CommonMark wants)."""
        lines: list[str] = []
        own = [child for child in element if child.tag == "item"]  # nested ones: with their list
        for number, item in enumerate(own, 1):
            marker = f"{number}." if ordered else "-"
            text = self.inline(item, skip_lists=True)
            if text:
                self.plain.append(_clean(_own_text(item)))
                lines.append(f"{indent}{marker} {text}")
            inner = indent + " " * (len(marker) + 1)
            for nested in item.findall("list"):
                lines.append(self.items(nested, ordered=nested.get("rend") == "ol", indent=inner))
        return "\n".join(line for line in lines if line)

    def inline(self, element: lxml.etree._Element, *, skip_lists: bool = False) -> str:
        parts = [_escape(element.text)]
        for child in element:
            if not (skip_lists and child.tag == "list"):
                parts.append(self.span(child))
            parts.append(_escape(child.tail))
        return " ".join("".join(parts).split())

    def span(self, element: lxml.etree._Element) -> str:
        inner = self.inline(element)
        if not inner:
            return "" if element.tag != "lb" else " "
        if element.tag == "ref":
            href = self.link(element.get("target"))
            return f"[{inner}]({href})" if href else inner
        if element.tag == "hi":
            rend = element.get("rend") or ""
            if "#b" in rend:
                return f"**{inner}**"
            if "#i" in rend:
                return f"*{inner}*"
        return inner

    def link(self, target: str | None) -> str | None:
        """An absolute http(s) address for a link, or None (the text is kept without it)."""
        if not target:
            return None
        href = urljoin(self.base, target.strip()) if self.base else target.strip()
        if urlsplit(href).scheme not in ("http", "https"):
            return None
        return href.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def _own_text(item: lxml.etree._Element) -> str:
    """A list item's text without its nested lists."""
    parts = [item.text or ""]
    for child in item:
        if child.tag != "list":
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts)


def _escape(text: str | None) -> str:
    """Literal text in Markdown (runs of white space kept, to be folded once per block)."""
    if not text:
        return ""
    lead = " " if text[:1].isspace() else ""
    trail = " " if text[-1:].isspace() else ""
    core = " ".join(text.split())
    return f"{lead}{escape_markdown(core)}{trail}" if core else (lead or trail)


# ---------------------------------------------------------------------------------------------
# what was left out

_BLOCKS = frozenset(
    {
        *("p", "li", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "caption"),
        *("td", "th", "blockquote", "pre", "address", "div", "section", "article", "aside"),
        *("header", "footer", "nav", "main", "ul", "ol", "dl", "form", "table", "tr", "time"),
        *("button", "label"),
    }
)
_QUOTED = 40
"""Characters from which a page's text found inside an article block counts as kept."""
_SKIPPED = frozenset({"script", "style", "noscript", "template", "svg", "head", "iframe"})
# The first pattern an element's tag, class, id or role matches gives the reason, the element
# itself first, then its ancestors: the innermost container decides.
_REASONS: tuple[tuple[re.Pattern[str], Role], ...] = (
    (re.compile(r"\b(nav|navigation|menu|breadcrumbs?)\b"), Role.NAVIGATION),
    (re.compile(r"share|sharing|social|condivi"), Role.SHARE),
    (re.compile(r"related|correlat|read-?more|read-?also|potrebbe|more-?news"), Role.RELATED),
    (re.compile(r"teaser|widget|sidebar|popular|most-?read|piu-?letti|trending"), Role.TEASER),
    (re.compile(r"login|paywall|subscribe|subscription|abbonati|\bform\b"), Role.FORM),
    (re.compile(r"\b(tags?|keywords)\b"), Role.TAG_LIST),
    (re.compile(r"byline|author|\bmeta\b|-meta\b|dateline|\bdate\b|\btime\b"), Role.BYLINE),
    (re.compile(r"\b(footer|site-footer)\b"), Role.PAGE_FOOTER),
    (re.compile(r"\b(header|masthead|site-header)\b"), Role.PAGE_HEADER),
    (re.compile(r"\baside\b"), Role.TEASER),
)


def _left_out(html: str, kept: list[str], title: str | None) -> list[Line]:
    """The own text of each block of the page (without the blocks inside it) that is not in
    the article, with its line."""
    try:
        document = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return []
    blocks = {_fold(line) for k in kept for line in k.split("\n")}
    inside = f" {' '.join(blocks)} "
    headline = _fold(title) if title else None
    out: list[Line] = []
    seen: set[str] = set()
    for element in document.iter():
        if not isinstance(element.tag, str) or element.tag not in _BLOCKS:
            continue
        if any(a.tag in _SKIPPED for a in element.iterancestors()):
            continue
        text = " ".join(_outside_blocks(element).split())
        folded = _fold(text)
        # A short text ("Russia" in a menu) is the article's only when it is one of its blocks;
        # a longer one also when the article holds it (a paragraph split around a link).
        if not folded or folded in seen or folded in blocks:
            continue
        if len(folded) >= _QUOTED and folded in inside:
            continue
        seen.add(folded)
        role = Role.HEADLINE if folded == headline else _reason(element)
        out.append(Line(element.sourceline or 0, text, role))
    return out


def _outside_blocks(element: lxml.html.HtmlElement) -> str:
    """An element's text without the blocks inside it (each is listed on its own)."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag not in _BLOCKS and child.tag not in _SKIPPED:
            parts.append(_outside_blocks(child) if len(child) else child.text_content())
        parts.append(child.tail or "")
    return "".join(parts)


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _reason(element: lxml.html.HtmlElement) -> Role:
    for each in (element, *element.iterancestors()):
        names = " ".join(
            str(v) for v in (each.tag, each.get("class"), each.get("id"), each.get("role")) if v
        ).lower()
        for pattern, role in _REASONS:
            if pattern.search(names):
                return role
    return Role.OUTSIDE
