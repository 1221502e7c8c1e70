"""``briefgen import`` of saved web pages and URLs.

The pages in ``tests/import_pages/`` are written in the shapes news sites use (og: and article:
meta, JSON-LD NewsArticle, navigation, share bars, teasers and related-article lists around the
article); each ``NAME.html`` imported as a saved file must give ``NAME.md`` byte for byte. The
same pages served by a local server on 127.0.0.1 (``--allow-local``) give the same article, with
the URL it came from and the day of the fetch (``accessed``). Nothing here reaches the internet.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from briefgen import fetch as fetch_module
from briefgen.checks import check_site
from briefgen.cli import main
from briefgen.fetch import USER_AGENT, FetchError, Rules, fetch
from briefgen.importer import ImportOptions, ImportProblems, import_inputs
from briefgen.importer.page import read_page
from tests.web_server import Route, Server, serving

ROOT = Path(__file__).resolve().parent.parent
PAGES = Path(__file__).parent / "import_pages"
BAD = PAGES / "bad"
SEEDS = Path(__file__).parent / "import_seeds"
DAY = date(2026, 3, 2)
LOCAL = Rules(allow_local=True, timeout=2)

# page → the article file it becomes
TARGETS = {
    "italian_article": "it/putin-ordina-a-sberbank-partnership-sullia-con-la.md",
    "arabic_article": "ar/thlf-shrkt-ldhk-lstny-lsynyh-fy-mwjhh-lqywd.md",
    "italian_dateline": "it/sberbank-e-lintelligenza-artificiale-cinese.md",
    "arabic_no_date": "ar/rwsy-wlsyn-twn-fy-ldhk-lstny.md",
}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """The repository's settings and vocabulary, without articles."""
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    shutil.copy(ROOT / "site.yml", root / "site.yml")
    for name in ("tags.yml", "outlets.yml"):
        shutil.copy(ROOT / "content" / name, root / "content" / name)
    return root


def page(name: str) -> bytes:
    return (PAGES / f"{name}.html").read_bytes()


@pytest.fixture
def server() -> Iterator[Server]:
    html = "text/html; charset=utf-8"
    routes = {f"/{name}": Route(body=page(name), content_type=html) for name in TARGETS}
    routes.update(
        {
            "/no-charset": Route(body=page("italian_article"), content_type="text/html"),
            "/home": Route(body=(BAD / "home.html").read_bytes()),
            "/login": Route(body=(BAD / "login.html").read_bytes()),
            "/empty": Route(body=(BAD / "empty.html").read_bytes()),
            "/report.pdf": Route(
                body=b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", content_type="application/pdf"
            ),
            "/latin1": Route(
                body="<html><body><p>Perché è così</p></body></html>".encode("cp1252"),
                content_type="text/html",
            ),
            "/huge": Route(stream_bytes=50 * 1024 * 1024),
            "/slow": Route(body=page("italian_article"), delay=3),
            "/loop-a": Route(301, location="/loop-b"),
            "/loop-b": Route(302, location="/loop-a"),
            "/moved": Route(301, location="/italian_article"),
            "/gone": Route(404, b"gone"),
        }
    )
    yield from serving(routes)


def articles(root: Path) -> list[str]:
    folder = root / "content" / "articles"
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.md"))


# --- saved pages ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_saved_page_import_matches_fixture(site: Path, name: str) -> None:
    outcome = import_inputs(
        site, [str(PAGES / f"{name}.html")], ImportOptions(today=DAY), rules=Rules()
    )
    assert outcome.failed == ()
    [item] = outcome.imported
    assert item.target == site / "content" / "articles" / TARGETS[name]
    written = item.target.read_text(encoding="utf-8")
    assert written == (PAGES / f"{name}.md").read_text(encoding="utf-8")


def test_imported_pages_pass_check(site: Path) -> None:
    inputs = [str(PAGES / f"{name}.html") for name in TARGETS]
    import_inputs(site, inputs, ImportOptions(today=DAY), rules=Rules())
    report = check_site(site)
    assert report.errors == 0, [p.render() for p in report.problems]
    assert report.articles == len(TARGETS)


