"""Front matter is read as written: YAML 1.1's guesses never reach the model silently."""

from __future__ import annotations

import unicodedata

import pytest

from briefgen.cli import main
from briefgen.config import load_config
from briefgen.content import load_site
from briefgen.errors import ContentError
from briefgen.model import Article
from tests.conftest import MakeSite, article
from tests.helpers import VALID_SITE

FRONT = {
    "title": "Titolo",
    "date": "2025-01-02",
    "outlet": "meteoweb",
    "language": "it",
    "tags": "[russia]",
}


def load_one(make_site: MakeSite, **fields: str) -> Article:
    """The one article of a site whose only article has ``fields`` (on top of valid defaults)."""
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


@pytest.mark.parametrize(
    ("written", "title"),
    [
        ("no", "no"),  # YAML 1.1: False
        ("yes", "yes"),  # YAML 1.1: True
        ("off", "off"),
        ("012", "012"),  # YAML 1.1: 10 (octal)
        ("0x1F", "0x1F"),
        ("1e3", "1e3"),  # YAML 1.1: 1000.0
        ("12:30:00", "12:30:00"),  # YAML 1.1: 45000 (sexagesimal)
        ("2025-01-02", "2025-01-02"),  # YAML 1.1: a date object
        ("'null'", "null"),  # quoted: the word itself
        ('"~"', "~"),
        (".inf", ".inf"),
    ],
)
def test_a_title_stays_the_text_written(make_site: MakeSite, written: str, title: str) -> None:
    assert load_one(make_site, title=written).title == title


def test_a_slug_of_digits_keeps_its_leading_zero(make_site: MakeSite) -> None:
    assert load_one(make_site, slug="012").slug == "012"


@pytest.mark.parametrize(("written", "draft"), [("true", True), ("false", False), ("True", True)])
def test_draft_takes_true_or_false(make_site: MakeSite, written: str, draft: bool) -> None:
    root = make_site(
        {
            "content/articles/it/one.md": article(
                title="T",
                date="2025",
                outlet="meteoweb",
                language="it",
                tags="[russia]",
                draft=written,
            )
        }
    )
    (only,) = load_site(load_config(root), drafts=True).site.articles
    assert only.draft is draft


@pytest.mark.parametrize("empty", ["", "~", "null"])
def test_an_empty_optional_field_means_absent(make_site: MakeSite, empty: str) -> None:
    only = load_one(make_site, summary=empty, agency=empty, via=empty)
    assert (only.summary, only.agency, only.via) == (None, None, None)


@pytest.mark.parametrize("empty", ["", "~", "null"])
def test_an_empty_required_field_is_an_error(make_site: MakeSite, empty: str) -> None:
    root = make_site(
        {
            "content/articles/it/one.md": article(
                title=empty, date="2025", outlet="meteoweb", language="it", tags="[russia]"
            )
        }
    )
    with pytest.raises(ContentError) as failed:
        load_site(load_config(root))
    assert failed.value.render(root).splitlines() == [
        "content/articles/it/one.md:2: title: must not be empty"
    ]


