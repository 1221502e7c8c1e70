"""``briefgen import`` and ``briefgen new``.

The five raw seeds in ``tests/import_seeds/`` are imported into a site that has the repository's
vocabulary but no articles; each written file must equal ``tests/import_expected/<seed>.md``.
Those fixtures were checked against the curated articles in ``content/articles/``, and
``test_seed_matches_curated_article`` keeps them honest: same body, language, title (when the
source has a headline), date, outlet, via and agency as the curators decided.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from briefgen.checks import check_site
from briefgen.cli import main
from briefgen.content import split_front_matter
from briefgen.errors import ErrorList, Location, UsageError
from briefgen.importer import (
    ImportOptions,
    ImportProblems,
    import_files,
    new_article,
    plan_import,
    slugify,
    write_imports,
)
from briefgen.importer.clean import escape_markdown
from briefgen.importer.language import identify, tag_of
from briefgen.markdown import make_markdown, render
from briefgen.yamltree import Map, Scalar, Seq, parse

ROOT = Path(__file__).resolve().parent.parent
SEEDS = Path(__file__).parent / "import_seeds"
EXPECTED = Path(__file__).parent / "import_expected"
IMPORT_DAY = date(2026, 3, 4)
"""The day the expected files were imported on (their ``added``)."""
CASES_DIR = Path(__file__).parent / "import_cases"

# seed → (where the import writes it, the curated article made from the same seed)
CASES = {
    "000_724c341d9fc34f96": (
        "ar/rwsy-ttjh-la-ltwn-m-lsyn-fy-mjl.md",
        "ar/russia-heads-toward-ai-cooperation-with-china.md",
    ),
    "001_8f7b459ca76dcbc4": (
        "ar/llm-la-mwd-m-thlf-jdyd-byn-qwtyn.md",
        "ar/putin-directs-government-to-boost-ai-cooperation-with-china.md",
    ),
    "002_841debd7d53d1f6b": (
        "ar/twn-rwsy-syny-fy-mjl-ldhk-lstny.md",
        "ar/russian-chinese-cooperation-in-ai.md",
    ),
    "003_de1d810b36e910e3": (
        "it/il-presidente-russo-vladimir-putin-ha-ordinato-al.md",
        "it/putin-orders-sberbank-ai-partnerships-with-china.md",
    ),
    "004_2d7ff5d78b85c4fa": (
        "ar/thlf-shrkt-ldhk-lstny-lsynyh-lmwjhh-lqywd-lmyrkyh.md",
        "ar/chinese-ai-companies-form-alliances-against-us-restrictions.md",
    ),
}


PARAGRAPH = (
    "Il Presidente russo Vladimir Putin ha ordinato al governo e alla banca Sberbank di "
    "sviluppare partnership tecnologiche di intelligenza artificiale con la Cina, "
    "secondo il Cremlino."
)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """The repository's settings and vocabulary, without articles."""
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    shutil.copy(ROOT / "site.yml", root / "site.yml")
    for name in ("tags.yml", "outlets.yml"):
        shutil.copy(ROOT / "content" / name, root / "content" / name)
    return root


def front(text: str) -> dict[str, str | list[str]]:
    """The front matter of an article file as plain values."""
    raw, _body, _line = split_front_matter(text)
    assert raw is not None
    node = parse(raw, Path("x.md"), ErrorList())
    assert isinstance(node, Map)
    out: dict[str, str | list[str]] = {}
    for key, value in node.items:
        if isinstance(value, Seq):
            out[key.text] = [item.text for item in value.items if isinstance(item, Scalar)]
        elif isinstance(value, Scalar):
            out[key.text] = value.text
    return out


def body(text: str) -> str:
    return split_front_matter(text)[1]


@pytest.mark.parametrize("seed", sorted(CASES))
def test_seed_import_matches_fixture(site: Path, seed: str) -> None:
    [result] = import_files(site, [SEEDS / f"{seed}.txt"], ImportOptions(today=IMPORT_DAY))
    target, _curated = CASES[seed]
    assert result.target == site / "content" / "articles" / target
    assert result.target.read_text(encoding="utf-8") == (EXPECTED / f"{seed}.md").read_text(
        encoding="utf-8"
    )


@pytest.mark.parametrize("seed", sorted(CASES))
def test_seed_matches_curated_article(seed: str) -> None:
    expected = (EXPECTED / f"{seed}.md").read_text(encoding="utf-8")
    curated = (ROOT / "content" / "articles" / CASES[seed][1]).read_text(encoding="utf-8")
    assert body(expected) == body(curated)
    got, want = front(expected), front(curated)
    for key in ("language", "date", "outlet", "via", "agency"):
        assert got.get(key) == want.get(key), key
    title = str(want["title"])
    if title.startswith("["):  # the curators supplied a title: the source has no headline
        assert str(got["title"]).startswith("[")
    else:
        assert got["title"] == title


