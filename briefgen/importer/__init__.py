"""``briefgen import`` and ``briefgen new``: raw scraped copies and new articles as archive files.

Import plans every file first (decode, clean, find facts, pick a path) and writes only when every
input is fine, so a bad input in a batch leaves the archive untouched. What the text does not
support is never invented: an unknown date or outlet is written as ``unknown`` and reported, and
each dropped line is listed in the report and in the file itself (as YAML comments).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

import yaml
from anyascii import anyascii
from charset_normalizer import from_bytes

from briefgen.checks import DUPLICATE_THRESHOLD, MIN_WORDS, jaccard, shingles
from briefgen.config import SiteConfig, load_config
from briefgen.content import article_paths, load_outlets, load_tags, split_front_matter
from briefgen.errors import ContentError, ErrorList, Location, ProblemsError, UsageError
from briefgen.importer.clean import ADDRESS, Cleaned, Line, Removed, clean, strip_bidi
from briefgen.importer.facts import (
    Dates,
    Found,
    find_agency,
    find_date,
    find_language,
    find_outlets,
    suggest_tags,
)
from briefgen.model import UNKNOWN_OUTLET, Outlet, Tag
from briefgen.text import bidi_problem, loose_words
from briefgen.yamltree import Map, Scalar, did_you_mean, link_problem, parse

SLUG_WORDS = 8
"""Slugs keep the first words of the title: long enough to recognise, short enough to type."""
SLUG_CHARS = 60
SUPPLIED_TITLE_WORDS = 12
"""A copy without a headline gets a supplied, bracketed title from its first words."""


class ImportProblems(ProblemsError):
    """One or more inputs cannot be imported; nothing was written."""

    def __str__(self) -> str:
        count = len(self.problems)
        return f"{count} input{'s' if count != 1 else ''} cannot be imported"


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
    """Bidirectional controls taken out of the text (``check`` would refuse them)."""


@dataclass(frozen=True, slots=True)
class _Archive:
    """What the import needs to know about the archive."""

    config: SiteConfig
    tags: Mapping[str, Tag]
    outlets: Mapping[str, Outlet]
    slugs: Mapping[str, Path]
    """Casefolded slug → file, for every existing article (file names count as slugs too)."""
    prints: Mapping[Path, frozenset[tuple[str, ...]]]
    """Body shingles of every existing article (to spot an import of an article already in)."""


def _archive(root: Path) -> _Archive:
    config = load_config(root)
    errors = ErrorList()
    codes = tuple(lang.code for lang in config.languages)
    tags = load_tags(config.content_dir / "tags.yml", codes, errors)
    outlets = load_outlets(config.content_dir / "outlets.yml", errors)
    errors.raise_if_errors(ContentError)
    assert tags is not None and outlets is not None  # a missing file was an error above
    slugs: dict[str, Path] = {}
    prints: dict[Path, frozenset[tuple[str, ...]]] = {}
    for path in article_paths(config):
        slug, body = _slug_and_body(path, config.root)
        slugs[slug.casefold()] = path
        slugs.setdefault(path.stem.casefold(), path)  # the file name is taken too
        words = loose_words(body)
        if len(words) >= MIN_WORDS:
            prints[path] = shingles(words)
    return _Archive(config, tags, outlets, slugs, prints)


def _slug_and_body(path: Path, root: Path) -> tuple[str, str]:
    """An existing article's slug (its ``slug:`` field, else its file name) and body.

    A link leading out of the site is not read (``check`` reports it)."""
    if link_problem(path, root) is not None:
        return path.stem, ""
    try:
        front, body, _line = split_front_matter(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return path.stem, ""
    if front is not None:
        node = parse(front, path, ErrorList())
        if isinstance(node, Map):
            value = node.get("slug")
            if isinstance(value, Scalar) and value.text.strip():
                return value.text.strip(), body
    return path.stem, body if front is not None else ""


def slugify(title: str) -> str:
    """An ASCII slug from the first words of ``title`` (any script is transliterated)."""
    ascii_text = re.sub(r"['`]", "", anyascii(title).lower())
    parts = re.findall(r"[a-z0-9]+", ascii_text)[:SLUG_WORDS]
    slug = "-".join(parts)
    while len(slug) > SLUG_CHARS and "-" in slug:
        slug = slug.rsplit("-", 1)[0]
    return slug[:SLUG_CHARS].strip("-")


def _free_slug(base: str, taken: Mapping[str, Path]) -> str:
    """``base``, or ``base-2``, ``base-3``… whichever no article uses (ignoring case)."""
    if base.casefold() not in taken:
        return base
    n = 2
    while f"{base}-{n}".casefold() in taken:
        n += 1
    return f"{base}-{n}"


def _decode(
    path: Path, data: bytes, encoding: str | None, errors: ErrorList
) -> tuple[str, str] | None:
    """The input's text and the encoding used; a clear error when it is not UTF-8."""
    if encoding is not None:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            errors.add(path, None, f"cannot decode as {encoding}: {exc}")
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