def test_a_bom_and_crlf_line_ends_are_fine(make_site: MakeSite) -> None:
    text = article(
        title="Con BOM",
        date="2025-01",
        outlet="meteoweb",
        language="it",
        tags="[russia]",
        body="Riga uno.\n\nRiga due.",
    )
    root = make_site(
        {"content/articles/it/bom.md": b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")}
    )
    (only,) = load_site(load_config(root)).site.articles
    assert only.title == "Con BOM"
    assert only.body_html == "<p>Riga uno.</p>\n<p>Riga due.</p>\n"


def test_errors_in_a_crlf_file_point_at_the_right_line(make_site: MakeSite) -> None:
    text = article(title="T", date="2025-02-30", outlet="meteoweb", language="it", tags="[russia]")
    root = make_site(
        {
            "content/articles/it/crlf.md": b"\xef\xbb\xbf"
            + text.replace("\n", "\r\n").encode("utf-8")
        }
    )
    with pytest.raises(ContentError) as failed:
        load_site(load_config(root))
    assert failed.value.render(root) == (
        "content/articles/it/crlf.md:3: date: '2025-02-30' is impossible: 2025-02 has no day 30"
    )


def test_dates_keep_the_precision_written(make_site: MakeSite) -> None:
    for written, iso in [
        ("2025", "2025"),
        ("2025-01", "2025-01"),
        ("2025-01-02", "2025-01-02"),
        ("2025-01-02T10:30:00+01:00", "2025-01-02T10:30:00+01:00"),
        ("2025-01-02T10:30Z", "2025-01-02T10:30:00+00:00"),
    ]:
        date = load_one(make_site, date=written).date
        assert date is not None and date.iso == iso
    assert load_one(make_site, date="unknown").date is None


def test_the_valid_fixture_site_passes_check(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(VALID_SITE)
    assert main(["check", "--source", "."]) == 0
    out, err = capsys.readouterr()
    assert out == "ok: 6 articles, no errors, 3 warnings\n"  # check includes the draft
    # Articles without a summary pass, with a warning (they show no description in lists).
    assert err.splitlines() == [
        f"content/articles/{path}:1: warning: no summary: lists, feeds and search results show none"
        for path in ("ar/alliance-month.md", "ar/undated-note.md", "it/inedito.md")
    ]


@pytest.mark.parametrize("index", [0, 1, 2, -1])
def test_a_site_with_an_article_edited_in_place_equals_the_site_built_afresh(index: int) -> None:
    """``Site.with_edits`` patches the indexes; they must be the ones sorting and grouping give."""
    from dataclasses import replace

    from briefgen.model import Site

    site = load_site(load_config(VALID_SITE)).site
    old = site.articles[index]
    new = replace(old, title=old.title + " (corretto)", body_html="<p>nuovo</p>\n")
    patched = site.with_edits({old.slug: new})
    afresh = Site(
        site.config,
        tuple(new if a is old else a for a in site.articles),
        site.tags,
        site.outlets,
    )
    for name in ("articles", "undated"):
        assert getattr(patched, name) == getattr(afresh, name)
    for name in ("by_tag", "by_outlet", "by_month", "by_year", "by_slug"):
        assert list(getattr(patched, name).items()) == list(getattr(afresh, name).items()), name
    assert [patched.neighbours(a) for a in patched.articles] == [
        afresh.neighbours(a) for a in afresh.articles
    ]
    assert all(a is not old for a in patched.articles)  # the new object, not an equal old one
    assert site.by_slug[old.slug] is old  # the site it came from is unchanged


@pytest.mark.parametrize(
    "change",
    [
        {"tags": ("china",)},
        {"language": "ar"},
        {"outlet": "unknown"},
        {"draft": True},
        {"date": None},
    ],
)
def test_an_edit_that_moves_an_article_is_refused(change: dict[str, object]) -> None:
    from dataclasses import replace

    site = load_site(load_config(VALID_SITE)).site
    old = next(a for a in site.articles if a.date is not None and "china" not in a.tags)
    with pytest.raises(ValueError, match="moved"):
        site.with_edits({old.slug: replace(old, **change)})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("title: Wow!\nnote: 'a * b'\n", None),  # the characters alone are no alias or tag
        ("title: &t Titolo\nsummary: *t\n", "2: YAML aliases (*t) are not allowed"),
        ("title: !!str Titolo\n", "1: YAML tag '!!str' is not allowed"),
        ("title: Titolo\nsummary: Sommario\n", None),  # neither character: one pass
    ],
)
def test_aliases_and_tags_are_refused_wherever_they_are_written(
    text: str, error: str | None
) -> None:
    from pathlib import Path

    from briefgen.errors import ErrorList
    from briefgen.yamltree import Map, parse

    errors = ErrorList()
    node = parse(text, Path("a.md"), errors)
    found = [f"{p.location.line}: {p.message}" for p in errors.problems]
    assert found == ([error] if error else [])
    assert (node is None) == (error is not None) and (error or isinstance(node, Map))


# --- Unicode normal forms: macOS writes file names decomposed (NFD) --------------------------

CAFFE = "caffè-ristretto"
CAFFE_NFD = unicodedata.normalize("NFD", CAFFE)


def test_a_file_name_in_nfd_is_a_slug_in_nfc(make_site: MakeSite) -> None:
    assert CAFFE_NFD != CAFFE
    root = make_site({f"content/articles/it/{CAFFE_NFD}.md": article(**FRONT)})
    (only,) = load_site(load_config(root)).site.articles
    assert only.slug == CAFFE
    assert only.url == f"it/articles/{CAFFE}/"


def test_a_slug_written_in_nfd_is_kept_in_nfc(make_site: MakeSite) -> None:
    assert load_one(make_site, slug=CAFFE_NFD).slug == CAFFE


@pytest.mark.parametrize("slug", ["हिन्दी", "مُوسكو", "שָׁלוֹם"])
def test_a_slug_may_carry_combining_marks_no_nfc_form_composes(
    make_site: MakeSite, slug: str
) -> None:
    assert load_one(make_site, slug=slug).slug == slug


