"""Split a raw scraped page into headline, article body and the boilerplate around it.

Scraped copies put the article between page furniture: navigation teasers and section labels
before the headline, share buttons, related headlines with their dates and widgets after the
last paragraph. The article body is the stretch from the first to the last *paragraph* (a long
line); short lines inside it are subheadings. Lines outside it are classified one by one: every
line the importer drops is returned with the reason, so nothing leaves the article silently, and
a short line it cannot classify is kept (and flagged) rather than dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import Enum

from briefgen.text import (
    WORD,
    bidi_problems,
    control_message,
    fold_loosely,
    forbidden_characters,
)

# A paragraph is a line of at least this many words, or a shorter sentence that ends like one.
PARAGRAPH_WORDS = 15
SENTENCE_WORDS = 8
# A headline has at least this many words; shorter lines above it are section labels.
HEADLINE_WORDS = 4
# A line that only holds a date has at most this many words.
DATE_LINE_WORDS = 10

_SEPARATOR = re.compile(r"^[\s\-\u2013\u2014_|•·*=~.\u00a0\u200b-\u200f\ufeff]+$")
# (and the ideographic full stop, full-width "!" and "?" of Chinese and Japanese)
_SENTENCE_END = re.compile(r"[.!…»”\"\u3002\uff01\uff1f]$")
# Han and kana: written without spaces, so two characters count as a word (Chinese words
# are one to three characters long).
UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CHARACTERS_PER_WORD = 2
# "headline.. تفاصيل", "headline - details": the teaser form of a headline.
_TEASER_SUFFIX = re.compile(
    r"^(?P<head>.+?)\s*(?:\.\.+|…|-|\u2013|\u2014|:)\s*"
    r"(?:تفاصيل|التفاصيل|details|dettagli|leggi tutto)$",
    re.IGNORECASE,
)
# A scraped metadata line: a label, then the date, then perhaps the outlet's name.
METADATA = re.compile(
    r"^\s*(?:date|published|pubblicato(?:\s+il)?|data|التاريخ|تاريخ النشر|نشر في)"
    r"\s*[:\uff1a]?\s+(?P<rest>\S.*)$",
    re.IGNORECASE,
)
# Credit lines name the newspaper the text comes from ("صحيفة الأخبار اللبنانية").
CREDIT = re.compile(
    r"^(?:صحيفة|جريدة|مجلة|المصدر\s*:|source\s*:|fonte\s*:)\s*(?P<name>\S.*)$", re.IGNORECASE
)
# Social-media lines name the site that carries the copy ("لزيارة موقع X على الفيسبوك").
SOCIAL = re.compile(
    r"(?:فيسبوك|الفيسبوك|فيس بوك|تويتر|التويتر|انستغرام|إنستغرام|يوتيوب|تيليجرام|تلغرام|واتساب|"
    r"facebook|twitter|instagram|youtube|telegram|whatsapp|linkedin|\bX\b)",
    re.IGNORECASE,
)
# A line that is only a web address, perhaps labelled as the source.
ADDRESS = re.compile(
    r"^(?:(?P<label>source|fonte|المصدر|الرابط|link|url)\s*[:\uff1a]?\s*)?(?P<url>https?://\S+)$",
    re.IGNORECASE,
)
SOCIAL_SITE = re.compile(
    r"(?:موقع|sito|site)\s+(?P<name>.+?)\s+(?:على|su|on)\s+\S+$", re.IGNORECASE
)
# Copyright and rights notices of the page.
_RIGHTS = re.compile(
    r"^(?:©|\(c\)|copyright\b|all rights reserved|riproduzione riservata|tutti i diritti riservati|"
    r"جميع الحقوق محفوظة|حقوق النشر)",
    re.IGNORECASE,
)
# Page widgets and labels that are never article text (compared after normalisation).
_WIDGETS = frozenset(
    {
        "short url",
        "أكثر الكلمات انتشارا",
        "الأكثر قراءة",
        "الأكثر مشاهدة",
        "مقالات ذات صلة",
        "أخبار ذات صلة",
        "اقرأ أيضا",
        "إقرأ أيضا",
        "زر الذهاب إلى الأعلى",
        "شارك",
        "شارك الخبر",
        "المصادر",
        "المصدر",
        "share",
        "share this",
        "related articles",
        "read more",
        "back to top",
        "sources",
        "condividi",
        "articoli correlati",
        "leggi anche",
        "torna su",
        "fonti",
    }
)


class Role(Enum):
    """What a line of the raw copy is."""

    BLANK = "blank"
    PARAGRAPH = "paragraph"
    HEADING = "subheading"
    HEADLINE = "headline (moved to title)"
    HEADLINE_TEASER = "headline with a teaser suffix"
    HEADLINE_REPEAT = "repeated headline"
    SECTION = "section label"
    SEPARATOR = "separator"
    TEASER = "navigation teaser"
    DATELINE = "dateline (moved to date)"
    DATELINE_UNREAD = "dateline (not converted: see date)"
    DATE = "date line"
    METADATA = "metadata line (read for date and outlet)"
    CREDIT = "credit line (read for outlet and agency)"
    SOCIAL = "social-media line"
    LINK = "address line"
    WIDGET = "page widget"
    RELATED = "related headline"
    RELATED_DATE = "date of a related headline"
    DOUBTFUL = "kept: short line after the article"
    # The parts of a web page around its article (briefgen.importer.page):
    NAVIGATION = "navigation"
    SHARE = "share bar"
    BYLINE = "byline"
    TAG_LIST = "tag list"
    FORM = "form or subscription wall"
    PAGE_HEADER = "page header"
    PAGE_FOOTER = "page footer"
    OUTSIDE = "outside the article text"


_TEXT_IN_BODY = frozenset({Role.DATE, Role.METADATA, Role.SOCIAL, Role.CREDIT})
# Inside the article an address is text, never a subheading.
_PARAGRAPH_IN_BODY = frozenset({Role.LINK})
DROPPED = frozenset(Role) - {Role.BLANK, Role.PARAGRAPH, Role.HEADING, Role.DOUBTFUL}


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the raw copy and what it was found to be."""

    number: int
    """1-based line in the input file."""
    text: str
    """The line as written (trailing white space removed)."""
    role: Role