def _yaml_text(value: str) -> str:
    """A YAML scalar that reads back as exactly ``value``."""
    dumped = yaml.safe_dump(value, allow_unicode=True, width=1_000_000, default_style=None)
    return dumped.removesuffix("\n...\n").rstrip("\n")


# YAML also breaks lines at NEL, LS and PS, and refuses most control characters: in a comment
# they would end it early (the rest read as front matter) or make the file unreadable.
_NOT_IN_COMMENT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def _comment(text: str) -> str:
    """One line of text as a YAML comment; characters YAML would not keep there are escaped."""
    safe = _NOT_IN_COMMENT.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return f"# {safe}".rstrip()


def _supplied_title(cleaned: Cleaned) -> str | None:
    body = cleaned.body_lines
    if not body:
        return None
    first_words = body[0].text.split()
    head = " ".join(first_words[:SUPPLIED_TITLE_WORDS])
    if len(first_words) > SUPPLIED_TITLE_WORDS:
        head += " …"
    return f"[{head}]"


def plan_import(root: Path, files: Sequence[Path], options: ImportOptions) -> list[Imported]:
    """Work out every article file without writing; raise with every problem found."""
    archive = _archive(root)
    codes = tuple(lang.code for lang in archive.config.languages)
    errors = ErrorList()
    if options.outlet is not None and options.outlet not in (*archive.outlets, UNKNOWN_OUTLET):
        hint = did_you_mean(options.outlet, archive.outlets)
        raise UsageError(f"--outlet {options.outlet!r} is not defined in content/outlets.yml{hint}")
    if options.language is not None and options.language not in codes:
        raise UsageError(
            f"--language {options.language!r} is not a site language ({', '.join(codes)})"
        )
    for tag in options.tags:
        if tag not in archive.tags:
            hint = did_you_mean(tag, archive.tags)
            raise UsageError(f"--tags: {tag!r} is not in content/tags.yml{hint}")

    dates = Dates(codes)
    taken: dict[str, Path] = dict(archive.slugs)
    planned: list[Imported] = []
    for source in files:
        if not source.is_file():
            errors.add(source, None, "no such file")
            continue
        decoded = _decode(source, source.read_bytes(), options.encoding, errors)
        if decoded is None:
            continue
        text, encoding = decoded
        result = _plan_one(source, text, encoding, archive, dates, options, taken, errors)
        if result is not None:
            planned.append(result)
    errors.raise_if_errors(ImportProblems)
    return planned


