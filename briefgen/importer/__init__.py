"""``briefgen import`` and ``briefgen new``: raw scraped copies and new articles as archive files.

Import plans every file first (decode, clean, find facts, pick a path) and writes only when every
input is fine, so a bad input in a batch leaves the archive untouched. What the text does not
support is never invented: an unknown date or outlet is written as ``unknown`` and reported, and
each dropped line is listed in the report and in the file itself (as YAML comments).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

from briefgen.checks import MIN_WORDS, shingles
from briefgen.config import load_config
from briefgen.content import article_paths, load_outlets, load_tags, split_front_matter
from briefgen.content.values import SLUG_RULE, valid_slug
from briefgen.errors import ContentError, ErrorList, Location, ProblemsError, UsageError
from briefgen.fetch import FetchError, Rules
from briefgen.importer.article import shown, site_path, write_new, yaml_text
from briefgen.importer.facts import Dates, suggest_tags
from briefgen.importer.language import given
from briefgen.importer.page import PageError
from briefgen.importer.plan import Archive, Imported, ImportOptions, decode, plan_one, slugify
from briefgen.importer.web import Failed, PageInput, get_page, is_page_file, is_url, plan_page
from briefgen.model import UNKNOWN_OUTLET
from briefgen.text import (
    bidi_problem,
    caseless,
    control_message,
    forbidden_character,
    loose_words,
    nfc,
)
from briefgen.yamltree import Map, Scalar, did_you_mean, link_problem, parse

__all__ = [
    "Failed",
    "ImportOptions",
    "ImportProblems",
    "Imported",
    "NewArticle",
    "import_files",
    "import_inputs",
    "new_article",
    "plan_import",
    "read_list",
    "render_import",
    "slugify",
    "write_imports",
]


class ImportProblems(ProblemsError):
    """One or more inputs cannot be imported; nothing was written."""

    def __str__(self) -> str:
        count = len(self.problems)
        return f"{count} input{'s' if count != 1 else ''} cannot be imported"


def _archive(root: Path) -> Archive:
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
        slugs[caseless(slug)] = path
        slugs.setdefault(caseless(path.stem), path)  # the file name is taken too
        words = loose_words(body)
        if len(words) >= MIN_WORDS:
            prints[path] = shingles(words)
    return Archive(config, tags, outlets, slugs, prints)


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


def plan_import(root: Path, files: Sequence[Path], options: ImportOptions) -> list[Imported]:
    """Work out every article file without writing; raise with every problem found. Each is
    ``added`` on ``options.today``, by default the local date now."""
    archive = _archive(root)
    options = _checked(options, archive)
    dates = Dates(tuple(lang.code for lang in archive.config.languages))
    return _plan_copies(files, archive, dates, options, dict(archive.slugs))


def _checked(options: ImportOptions, archive: Archive) -> ImportOptions:
    """The options, ``--language`` spelt canonically and ``today`` filled with the local date
    when not given; UsageError for an unknown outlet or tag."""
    if options.today is None:
        options = replace(options, today=local_today())
    codes = tuple(lang.code for lang in archive.config.languages)
    if options.outlet is not None and options.outlet not in (*archive.outlets, UNKNOWN_OUTLET):
        hint = did_you_mean(options.outlet, archive.outlets)
        raise UsageError(f"--outlet {options.outlet!r} is not defined in content/outlets.yml{hint}")
    if options.language is not None:  # any language CLDR knows, in its canonical spelling
        options = replace(options, language=given(options.language, codes))
    for tag in options.tags:
        if tag not in archive.tags:
            hint = did_you_mean(tag, archive.tags)
            raise UsageError(f"--tags: {tag!r} is not in content/tags.yml{hint}")
    return options


def _plan_copies(
    files: Sequence[Path],
    archive: Archive,
    dates: Dates,
    options: ImportOptions,
    taken: dict[str, Path],
) -> list[Imported]:
    """The plain-text copies' articles; ImportProblems with every problem found."""
    errors = ErrorList()
    planned: list[Imported] = []
    for source in files:
        if not source.is_file():
            errors.add(source, None, "no such file")
            continue
        decoded = decode(source, source.read_bytes(), options.encoding, errors)
        if decoded is None:
            continue
        text, encoding = decoded
        result = plan_one(source, text, encoding, archive, dates, options, taken, errors)
        if result is not None:
            planned.append(result)
    errors.raise_if_errors(ImportProblems)
    return planned


@dataclass(frozen=True, slots=True)
class Outcome:
    """What ``import`` did with each input."""

    imported: tuple[Imported, ...]
    failed: tuple[Failed, ...]
    """Pages and URLs that could not be imported (the others were)."""


Progress = Callable[[int, int, str, "Imported | Failed"], None]
"""Told after each page: its number, how many there are, the input and what came of it."""


def import_inputs(
    root: Path,
    inputs: Sequence[str],
    options: ImportOptions,
    *,
    rules: Rules,
    today: date | None = None,
    progress: Progress | None = None,
) -> Outcome:
    """Import plain-text copies, saved pages and URLs, then write them (unless a dry run).

    Plain-text copies are planned first, all together as :func:`plan_import` does: a problem
    in one stops the import before anything is fetched or written. Pages and URLs stand
    alone: one that fails is reported in the outcome and the others are still written, each
    file whole or not at all. ``today``: the day of the fetch (``accessed``).
    """
    archive = _archive(root)
    options = _checked(options, archive)
    dates = Dates(tuple(lang.code for lang in archive.config.languages))
    taken: dict[str, Path] = dict(archive.slugs)
    copies = [Path(each) for each in inputs if not _is_page(each)]
    planned = _plan_copies(copies, archive, dates, options, taken)
    pages = [each for each in inputs if _is_page(each)]
    failed: list[Failed] = []
    day = today or options.today or local_today()  # the day of the fetch, as of the import
    for number, each in enumerate(pages, 1):
        result = _one_page(each, archive, dates, options, taken, rules, day)
        if isinstance(result, Failed):
            failed.append(result)
        else:
            planned.append(result)
        if progress is not None:
            progress(number, len(pages), each, result)
    written = planned if options.dry_run else write_imports(planned, root)
    return Outcome(tuple(written), tuple(failed))


