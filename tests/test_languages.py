"""Content languages: any BCP 47 tag CLDR knows, spelt canonically, with its direction, script and
name in a reader's language; a mistyped one gets a suggestion."""

from __future__ import annotations

import pytest

from briefgen import languages


@pytest.mark.parametrize(
    ("written", "tag"),
    [
        ("ru", "ru"),
        ("zh-hant", "zh-Hant"),
        ("ZH-Hant", "zh-Hant"),
        ("sr-latn", "sr-Latn"),
        ("pt-br", "pt-BR"),
        ("es-419", "es-419"),
        ("fa", "fa"),
        ("he", "he"),
    ],
)
def test_a_tag_cldr_knows_is_kept_in_its_canonical_spelling(written: str, tag: str) -> None:
    assert languages.canonical(written) == tag


@pytest.mark.parametrize("written", ["xx", "russian", "zh_Hant", "iw", "und", "en-Qaaa", "ru-XY"])
def test_anything_else_is_refused(written: str) -> None:
    assert languages.canonical(written) is None


@pytest.mark.parametrize(
    ("written", "meant"),
    [("russian", "ru"), ("Persian", "fa"), ("zh_Hant", "zh-Hant"), ("iw", "he"), ("xx", None)],
)
def test_a_mistyped_language_gets_a_suggestion(written: str, meant: str | None) -> None:
    assert languages.suggestion(written) == meant


def test_the_reader_languages_are_suggested_first() -> None:
    assert languages.suggestion("itt", ["ar", "it"]) == "it"


@pytest.mark.parametrize(
    ("tag", "direction", "script"),
    [("fa", "rtl", "Arab"), ("he", "rtl", "Hebr"), ("ru", "ltr", "Cyrl"), ("zh", "ltr", "Hans")],
)
def test_direction_and_script_come_from_cldr(tag: str, direction: str, script: str) -> None:
    assert (languages.direction(tag), languages.script(tag)) == (direction, script)


def test_a_language_is_named_in_the_readers_language() -> None:
    assert languages.name("ru", "ar") == "الروسية"
    assert languages.name("ru", "it") == "russo"
    assert languages.name("zh-Hant", "it") == "cinese (tradizionale)"