@dataclass(frozen=True, slots=True)
class Cleaned:
    """The copy split into parts; ``lines`` covers every input line exactly once."""

    lines: tuple[Line, ...]
    title: Line | None
    """The headline, when the copy has one."""
    dateline: Line | None
    """The article's own date line or metadata line, when there is one."""
    credit: tuple[Line, ...] = ()
    """Credit lines ("صحيفة …", "Fonte: …"), read for the outlet and the agency."""
    social: tuple[Line, ...] = ()
    """The page's own social-media lines, read for the site's name."""
    addresses: tuple[Line, ...] = ()
    """Lines outside the article holding only a web address (perhaps with a "Source:" label)."""

    @property
    def dropped(self) -> tuple[Line, ...]:
        """The lines left out of the article, with their role (the reason)."""
        return tuple(line for line in self.lines if line.role in DROPPED and _visible(line.text))

    @property
    def doubtful(self) -> tuple[Line, ...]:
        """Short lines after the article that were kept because nothing says they are furniture."""
        return tuple(line for line in self.lines if line.role is Role.DOUBTFUL)

    @property
    def body_lines(self) -> tuple[Line, ...]:
        """Paragraphs and subheadings, in order."""
        kept = (Role.PARAGRAPH, Role.HEADING, Role.DOUBTFUL)
        return tuple(line for line in self.lines if line.role in kept)

    def body_markdown(self) -> str:
        """The body as Markdown: one paragraph per source line, subheadings as ``##``."""
        blocks = []
        for line in self.body_lines:
            heading = line.role is Role.HEADING
            text = escape_markdown(line.text.strip(), heading=heading)
            blocks.append(f"## {text}" if heading else text)
        return "\n\n".join(blocks) + "\n" if blocks else ""


def unread_dateline(cleaned: Cleaned) -> Cleaned:
    """``cleaned`` with its dateline marked as not converted (a calendar dateparser does not
    read): still dropped, with that reason."""
    line = cleaned.dateline
    if line is None or line.role is not Role.DATELINE:
        return cleaned
    unread = replace(line, role=Role.DATELINE_UNREAD)
    lines = tuple(unread if each is line else each for each in cleaned.lines)
    return replace(cleaned, lines=lines, dateline=unread)


@dataclass(frozen=True, slots=True)
class Removed:
    """A character taken out of a line because ``check`` would refuse the article with it."""

    number: int
    """1-based line in the input file."""
    column: int
    """1-based position in the line."""
    reason: str
    """What the character is and why it may not stay (the message ``check`` would give)."""


def strip_bidi(lines: Sequence[str], first: int = 1) -> tuple[list[str], tuple[Removed, ...]]:
    """``lines`` without the bidirectional controls ``check`` refuses (embeddings, overrides,
    unbalanced isolates), and each removal; balanced isolates stay. ``first``: the number of
    the first line."""
    return _strip(lines, first, controls=False)