def _plan_one(
    source: Path,
    text: str,
    encoding: str,
    archive: _Archive,
    dates: Dates,
    options: ImportOptions,
    taken: dict[str, Path],
    errors: ErrorList,
) -> Imported | None:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines, removed = strip_bidi(lines)  # reported: nothing leaves the copy silently
    cleaned = clean(lines, dates.is_date)
    body_text = "\n".join(line.text for line in cleaned.body_lines)
    if not body_text.strip():
        errors.add(source, None, "no article text found (every line looks like page furniture)")
        return None
    filled: list[tuple[str, str, str]] = []
    missing: list[tuple[str, str]] = []
    review: list[str] = []
    codes = tuple(lang.code for lang in archive.config.languages)

    # language
    if options.language is not None:
        language = options.language
        filled.append(("language", language, "given with --language"))
    else:
        language = find_language(body_text)
        if language not in codes:
            errors.add(
                source,
                None,
                f"the text reads as language {language!r}, which is not a site language "
                f"({', '.join(codes)}); pass --language if that is wrong",
            )
            return None
        filled.append(("language", language, "identified by py3langid"))

    # title
    if cleaned.title is not None:
        title = cleaned.title.text.strip()
        filled.append(("title", title, f"the headline on line {cleaned.title.number}, verbatim"))
    else:
        supplied = _supplied_title(cleaned)
        assert supplied is not None  # the body is not empty
        [title], cuts = strip_bidi([supplied])  # the first words may end inside an isolate
        review.extend(f"title: removed {cut.reason} (the words were cut there)" for cut in cuts)
        review.append(
            "title: the copy has no headline; the bracketed title is supplied from the first "
            "words of the text: write a proper one (keep the brackets for a supplied title)"
        )
        filled.append(("title", title, "supplied from the first words (no headline)"))

    # outlet and via
    via: str | None = None
    outlets = find_outlets(cleaned, archive.outlets, dates)
    if options.outlet is not None:
        outlet = options.outlet
        filled.append(("outlet", outlet, "given with --outlet"))
    elif outlets.outlet is not None:
        outlet = outlets.outlet.value
        filled.append(("outlet", outlet, outlets.outlet.note))
        if outlets.via is None and outlets.outlet.note.startswith("the credit line"):
            review.append(
                "outlet: taken from the closing credit line; if this copy was republished by "
                "another site, make that site the outlet and this one 'via'"
            )
    else:
        outlet = UNKNOWN_OUTLET
        missing.append(
            ("outlet", "the text names no outlet in content/outlets.yml: written as 'unknown'")
        )
    if outlets.via is not None and outlets.via.value != outlet:
        via = outlets.via.value
        filled.append(("via", via, f"original publisher: {outlets.via.note}"))
    for name in outlets.unknown_names:
        review.append(f"outlet: the text names {name!r}, which is not in content/outlets.yml")

    # date
    known_outlet = archive.outlets.get(outlet)
    found_date = find_date(cleaned, dates, known_outlet)
    if found_date is not None:
        date_text = found_date.value
        filled.append(("date", date_text, found_date.note))
    else:
        date_text = "unknown"
        missing.append(("date", "the copy has no dateline: written as 'unknown'"))

    # source_url: only an address the copy labels as its source
    source_url: str | None = None
    for line in cleaned.addresses:
        match = ADDRESS.match(line.text.strip())
        assert match is not None  # the line was classified with the same pattern
        url = match.group("url")
        if match.group("label") and match.group("label").casefold() in (
            "source",
            "fonte",
            "المصدر",
        ):
            if source_url is None:
                source_url = url
                filled.append(("source_url", url, f"labelled as the source on line {line.number}"))
        else:
            review.append(
                f"line {line.number} holds the address {url}: if it is the article's own, "
                "set source_url"
            )

    # agency
    agency = find_agency([*cleaned.body_lines, *cleaned.credit])
    if agency is not None:
        filled.append(("agency", agency.value, agency.note))

    # tags
    suggested = suggest_tags(f"{title}\n{body_text}", archive.tags)
    tags = list(dict.fromkeys([*options.tags, *suggested]))
    if tags:
        how = "suggested from the vocabulary (labels and aliases found in the text)"
        if options.tags:
            how = "given with --tags, plus " + how
        filled.append(("tags", ", ".join(tags), how))
    else:
        missing.append(
            ("tags", "no vocabulary tag is mentioned: add at least one from content/tags.yml")
        )
    missing.append(("summary", "write one or two sentences (never copied from elsewhere)"))

    for line in cleaned.doubtful:
        review.append(
            f"line {line.number} {line.text.strip()!r} was kept after the article: "
            "drop it if it is page furniture"
        )
    if encoding != "utf-8":
        review.append(f"decoded as {encoding}: check the text")

    chosen = _choose_target(source, title, language, date_text, archive, options, taken, errors)
    if chosen is None:
        return None
    target, overwrote = chosen
    review.extend(_already_in(body_text, archive, skip=target if overwrote else None))
    dropped = cleaned.dropped
    front = _front_matter(
        title=title,
        date_text=date_text,
        outlet=outlet,
        via=via,
        language=language,
        tags=tags,
        agency=agency,
        source_url=source_url,
        source=source,
        filled=filled,
        missing=missing,
        review=review,
        dropped=dropped,
        removed=removed,
    )
    return Imported(
        source=source,
        target=target,
        text=f"---\n{front}---\n{cleaned.body_markdown()}",
        filled=tuple(filled),
        missing=tuple(missing),
        review=tuple(review),
        dropped=dropped,
        encoding=encoding,
        overwrote=overwrote,
        removed=removed,
    )


