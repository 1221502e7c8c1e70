"""Text normalisation shared by the index (here) and the query (``static/search/normalize.js``).

Pagefind 1.5.2 already folds tashkeel, tatweel, alef forms, ة/ه, ى/ي and Arabic-Indic digits in
its Arabic index, and folding them again was measured to lose matches, so the index side changes
only what Pagefind cannot: Persian-keyboard letters and typographic apostrophes. The alias keys
fold harder (they are compared whole, never stemmed). ``normalize.js`` applies the same rules;
the letters themselves are folded by :mod:`briefgen.text`, the one home of folding.
"""

from __future__ import annotations

import re
import unicodedata

from briefgen.text import fold_arabic_letters, fold_persian_letters, strip_tashkeel

_ARABIC_DIGITS = str.maketrans({chr(0x0660 + i): str(i) for i in range(10)})
_APOSTROPHE = re.compile(r"(?<=\w)[\u2019\u02bc\u2018\u0060\u00b4](?=\w)")
"""A typographic apostrophe between letters: Pagefind keeps ``dell’Ucraina`` as one token but
splits ``dell'Ucraina``."""
_FOREIGN_G = str.maketrans({"\u063a": "\u062c"})
"""غ → ج: the hard G of foreign names is written either way (غريف/جريف)."""
_ALIAS_GAPS = re.compile(r"[\s\-\u200c\u200d'\u2019]+")

_APOSTROPHES = "\u2019\u02bc\u2018\u0060\u00b4"
"""What :data:`_APOSTROPHE` replaces: a text without any skips its look-behind at every
character (Arabic articles have none)."""


PERSIAN_ALPHABET = ("fa", "ps", "ur")
"""Languages written with Persian ک and ی (their bundles keep them: see :func:`fold_index`)."""
_TO_PERSIAN = {"\u0643": "\u06a9", "\u064a": "\u06cc", "\u0649": "\u06cc"} | {
    chr(base + i): str(i) for base in (0x0660, 0x06F0) for i in range(10)
}
"""ك → ک, ي and ى → ی: the keyboard's other letters, as the Persian alphabet writes them; and
Persian and Arabic-Indic digits as Western ones (Pagefind folds no digits outside Arabic)."""
_TO_PERSIAN_FOUND = re.compile("[" + "".join(_TO_PERSIAN) + "]")


def persian_alphabet(lang: str) -> bool:
    """Whether a language tag is written with Persian ک and ی (``fa``, ``fa-AF``, ``ur``)."""
    return lang.split("-", 1)[0].lower() in PERSIAN_ALPHABET


def fold_index(text: str, lang: str = "") -> str:
    """Text as it is indexed: NFC, ASCII apostrophes, and Arabic ك/ي for Persian ک/ی, except in
    a bundle of a language written with the Persian letters (``lang``), where Arabic ك/ي/ى
    become Persian: the excerpts shown from it keep the text's own letters, and the query is
    folded the same way for that bundle (``normalize.js``), so either keyboard finds either
    spelling without indexing a text twice."""
    text = unicodedata.normalize("NFC", text)
    if persian_alphabet(lang):
        text = _TO_PERSIAN_FOUND.sub(lambda found: _TO_PERSIAN[found[0]], text)
    else:
        text = fold_persian_letters(text)
    if any(mark in text for mark in _APOSTROPHES):
        text = _APOSTROPHE.sub("'", text)
    return text


def alias_key(text: str) -> str:
    """The lookup key of a tag name or alias: ``سبير بنك``, ``سبيربنك`` and ``Sber-bank`` meet."""
    text = strip_tashkeel(fold_index(text).translate(_ARABIC_DIGITS)).lower()
    return _ALIAS_GAPS.sub("", fold_arabic_letters(text).translate(_FOREIGN_G))