def strip_refused(lines: Sequence[str], first: int = 1) -> tuple[list[str], tuple[Removed, ...]]:
    """``lines`` without any character ``check`` refuses in an article: the bidirectional
    controls of :func:`strip_bidi` and the control characters no output may carry
    (:func:`briefgen.text.forbidden_characters`); and each removal, in order."""
    return _strip(lines, first, controls=True)


def _strip(
    lines: Sequence[str], first: int, *, controls: bool
) -> tuple[list[str], tuple[Removed, ...]]:
    kept: list[str] = []
    removed: list[Removed] = []
    for number, line in enumerate(lines, first):
        found = {problem.index: problem.message for problem in bidi_problems(line)}
        if controls:
            found.update(
                (m.start(), control_message(m.group())) for m in forbidden_characters(line)
            )
        kept.append("".join(c for i, c in enumerate(line) if i not in found) if found else line)
        removed.extend(Removed(number, index + 1, found[index]) for index in sorted(found))
    return kept, tuple(removed)


def normalise(text: str) -> str:
    """Text for comparisons (:func:`briefgen.text.fold_loosely`), its words joined by one space."""
    return " ".join(WORD.findall(fold_loosely(text)))


def words(text: str) -> int:
    """How many words a line has (any script; Han and kana characters two to a word)."""
    unspaced = len(UNSPACED.findall(text))
    if not unspaced:
        return len(WORD.findall(text))
    spaced = len(WORD.findall(UNSPACED.sub(" ", text)))
    return spaced + -(-unspaced // CHARACTERS_PER_WORD)


def _visible(text: str) -> bool:
    return bool(text.strip()) or "\u00a0" in text


_MD_LEADING = re.compile(r"^(#{1,6}\s|>|[-+*]\s|=+\s*$|-+\s*$)")
_MD_ORDERED = re.compile(r"^(\d{1,9})([.)]\s)")
# Backslash, code, emphasis, links, strikethrough, autolinks, and "&" before an entity.
_MD_INLINE = re.compile(r"([\\`*_\[\]~<]|&(?=#?\w+;))")
# A run of "#" closing a line would be read as the closing sequence of a "##" heading.
_MD_CLOSING_HASHES = re.compile(r"(^|\s)(#+)$")


def escape_markdown(text: str, *, heading: bool = False) -> str:
    """Keep scraped text literal in Markdown: escape what would become markup."""
    text = _MD_INLINE.sub(r"\\\1", text)
    if _MD_LEADING.match(text):
        text = "\\" + text
    text = _MD_ORDERED.sub(r"\1\\\2", text)  # "1. " → "1\. " (a digit cannot be escaped)
    if heading:
        text = _MD_CLOSING_HASHES.sub(r"\1\\\2", text)
    return text


DateTest = Callable[[str], bool]


def clean(raw_lines: Sequence[str], is_date: DateTest) -> Cleaned:
    """Classify every line; ``is_date`` says whether a line holds only a date."""
    texts = [line.rstrip(" \t\r\n") for line in raw_lines]
    roles: list[Role | None] = [None] * len(texts)
    for i, text in enumerate(texts):
        roles[i] = _obvious(text, is_date)

    def is_paragraph(i: int) -> bool:
        n = words(texts[i])
        return roles[i] is None and (
            n >= PARAGRAPH_WORDS
            or (n >= SENTENCE_WORDS and bool(_SENTENCE_END.search(texts[i].strip())))
        )

    paragraphs = [i for i in range(len(texts)) if is_paragraph(i)]
    first = paragraphs[0] if paragraphs else len(texts)
    last = paragraphs[-1] if paragraphs else len(texts) - 1

    title = _header(texts, roles, first)
    for i in range(first, last + 1):
        # Inside the article only separators and widgets are furniture: a subheading that
        # mentions Twitter or a date is still article text.
        if roles[i] in _TEXT_IN_BODY:
            roles[i] = None
        elif roles[i] in _PARAGRAPH_IN_BODY:
            roles[i] = Role.PARAGRAPH
        if roles[i] is None:
            roles[i] = Role.PARAGRAPH if is_paragraph(i) else Role.HEADING
    _tail(texts, roles, last + 1)

    lines = tuple(Line(i + 1, texts[i], roles[i] or Role.PARAGRAPH) for i in range(len(texts)))
    dateline = next((ln for ln in lines if ln.role in (Role.DATELINE, Role.METADATA)), None)
    return Cleaned(
        lines=lines,
        title=lines[title] if title is not None else None,
        dateline=dateline,
        credit=tuple(ln for ln in lines if ln.role is Role.CREDIT),
        social=tuple(ln for ln in lines if ln.role is Role.SOCIAL),
        addresses=tuple(ln for ln in lines if ln.role is Role.LINK),
    )


def _obvious(text: str, is_date: DateTest) -> Role | None:
    """Roles a line has wherever it stands."""
    stripped = text.strip()
    if not stripped:
        return Role.SEPARATOR if "\u00a0" in text else Role.BLANK
    if _SEPARATOR.match(text):
        return Role.SEPARATOR
    n = words(stripped)
    if normalise(stripped.rstrip(":\uff1a")) in _WIDGETS_NORMALISED:
        return Role.WIDGET
    if n <= 12 and _RIGHTS.match(stripped):
        return Role.WIDGET
    if n <= DATE_LINE_WORDS and metadata_parts(stripped, is_date) is not None:
        return Role.METADATA
    if n <= DATE_LINE_WORDS and is_date(stripped):
        return Role.DATE
    if ADDRESS.match(stripped):
        return Role.LINK
    if n <= 12 and SOCIAL.search(stripped):
        return Role.SOCIAL
    if n <= 6 and CREDIT.match(stripped):
        return Role.CREDIT
    return None


_WIDGETS_NORMALISED = frozenset(normalise(w) for w in _WIDGETS)


def metadata_parts(line: str, is_date: DateTest) -> tuple[str, str] | None:
    """(date, rest) of a metadata line such as ``date 2025-01 MeteoWeb`` or ``Pubblicato il 3
    febbraio 2025 alle 14:30``: the longest run of words after the label that is a date."""
    match = METADATA.match(line.strip())
    if not match:
        return None
    tokens = match.group("rest").split()
    for end in range(min(len(tokens), DATE_LINE_WORDS), 0, -1):
        if is_date(" ".join(tokens[:end])):
            return " ".join(tokens[:end]), " ".join(tokens[end:])
    return None


def _header(texts: list[str], roles: list[Role | None], first: int) -> int | None:
    """Classify the lines above the first paragraph; return the index of the headline."""
    shown = [i for i in range(first) if roles[i] is not Role.BLANK]
    candidates: list[int] = []
    for position, i in enumerate(shown):
        role = roles[i]
        if role is None:
            if _in_teaser_list(shown, position, roles):
                roles[i] = Role.TEASER
            else:
                candidates.append(i)
        elif role is Role.DATE:
            has_dateline = any(r is Role.DATELINE for r in roles[:i])
            roles[i] = Role.DATE if has_dateline else Role.DATELINE

    headline: int | None = None
    for i in candidates:
        if words(texts[i]) >= HEADLINE_WORDS:
            headline = i
            break
        roles[i] = Role.SECTION
    if headline is None:
        return None
    roles[headline] = Role.HEADLINE
    head = normalise(texts[headline])
    teaser = _TEASER_SUFFIX.match(texts[headline].strip())
    bare = normalise(teaser.group("head")) if teaser else None
    for i in candidates:
        if i <= headline:
            continue
        here = normalise(texts[i])
        if here == head:
            roles[i] = Role.HEADLINE_REPEAT
        elif bare is not None and here == bare and roles[headline] is Role.HEADLINE:
            # The teaser form came first; the plain headline below it is the title.
            roles[headline] = Role.HEADLINE_TEASER
            roles[i] = Role.HEADLINE
            headline, head = i, here
        # anything else between the headline and the first paragraph (a standfirst) is body
        elif roles[i] is None:
            roles[i] = Role.PARAGRAPH
    return headline


def _in_teaser_list(shown: Sequence[int], position: int, roles: Sequence[Role | None]) -> bool:
    """A line in a list of links set off by separators ("-", "|"): separator, line, separator…

    One separator before a line is not enough (a rule above the headline is common): the line
    must be followed by another separator, or continue a list whose previous item was a teaser.
    """

    def role_at(offset: int) -> Role | None:
        j = position + offset
        return roles[shown[j]] if 0 <= j < len(shown) else None

    if role_at(-1) is not Role.SEPARATOR:
        return False
    return role_at(1) is Role.SEPARATOR or role_at(-2) is Role.TEASER


def _tail(texts: list[str], roles: list[Role | None], start: int) -> None:
    """Classify the lines below the last paragraph: related headlines, widgets, credits."""
    following = [i for i in range(start, len(texts)) if roles[i] is not Role.BLANK]
    for position, i in enumerate(following):
        if roles[i] in (Role.DATE, Role.DATELINE):
            roles[i] = Role.RELATED_DATE
        if roles[i] is not None:
            continue
        nxt = following[position + 1] if position + 1 < len(following) else None
        if nxt is not None and roles[nxt] in (Role.DATE, Role.DATELINE, Role.RELATED_DATE):
            roles[i] = Role.RELATED
        else:
            roles[i] = Role.DOUBTFUL
