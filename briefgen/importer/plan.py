"""What one input becomes: its text decoded and cleaned, each field found or left to the
curator, and the file it goes to. Nothing here writes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from anyascii import anyascii
from charset_normalizer import from_bytes

from briefgen.checks import DUPLICATE_THRESHOLD, MIN_WORDS, jaccard, shingles
from briefgen.config import SiteConfig
from briefgen.errors import ErrorList
from briefgen.importer.article import front_matter, site_path
from briefgen.importer.clean import (
    ADDRESS,
    CHARACTERS_PER_WORD,
    UNSPACED,
    Cleaned,
    Line,
    Removed,
    clean,
    strip_bidi,
    strip_refused,
    unread_dateline,
)
from briefgen.importer.facts import (
    UNKNOWN_DATE,
    Dates,
    Found,
    find_agency,
    find_date,
    find_outlets,
    suggest_tags,
)
from briefgen.importer.language import Reading, date_language, identify
from briefgen.model import UNKNOWN_OUTLET, Outlet, Tag
from briefgen.text import caseless, loose_words
from briefgen.yamltree import link_problem

SLUG_WORDS = 8
"""Slugs keep the first words of the title: long enough to recognise, short enough to type."""
SLUG_CHARS = 60
SUPPLIED_TITLE_WORDS = 12
"""A copy without a headline gets a supplied, bracketed title from its first words."""


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """What the curator said on the command line."""

    outlet: str | None = None
    language: str | None = None
    tags: tuple[str, ...] = ()
    encoding: str | None = None
    """Decode inputs with this encoding instead of UTF-8."""
    dry_run: bool = False
    force: bool = False
    today: date | None = None
    """The day written as ``added`` (:func:`~briefgen.importer.plan_import` fills in the local
    date when the import runs; tests give one)."""


@dataclass(frozen=True, slots=True)
class Imported:
    """One input turned into an article file (written unless a dry run)."""

    source: Path
    target: Path
    text: str
    """The whole article file."""
    filled: tuple[tuple[str, str, str], ...]
    """(field, value, how it was found)."""
    missing: tuple[tuple[str, str], ...]
    """(field, why it is not filled): the curator decides."""
    review: tuple[str, ...]
    """Values filled that a curator should check, and lines kept in doubt."""
    dropped: tuple[Line, ...]
    encoding: str = "utf-8"
    overwrote: bool = False
    written: bool = False
    removed: tuple[Removed, ...] = ()
    """Characters taken out of the text because ``check`` would refuse them: bidirectional and
    other control characters."""
    origin: str | None = None
    """The URL a page was fetched from (``source`` is then only its last segment)."""


@dataclass(frozen=True, slots=True)
class Archive:
    """What the import needs to know about the archive."""

    config: SiteConfig
    tags: Mapping[str, Tag]
    outlets: Mapping[str, Outlet]
    slugs: Mapping[str, Path]
    """Slug → file for every existing article (file names count as slugs too), keyed by
    :func:`briefgen.text.caseless`: case and normal form ignored, as ``check`` compares slugs."""
    prints: Mapping[Path, frozenset[tuple[str, ...]]]
    """Body shingles of every existing article (to spot an import of an article already in)."""


def slugify(title: str) -> str:
    """An ASCII slug from the first words of ``title`` (any script is transliterated; Han and
    kana a syllable at a time, two to a word)."""
    spaced, unspaced = UNSPACED.subn(lambda m: f" {m.group()} ", title)
    ascii_text = re.sub(r"['`]", "", anyascii(spaced).lower())
    parts = re.findall(r"[a-z0-9]+", ascii_text)
    parts = parts[: SLUG_WORDS * (CHARACTERS_PER_WORD if unspaced else 1)]
    slug = "-".join(parts)
    while len(slug) > SLUG_CHARS and "-" in slug:
        slug = slug.rsplit("-", 1)[0]
    return slug[:SLUG_CHARS].strip("-")


def free_slug(base: str, taken: Mapping[str, Path]) -> str:
    """``base``, or ``base-2``, ``base-3``… whichever no article uses (in any case or normal
    form)."""
    if caseless(base) not in taken:
        return base
    n = 2
    while caseless(f"{base}-{n}") in taken:
        n += 1
    return f"{base}-{n}"


def decode(
    path: Path, data: bytes, encoding: str | None, errors: ErrorList
) -> tuple[str, str] | None:
    """The input's text and the encoding used; a clear error when it is not UTF-8."""
    if encoding is not None:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            line = data[: exc.start].decode(encoding, "replace").count("\n") + 1
            errors.add(path, line, f"cannot decode as {encoding}: {exc}")
            return None
        except LookupError as exc:  # no such encoding: the whole file is concerned
            errors.add(path, 1, f"cannot decode as {encoding}: {exc}")
            return None
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        best = from_bytes(data).best()
        hint = (
            f"; it looks like {best.encoding}: re-run with --encoding {best.encoding} "
            "or save it as UTF-8"
            if best is not None
            else "; save it as UTF-8"
        )
        byte = data[exc.start : exc.start + 1].hex()
        errors.add(path, line, f"not valid UTF-8 (byte 0x{byte} at offset {exc.start}){hint}")
        return None