def test_seed_tags_are_suggested_from_the_vocabulary() -> None:
    """Suggestions cover most curated tags; a curator adds or removes the rest."""
    found = total = 0
    for seed, (_target, curated) in CASES.items():
        got = set(front((EXPECTED / f"{seed}.md").read_text(encoding="utf-8"))["tags"])
        want = set(
            front((ROOT / "content" / "articles" / curated).read_text(encoding="utf-8"))["tags"]
        )
        found += len(got & want)
        total += len(want)
    assert found / total >= 0.9


def test_imported_seeds_pass_check(site: Path) -> None:
    import_files(site, sorted(SEEDS.glob("*.txt")), ImportOptions())
    report = check_site(site)
    assert report.errors == 0, [p.render() for p in report.problems]
    assert report.articles == 5


def test_removed_lines_are_listed_in_the_file(site: Path) -> None:
    [result] = import_files(site, [SEEDS / "000_724c341d9fc34f96.txt"], ImportOptions(dry_run=True))
    numbers = [line.number for line in result.dropped]
    assert numbers == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 25, 26, 27, 28, 29, 30, 31, 32]
    for line in result.dropped:
        assert f"#   {line.number}: {line.text.strip()} [{line.role.value}]" in result.text


def test_every_input_line_is_kept_or_listed(site: Path) -> None:
    for seed in sorted(SEEDS.glob("*.txt")):
        [result] = import_files(site, [seed], ImportOptions(dry_run=True))
        text = body(result.text)
        for number, line in enumerate(seed.read_text(encoding="utf-8").split("\n"), 1):
            kept = line.strip() and line.strip() in text
            dropped = number in {d.number for d in result.dropped}
            assert kept or dropped or not line.strip(), (seed.name, number, line)