def _choose_target(
    source: Path,
    title: str,
    language: str,
    date_text: str,
    archive: _Archive,
    options: ImportOptions,
    taken: dict[str, Path],
    errors: ErrorList,
) -> tuple[Path, bool] | None:
    """The file to write, and whether it replaces an earlier import.

    A re-import of the same input replaces its article only with ``--force``; any other
    article using the slug (or the file name) makes this one take ``-2``, ``-3``…
    """
    directory = archive.config.content_dir / "articles" / language
    base = slugify(title.strip("[]")) or f"article-{date_text.replace(':', '-')[:10]}"
    target = directory / f"{base}.md"
    existing = taken.get(base.casefold())
    root = archive.config.root
    if existing == target and target.exists() and _imported_from(target, root) == source.name:
        if not options.force:
            errors.add(source, None, f"already imported as {target}; use --force to overwrite it")
            return None
        return target, True
    slug = _free_slug(base, taken)
    target = directory / f"{slug}.md"
    taken[slug.casefold()] = target
    return target, False


def _already_in(body_text: str, archive: _Archive, skip: Path | None) -> list[str]:
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


def _front_matter(
    *,
    title: str,
    date_text: str,
    outlet: str,
    via: str | None,
    language: str,
    tags: Sequence[str],
    agency: Found | None,
    source_url: str | None,
    source: Path,
    filled: Sequence[tuple[str, str, str]],
    missing: Sequence[tuple[str, str]],
    review: Sequence[str],
    dropped: Sequence[Line],
    removed: Sequence[Removed],
) -> str:
    out = [
        f"title: {_yaml_text(title)}",
        f"date: {date_text}",
        f"outlet: {outlet}",
    ]
    if via is not None:
        out.append(f"via: {via}")
    out.append(f"language: {language}")
    out.append(f"tags: [{', '.join(tags)}]")
    if source_url is not None:
        out.append(f"source_url: {_yaml_text(source_url)}")
    if agency is not None:
        out.append(f"agency: {_yaml_text(agency.value)}")
    out.append(_comment(f"Imported from: {source.name}"))
    out.extend(_comment(f"{name}: {how}.") for name, _value, how in filled)
    out.extend(_comment(f"{name}: NOT FILLED: {why}.") for name, why in missing)
    out.extend(_comment(f"REVIEW: {note}.") for note in review)
    if dropped:
        out.append(_comment("Removed lines (line: text [reason]):"))
        out.extend(
            _comment(f"  {line.number}: {_shown(line.text)} [{line.role.value}]")
            for line in dropped
        )
    else:
        out.append(_comment("Removed lines: none."))
    if removed:
        out.append(_comment("Removed characters (line: column: what):"))
        out.extend(_comment(f"  {r.number}: {r.column}: {r.reason}") for r in removed)
    return "\n".join(out) + "\n"


def _shown(text: str) -> str:
    """A dropped line for the report: its text, or what invisible characters it holds."""
    if text.strip():
        return text.strip()
    return "(only a non-breaking space)" if "\u00a0" in text else "(only white space)"