def _supplied_title(cleaned: Cleaned) -> str | None:
    body = cleaned.body_lines
    if not body:
        return None
    first_words = body[0].text.split()
    head = " ".join(first_words[:SUPPLIED_TITLE_WORDS])
    if len(first_words) > SUPPLIED_TITLE_WORDS:
        head += " …"
    return f"[{head}]"


@dataclass(slots=True)
class _Notes:
    """What the plan tells the curator, field by field: in the file's comments and the report."""

    filled: list[tuple[str, str, str]] = field(default_factory=list)
    """(field, value, how it was found)."""
    missing: list[tuple[str, str]] = field(default_factory=list)
    """(field, why it is not filled)."""
    review: list[str] = field(default_factory=list)
    """What a curator should check."""


def plan_one(
    source: Path,
    text: str,
    encoding: str,
    archive: Archive,
    dates: Dates,
    options: ImportOptions,
    taken: dict[str, Path],
    errors: ErrorList,
) -> Imported | None:
    """The article file one decoded input becomes; None when it cannot be imported (the
    reason is in ``errors``). ``taken``: the slugs in use, this input's added."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines, removed = strip_refused(lines)  # reported: nothing leaves the copy silently
    # Dates are read in the text's language: guessed from the whole copy to find the dateline,
    # then the body's language decides (and the lines are read again if that changes it).
    guess = options.language or identify("\n".join(lines)).tag
    here = dates.speaking(guess) if guess else dates
    cleaned = clean(lines, here.is_date)
    body_text = "\n".join(line.text for line in cleaned.body_lines)
    reading = _language(body_text, options) if body_text.strip() else None
    if reading is not None and reading.tag is not None and dates.speaking(reading.tag) is not here:
        here = dates.speaking(reading.tag)
        cleaned = clean(lines, here.is_date)
        body_text = "\n".join(line.text for line in cleaned.body_lines)
    if not body_text.strip() or reading is None:
        errors.add(source, 1, "no article text found (every line looks like page furniture)")
        return None
    if reading.tag is None:
        errors.add(source, 1, reading.problem)
        return None
    language = reading.tag
    notes = _Notes()
    notes.filled.append(("language", language, reading.how))
    notes.review.extend(reading.doubts)
    title = _title(cleaned, notes)
    outlet, via = _outlet_and_via(cleaned, archive, here, options, notes)
    date_text = _date(cleaned, here, archive.outlets.get(outlet), notes)
    if date_text == UNKNOWN_DATE:
        cleaned = unread_dateline(cleaned)
    if date_language(language) is None:
        notes.review.append(
            f"date: dateparser reads no dates in {language!r}; a dateline was looked for in "
            f"{', '.join(here.languages)} only"
        )
    source_url = _source_url(cleaned, notes)
    agency = _agency(cleaned, notes)
    tags = _tags(f"{title}\n{body_text}", archive, options, notes)
    notes.missing.append(("summary", "write one or two sentences (never copied from elsewhere)"))
    readers = tuple(lang.code for lang in archive.config.languages)
    if language not in readers:
        notes.missing.append(
            (
                "translated",
                f"{language!r} is not a reader language ({', '.join(readers)}): give each "
                "reader language a title and summary under 'translated:'",
            )
        )
    _doubts(cleaned, encoding, notes)

    chosen = choose_target(source, title, language, date_text, archive, options, taken, errors)
    if chosen is None:
        return None
    target, overwrote = chosen
    notes.review.extend(_already_in(body_text, archive, skip=target if overwrote else None))
    front = front_matter(
        title=title,
        date_text=date_text,
        added=options.today,
        outlet=outlet,
        via=via,
        language=language,
        tags=tags,
        agency=agency,
        source_url=source_url,
        source=source,
        filled=notes.filled,
        missing=notes.missing,
        review=notes.review,
        dropped=cleaned.dropped,
        removed=removed,
    )
    return Imported(
        source=source,
        target=target,
        text=f"---\n{front}---\n{cleaned.body_markdown()}",
        filled=tuple(notes.filled),
        missing=tuple(notes.missing),
        review=tuple(notes.review),
        dropped=cleaned.dropped,
        encoding=encoding,
        overwrote=overwrote,
        removed=removed,
    )


def _language(body_text: str, options: ImportOptions) -> Reading:
    """``--language``, else the language py3langid reads the text as (any CLDR knows)."""
    if options.language is not None:
        return Reading(options.language, "given with --language")
    return identify(body_text)


def _title(cleaned: Cleaned, notes: _Notes) -> str:
    """The headline verbatim, else a bracketed title supplied from the first words."""
    if cleaned.title is not None:
        title = cleaned.title.text.strip()
        notes.filled.append(
            ("title", title, f"the headline on line {cleaned.title.number}, verbatim")
        )
        return title
    supplied = _supplied_title(cleaned)
    assert supplied is not None  # the body is not empty
    [title], cuts = strip_bidi([supplied])  # the first words may end inside an isolate
    notes.review.extend(f"title: removed {cut.reason} (the words were cut there)" for cut in cuts)
    notes.review.append(
        "title: the copy has no headline; the bracketed title is supplied from the first "
        "words of the text: write a proper one (keep the brackets for a supplied title)"
    )
    notes.filled.append(("title", title, "supplied from the first words (no headline)"))
    return title


def _outlet_and_via(
    cleaned: Cleaned, archive: Archive, dates: Dates, options: ImportOptions, notes: _Notes
) -> tuple[str, str | None]:
    """``--outlet``, else the outlet the copy names (``unknown`` when none); and the original
    publisher when the copy says it republishes another outlet's article."""
    found = find_outlets(cleaned, archive.outlets, dates)
    if options.outlet is not None:
        outlet = options.outlet
        notes.filled.append(("outlet", outlet, "given with --outlet"))
    elif found.outlet is not None:
        outlet = found.outlet.value
        notes.filled.append(("outlet", outlet, found.outlet.note))
        if found.via is None and found.outlet.note.startswith("the credit line"):
            notes.review.append(
                "outlet: taken from the closing credit line; if this copy was republished by "
                "another site, make that site the outlet and this one 'via'"
            )
    else:
        outlet = UNKNOWN_OUTLET
        notes.missing.append(
            ("outlet", "the text names no outlet in content/outlets.yml: written as 'unknown'")
        )
    via: str | None = None
    if found.via is not None and found.via.value != outlet:
        via = found.via.value
        notes.filled.append(("via", via, f"original publisher: {found.via.note}"))
    for name in found.unknown_names:
        notes.review.append(f"outlet: the text names {name!r}, which is not in content/outlets.yml")
    return outlet, via