def test_what_the_page_says_fills_the_fields() -> None:
    italian = (PAGES / "italian_article.md").read_text(encoding="utf-8")
    # og:site_name names an outlet of outlets.yml; the date keeps the time and offset given
    assert "outlet: meteoweb\n" in italian
    assert "date: 2025-01-03T10:15:00+01:00\n" in italian
    assert "source_url: https://www.meteoweb.eu/2025/01/putin-sberbank" in italian
    # headings, lists, links and block quotes are kept
    for kept in (
        "\n## Le sanzioni e i chip\n",
        "\n- i microchip",
        "> Garantire",
        "](http://kremlin.ru/",
    ):
        assert kept in italian
    # the clutter around the article is listed, with its line in the page and the reason
    for dropped in (
        "#   28: Previsioni Meteo [navigation]",
        "#   40: Condividi su Facebook Condividi su X Invia su WhatsApp [share bar]",
        "#   66: Previsioni meteo: neve a bassa quota nel weekend [related headline]",
        "#   74: Freddo artico in arrivo: temperature sotto zero in tutta Italia [navigation "
        "teaser]",
    ):
        assert dropped in italian
    assert "Condividi" not in italian.split("\n---\n", 1)[1]

    arabic = (PAGES / "arabic_article.md").read_text(encoding="utf-8")
    # the JSON-LD publisher is the site name when og:site_name is missing
    assert "outlet: al-akhbar\n" in arabic
    assert "language: ar\n" in arabic
    assert "1. تصميم رقائق محلية" in arabic


def test_an_unknown_site_is_never_invented_as_an_outlet() -> None:
    text = (PAGES / "arabic_no_date.md").read_text(encoding="utf-8")
    assert "outlet: unknown\n" in text
    assert "# outlet: NOT FILLED: the page's site name is 'الشرق الأوسط'" in text
    assert "date: unknown\n" in text  # no date in the markup nor in the text
    assert "# source_url: NOT FILLED: the saved page has no canonical link" in text


def test_a_date_only_in_the_text_is_read_from_the_dateline() -> None:
    text = (PAGES / "italian_dateline.md").read_text(encoding="utf-8")
    assert "date: 2025-03-12\n" in text
    assert "Roma, 12 marzo 2025 [dateline (moved to date)]" in text
    assert "\nRoma, 12 marzo" not in text.split("\n---\n", 1)[1]


def test_a_month_in_the_markup_stays_a_month(site: Path, tmp_path: Path) -> None:
    html = page("italian_article").decode("utf-8")
    html = html.replace("2025-01-03T10:15:00+01:00", "2025-01")
    html = html.replace('<time datetime="2025-01">3 Gennaio 2025 10:15</time>', "")
    saved = tmp_path / "month.html"
    saved.write_text(html, encoding="utf-8")
    [item] = import_inputs(site, [str(saved)], ImportOptions(today=DAY), rules=Rules()).imported
    assert "\ndate: 2025-01\n" in item.text
    assert "# date: the page's markup gives only the month (htmldate)." in item.text


# --- URLs ---------------------------------------------------------------------------------------


def test_url_import_is_the_saved_page_with_its_provenance(site: Path, server: Server) -> None:
    url = server.url("/italian_article")
    outcome = import_inputs(site, [url], ImportOptions(today=DAY), rules=LOCAL, today=DAY)
    [item] = outcome.imported
    expected = (PAGES / "italian_article.md").read_text(encoding="utf-8")
    expected = expected.replace(
        "# Imported from: italian_article.html", f"# Imported from: {url}"
    ).replace("\n# Imported from", "\naccessed: 2026-03-02\n# Imported from", 1)
    assert item.target.read_text(encoding="utf-8") == expected
    assert server.seen == [("/italian_article", USER_AGENT)]


def test_a_page_without_canonical_link_keeps_the_fetched_url(site: Path, server: Server) -> None:
    url = server.url("/arabic_no_date")
    [item] = import_inputs(site, [url], ImportOptions(today=DAY), rules=LOCAL, today=DAY).imported
    assert f"\nsource_url: {url}\n" in item.text
    assert "# source_url: the address fetched (no canonical link)." in item.text


