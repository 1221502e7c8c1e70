"""Function words are indexed weightless: which words, in which spellings, and nothing else.

Why (docs/search.md, "Precision"): Pagefind reaches a function word from a rare word it begins
(``منغوليا`` → ``من``) or shares a stem with (``عليا`` → ``على``); weightless, such a match
scores 0 and the search page drops it. The browser tests (tests/browser/
test_search_precision_browser.py) search a built site; these check the indexed text itself.
"""

from __future__ import annotations

import re

import pytest

from briefgen.search.normalize import FUNCTION_WORDS, fold_index, function_words
from briefgen.search.records import indexed_text

ARABIC = function_words("ar")
ITALIAN = function_words("it")


def weightless(text: str, lang: str) -> list[str]:
    """The words of ``text`` indexed with weight 0."""
    return re.findall(r'<i data-pagefind-weight="0">(.*?)</i>', indexed_text(text, lang))


@pytest.mark.parametrize("lang", sorted(FUNCTION_WORDS))
def test_every_listed_word_is_found_whole(lang: str) -> None:
    pattern = function_words(lang)
    assert pattern is not None
    for word in FUNCTION_WORDS[lang]:
        assert pattern.fullmatch(fold_index(word, lang)), word


@pytest.mark.parametrize(
    ("text", "words"),
    [
        # the seven, in a sentence
        (
            "ذهب إلى المدينة التي على النهر في الشمال من البلاد عن طريق القطار الذي",
            ["إلى", "التي", "على", "في", "من", "عن", "الذي"],
        ),
        # spellings Pagefind folds: bare alef, tashkeel, tatweel, ى for ي
        ("الى", ["الى"]),
        ("مِنْ", ["مِنْ"]),
        ("فـي", ["فـي"]),
        ("فى", ["فى"]),
        ("أنّ", ["أنّ"]),
        # punctuation around a word is not part of it
        ("«من» (في) على، عن.", ["من", "في", "على", "عن"]),
        # attached و and pronouns are listed forms; a noun with them is not
        ("وفي والتي فيها عليه", ["وفي", "والتي", "فيها", "عليه"]),
        # never inside or at the edge of another word
        ("منغوليا فيديو عنكبوت التيار الذين", ["الذين"]),
        ("بمن لمن", []),
        # the name علي is not على (only ى makes the preposition), nor is عليا
        ("علي عليا العليا", []),
        # Persian-keyboard letters are folded first (fold_index)
        ("کان", ["كان"]),
    ],
)
def test_arabic_function_words(text: str, words: list[str]) -> None:
    assert weightless(text, "ar") == words


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("La Cina e la Russia, della pace nel mondo", ["La", "e", "la", "della", "nel"]),
        ("È più di un anno", ["È", "più", "di", "un"]),
        # elided forms stay whole words: dell'Ucraina is one token (fold_index writes ')
        ("dell’Ucraina all'alleanza l'accordo", []),
        ("delfino alluvione lapide dimora", []),
    ],
)
def test_italian_function_words(text: str, words: list[str]) -> None:
    assert weightless(text, "it") == words


def test_the_text_is_otherwise_unchanged() -> None:
    text = "روسيا تتجه إلى التعاون مع الصين <b> & «أن»"
    html = indexed_text(text, "ar")
    assert re.sub(r"</?i[^>]*>", "", html) == "روسيا تتجه إلى التعاون مع الصين &lt;b&gt; &amp; «أن»"


def test_tag_words_are_never_touched() -> None:
    # ‿ai is the word of the tag "ai" (records.tag_token), and "ai" is an Italian function word
    assert weightless("‿ai ‿il", "it") == []


@pytest.mark.parametrize("lang", ["ru", "fa", "zh-Hans", "he"])
def test_a_language_without_a_list_is_indexed_as_before(lang: str) -> None:
    assert function_words(lang) is None
    assert indexed_text("в и на <x>", lang) == "в и на &lt;x&gt;"


def test_a_regional_tag_uses_its_languages_list() -> None:
    assert function_words("ar-EG") is ARABIC
    assert function_words("it-CH") is ITALIAN