def _date(cleaned: Cleaned, dates: Dates, outlet: Outlet | None, notes: _Notes) -> str:
    """The dateline's date at the precision it gives, else ``unknown``."""
    found = find_date(cleaned, dates, outlet)
    if found is None:
        notes.missing.append(("date", "the copy has no dateline: written as 'unknown'"))
        return UNKNOWN_DATE
    if found.value == UNKNOWN_DATE:
        notes.missing.append(("date", found.note))
        return UNKNOWN_DATE
    notes.filled.append(("date", found.value, found.note))
    return found.value


_SOURCE_LABELS = ("source", "fonte", "المصدر")


def _source_url(cleaned: Cleaned, notes: _Notes) -> str | None:
    """Only an address the copy labels as its source; any other address is for review."""
    source_url: str | None = None
    for line in cleaned.addresses:
        match = ADDRESS.match(line.text.strip())
        assert match is not None  # the line was classified with the same pattern
        url = match.group("url")
        label = match.group("label")
        if label and label.casefold() in _SOURCE_LABELS:
            if source_url is None:
                source_url = url
                notes.filled.append(
                    ("source_url", url, f"labelled as the source on line {line.number}")
                )
        else:
            notes.review.append(
                f"line {line.number} holds the address {url}: if it is the article's own, "
                "set source_url"
            )
    return source_url