def test_a_redirect_is_followed_and_its_target_imported(site: Path, server: Server) -> None:
    outcome = import_inputs(
        site, [server.url("/moved")], ImportOptions(today=DAY), rules=LOCAL, today=DAY
    )
    assert [i.target.name for i in outcome.imported] == [Path(TARGETS["italian_article"]).name]
    assert [path for path, _agent in server.seen] == ["/moved", "/italian_article"]


def test_reimporting_a_url_needs_force(site: Path, server: Server) -> None:
    url = server.url("/italian_article")
    import_inputs(site, [url], ImportOptions(today=DAY), rules=LOCAL, today=DAY)
    again = import_inputs(site, [url], ImportOptions(today=DAY), rules=LOCAL, today=DAY)
    [failed] = again.failed
    assert failed.message.startswith("already imported as content/articles/it/putin-ordina")
    assert "use --force" in failed.message
    forced = import_inputs(
        site, [url], ImportOptions(force=True, today=DAY), rules=LOCAL, today=DAY
    )
    assert [item.overwrote for item in forced.imported] == [True]


def test_local_addresses_are_refused_without_allow_local(site: Path, server: Server) -> None:
    outcome = import_inputs(
        site, [server.url("/italian_article")], ImportOptions(today=DAY), rules=Rules()
    )
    [failed] = outcome.failed
    assert failed.message == (
        "refused: 127.0.0.1 resolves to 127.0.0.1, a loopback address "
        "(pass --allow-local to allow it)"
    )
    assert server.seen == []  # refused before connecting
    assert articles(site) == []


