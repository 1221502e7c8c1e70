"""``briefgen check``: each finding, each output format, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefgen.checks import (
    DUPLICATE_THRESHOLD,
    check_site,
    escape_data,
    escape_property,
    github_annotation,
    jaccard,
    render,
    shingles,
)
from briefgen.cli import main
from briefgen.errors import Location, Problem
from briefgen.text import loose_words
from tests.conftest import MakeSite

ROOT = Path(__file__).resolve().parent.parent

# Long enough to be compared for duplicates (check.MIN_WORDS).
STORY = (
    "روسيا والصين تعلنان عن برنامج مشترك للبحث في الذكاء الاصطناعي يشمل الجامعات والمصارف "
    "والشركات الناشئة في البلدين ويمتد خمس سنوات بتمويل حكومي كبير وفق ما أعلنته الحكومتان "
    "في بيان مشترك صدر بعد اجتماع اللجنة الحكومية المشتركة في موسكو يوم الخميس الماضي"
)
OTHER = (
    "Il governo italiano ha presentato un piano nazionale per l'intelligenza artificiale che "
    "prevede investimenti nelle università, nei centri di ricerca e nelle piccole imprese, con "
    "una particolare attenzione alla formazione dei lavoratori e alla tutela dei dati personali "
    "dei cittadini secondo le nuove regole europee"
)


def art(
    *,
    title: str = "عنوان",
    language: str = "ar",
    tags: str = "[russia, china]",
    outlet: str = "meteoweb",
    summary: str | None = "ملخص.",
    extra: str = "",
    body: str = "نص المقال.",
) -> str:
    """An article file; the body starts on line 9 (line 10 with ``extra``)."""
    lines = [
        "---",
        f"title: {title}",
        "date: 2025-01-02",
        f"outlet: {outlet}",
        f"language: {language}",
        f"tags: {tags}",
        f"summary: {summary}" if summary is not None else "draft: false",
    ]
    if extra:
        lines.append(extra)
    return "\n".join([*lines, "---", body]) + "\n"


def messages(root: Path) -> list[str]:
    """Findings as ``path:line: message`` with paths relative to the site root."""
    report = check_site(root)
    return [p.render(relative_to=root) for p in report.problems]


def test_repository_archive_is_clean() -> None:
    report = check_site(ROOT)
    assert report.problems == ()
    assert report.articles == 5


def test_build_errors_are_reported(make_site: MakeSite) -> None:
    root = make_site(
        {
            "content/articles/ar/a.md": art().replace("2025-01-02", "2025-02-30"),
            "content/articles/it/b.md": art(language="it", tags="[russia, china, nope]"),
        }
    )
    assert messages(root) == [
        "content/articles/ar/a.md:3: date: '2025-02-30' is impossible: 2025-02 has no day 30",
        "content/articles/it/b.md:6: tags: unknown tag 'nope'",
    ]


def test_broken_internal_links(make_site: MakeSite) -> None:
    body = "\n".join(
        [
            "[fine](../b/) and [fine too](b.md) and [external](https://example.com/ar/articles/x/).",
            "",
            "[missing](../nope/)",
            "",
            "[missing file](nope.md)",
            "",
            "[root](/ar/articles/b/) [absolute](https://example.org/archive/it/articles/b/)",
            "",
            "[tag](../../tags/china/) [bad tag](../../tags/chin/) [outlet](/archive/ar/outlets/x/)",
            "",
            "[draft](../c/) [case](https://example.org/archive/ar/articles/B/)",
        ]
    )
    root = make_site(
        {
            "content/articles/ar/a.md": art(body=body, outlet="al-akhbar"),
            "content/articles/ar/b.md": art(),
            "content/articles/ar/c.md": art(extra="draft: true"),
        }
    )
    found = [m for m in messages(root) if "link" in m]
    assert found == [
        "content/articles/ar/a.md:11: link '../nope/': no article with slug 'nope'",
        "content/articles/ar/a.md:13: link 'nope.md': no article file 'nope.md' there",
        "content/articles/ar/a.md:15: link '/ar/articles/b/' "
        "is outside the site's base path '/archive/'",
        "content/articles/ar/a.md:15: link 'https://example.org/archive/it/articles/b/': "
        "article 'b' is published at 'ar/articles/b/'",
        "content/articles/ar/a.md:17: link '../../tags/chin/': no tag 'chin'",
        "content/articles/ar/a.md:17: link '/archive/ar/outlets/x/': no outlet 'x'",
        "content/articles/ar/a.md:19: link '../c/': article 'c' is a draft, "
        "so the link breaks when published",
        "content/articles/ar/a.md:19: link 'https://example.org/archive/ar/articles/B/': "
        "no article with slug 'B' (did you mean 'b'?)",
    ]
    assert check_site(root).errors == len(found)


def test_unused_vocabulary_and_missing_summary_are_warnings(make_site: MakeSite) -> None:
    root = make_site({"content/articles/ar/a.md": art(tags="[russia]", summary=None)})
    assert messages(root) == [
        "content/articles/ar/a.md:1: warning: "
        "no summary: lists, feeds and search results show none",
        "content/outlets.yml:6: warning: outlet 'al-akhbar' is defined but no article uses it",
        "content/tags.yml:3: warning: tag 'china' is defined but no article uses it",
    ]
    report = check_site(root)
    assert (report.errors, report.warnings) == (0, 3)


def test_duplicate_source_url(make_site: MakeSite) -> None:
    url = "source_url: https://example.com/news/1"
    root = make_site(
        {
            "content/articles/ar/a.md": art(extra=url, body=STORY),
            "content/articles/it/b.md": art(language="it", extra=url + "/", body=OTHER),
        }
    )
    assert [m for m in messages(root) if "duplicate" in m] == [
        "content/articles/it/b.md:8: duplicate article: "
        "content/articles/ar/a.md has the same source_url"
    ]


def test_near_duplicate_bodies(make_site: MakeSite) -> None:
    edited = STORY.replace("خمس سنوات", "ست سنوات").replace("الخميس", "الجمعة")
    root = make_site(
        {
            "content/articles/ar/a.md": art(body=STORY),
            "content/articles/ar/b.md": art(body=f"## عنوان فرعي\n\n{edited}"),
            "content/articles/it/c.md": art(language="it", body=OTHER),
        }
    )
    found = [m for m in messages(root) if "duplicate" in m]
    assert len(found) == 1
    assert found[0].startswith(
        "content/articles/ar/b.md:1: duplicate article: the body is nearly the same as "
    )
    assert "a.md (similarity 0." in found[0]


def test_similarity_measure() -> None:
    a = shingles(loose_words(STORY))
    assert jaccard(a, a) == 1.0
    assert jaccard(a, shingles(loose_words(OTHER))) == 0.0
    # Diacritics, tatweel and hamza forms do not make a copy look different.
    decorated = STORY.replace("الذكاء", "الذّكـاء").replace("أعلنته", "اعلنته")
    assert jaccard(a, shingles(loose_words(decorated))) == 1.0
    assert DUPLICATE_THRESHOLD == 0.5


def test_short_bodies_are_not_compared(make_site: MakeSite) -> None:
    root = make_site({"content/articles/ar/a.md": art(), "content/articles/ar/b.md": art()})
    assert not [m for m in messages(root) if "duplicate" in m]


# --- output formats ----------------------------------------------------------------------------


def broken_site(make_site: MakeSite) -> Path:
    """One error (a missing link target) and one warning (an unused outlet)."""
    return make_site({"content/articles/ar/a.md": art(body="[x](../nope/)")})


def test_text_format(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = broken_site(make_site)
    monkeypatch.chdir(root)
    assert main(["check"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""  # like every error report: stderr, then one closing line
    assert captured.err.splitlines() == [
        "content/articles/ar/a.md:9: link '../nope/': no article with slug 'nope'",
        "content/outlets.yml:6: warning: outlet 'al-akhbar' is defined but no article uses it",
        "briefgen: 1 error in the archive (and 1 warning); nothing was written",
    ]


def test_text_format_with_warnings_only(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(make_site({"content/articles/ar/a.md": art(outlet="al-akhbar")}))
    assert main(["check"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "ok: 1 article, no errors, 1 warning\n"
    warning = "content/outlets.yml:1: warning: outlet 'meteoweb' is defined but no article uses it"
    assert captured.err == warning + "\n"
    assert main(["check", "--strict"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        warning,
        "briefgen: 1 warning in the archive, and --strict makes warnings fail",
    ]


def test_json_format(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = broken_site(make_site)
    monkeypatch.chdir(root)
    assert main(["check", "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out) == [
        {
            "path": "content/articles/ar/a.md",
            "line": 9,
            "severity": "error",
            "message": "link '../nope/': no article with slug 'nope'",
        },
        {
            "path": "content/outlets.yml",
            "line": 6,
            "severity": "warning",
            "message": "outlet 'al-akhbar' is defined but no article uses it",
        },
    ]


def test_github_format(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = broken_site(make_site)
    monkeypatch.chdir(root)
    assert main(["check", "--format", "github"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "::error file=content/articles/ar/a.md,line=9::"
        "link '../nope/': no article with slug 'nope'",
        "::warning file=content/outlets.yml,line=6::"
        "outlet 'al-akhbar' is defined but no article uses it",
    ]


def test_github_escaping() -> None:
    assert escape_data("100% sure\r\nnext, a: b") == "100%25 sure%0D%0Anext, a: b"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    problem = Problem(Location(Path.cwd() / "content/a,b:c.md", 3), "50% done\nnext")
    assert (
        github_annotation(problem) == "::error file=content/a%2Cb%3Ac.md,line=3::50%25 done%0Anext"
    )
    whole_file = Problem(Location(Path.cwd() / "site.yml"), "bad", "warning")
    assert github_annotation(whole_file) == "::warning file=site.yml::bad"


def test_exit_codes(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    warnings_only = make_site(
        {"content/articles/ar/a.md": art(outlet="al-akhbar", tags="[russia]")}, name="w"
    )
    assert main(["check", "--source", str(warnings_only)]) == 0
    assert main(["check", "--source", str(warnings_only), "--strict"]) == 1
    assert main(["check", "--source", str(ROOT), "--strict"]) == 0
    assert main(["check", "--source", str(warnings_only / "nowhere")]) == 2
    capsys.readouterr()


def test_render_empty_report() -> None:
    report = check_site(ROOT)
    assert render(report, "text") == ""
    assert render(report, "github") == ""
    assert json.loads(render(report, "json")) == []


def test_plain_booleans_and_nulls_are_read(make_site: MakeSite) -> None:
    """PyYAML's C composer marks plain scalars with style '' (not None): still plain."""
    root = make_site(
        {
            "content/articles/ar/a.md": art(extra="draft: true"),
            "content/articles/ar/b.md": art(summary="~"),
        }
    )
    report = check_site(root)
    assert report.errors == 0, [p.render() for p in report.problems]
    assert any("b.md:1: warning: no summary" in p.render() for p in report.problems)


def test_links_to_arabic_slugs(make_site: MakeSite) -> None:
    """markdown-it percent-encodes link targets; the check compares decoded slugs."""
    root = make_site(
        {
            "content/articles/ar/a.md": art(body="[ok](../تعاون/) [missing](../تعاو/)"),
            "content/articles/ar/b.md": art(extra="slug: تعاون"),
        }
    )
    assert [m for m in messages(root) if "link" in m] == [
        "content/articles/ar/a.md:9: link '../تعاو/': no article with slug 'تعاو'"
    ]