def test_dry_run_writes_nothing_and_reports(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = SEEDS / "002_841debd7d53d1f6b.txt"
    assert main(["import", "--source", str(site), "--dry-run", str(seed)]) == 0
    out = capsys.readouterr().out
    assert not (site / "content" / "articles").exists()
    assert "would write" in out
    assert "not filled: date: the copy has no dateline" in out
    shown = Location(seed).render()  # relative to the working directory
    assert f"{shown}:55: مقالات ذات صلة  [page widget]" in out
    assert f"{shown}:47: (only a non-breaking space)  [separator]" in out


def test_refuses_to_overwrite_without_force(site: Path) -> None:
    seed = SEEDS / "004_2d7ff5d78b85c4fa.txt"
    [first] = import_files(site, [seed], ImportOptions())
    first.target.write_text(first.text + "\nA curator's edit.\n", encoding="utf-8")
    with pytest.raises(ImportProblems) as caught:
        import_files(site, [seed], ImportOptions())
    assert "use --force to overwrite" in caught.value.render()
    assert "A curator's edit." in first.target.read_text(encoding="utf-8")
    [again] = import_files(site, [seed], ImportOptions(force=True))
    assert again.overwrote and again.target == first.target
    assert again.target.read_text(encoding="utf-8") == first.text


def test_cli_reports_refusal_with_exit_code(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = str(SEEDS / "004_2d7ff5d78b85c4fa.txt")
    assert main(["import", "--source", str(site), seed]) == 0
    assert main(["import", "--source", str(site), seed]) == 1
    err = capsys.readouterr().err
    assert "already imported" in err and "1 input cannot be imported" in err


def test_slug_collision_picks_a_free_slug(site: Path, tmp_path: Path) -> None:
    # Another article (another language, a different source) already uses the slug.
    taken = (
        site
        / "content"
        / "articles"
        / "it"
        / "thlf-shrkt-ldhk-lstny-lsynyh-lmwjhh-lqywd-lmyrkyh.md"
    )
    taken.parent.mkdir(parents=True)
    taken.write_text(
        "---\ntitle: x\ndate: 2025\noutlet: unknown\nlanguage: it\ntags: [china]\n---\n"
    )
    copy = tmp_path / "copy.txt"
    shutil.copy(SEEDS / "004_2d7ff5d78b85c4fa.txt", copy)
    results = import_files(site, [SEEDS / "004_2d7ff5d78b85c4fa.txt", copy], ImportOptions())
    assert [r.target.stem for r in results] == [
        "thlf-shrkt-ldhk-lstny-lsynyh-lmwjhh-lqywd-lmyrkyh-2",
        "thlf-shrkt-ldhk-lstny-lsynyh-lmwjhh-lqywd-lmyrkyh-3",
    ]


def test_non_utf8_input_is_named_with_a_hint(site: Path, tmp_path: Path) -> None:
    raw = tmp_path / "cp1256.txt"
    raw.write_bytes(
        (SEEDS / "004_2d7ff5d78b85c4fa.txt").read_text(encoding="utf-8").encode("cp1256", "replace")
    )
    with pytest.raises(ImportProblems) as caught:
        import_files(site, [raw], ImportOptions())
    message = caught.value.render()
    assert message.startswith(f"{raw}:1: not valid UTF-8 (byte 0x")
    assert "re-run with --encoding" in message
    assert not (site / "content" / "articles").exists()
    [result] = import_files(site, [raw], ImportOptions(encoding="cp1256"))
    assert result.encoding == "cp1256"
    assert any("decoded as cp1256" in note for note in result.review)
    assert (
        front(result.text)["title"]
        == "تحالف شركات الذكاء الاصطناعي الصينية لمواجهة القيود الأميركية"
    )


def test_one_bad_input_writes_nothing(site: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ImportProblems):
        import_files(site, [SEEDS / "003_de1d810b36e910e3.txt", bad], ImportOptions())
    assert not (site / "content" / "articles").exists()


def test_a_language_not_of_the_site_is_imported_and_briefings_asked_for(
    site: Path, tmp_path: Path
) -> None:
    english = tmp_path / "en.txt"
    english.write_text(
        "Russia and China agree on artificial intelligence research\n\n"
        "Russia and China signed an agreement on joint research in artificial intelligence, "
        "the two governments said on Thursday, after months of talks between their banks.\n",
        encoding="utf-8",
    )
    [result] = import_files(site, [english], ImportOptions(dry_run=True))
    assert front(result.text)["language"] == "en"
    assert result.target.parent.name == "en"
    assert (
        "translated",
        "'en' is not a reader language (ar, it): give each reader language a title and summary "
        "under 'translated:'",
    ) in result.missing
    [given] = import_files(site, [english], ImportOptions(language="it", dry_run=True))
    assert front(given.text)["language"] == "it"
    assert given.target.parent.name == "it"
    assert not [name for name, _why in given.missing if name == "translated"]


def test_time_kept_with_offset_only_when_outlet_zone_is_known(site: Path) -> None:
    seed = SEEDS / "000_724c341d9fc34f96.txt"
    [unknown] = import_files(site, [seed], ImportOptions(dry_run=True))
    assert front(unknown.text)["date"] == "2025-01-02"
    # al-akhbar is in Lebanon (one time zone, UTC+2 in January).
    [known] = import_files(site, [seed], ImportOptions(dry_run=True, outlet="al-akhbar"))
    assert front(known.text)["date"] == "2025-01-02T10:09:00+02:00"
    assert front(known.text)["outlet"] == "al-akhbar"


@pytest.mark.parametrize(
    ("dateline", "expected"),
    [
        ("2 gennaio 2025", "2025-01-02"),
        ("Thursday, 2 January 2025", "2025-01-02"),
        ("gennaio 2025", "2025-01"),
        ("الخميس، 02 يناير 2025 10:09 ص", "2025-01-02"),
        ("2 January 2025 10:09 +03:00", "2025-01-02T10:09:00+03:00"),
        ("2 gennaio", "unknown"),  # no year: never guessed
        ("oggi", "unknown"),  # relative: never resolved against today
    ],
)
def test_dateline_precision(site: Path, tmp_path: Path, dateline: str, expected: str) -> None:
    raw = tmp_path / "raw.txt"
    raw.write_text(
        f"Putin ordina alla Sberbank di cooperare con la Cina\n{dateline}\n\n{PARAGRAPH}\n",
        encoding="utf-8",
    )
    [result] = import_files(site, [raw], ImportOptions(dry_run=True))
    assert front(result.text)["date"] == expected


def test_unknown_outlet_name_is_reported_not_invented(site: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw.txt"
    raw.write_text(
        "Putin ordina alla Sberbank di cooperare con la Cina\n\n"
        f"{PARAGRAPH}\n\n"
        "Fonte: Il Foglio Quotidiano\n",
        encoding="utf-8",
    )
    [result] = import_files(site, [raw], ImportOptions(dry_run=True))
    assert front(result.text)["outlet"] == "unknown"
    assert any(
        "'Il Foglio Quotidiano', which is not in content/outlets.yml" in r for r in result.review
    )


def test_markdown_in_scraped_text_stays_literal(site: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw.txt"
    raw.write_text(
        "Putin ordina alla Sberbank di cooperare con la Cina\n\n"
        "# Il Presidente russo Vladimir Putin ha ordinato al governo e alla banca [Sberbank] di "
        "sviluppare partnership di *intelligenza artificiale* con la Cina, secondo il Cremlino.\n",
        encoding="utf-8",
    )
    [result] = import_files(site, [raw], ImportOptions(dry_run=True))
    assert body(result.text).startswith("\\# Il Presidente")
    assert "\\[Sberbank\\]" in result.text and "\\*intelligenza artificiale\\*" in result.text


def test_slugify() -> None:
    assert slugify("Perché l\u2019Italia è così") == "perche-litalia-e-cosi"
    assert slugify("روسيا تتجه إلى التعاون") == "rwsy-ttjh-la-ltwn"
    assert slugify("!!!") == ""


def test_new_writes_a_skeleton_that_passes_check(site: Path) -> None:
    created = new_article(
        site, title="Putin e la Cina", language="it", outlet="meteoweb", today=date(2026, 3, 4)
    )
    assert created.target == site / "content" / "articles" / "it" / "putin-e-la-cina.md"
    fields = front(created.target.read_text(encoding="utf-8"))
    assert fields == {
        "title": "Putin e la Cina",
        "date": "unknown",  # the source's date is the curator's to write, never today's
        "added": "2026-03-04",
        "outlet": "meteoweb",
        "language": "it",
        "tags": ["china", "vladimir-putin"],
    }
    assert check_site(site).errors == 0


def test_new_arabic_title_gets_a_safe_slug_and_refuses_overwrite(site: Path) -> None:
    created = new_article(site, title="تعاون روسي صيني", language="ar", today=date(2026, 3, 4))
    assert created.target.name == "twn-rwsy-syny.md"
    assert created.todo[0] == "tags: add at least one from content/tags.yml"
    with pytest.raises(UsageError, match="refusing to overwrite"):
        new_article(site, title="تعاون روسي صيني", language="ar")
    with pytest.raises(UsageError, match="already used"):
        new_article(site, title="تعاون روسي صيني", language="it")


def test_new_cli(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "--source", str(site), "--language", "ar", "--title", "الصين"]) == 0
    out = capsys.readouterr().out
    assert "wrote" in out and "to do: summary" in out
    fields = front((site / "content" / "articles" / "ar" / "lsyn.md").read_text(encoding="utf-8"))
    assert fields["tags"] == ["china"] and fields["outlet"] == "unknown"
    assert main(["new", "--source", str(site), "--language", "xx", "--title", "x"]) == 2


def test_import_of_an_article_already_in_the_archive_is_flagged(tmp_path: Path) -> None:
    root = tmp_path / "copy"
    shutil.copytree(ROOT / "content", root / "content")
    shutil.copy(ROOT / "site.yml", root / "site.yml")
    [result] = import_files(root, [SEEDS / "002_841debd7d53d1f6b.txt"], ImportOptions(dry_run=True))
    assert (
        "the text is nearly the same as content/articles/ar/russian-chinese-cooperation-in-ai.md "
        "(similarity 1.00): probably already in the archive; "
        "'briefgen check' will reject the duplicate"
    ) in result.review


def test_a_rule_above_the_headline_is_not_a_teaser(site: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw.txt"
    raw.write_text(f"-\nPutin ordina alla Sberbank di cooperare con la Cina\n\n{PARAGRAPH}\n")
    [result] = import_files(site, [raw], ImportOptions(dry_run=True))
    assert front(result.text)["title"] == "Putin ordina alla Sberbank di cooperare con la Cina"
    assert [(d.number, d.role.value) for d in result.dropped] == [
        (1, "separator"),
        (2, "headline (moved to title)"),
    ]


def test_yaml_line_breaks_cannot_escape_a_comment(site: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw.txt"
    raw.write_text(
        f"Putin ordina alla Sberbank di cooperare con la Cina\n\n{PARAGRAPH}\n\n"
        "Seguici su Facebook\u2028outlet: meteoweb\x85date: 1999\x07\n",
        encoding="utf-8",
    )
    [result] = import_files(site, [raw], ImportOptions())
    fields = front(result.target.read_text(encoding="utf-8"))
    assert fields["outlet"] == "unknown" and fields["date"] == "unknown"
    # NEL and BEL are control characters check refuses: taken out of every line, and listed.
    escaped = "Seguici su Facebook\\u2028outlet: meteowebdate: 1999 [social"
    assert escaped in result.text
    assert [r.reason for r in result.removed] == [
        "control character U+0085 is not allowed",
        "control character U+0007 is not allowed",
    ]
    assert check_site(site).errors == 0


def test_a_file_whose_slug_differs_from_its_name_is_never_replaced(site: Path) -> None:
    name = "thlf-shrkt-ldhk-lstny-lsynyh-lmwjhh-lqywd-lmyrkyh"
    other = site / "content" / "articles" / "ar" / f"{name}.md"
    other.parent.mkdir(parents=True)
    original = "---\ntitle: x\ndate: 2025\noutlet: unknown\nlanguage: ar\ntags: [china]\n"
    original += "slug: x\n---\n"
    other.write_text(original, encoding="utf-8")
    [result] = import_files(site, [SEEDS / "004_2d7ff5d78b85c4fa.txt"], ImportOptions(force=True))
    assert result.target.stem == f"{name}-2" and not result.overwrote
    assert other.read_text(encoding="utf-8") == original


def test_agency_credit_line(site: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw.txt"
    raw.write_text(
        f"Putin ordina alla Sberbank di cooperare con la Cina\n\n{PARAGRAPH}\n\nFonte: ANSA\n",
        encoding="utf-8",
    )
    [result] = import_files(site, [raw], ImportOptions(dry_run=True))
    assert front(result.text)["agency"] == "ANSA"
    assert front(result.text)["outlet"] == "unknown"
    assert not [note for note in result.review if "outlets.yml" in note]
    last = result.dropped[-1]
    assert (last.number, last.role.value) == (5, "credit line (read for outlet and agency)")


def test_italian_page_with_furniture(site: Path) -> None:
    """A typical Italian page: section labels, a timed metadata line, share and related links."""
    [result] = import_files(site, [CASES_DIR / "italian_page.txt"], ImportOptions(dry_run=True))
    fields = front(result.text)
    assert fields["title"] == "Putin e Xi firmano un accordo sull'intelligenza artificiale"
    # MeteoWeb is an Italian outlet: Europe/Rome is its one time zone (UTC+1 in February).
    assert fields["date"] == "2025-02-03T14:30:00+01:00"
    assert fields["outlet"] == "meteoweb"
    assert fields["agency"] == "Reuters"
    assert fields["language"] == "it"
    assert [(d.number, d.role.value) for d in result.dropped] == [
        (1, "section label"),
        (2, "section label"),
        (3, "section label"),
        (4, "headline (moved to title)"),
        (5, "metadata line (read for date and outlet)"),
        (6, "page widget"),
        (11, "page widget"),
        (12, "related headline"),
        (13, "date of a related headline"),
        (14, "social-media line"),
        (15, "page widget"),
    ]
    assert body(result.text).split("\n\n")[2] == "## Le reazioni"


def test_a_copy_without_article_text_is_an_error(site: Path, tmp_path: Path) -> None:
    raw = tmp_path / "empty.txt"
    raw.write_text("-\nShort Url\n\n", encoding="utf-8")
    with pytest.raises(ImportProblems) as caught:
        import_files(site, [raw], ImportOptions(dry_run=True))
    message = "no article text found (every line looks like page furniture)"
    assert caught.value.render() == f"{raw}:1: {message}"


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("AT&T &amp; Co. *not bold* [not a link](x) `no code` ~~no~~ <b>", False),
        ("# not a heading", False),
        ("- not a list", False),
        ("1. not a list", False),
        ("2025) not a list either", False),
        ("> not a quote", False),
        ("C# and F #", True),
    ],
)
def test_escaped_text_renders_as_written(line: str, heading: bool) -> None:
    text = escape_markdown(line, heading=heading)
    _html, plain, _links = render(make_markdown(), f"## {text}" if heading else text)
    assert plain == line


def test_source_url_only_when_labelled(site: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw.txt"
    raw.write_text(
        "https://www.example.com/share?id=1\n"
        "Putin ordina alla Sberbank di cooperare con la Cina\n\n"
        f"{PARAGRAPH}\n\nhttps://www.example.com/inside\n\n{PARAGRAPH}\n\n"
        "Fonte: https://www.meteoweb.eu/2025/01/putin-cina/\n",
        encoding="utf-8",
    )
    [result] = import_files(site, [raw], ImportOptions())
    assert front(result.text)["source_url"] == "https://www.meteoweb.eu/2025/01/putin-cina/"
    assert (
        "line 1 holds the address https://www.example.com/share?id=1: "
        "if it is the article's own, set source_url"
    ) in result.review
    assert "\n\nhttps://www.example.com/inside\n\n" in body(result.text)  # article text, kept
    assert [(d.number, d.role.value) for d in result.dropped] == [
        (1, "address line"),
        (2, "headline (moved to title)"),
        (10, "address line"),
    ]
    assert check_site(site).errors == 0


def test_bidi_controls_check_refuses_are_removed_and_reported(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Embeddings, overrides and unbalanced isolates go, each listed; balanced isolates stay."""
    rlo = "\u202e"
    raw = tmp_path / "raw.txt"
    headline = f"Putin ordina alla Sberbank di cooperare con la {rlo}Cina\u202c"
    raw.write_text(
        f"{headline}\n"
        "\n"
        f"{PARAGRAPH} \u2067Cremlino\u2069\n"  # balanced: stays
        "\n"
        f"{PARAGRAPH} \u2068aperto\n"
        "\n"
        f"Chiuso\u2069 {PARAGRAPH}\n",
        encoding="utf-8",
    )
    assert main(["import", "--source", str(site), str(raw)]) == 0
    out = capsys.readouterr().out
    [written] = (site / "content" / "articles" / "it").glob("*.md")
    text = written.read_text(encoding="utf-8")
    assert check_site(site).errors == 0
    assert not {"\u202e", "\u202c", "\u2068"} & set(text)
    assert f"{PARAGRAPH} \u2067Cremlino\u2069\n" in body(text)
    assert front(text)["title"] == "Putin ordina alla Sberbank di cooperare con la Cina"
    shown = Location(raw).render()
    assert out.splitlines()[-5:] == [
        "  removed 4 characters:",
        f"    {shown}:1: column {headline.index(rlo) + 1}: bidirectional control U+202E "
        "RIGHT-TO-LEFT OVERRIDE is not allowed",
        f"    {shown}:1: column {len(headline)}: bidirectional control U+202C POP DIRECTIONAL "
        "FORMATTING is not allowed",
        f"    {shown}:5: column {len(PARAGRAPH) + 2}: U+2068 FIRST STRONG ISOLATE is not closed "
        "by U+2069 POP DIRECTIONAL ISOLATE",
        f"    {shown}:7: column 7: U+2069 POP DIRECTIONAL ISOLATE closes no isolate",
    ]
    assert "#   5: " + str(len(PARAGRAPH) + 2) + ": U+2068 FIRST STRONG ISOLATE" in text


def test_new_refuses_a_title_check_would_refuse(site: Path) -> None:
    with pytest.raises(UsageError, match="--title: U\\+2067 RIGHT-TO-LEFT ISOLATE is not closed"):
        new_article(site, title="Il giornale \u2067Shargh", language="it")
    assert not (site / "content" / "articles").exists()
    created = new_article(site, title="Il giornale \u2067Shargh\u2069", language="it")
    assert front(created.target.read_text(encoding="utf-8"))["title"] == (
        "Il giornale \u2067Shargh\u2069"
    )


# An article's text with a lone surrogate cannot be encoded: its write fails part way, as one
# cut short by Ctrl-C or a crash would.
UNWRITABLE = "\udcff"


def test_a_write_that_fails_part_way_leaves_no_article_behind(site: Path) -> None:
    """An empty or partial article would make the next import refuse it as already there."""
    seed = SEEDS / "004_2d7ff5d78b85c4fa.txt"
    [planned] = plan_import(site, [seed], ImportOptions())
    with pytest.raises(UnicodeEncodeError):
        write_imports([replace(planned, text=planned.text + UNWRITABLE)], site)
    folder = planned.target.parent
    assert not folder.exists() or list(folder.iterdir()) == []
    [result] = import_files(site, [seed], ImportOptions())
    assert result.target.read_text(encoding="utf-8") == planned.text


def test_a_forced_write_that_fails_part_way_keeps_the_article(site: Path) -> None:
    seed = SEEDS / "004_2d7ff5d78b85c4fa.txt"
    [first] = import_files(site, [seed], ImportOptions())
    [again] = plan_import(site, [seed], ImportOptions(force=True))
    assert again.overwrote
    with pytest.raises(UnicodeEncodeError):
        write_imports([replace(again, text=again.text + UNWRITABLE)], site)
    assert [p.name for p in first.target.parent.iterdir()] == [first.target.name]
    assert first.target.read_text(encoding="utf-8") == first.text


def test_a_file_that_appears_before_the_write_is_never_replaced(site: Path) -> None:
    seed = SEEDS / "004_2d7ff5d78b85c4fa.txt"
    [planned] = plan_import(site, [seed], ImportOptions())
    planned.target.parent.mkdir(parents=True)
    planned.target.write_text("a curator's article\n", encoding="utf-8")
    with pytest.raises(UsageError, match="already exists; refusing to overwrite it"):
        write_imports([planned], site)
    assert [p.name for p in planned.target.parent.iterdir()] == [planned.target.name]
    assert planned.target.read_text(encoding="utf-8") == "a curator's article\n"


def test_errors_about_an_input_text_give_a_line(site: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw.txt"
    raw.write_text(f"Putin e la Cina\n\n{PARAGRAPH}\n\nÈ così.\n", encoding="utf-8")
    with pytest.raises(ImportProblems) as caught:
        import_files(site, [raw], ImportOptions(encoding="ascii"))
    assert caught.value.render().startswith(f"{raw}:5: cannot decode as ascii: ")
    with pytest.raises(ImportProblems) as caught:
        import_files(site, [raw], ImportOptions(encoding="no-such-encoding"))
    assert caught.value.render().startswith(f"{raw}:1: cannot decode as no-such-encoding: ")
    numbers = tmp_path / "numbers.txt"
    numbers.write_text("1234 5678 9012 3456 7890 1234 5678 9012.\n", encoding="utf-8")
    with pytest.raises(ImportProblems) as caught:
        import_files(site, [numbers], ImportOptions())
    assert caught.value.render().startswith(f"{numbers}:1: cannot tell the language (py3langid:")


def test_errors_name_other_files_from_the_site_root(site: Path) -> None:
    """Like every error: the file at fault by its path, any other file from the site root."""
    seed = SEEDS / "004_2d7ff5d78b85c4fa.txt"
    [first] = import_files(site, [seed], ImportOptions())
    shown = first.target.relative_to(site).as_posix()
    with pytest.raises(ImportProblems) as caught:
        import_files(site, [seed], ImportOptions())
    assert caught.value.render() == (
        f"{Location(seed).render()}: already imported as {shown}; use --force to overwrite it"
    )
    created = new_article(site, title="تعاون روسي صيني", language="ar", today=date(2026, 3, 4))
    shown = created.target.relative_to(site).as_posix()
    with pytest.raises(UsageError) as refused:
        new_article(site, title="تعاون روسي صيني", language="ar")
    assert str(refused.value) == f"{shown}: already exists; refusing to overwrite it"
    with pytest.raises(UsageError) as refused:
        new_article(site, title="تعاون روسي صيني", language="it")
    assert str(refused.value) == (
        f"slug 'twn-rwsy-syny' is already used by {shown}; pass --slug to choose another"
    )


def test_new_slugs_meet_existing_ones_in_any_case_and_normal_form(site: Path) -> None:
    """As ``check`` compares slugs (text.caseless): ``CAFFÈ`` typed decomposed is ``caffè``."""
    first = new_article(site, title="Un caffè", language="it", slug="caffe\u0300")
    assert first.target.name == "caff\u00e8.md"  # written in NFC, like content reads it
    used = re.escape("already used by content/articles/it/caff\u00e8.md")
    for slug in ("caff\u00e8", "CAFFE\u0300", "Caff\u00c8"):
        with pytest.raises(UsageError, match=used):
            new_article(site, title="Un altro caffè", language="ar", slug=slug)
    assert [p.name for p in (site / "content" / "articles").rglob("*.md")] == ["caff\u00e8.md"]


@pytest.mark.parametrize("slug", ["../../../../escaped", "a/b", "..", ".hidden", "a b"])
def test_new_refuses_a_slug_that_is_not_one_path_segment(site: Path, slug: str) -> None:
    """The slug names the file: one that is not a valid slug could write outside the site."""
    with pytest.raises(UsageError, match=re.escape(f"--slug: {slug!r} is not a valid slug")):
        new_article(site, title="Un caffè", language="it", slug=slug)
    assert sorted(p.name for p in site.parent.iterdir()) == ["site"]
    assert not (site / "content" / "articles").exists()


def test_control_characters_check_refuses_are_removed_and_reported(
    site: Path, tmp_path: Path
) -> None:
    """C0 and C1 controls in the text (a copy mis-decoded from Windows-1252) go, each listed."""
    raw = tmp_path / "raw.txt"
    headline = "Putin ordina alla Sberbank di cooperare\x9d con la Cina"
    raw.write_text(f"{headline}\n\n{PARAGRAPH}\x07 E\x85 poi.\n", encoding="utf-8")
    [result] = import_files(site, [raw], ImportOptions())
    assert check_site(site).errors == 0
    assert front(result.text)["title"] == "Putin ordina alla Sberbank di cooperare con la Cina"
    assert f"{PARAGRAPH} E poi." in body(result.text)
    assert [(r.number, r.column, r.reason) for r in result.removed] == [
        (1, headline.index("\x9d") + 1, "control character U+009D is not allowed"),
        (3, len(PARAGRAPH) + 1, "control character U+0007 is not allowed"),
        (3, len(PARAGRAPH) + 4, "control character U+0085 is not allowed"),
    ]


@pytest.mark.parametrize("title", ["Un \x07 campanello", "Un \x85 NEL"])
def test_new_refuses_a_title_with_a_control_character(site: Path, title: str) -> None:
    with pytest.raises(UsageError, match=r"--title: control character U\+00(07|85) is not allowed"):
        new_article(site, title=title, language="it")
    assert not (site / "content" / "articles").exists()


# Plain-text copies in languages no reader reads, written for these tests: the language
# py3langid gives, the date, and the line of the dateline.
LANGUAGE_CASES = {
    "russian": ("ru", "2025-01-02", 4),
    "chinese": ("zh", "2025-01-02", 2),
    "persian": ("fa", "unknown", 2),  # a Solar Hijri date: not converted
    "hebrew": ("he", "2025-01-02", 2),
    "english": ("en", "2025-01-02", 2),
}


@pytest.mark.parametrize("name", sorted(LANGUAGE_CASES))
def test_any_language_is_identified_and_its_dateline_read(site: Path, name: str) -> None:
    language, date_text, number = LANGUAGE_CASES[name]
    dateline = (CASES_DIR / f"{name}.txt").read_text(encoding="utf-8").split("\n")[number - 1]
    [result] = import_files(site, [CASES_DIR / f"{name}.txt"], ImportOptions(tags=("china",)))
    fields = front(result.text)
    assert (fields["language"], fields["date"]) == (language, date_text)
    assert result.target.parent.name == language
    assert ("language", language, "identified by py3langid") in result.filled
    assert not [note for note in result.review if note.startswith("language:")]
    role = "dateline (moved to date)" if date_text != "unknown" else "dateline (not converted"
    assert [d.role.value[: len(role)] for d in result.dropped if d.text == dateline] == [role]
    assert dateline not in body(result.text)
    assert check_site(site).errors == 0


def test_a_solar_hijri_dateline_is_reported_not_converted(site: Path) -> None:
    [result] = import_files(site, [CASES_DIR / "persian.txt"], ImportOptions(dry_run=True))
    assert front(result.text)["date"] == "unknown"
    assert (
        "date",
        "line 2 '۱۲ دی ۱۴۰۳' is a Solar Hijri (Persian calendar) date, which dateparser does "
        "not convert here: written as 'unknown'; give the Gregorian date by hand",
    ) in result.missing
    assert "#   2: ۱۲ دی ۱۴۰۳ [dateline (not converted: see date)]" in result.text


DATELINES = [
    tuple(part.strip() for part in line.split("|"))
    for line in (CASES_DIR / "datelines.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]


@pytest.mark.parametrize(("name", "dateline", "expected"), DATELINES)
def test_dateline_precision_in_any_language(
    site: Path, tmp_path: Path, name: str, dateline: str, expected: str
) -> None:
    lines = (CASES_DIR / f"{name}.txt").read_text(encoding="utf-8").split("\n")
    lines[LANGUAGE_CASES[name][2] - 1] = dateline
    raw = tmp_path / "raw.txt"
    raw.write_text("\n".join(lines), encoding="utf-8")
    [result] = import_files(site, [raw], ImportOptions(dry_run=True))
    assert front(result.text)["date"] == expected


def test_an_uncertain_language_is_reported(site: Path) -> None:
    """A one-sentence brief: py3langid leans to Russian, Bulgarian close behind."""
    brief = CASES_DIR / "russian_brief.txt"
    [result] = import_files(site, [brief], ImportOptions(dry_run=True))
    assert front(result.text)["language"] == "ru"
    [doubt] = [note for note in result.review if note.startswith("language:")]
    assert doubt.startswith("language: py3langid is not sure and the text is short (42 letters)")
    assert "'bg' 0.2" in doubt and doubt.endswith("check 'ru', or re-import with --language")
    assert "# REVIEW: language: py3langid is not sure" in result.text
    assert "identified by py3langid, uncertain ('ru' 0.7" in result.text


def test_a_code_cldr_does_not_know_is_never_taken_for_a_language() -> None:
    assert tag_of("zh") == ("zh", "")
    assert tag_of("tl") == ("fil", "py3langid's 'tl', which CLDR spells 'fil'")
    assert tag_of("kik")[0] == "ki"
    for code in ("wuu", "arz", "zxx", "hbo"):  # never read as zh, az, … by a close spelling
        assert tag_of(code) == (None, "")
    reading = identify("中国")  # py3langid's first choice is Wu Chinese
    assert reading.tag == "zh"
    assert reading.doubts[0].startswith(
        "language: py3langid's first choice 'wuu' is not a language CLDR knows"
    )


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("russian", "--language 'russian' is not a language tag CLDR knows (did you mean 'ru'?)"),
        ("iw", "--language 'iw' is not a language tag CLDR knows (did you mean 'he'?)"),
    ],
)
def test_language_option_takes_any_tag_cldr_knows(site: Path, given: str, message: str) -> None:
    copy = CASES_DIR / "chinese.txt"
    with pytest.raises(UsageError) as refused:
        import_files(site, [copy], ImportOptions(language=given, dry_run=True))
    assert str(refused.value) == message
    [result] = import_files(site, [copy], ImportOptions(language="zh-hant", dry_run=True))
    assert front(result.text)["language"] == "zh-Hant"
    assert result.target.parent.name == "zh-Hant"
    assert front(result.text)["date"] == "2025-01-02"


def test_a_language_dateparser_cannot_read_is_noted(site: Path) -> None:
    [result] = import_files(
        site, [CASES_DIR / "english.txt"], ImportOptions(language="la", dry_run=True)
    )
    assert front(result.text)["date"] == "2025-01-02"  # read in English, as before
    assert (
        "date: dateparser reads no dates in 'la'; a dateline was looked for in ar, it, en only"
    ) in result.review


def test_chinese_slug_is_transliterated_a_syllable_at_a_time() -> None:
    assert slugify("俄罗斯与中国加强人工智能领域合作") == (
        "e-luo-si-yu-zhong-guo-jia-qiang-ren-gong-zhi-neng-ling-yu-he"
    )