def _agency(cleaned: Cleaned, notes: _Notes) -> Found | None:
    """The news agency the body or the credit lines name."""
    agency = find_agency([*cleaned.body_lines, *cleaned.credit])
    if agency is not None:
        notes.filled.append(("agency", agency.value, agency.note))
    return agency


def _tags(text: str, archive: Archive, options: ImportOptions, notes: _Notes) -> list[str]:
    """``--tags``, then the vocabulary tags whose labels or aliases ``text`` mentions."""
    tags = list(dict.fromkeys([*options.tags, *suggest_tags(text, archive.tags)]))
    if tags:
        how = "suggested from the vocabulary (labels and aliases found in the text)"
        if options.tags:
            how = "given with --tags, plus " + how
        notes.filled.append(("tags", ", ".join(tags), how))
    else:
        notes.missing.append(
            ("tags", "no vocabulary tag is mentioned: add at least one from content/tags.yml")
        )
    return tags


def _doubts(cleaned: Cleaned, encoding: str, notes: _Notes) -> None:
    """Lines kept after the article, and a guessed encoding: the curator decides."""
    for line in cleaned.doubtful:
        notes.review.append(
            f"line {line.number} {line.text.strip()!r} was kept after the article: "
            "drop it if it is page furniture"
        )
    if encoding != "utf-8":
        notes.review.append(f"decoded as {encoding}: check the text")


def choose_target(
    source: Path,
    title: str,
    language: str,
    date_text: str,
    archive: Archive,
    options: ImportOptions,
    taken: dict[str, Path],
    errors: ErrorList,
    origin: str | None = None,
) -> tuple[Path, bool] | None:
    """The file to write, and whether it replaces an earlier import.

    A re-import of the same input (the same file name, or the same URL ``origin``) replaces
    its article only with ``--force``; any other article using the slug (or the file name)
    makes this one take ``-2``, ``-3``…
    """
    directory = archive.config.content_dir / "articles" / language
    base = slugify(title.strip("[]")) or f"article-{date_text.replace(':', '-')[:10]}"
    target = directory / f"{base}.md"
    existing = taken.get(caseless(base))
    root = archive.config.root
    recorded = _imported_from(target, root) if existing == target and target.exists() else None
    if recorded is not None and recorded == (origin or source.name):
        if not options.force:
            shown = site_path(target, root)
            errors.add(source, None, f"already imported as {shown}; use --force to overwrite it")
            return None
        return target, True
    slug = free_slug(base, taken)
    target = directory / f"{slug}.md"
    taken[caseless(slug)] = target
    return target, False


def _already_in(body_text: str, archive: Archive, skip: Path | None) -> list[str]:
    """Review notes for existing articles whose body is nearly this text (as ``check`` measures)."""
    words = loose_words(body_text)
    if len(words) < MIN_WORDS:
        return []
    mine = shingles(words)
    notes = []
    for path, theirs in archive.prints.items():
        similarity = jaccard(mine, theirs)
        if path != skip and similarity >= DUPLICATE_THRESHOLD:
            shown = path.relative_to(archive.config.root).as_posix()
            notes.append(
                f"the text is nearly the same as {shown} (similarity {similarity:.2f}): "
                "probably already in the archive; 'briefgen check' will reject the duplicate"
            )
    return notes


_IMPORTED_FROM = re.compile(r"^# Imported from: (?P<name>.+)$", re.MULTILINE)


def _imported_from(path: Path, root: Path) -> str | None:
    """The input file name recorded in an imported article (to recognise a re-import)."""
    if link_problem(path, root) is not None:
        return None
    try:
        match = _IMPORTED_FROM.search(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return None
    return match.group("name") if match else None
