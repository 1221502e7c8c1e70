"""The default theme speaks many reader languages out of the box.

- every shipped ``i18n/<lang>.yml`` passes the theme's own validation (every key the others
  have, exactly the CLDR plural categories of its language), keeps the placeholders of English
  and follows its language's typography;
- a site with reader languages ``[en, fr]`` and one with ``[fa, ru]`` (tests/sites/readers-*,
  neither with a theme of its own) build from the shipped strings: right ``<html lang dir>``,
  dates and plural forms per CLDR, the search page's strings too;
- a site language the theme has no strings for is still a clear error, and a site theme still
  overrides one string file of a shipped language, file by file.
"""

# ruff: noqa: RUF001, RUF002, RUF003 (Cyrillic, Persian and Hebrew letters are the test data)

from __future__ import annotations

import json
import string
from datetime import date
from pathlib import Path

import pytest
from babel import Locale
from babel.dates import format_date

from briefgen.build import build
from briefgen.config import load_config
from briefgen.errors import ConfigError
from briefgen.theme import Strings, builtin_theme, load_theme
from tests.conftest import MakeSite, article
from tests.helpers import SITES, Element, parse_html

SHIPPED = sorted(path.stem for path in (builtin_theme() / "i18n").glob("*.yml"))
PROMISED = {"ar", "it", "en", "fr", "es", "de", "pt", "ru", "zh", "fa", "tr", "he"}
"""The reader languages the default theme promises (docs/theme.md)."""
READERS = {"readers-en-fr": ("en", "fr"), "readers-fa-ru": ("fa", "ru")}
"""The fixture sites and their reader languages, the first the default."""
ARTICLES = {
    "en": "energy-deal",
    "fr": "accord-energie",
    "fa": "energy-cooperation",
    "ru": "energy-talks",
}
"""An article of each fixture language (its slug)."""
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Embeddings, overrides and isolates: the templates isolate what needs it, never a string."""


def load_strings(root: Path, *codes: str) -> dict[str, Strings]:
    """The default theme's strings for ``codes``, loaded and validated by the theme itself
    (through a ``site.yml`` naming them, written in ``root``)."""
    root.mkdir(parents=True, exist_ok=True)
    titles = "".join(f"  {code}: Archive\n" for code in codes)
    (root / "site.yml").write_text(
        f"title:\n{titles}base_url: https://example.org/\nlanguages: [{', '.join(codes)}]\n",
        encoding="utf-8",
    )
    return dict(load_theme(load_config(root)).strings)


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Strings]:
    """Every shipped language's strings, loaded together: the theme checks that each defines
    every key any of them defines."""
    return load_strings(tmp_path_factory.mktemp("every"), *SHIPPED)


def fields(text: str) -> set[str]:
    """The ``{placeholder}`` names in ``text``."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def texts(table: Strings) -> list[str]:
    """Every text of a strings table, each plural form on its own."""
    return [t for v in table.values() for t in ([v] if isinstance(v, str) else v.values())]


# The shipped strings files


def test_every_promised_reader_language_ships_its_strings() -> None:
    assert set(SHIPPED) >= PROMISED


@pytest.mark.parametrize("code", SHIPPED)
def test_a_shipped_strings_file_passes_the_theme_validation(code: str, tmp_path: Path) -> None:
    """load_theme refuses a missing or an extra plural category and a key another language
    lacks: loading each language beside English checks both, and names the file at fault."""
    strings = load_strings(tmp_path, *dict.fromkeys((code, "en")))
    categories = set(Locale.parse(code).plural_form.tags) | {"other"}
    plural = {key: forms for key, forms in strings[code].items() if not isinstance(forms, str)}
    assert plural
    assert {key: set(forms) for key, forms in plural.items()} == dict.fromkeys(plural, categories)
    assert set(strings[code]) == set(strings["en"])


def test_every_shipped_language_defines_every_key(shipped: dict[str, Strings]) -> None:
    """A site may list any of them together."""
    sizes = {code: len(table) for code, table in shipped.items()}
    assert sizes == dict.fromkeys(SHIPPED, len(shipped["en"]))


