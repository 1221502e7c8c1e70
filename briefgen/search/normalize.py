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


def fold_index(text: str) -> str:
    """Text as it is indexed: NFC, Arabic letters for Persian ones, ASCII apostrophes."""
    text = fold_persian_letters(unicodedata.normalize("NFC", text))
    if any(mark in text for mark in _APOSTROPHES):
        text = _APOSTROPHE.sub("'", text)
    return text


def alias_key(text: str) -> str:
    """The lookup key of a tag name or alias: ``سبير بنك``, ``سبيربنك`` and ``Sber-bank`` meet."""
    text = strip_tashkeel(fold_index(text).translate(_ARABIC_DIGITS)).lower()
    return _ALIAS_GAPS.sub("", fold_arabic_letters(text).translate(_FOREIGN_G))
