"""briefgen.text: which bidirectional controls may reach the output, and which spellings of a
word are the same, in one place.

Each bidi case: a text, then the problems ``check`` reports in it (index: message). Removing
exactly those characters (what ``briefgen import`` does) must leave a text with none. Each folding
case: spellings a curator meets, and whether they fold to one word.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable

import pytest

from briefgen.importer.clean import normalise, strip_bidi
from briefgen.search.normalize import alias_key
from briefgen.text import (
    bidi_lines,
    bidi_problems,
    caseless,
    control_message,
    fold_arabic_letters,
    fold_loosely,
    fold_persian_letters,
    forbidden_character,
    loose_words,
    nfc,
    strip_tashkeel,
)

LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
NOT_CLOSED = "is not closed by U+2069 POP DIRECTIONAL ISOLATE"
STRAY = "U+2069 POP DIRECTIONAL ISOLATE closes no isolate"

CASES = [
    ("plain text", []),
    ("marks stay: \u200e\u200f\u061c", []),  # LRM, RLM, ALM: not controls that reorder
    (f"{RLI}nested {LRI}isolates{PDI} close{PDI}", []),
    (f"{FSI}a{PDI} {LRI}b{PDI}", []),
    ("a\u202eb", ["1: bidirectional control U+202E RIGHT-TO-LEFT OVERRIDE is not allowed"]),
    ("\u202a\u202b\u202c\u202d", [f"{i}: bidirectional control" for i in range(4)]),
    (f"{RLI}open", [f"0: U+2067 RIGHT-TO-LEFT ISOLATE {NOT_CLOSED}"]),
    (f"closed{PDI}", [f"6: {STRAY}"]),
    (f"{PDI}{LRI}", [f"0: {STRAY}", f"1: U+2066 LEFT-TO-RIGHT ISOLATE {NOT_CLOSED}"]),
    (f"{LRI}{LRI}x{PDI}", [f"0: U+2066 LEFT-TO-RIGHT ISOLATE {NOT_CLOSED}"]),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_bidi_problems(text: str, expected: list[str]) -> None:
    found = [f"{p.index}: {p.message}" for p in bidi_problems(text)]
    assert len(found) == len(expected)
    assert all(f.startswith(e) for f, e in zip(found, expected, strict=True)), found


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_stripping_what_check_refuses_leaves_a_text_check_accepts(
    text: str, expected: list[str]
) -> None:
    [kept], removed = strip_bidi([text])
    assert len(removed) == len(expected)
    assert not list(bidi_problems(kept))
    assert (kept == text) == (not expected)


def test_isolates_are_balanced_line_by_line_and_references_count() -> None:
    text = f"one {LRI}open\nclosed{PDI} two\n&#x202E;&#10;"
    assert [(n, p.message) for n, p in bidi_lines(text, 5)] == [
        (5, f"U+2066 LEFT-TO-RIGHT ISOLATE {NOT_CLOSED}"),
        (6, STRAY),
    ]
    assert [n for n, _ in bidi_lines(text, 5, references=True)] == [5, 6, 7]


def test_normal_forms() -> None:
    assert nfc("caffe\u0300") == "caff\u00e8"
    assert caseless("CAFFE\u0300") == caseless("caff\u00e8")


@pytest.mark.parametrize(
    ("spellings", "fold"),
    [
        (("الذكاء", "الذَّكَاء", "الذكـــاء"), strip_tashkeel),  # harakat, shadda, tatweel
        (("أحمد", "إحمد", "آحمد", "ٱحمد", "احمد"), fold_arabic_letters),  # hamza, madda, wasla
        (("مكتبة", "مكتبه"), fold_arabic_letters),  # ta marbuta
        (("مستشفى", "مستشفي"), fold_arabic_letters),  # alef maqsura
        (("کتاب", "كتاب"), fold_persian_letters),  # keheh
        (("روسیا", "روسيا"), fold_persian_letters),  # Farsi yeh
        (("۲۰۲۳", "٢٠٢٣"), fold_persian_letters),  # Persian digits
        (("Straße", "STRASSE", "strasse"), fold_loosely),  # case-folded
        (("ﻻ", "لا"), fold_loosely),  # NFKC: presentation forms
        (("الذَّكَاء", "الذكاء"), fold_loosely),
    ],
)
def test_folding_makes_spellings_one_word(
    spellings: tuple[str, ...], fold: Callable[[str], str]
) -> None:
    assert len({fold(s) for s in spellings}) == 1


def test_folding_keeps_different_words_apart() -> None:
    assert fold_arabic_letters("غريف") != fold_arabic_letters("جريف")  # search's aliases only
    assert fold_loosely("أحمد") != fold_loosely("احمد")  # the importer keeps hamza forms
    assert loose_words("أحمد الذَّكَاء") == loose_words("احمد الذكاء") == ["احمد", "الذكاء"]


def _texts(seed: int) -> list[str]:
    """Random texts over the letters every fold touches (and some it must leave)."""
    alphabet = "أإآٱاىيةهکیكغج۰۵٠٥\u064b\u0651\u0670\u0640ﻻ’'- \u200cAaßé\u0301_1"
    rng = random.Random(seed)
    return ["".join(rng.choices(alphabet, k=rng.randint(0, 24))) for _ in range(3000)]


def test_folding_is_what_check_import_and_search_each_did_before() -> None:
    """One home for folding changed no answer: each caller's former definition, verbatim."""
    word = re.compile(r"\w+")

    def check_words(text: str) -> list[str]:  # briefgen.checks.normalised_words, now gone
        text = unicodedata.normalize("NFKC", text).casefold()
        text = "".join(c for c in text if not ("\u064b" <= c <= "\u065f" or c in "\u0670\u0640"))
        text = text.translate(str.maketrans("أإآٱىة", "اااايه"))
        return word.findall(text)

    def import_normalise(text: str) -> str:  # briefgen.importer.clean.normalise
        text = unicodedata.normalize("NFKC", text).casefold()
        text = "".join(c for c in text if not ("\u064b" <= c <= "\u065f" or c in "\u0670\u0640"))
        return " ".join(word.findall(text))

    persian = str.maketrans(
        {
            "\u06a9": "\u0643",
            "\u06cc": "\u064a",
            **{chr(0x06F0 + i): chr(0x0660 + i) for i in range(10)},
        }
    )
    apostrophe = re.compile(r"(?<=\w)[\u2019\u02bc\u2018\u0060\u00b4](?=\w)")
    digits = str.maketrans({chr(0x0660 + i): str(i) for i in range(10)})
    letters = str.maketrans({**dict.fromkeys("أإآٱ", "ا"), "ة": "ه", "ى": "ي", "غ": "ج"})

    def search_alias_key(text: str) -> str:  # briefgen.search.normalize.alias_key
        text = apostrophe.sub("'", unicodedata.normalize("NFC", text).translate(persian))
        text = re.sub("[\u064b-\u065f\u0670\u0640]", "", text.translate(digits)).lower()
        return re.sub(r"[\s\-\u200c\u200d'\u2019]+", "", text.translate(letters))

    texts = _texts(11)
    assert [loose_words(t) for t in texts] == [check_words(t) for t in texts]
    assert [normalise(t) for t in texts] == [import_normalise(t) for t in texts]
    assert [alias_key(t) for t in texts] == [search_alias_key(t) for t in texts]


@pytest.mark.parametrize(
    ("char", "refused"),
    [
        *((chr(c), True) for c in [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]),  # C0
        ("\t", False),
        ("\n", False),
        ("\r", False),
        ("\x7f", False),  # DEL: XML allows it
        *((chr(c), True) for c in range(0x80, 0xA0)),  # C1, NEL (U+0085) among them
        ("\xa0", False),  # no-break space
        ("\u2028", False),  # line separator: text in HTML and XML
        ("\u2029", False),  # paragraph separator
        ("\ud800", True),  # a lone surrogate
        ("\ufffe", True),
        ("\uffff", True),
        ("\ufffd", False),
    ],
)
def test_characters_no_output_may_carry(char: str, refused: bool) -> None:
    found = forbidden_character(f"a{char}b")
    assert (found is not None) is refused
    if found is not None:
        assert found.start() == 1
        assert (
            control_message(found.group()) == f"control character U+{ord(char):04X} is not allowed"
        )