@pytest.mark.parametrize("code", SHIPPED)
def test_placeholders_are_kept_exactly(shipped: dict[str, Strings], code: str) -> None:
    """Each text uses only the placeholders English gives its key, and all of them (a plural
    form may spell out its number, as Arabic and Hebrew do for one and two)."""
    for key, english in shipped["en"].items():
        ours = shipped[code][key]
        if isinstance(english, str):
            assert isinstance(ours, str), key
            assert fields(ours) == fields(english), key
            ours.format(**dict.fromkeys(fields(english), "x"))  # no stray brace
            continue
        assert not isinstance(ours, str), key
        wanted = set().union(*(fields(text) for text in english.values()))
        for category, text in ours.items():
            assert fields(text) <= wanted, (key, category)
            text.format(**dict.fromkeys(wanted, "x"))
        assert set().union(*(fields(text) for text in ours.values())) == wanted, key


def test_french_keeps_its_spaces_inside_guillemets_and_before_colons(
    shipped: dict[str, Strings],
) -> None:
    """A no-break space (U+00A0) before a colon, a narrow one (U+202F) inside « » and before a
    semicolon: never an ordinary space a line could break at, nor none at all."""
    french = texts(shipped["fr"])
    for text in french:
        for bad in (" :", " ;", "« ", " »", "«{", "}»"):
            assert bad not in text, text
    assert any("\u00a0:" in text for text in french)
    assert any("«\u202f" in text for text in french)


def test_persian_writes_persian_letters(shipped: dict[str, Strings]) -> None:
    """ی and ک, not the Arabic ي and ك; and the zero-width non-joiner of مقاله‌ها and می‌شود."""
    persian = "".join(texts(shipped["fa"]))
    assert not set(persian) & {"\u064a", "\u0643"}
    assert "\u200c" in persian


@pytest.mark.parametrize("code", ["ar", "fa", "he"])
def test_right_to_left_strings_carry_no_bidi_controls(
    shipped: dict[str, Strings], code: str
) -> None:
    assert not set("".join(texts(shipped[code]))) & BIDI_CONTROLS


@pytest.mark.parametrize(
    ("code", "key", "counts"),
    [
        ("ru", "articles", {1: "1 статья", 2: "2 статьи", 5: "5 статей", 11: "11 статей",
                            21: "21 статья", 22: "22 статьи", 0: "0 статей"}),
        ("ru", "pair_count", {1: "вместе в 1 статье", 3: "вместе в 3 статьях"}),
        ("he", "articles", {1: "כתבה אחת", 2: "שתי כתבות", 3: "3 כתבות", 0: "0 כתבות"}),
        ("fr", "articles", {0: "0 article", 1: "1 article", 2: "2 articles"}),
        ("pt", "articles", {0: "0 artigo", 1: "1 artigo", 2: "2 artigos"}),
        ("es", "articles", {1: "1 artículo", 2: "2 artículos"}),
        ("de", "pair_count", {1: "zusammen in 1 Artikel", 2: "zusammen in 2 Artikeln"}),
        ("fa", "articles", {1: "1 مقاله", 7: "7 مقاله"}),
        ("tr", "articles", {1: "1 makale", 7: "7 makale"}),
        ("zh", "articles", {1: "1 篇文章", 7: "7 篇文章"}),
    ],
)  # fmt: skip
def test_counts_take_the_plural_form_cldr_picks(
    shipped: dict[str, Strings], code: str, key: str, counts: dict[int, str]
) -> None:
    forms = shipped[code][key]
    assert not isinstance(forms, str)
    locale = Locale.parse(code)
    shown = {n: forms[locale.plural_form(n)].format(count=n) for n in counts}
    assert shown == counts