def _is_page(text: str) -> bool:
    return is_url(text) or is_page_file(Path(text))


def _one_page(
    given: str,
    archive: Archive,
    dates: Dates,
    options: ImportOptions,
    taken: dict[str, Path],
    rules: Rules,
    today: date,
) -> Imported | Failed:
    try:
        fetched = get_page(given, rules)
    except (FetchError, PageError) as exc:
        return Failed(given, str(exc))
    accessed = today if fetched.url is not None else None
    return plan_page(PageInput(given, fetched, accessed), archive, dates, options, taken)


def read_list(path: Path) -> list[str]:
    """The inputs a ``--from-list`` file names: one per line; blank lines and ``#`` comments
    are skipped."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--from-list {path}: cannot read it: {exc}") from None
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def render_import(item: Imported) -> str:
    """What one import did or would do, for the curator to decide on."""
    verb = ("overwrote" if item.overwrote else "wrote") if item.written else "would write"
    source = item.origin or Location(item.source).render()
    out = [f"{source}: {verb} {Location(item.target).render()}"]
    out.extend(f"  {name}: {value}  [{how}]" for name, value, how in item.filled)
    out.extend(f"  not filled: {name}: {why}" for name, why in item.missing)
    out.extend(f"  review: {note}" for note in item.review)
    if item.dropped:
        count = len(item.dropped)
        out.append(f"  dropped {count} line{'s' if count != 1 else ''}:")
        out.extend(
            f"    {source}:{line.number}: {shown(line.text)}  [{line.role.value}]"
            for line in item.dropped
        )  # a page's line numbers are the fetched page's
    else:
        out.append("  dropped no lines")
    if item.removed:
        count = len(item.removed)
        out.append(f"  removed {count} character{'s' if count != 1 else ''}:")
        out.extend(f"    {source}:{r.number}: column {r.column}: {r.reason}" for r in item.removed)
    return "\n".join(out)


def write_imports(planned: Iterable[Imported], root: Path) -> list[Imported]:
    """Write planned articles of the site at ``root``, each file whole or not at all."""
    done: list[Imported] = []
    for item in planned:
        write_new(item.target, item.text, overwrite=item.overwrote, root=root)
        done.append(replace(item, written=True))
    return done


def import_files(root: Path, files: Sequence[Path], options: ImportOptions) -> list[Imported]:
    """Plan every input, then write them all (unless ``options.dry_run``)."""
    planned = plan_import(root, files, options)
    return planned if options.dry_run else write_imports(planned, root)


def local_today() -> date:
    """The curator's calendar day now: what ``added`` records for a new or imported article."""
    return datetime.now(UTC).astimezone().date()


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
    """Write a new article with every required field, ``added`` today (``today``, by default
    the local date now) and the source's date left to the curator; never overwrites."""
    archive = _archive(root)
    codes = tuple(lang.code for lang in archive.config.languages)
    if language not in codes:
        raise UsageError(f"--language {language!r} is not a site language ({', '.join(codes)})")
    title = title.strip()
    if not title:
        raise UsageError("--title must not be empty")
    control = forbidden_character(title)  # check would refuse the file: say so before writing
    if control is not None:
        raise UsageError(f"--title: {control_message(control.group())}")
    refused = bidi_problem(title)
    if refused is not None:
        raise UsageError(f"--title: {refused.message}")
    if outlet is not None and outlet not in (*archive.outlets, UNKNOWN_OUTLET):
        raise UsageError(f"--outlet {outlet!r} is not defined in content/outlets.yml")
    when = today or local_today()
    chosen = nfc(slug or slugify(title) or f"article-{when.isoformat()}")  # as content reads it
    if slug and not valid_slug(chosen):  # it names the file: "../x" would write outside
        raise UsageError(f"--slug: {chosen!r} is not a valid slug: {SLUG_RULE}")
    target = archive.config.content_dir / "articles" / language / f"{chosen}.md"
    root = archive.config.root
    if target.exists():
        raise UsageError(f"{site_path(target, root)}: already exists; refusing to overwrite it")
    if caseless(chosen) in archive.slugs:
        other = site_path(archive.slugs[caseless(chosen)], root)
        raise UsageError(
            f"slug {chosen!r} is already used by {other}; pass --slug to choose another"
        )
    tags = suggest_tags(title, archive.tags)
    todo = ["tags: add at least one from content/tags.yml"] if not tags else []
    todo.append("date: write the source's date (YYYY, YYYY-MM or YYYY-MM-DD), if it gives one")
    todo.append("summary: write one or two sentences")
    if outlet is None:
        todo.append("outlet: set the outlet key from content/outlets.yml (or keep 'unknown')")
    lines = [
        f"title: {yaml_text(title)}",
        "date: unknown  # to do: the source's date (YYYY, YYYY-MM or YYYY-MM-DD), if it gives one",
        f"added: {when.isoformat()}",
        f"outlet: {outlet or UNKNOWN_OUTLET}",
        f"language: {language}",
        f"tags: [{', '.join(tags)}]",
        "# summary: write one or two sentences, then uncomment this line.",
        "# source_url: the address of the original, when there is one.",
    ]
    text = "---\n" + "\n".join(lines) + "\n---\n"
    write_new(target, text, overwrite=False, root=root)
    return NewArticle(target, text, tuple(todo))