def test_every_redirect_hop_is_checked(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """127.0.0.1 stands for a public server here, 127.0.0.2 for a private one it redirects to."""
    server.routes["/to-private"] = Route(302, location=f"http://127.0.0.2:{server.port}/x")
    monkeypatch.setattr(
        fetch_module, "_refusal", lambda address: "private" if str(address) == "127.0.0.2" else None
    )
    with pytest.raises(
        FetchError, match=r"refused: 127\.0\.0\.2 resolves to 127\.0\.0\.2, a private"
    ):
        fetch(server.url("/to-private"), Rules())
    assert [path for path, _agent in server.seen] == ["/to-private"]


# --- bad input: each a clear message naming the input; the others still imported ---------------


def test_bad_inputs_are_named_and_the_others_still_imported(
    site: Path, server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    latin1 = tmp_path / "latin1.html"
    latin1.write_bytes("<html><body><p>Perché è così</p></body></html>".encode("cp1252"))
    binary = tmp_path / "photo.html"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    listing = tmp_path / "urls.txt"
    bad = [
        "/home",
        "/login",
        "/empty",
        "/report.pdf",
        "/latin1",
        "/huge",
        "/slow",
        "/loop-a",
        "/gone",
    ]
    listing.write_text(
        "# the morning's reading\n"
        + f"{server.url('/italian_article')}\n\n"
        + "".join(f"{server.url(path)}\n" for path in bad)
        + f"file:///etc/passwd\njavascript:alert(1)\n{latin1}\n{binary}\n"
        + f"{PAGES / 'arabic_article.html'}\n",
        encoding="utf-8",
    )
    code = main(
        [
            "import",
            "--source",
            str(site),
            "--from-list",
            str(listing),
            "--allow-local",
            "--timeout",
            "1",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 1
    assert articles(site) == sorted([TARGETS["italian_article"], TARGETS["arabic_article"]])
    url = server.url
    assert err.splitlines() == [
        f"{url('/home')}: not an article: the page calls itself 'website' and gives no date",
        f"{url('/login')}: no article text found: 24 words extracted (a home page, a login "
        "wall or a list of headlines?)",
        f"{url('/empty')}: no article text found: the extraction is empty",
        f"{url('/report.pdf')}: content type 'application/pdf' is not a web page: refused",
        f"{url('/latin1')}: not valid UTF-8 and no charset is declared (neither Content-Type nor"
        " <meta charset>): byte 0xe9 at offset 20; it looks like cp1250: re-run with "
        "--encoding NAME, or save the page as UTF-8",
        f"{url('/huge')}: the page is larger than 10 MiB: refused while reading",
        f"{url('/slow')}: timed out after 1 s",
        f"{url('/loop-a')}: more than 5 redirects (last to {url('/loop-b')})",
        f"{url('/gone')}: HTTP 404 Not Found",
        "file:///etc/passwd: refused: only http and https are fetched, not 'file' URLs",
        "javascript:alert(1): refused: only http and https are fetched, not 'javascript' URLs",
        f"{latin1}: not valid UTF-8 and no charset is declared (neither Content-Type nor <meta "
        "charset>): byte 0xe9 at offset 20; it looks like cp1250: re-run with --encoding NAME, "
        "or save the page as UTF-8",
        f"{binary}: a PNG image, not a web page: refused",
        "briefgen: 13 of 15 inputs cannot be imported; the other 2 were imported",
    ]
    assert f"{url('/italian_article')}: wrote " in out
    # nothing half-written: no temporary file is left beside the articles
    assert not [p for p in (site / "content").rglob("*") if p.name.startswith(".")]


def test_a_declared_charset_is_honoured(site: Path, server: Server) -> None:
    html = page("italian_article").decode("utf-8").replace('<meta charset="utf-8">', "")
    server.routes["/cp1252"] = Route(
        body=html.encode("cp1252", "replace"), content_type="text/html; charset=windows-1252"
    )
    [item] = import_inputs(
        site, [server.url("/cp1252")], ImportOptions(today=DAY), rules=LOCAL
    ).imported
    assert "Tecnologia" not in item.text.split("\n---\n", 1)[1]
    assert "l\u2019alleanza" in item.text.casefold()  # the apostrophe windows-1252 has


def test_a_bad_plain_text_copy_still_stops_everything(
    site: Path, server: Server, tmp_path: Path
) -> None:
    """Plain-text copies keep their rule: one bad copy, nothing fetched and nothing written."""
    broken = tmp_path / "broken.txt"
    broken.write_bytes("Perché".encode("cp1252"))
    with pytest.raises(ImportProblems):
        import_inputs(
            site,
            [str(SEEDS / "000_724c341d9fc34f96.txt"), str(broken), server.url("/italian_article")],
            ImportOptions(today=DAY),
            rules=LOCAL,
        )
    assert server.seen == []
    assert not (site / "content" / "articles").exists()


def test_progress_lines_only_on_a_terminal(
    site: Path, server: Server, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["import", "--dry-run", "--allow-local", "--source", str(site)]
    urls = [server.url("/italian_article"), server.url("/gone")]
    assert main([*args, *urls]) == 1
    assert "[1/2]" not in capsys.readouterr().err  # stdout is not a terminal here
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert main([*args, *urls]) == 1
    err = capsys.readouterr().err
    assert f"[1/2] {urls[0]}: ok\n" in err
    assert f"[2/2] {urls[1]}: failed: HTTP 404 Not Found\n" in err
    assert "the other 1 was planned" in err


def test_a_list_ends_with_a_count(
    site: Path, server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text(
        f"# two pages\n{server.url('/italian_article')}\n{PAGES / 'arabic_no_date.html'}\n",
        encoding="utf-8",
    )
    assert (
        main(["import", "--source", str(site), "--from-list", str(listing), "--allow-local"]) == 0
    )
    assert capsys.readouterr().err == "imported 2 of 2 inputs\n"
    assert articles(site) == sorted([TARGETS["italian_article"], TARGETS["arabic_no_date"]])


def test_the_meta_charset_decodes_a_saved_page(site: Path, tmp_path: Path) -> None:
    html = page("arabic_article").decode("utf-8").replace("utf-8", "windows-1256")
    saved = tmp_path / "arabic.html"
    saved.write_bytes(html.encode("windows-1256", "replace"))
    [item] = import_inputs(site, [str(saved)], ImportOptions(today=DAY), rules=Rules()).imported
    assert item.encoding == "cp1256"
    assert "تحالف شركات الذكاء الاصطناعي" in item.text


def test_the_provenance_fields_are_validated(site: Path) -> None:
    [item] = import_inputs(
        site, [str(PAGES / "italian_article.html")], ImportOptions(today=DAY), rules=Rules()
    ).imported
    text = item.target.read_text(encoding="utf-8")
    item.target.write_text(
        text.replace("\nlanguage: it\n", "\nlanguage: it\naccessed: 2026-02-30\narchived_url: x\n"),
        encoding="utf-8",
    )
    messages = [p.message for p in check_site(site).problems if p.severity == "error"]
    assert "accessed: '2026-02-30' is impossible: 2026-02 has no day 30" in messages
    assert "archived_url: expected an absolute http(s) URL" in messages


def test_a_saved_page_over_the_cap_is_refused_unread(site: Path, tmp_path: Path) -> None:
    huge = tmp_path / "huge.html"
    with huge.open("wb") as handle:
        handle.truncate(11 * 1024 * 1024)  # sparse: nothing to write, nothing read
    outcome = import_inputs(site, [str(huge)], ImportOptions(today=DAY), rules=Rules())
    assert [f.render() for f in outcome.failed] == [
        f"{huge}: the file is larger than 10 MiB: refused"
    ]


def test_a_timeout_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["import", "--timeout", "0", "x.html"])
    assert stopped.value.code == 2
    assert "'0' is not a positive number of seconds" in capsys.readouterr().err


def test_the_outlet_is_found_by_the_address_when_the_page_names_no_site(
    site: Path, tmp_path: Path
) -> None:
    html = page("italian_article").decode("utf-8")
    html = html.replace('<meta property="og:site_name" content="MeteoWeb">', "")
    html = html.replace('"publisher":{"@type":"Organization","name":"MeteoWeb",', '"x":{')
    html = html.replace(" | MeteoWeb</title>", "</title>")
    saved = tmp_path / "nameless.html"
    saved.write_text(html, encoding="utf-8")
    [item] = import_inputs(site, [str(saved)], ImportOptions(today=DAY), rules=Rules()).imported
    assert "\noutlet: meteoweb\n" in item.text
    assert "# outlet: the page's address is on meteoweb.eu." in item.text


def test_the_article_markup_becomes_markdown() -> None:
    html = """<html><head><title>Titolo della pagina di prova</title></head><body><article>
    <h1>Titolo della pagina di prova</h1>
    <p>Primo paragrafo, abbastanza lungo da essere il testo di un articolo vero e proprio.</p>
    <ol><li>uno <ul><li>uno-a</li><li>uno-b</li></ul></li><li>due</li></ol>
    <p>Con <b>grassetto</b>, <i>corsivo</i>, un <a href="/x (1)">link relativo</a> e uno
    <a href="javascript:void(0)">finto</a>.</p>
    <h3>Sottotitolo [1]</h3>
    <blockquote><p>Una citazione.</p></blockquote>
    </article></body></html>"""
    page = read_page(html, "https://example.org/a/b")
    assert "\n\n".join(markdown for markdown, _plain in page.blocks) == (
        "Primo paragrafo, abbastanza lungo da essere il testo di un articolo vero e proprio.\n\n"
        "1. uno\n   - uno-a\n   - uno-b\n2. due\n\n"
        "Con **grassetto**, *corsivo*, un [link relativo](https://example.org/x%20%281%29) e "
        "uno finto.\n\n"
        "### Sottotitolo \\[1\\]\n\n"
        "> Una citazione."
    )


def test_a_menu_entry_the_text_mentions_is_still_listed() -> None:
    html = page("italian_article").decode("utf-8")
    html = html.replace('<li><a href="/terremoti/">Terremoti</a></li>', "<li>Sberbank</li>")
    dropped = [(line.text, line.role.value) for line in read_page(html, None).dropped]
    assert ("Sberbank", "navigation") in dropped