@pytest.mark.parametrize("slug", ["\u0301abc", "a/\u0301b", "..\u0301"])
def test_a_combining_mark_does_not_make_a_bad_slug_good(make_site: MakeSite, slug: str) -> None:
    root = make_site({"content/articles/it/one.md": article(**FRONT, slug=f'"{slug}"')})
    with pytest.raises(ContentError) as failed:
        load_site(load_config(root))
    assert f"{slug!r} is not a valid slug" in failed.value.render(root)


def test_two_names_equal_once_normalised_are_one_slug(make_site: MakeSite) -> None:
    """Two files a Linux file system keeps apart, but macOS and a URL would merge."""
    root = make_site(
        {
            f"content/articles/it/{CAFFE}.md": article(**FRONT),
            f"content/articles/it/{CAFFE_NFD}.md": article(**FRONT),
        }
    )
    with pytest.raises(ContentError) as failed:
        load_site(load_config(root))
    first, second = sorted([CAFFE, CAFFE_NFD])  # the order the files are read in
    assert failed.value.render(root).splitlines() == [
        f"content/articles/it/{second}.md:1: duplicate slug {CAFFE!r}: "
        f"content/articles/it/{first}.md (line 1) already uses it (the two file names differ "
        "only in Unicode normal form); give one of them another slug"
    ]


def test_a_slug_in_nfd_collides_with_a_file_name_in_nfc(make_site: MakeSite) -> None:
    root = make_site(
        {
            f"content/articles/ar/{CAFFE}.md": article(**FRONT),
            "content/articles/it/other.md": article(**FRONT, slug=CAFFE_NFD.upper()),
        }
    )
    with pytest.raises(ContentError) as failed:
        load_site(load_config(root))
    assert failed.value.render(root).splitlines() == [
        f"content/articles/it/other.md:7: duplicate slug {CAFFE.upper()!r}: "
        f"content/articles/ar/{CAFFE}.md (line 1) already uses it; give one of them another slug"
    ]


# --- Bidirectional controls ------------------------------------------------------------------


def test_balanced_isolates_stay_in_every_field_and_the_body(make_site: MakeSite) -> None:
    """Persian or Hebrew inside Italian text, isolated: legitimate, and published as written."""
    persian = "\u2067روزنامه شرق\u2069"  # noqa: RUF001 - Persian is the test data
    root = make_site(
        {
            "content/articles/it/one.md": article(
                **FRONT,
                summary=f"Secondo {persian}, il piano è pronto.",
                agency=persian,
                body=f"Il quotidiano {persian} scrive.\n\n\u2066a\u2069 \u2067\u2066b\u2069\u2069",
            )
        }
    )
    (only,) = load_site(load_config(root)).site.articles
    assert only.summary == f"Secondo {persian}, il piano è pronto."
    assert only.agency == persian
    assert persian in only.body_html


def test_bidi_controls_in_the_body_are_reported_at_their_line(make_site: MakeSite) -> None:
    body = "Riga uno.\n\nRiga \u202edue.\n\n`codice \u2066aperto`\n\n&#8238; scritto come entità."
    root = make_site({"content/articles/it/one.md": article(**FRONT, body=body)})
    with pytest.raises(ContentError) as failed:
        load_site(load_config(root))
    assert failed.value.render(root).splitlines() == [
        "content/articles/it/one.md:10: bidirectional control U+202E RIGHT-TO-LEFT OVERRIDE "
        "is not allowed",
        "content/articles/it/one.md:12: U+2066 LEFT-TO-RIGHT ISOLATE is not closed by U+2069 "
        "POP DIRECTIONAL ISOLATE",
        "content/articles/it/one.md:14: bidirectional control U+202E RIGHT-TO-LEFT OVERRIDE "
        "is not allowed",
    ]


# --- Control characters ----------------------------------------------------------------------


def test_c1_controls_in_the_body_are_reported_at_their_line(make_site: MakeSite) -> None:
    """Invisible, a parse error in HTML, and what text mis-decoded from Windows-1252 holds."""
    body = "Riga uno.\n\nRiga \x85due, \x9b tre."
    root = make_site({"content/articles/it/one.md": article(**FRONT, body=body)})
    with pytest.raises(ContentError) as failed:
        load_site(load_config(root))
    assert failed.value.render(root).splitlines() == [
        "content/articles/it/one.md:10: control character U+0085 is not allowed",
    ]


def test_line_and_paragraph_separators_stay_in_the_body(make_site: MakeSite) -> None:
    """U+2028 and U+2029 are text in HTML and XML (the JSON-LD escapes them for old engines)."""
    body = "Una riga\u2028la stessa.\u2029Fine."
    root = make_site({"content/articles/it/one.md": article(**FRONT, body=body)})
    (only,) = load_site(load_config(root)).site.articles
    assert "\u2028" in only.body_html and "\u2029" in only.body_html