# The fixture sites, built from the shipped strings


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each readers-* fixture site built once (without the search index: nothing here reads it)."""
    out = {}
    for name in READERS:
        assert not (SITES / name / "themes").exists(), f"{name} must use the shipped strings only"
        out[name] = tmp_path_factory.mktemp(name) / "site"
        build(SITES / name, out[name], search=False)
    return out


def reader(lang: str) -> str:
    """The fixture site that has ``lang`` as a reader language."""
    return next(name for name, codes in READERS.items() if lang in codes)


def page(built: dict[str, Path], lang: str, url: str) -> Element:
    """The DOM of ``<lang>/<url>`` in the fixture site of ``lang``."""
    path = built[reader(lang)] / lang / url / "index.html"
    return parse_html(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("lang", "direction"), [("en", "ltr"), ("fr", "ltr"), ("fa", "rtl"), ("ru", "ltr")]
)
@pytest.mark.parametrize("kind", ["", "articles/{}/", "tags/energy/", "tags/", "search/"])
def test_pages_carry_the_reader_language_and_direction(
    built: dict[str, Path], lang: str, direction: str, kind: str
) -> None:
    html = page(built, lang, kind.format(ARTICLES[lang])).find("html")
    assert html is not None
    assert (html.get("lang"), html.get("dir")) == (lang, direction)


@pytest.mark.parametrize("lang", ["en", "fr", "fa", "ru"])
def test_the_interface_comes_from_the_shipped_strings(
    shipped: dict[str, Strings], built: dict[str, Path], lang: str
) -> None:
    strings = shipped[lang]
    doc = page(built, lang, "")
    skip = doc.find("a", "skip-link")
    assert skip is not None and skip.text == strings["skip_to_content"]
    nav = doc.find("nav", "site-nav")
    assert nav is not None and nav.get("aria-label") == strings["nav_label"]
    assert str(strings["tags"]) in nav.text and str(strings["archive"]) in nav.text


@pytest.mark.parametrize(
    ("lang", "day", "month_name"),
    [
        ("ru", date(2024, 3, 5), "марта"),  # the genitive of март: 5 марта 2024 г.
        ("fa", date(2024, 6, 12), "ژوئن"),  # the Persian name of June
        ("fr", date(2024, 3, 5), "mars"),
        ("en", date(2024, 2, 1), "February"),
    ],
)
def test_dates_are_written_as_cldr_writes_them_in_the_reader_language(
    built: dict[str, Path], lang: str, day: date, month_name: str
) -> None:
    """Babel's CLDR data writes Persian dates in the Gregorian calendar with Western digits (as
    for Arabic); the pages write exactly what it gives."""
    expected = format_date(day, "long", locale=lang)
    assert month_name in expected
    shown = {t.text for t in page(built, lang, "").iter("time") if t.get("datetime") == str(day)}
    assert shown == {expected}


def test_a_month_and_a_year_keep_their_precision_in_russian(built: dict[str, Path]) -> None:
    shown = {t.get("datetime"): t.text for t in page(built, "ru", "").iter("time")}
    assert shown["2024-06"] == "июнь 2024\u202fг."  # a month on its own: the nominative
    assert shown["2023"] == "2023"


@pytest.mark.parametrize(
    ("lang", "home", "tags"),
    [
        ("ru", "5 статей", {"Энергетика": "3 статьи", "Искусственный интеллект": "2 статьи",
                            "Санкции": "1 статья"}),
        ("fa", "5 مقاله", {"انرژی": "3 مقاله", "تحریم\u200cها": "1 مقاله"}),
        ("fr", "4 articles", {"Énergie": "3 articles", "Commerce": "2 articles",
                              "Climat": "1 article"}),
        ("en", "4 articles", {"Energy": "3 articles", "Climate": "1 article"}),
    ],
)  # fmt: skip
def test_article_counts_take_their_plural_form_on_the_pages(
    built: dict[str, Path], lang: str, home: str, tags: dict[str, str]
) -> None:
    count = page(built, lang, "").find("p", "count")
    assert count is not None and count.text == home
    index = page(built, lang, "tags/").find("ul", "term-list")
    assert index is not None
    shown = {}
    for item in index.find_all("li"):
        link, number = item.find("a"), item.find("span", "count")
        assert link is not None and number is not None
        shown[link.text] = number.text
    assert tags.items() <= shown.items()


@pytest.mark.parametrize("lang", ["en", "fr", "fa", "ru"])
def test_the_search_page_gets_its_strings_and_plural_forms_in_the_reader_language(
    shipped: dict[str, Strings], built: dict[str, Path], lang: str
) -> None:
    strings = shipped[lang]
    doc = page(built, lang, "search/")
    data = next(s for s in doc.iter("script") if s.get("id") == "briefgen-search")
    config = json.loads(data.text)
    assert set(config["plurals"]) == set(Locale.parse(lang).plural_form.tags) | {"other"}
    assert config["filterNames"]["lang"] == strings["search_filter_lang"]
    box = doc.find("pagefind-input")
    assert box is not None
    assert box.get("placeholder") == strings["search_placeholder"]
    assert box.get("aria-label") == strings["search_label"]


# Errors and overrides


def test_a_site_language_without_strings_is_still_a_clear_error(make_site: MakeSite) -> None:
    assert "sw" not in SHIPPED, "pick a language the theme ships no strings for"
    root = make_site(
        {
            "site.yml": """\
                title: {en: Archive, sw: Kumbukumbu}
                base_url: https://example.org/
                languages: [en, sw]
                """,
            "content/tags.yml": "russia:\n  label: {en: Russia, sw: Urusi}\n",
        }
    )
    with pytest.raises(ConfigError) as caught:
        load_theme(load_config(root))
    assert caught.value.render(root) == "site.yml:3: theme 'default' has no UI strings for 'sw'"


def test_the_invalid_fixture_names_a_language_without_strings() -> None:
    """tests/sites/invalid/theme-missing-language must keep failing as more languages ship."""
    expected = (SITES / "invalid" / "theme-missing-language" / "expected.txt").read_text("utf-8")
    assert expected.endswith("has no UI strings for 'sw'\n")
    assert "sw" not in SHIPPED


def fa_ru_site(make_site: MakeSite, ru_strings: str) -> Path:
    """A [fa, ru] site whose theme ``paper`` ships only ``i18n/ru.yml``."""
    return make_site(
        {
            "site.yml": """\
                title: {fa: بایگانی, ru: Архив}
                base_url: https://example.org/
                languages: [fa, ru]
                theme: paper
                """,
            "content/tags.yml": "energy:\n  label: {fa: انرژی, ru: Энергетика}\n",
            "content/outlets.yml": "tass:\n  name: ТАСС\n  language: ru\n",
            "content/articles/ru/one.md": article(
                title="Статья",
                date="2024-03-05",
                outlet="tass",
                language="ru",
                tags="[energy]",
                summary="Кратко.",
                body="Текст.",
            ),
            "themes/paper/i18n/ru.yml": ru_strings,
        }
    )


RU_OVERRIDE = """\
home: На главную
articles:
  one: "{count} материал"
  few: "{count} материала"
  many: "{count} материалов"
  other: "{count} материала"