def render_import(item: Imported) -> str:
    """What one import did or would do, for the curator to decide on."""
    verb = ("overwrote" if item.overwrote else "wrote") if item.written else "would write"
    source = Location(item.source).render()
    out = [f"{source}: {verb} {Location(item.target).render()}"]
    out.extend(f"  {name}: {value}  [{how}]" for name, value, how in item.filled)
    out.extend(f"  not filled: {name}: {why}" for name, why in item.missing)
    out.extend(f"  review: {note}" for note in item.review)
    if item.dropped:
        count = len(item.dropped)
        out.append(f"  dropped {count} line{'s' if count != 1 else ''}:")
        out.extend(
            f"    {source}:{line.number}: {_shown(line.text)}  [{line.role.value}]"
            for line in item.dropped
        )
    else:
        out.append("  dropped no lines")
    if item.removed:
        count = len(item.removed)
        out.append(f"  removed {count} character{'s' if count != 1 else ''}:")
        out.extend(f"    {source}:{r.number}: column {r.column}: {r.reason}" for r in item.removed)
    return "\n".join(out)


def write_imports(planned: Iterable[Imported]) -> list[Imported]:
    """Write planned articles (each file whole, via a temporary sibling)."""
    done: list[Imported] = []
    for item in planned:
        _write_new(item.target, item.text, overwrite=item.overwrote)
        done.append(replace(item, written=True))
    return done


def _write_new(target: Path, text: str, *, overwrite: bool) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if overwrite:
        temp = target.with_name(f".{target.name}.tmp")
        temp.write_text(text, encoding="utf-8")
        temp.replace(target)
        return
    try:
        with target.open("x", encoding="utf-8") as handle:  # never replaces a file
            handle.write(text)
    except FileExistsError:
        raise UsageError(f"{target}: already exists; refusing to overwrite it") from None


def import_files(root: Path, files: Sequence[Path], options: ImportOptions) -> list[Imported]:
    """Plan every input, then write them all (unless ``options.dry_run``)."""
    planned = plan_import(root, files, options)
    return planned if options.dry_run else write_imports(planned)


@dataclass(frozen=True, slots=True)
class NewArticle:
    """A skeleton written by ``briefgen new``."""

    target: Path
    text: str
    todo: tuple[str, ...] = field(default=())


def new_article(
    root: Path,
    *,
    title: str,
    language: str,
    outlet: str | None = None,
    slug: str | None = None,
    today: date | None = None,
) -> NewArticle:
    """Write a new article with every required field, dated today; never overwrites."""
    archive = _archive(root)
    codes = tuple(lang.code for lang in archive.config.languages)
    if language not in codes:
        raise UsageError(f"--language {language!r} is not a site language ({', '.join(codes)})")
    title = title.strip()
    if not title:
        raise UsageError("--title must not be empty")
    refused = bidi_problem(title)
    if refused is not None:  # check would refuse the file: say so before writing it
        raise UsageError(f"--title: {refused.message}")
    if outlet is not None and outlet not in (*archive.outlets, UNKNOWN_OUTLET):
        raise UsageError(f"--outlet {outlet!r} is not defined in content/outlets.yml")
    when = today or datetime.now(UTC).astimezone().date()
    chosen = slug or slugify(title) or f"article-{when.isoformat()}"
    target = archive.config.content_dir / "articles" / language / f"{chosen}.md"
    if target.exists():
        raise UsageError(f"{target}: already exists; refusing to overwrite it")
    if chosen.casefold() in archive.slugs:
        other = archive.slugs[chosen.casefold()]
        raise UsageError(
            f"slug {chosen!r} is already used by {other}; pass --slug to choose another"
        )
    tags = suggest_tags(title, archive.tags)
    todo = ["tags: add at least one from content/tags.yml"] if not tags else []
    todo.append("summary: write one or two sentences")
    if outlet is None:
        todo.append("outlet: set the outlet key from content/outlets.yml (or keep 'unknown')")
    lines = [
        f"title: {_yaml_text(title)}",
        f"date: {when.isoformat()}",
        f"outlet: {outlet or UNKNOWN_OUTLET}",
        f"language: {language}",
        f"tags: [{', '.join(tags)}]",
        "# summary: write one or two sentences, then uncomment this line.",
        "# source_url: the address of the original, when there is one.",
    ]
    text = "---\n" + "\n".join(lines) + "\n---\n"
    _write_new(target, text, overwrite=False)
    return NewArticle(target, text, tuple(todo))