"""


def test_a_site_theme_overrides_one_shipped_string_file_by_file(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = fa_ru_site(make_site, RU_OVERRIDE)
    build(root, tmp_path / "out", search=False)
    ru = parse_html((tmp_path / "out" / "ru" / "index.html").read_text(encoding="utf-8"))
    fa = parse_html((tmp_path / "out" / "fa" / "index.html").read_text(encoding="utf-8"))
    nav, fa_nav = ru.find("nav", "site-nav"), fa.find("nav", "site-nav")
    assert nav is not None and fa_nav is not None
    assert "На главную" in nav.text and "Главная" not in nav.text  # the site's string
    assert "Архив" in nav.text  # a shipped string it leaves alone
    assert [p.text for p in ru.find_all("p", "count")] == ["1 материал"]
    assert "خانه" in fa_nav.text  # Persian untouched


def test_an_override_still_needs_every_plural_form_of_its_language(make_site: MakeSite) -> None:
    root = fa_ru_site(make_site, 'articles:\n  one: "{count} материал"\n  other: "{count} м."\n')
    with pytest.raises(ConfigError) as caught:
        load_theme(load_config(root))
    assert caught.value.render(root) == (
        "themes/paper/i18n/ru.yml:2: articles: missing plural forms few, many for 'ru'"
    )
