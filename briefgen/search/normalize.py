"""Text normalisation shared by the index (here) and the query (``static/search/normalize.js``).

Pagefind 1.5.2 already folds tashkeel, tatweel, alef forms, ة/ه, ى/ي and Arabic-Indic digits in
its Arabic index, and folding them again was measured to lose matches, so the index side changes
only what Pagefind cannot: Persian-keyboard letters and typographic apostrophes. The alias keys
fold harder (they are compared whole, never stemmed). ``normalize.js`` applies the same rules.
"""

from __future__ import annotations

import re
import unicodedata

_PERSIAN = str.maketrans(
    {
        "\u06a9": "\u0643",  # ک → ك
        "\u06cc": "\u064a",  # ی → ي
        **{chr(0x06F0 + i): chr(0x0660 + i) for i in range(10)},  # ۰-۹ → ٠-٩
    }
)
_ARABIC_DIGITS = str.maketrans({chr(0x0660 + i): str(i) for i in range(10)})
_APOSTROPHE = re.compile(r"(?<=\w)[\u2019\u02bc\u2018\u0060\u00b4](?=\w)")
"""A typographic apostrophe between letters: Pagefind keeps ``dell’Ucraina`` as one token but
splits ``dell'Ucraina``."""
_MARKS = re.compile(r"[\u064b-\u065f\u0670\u0640]")
"""Tashkeel and tatweel."""
_ALIAS_FOLDS = str.maketrans(
    {
        **dict.fromkeys("\u0623\u0625\u0622\u0671", "\u0627"),  # أ إ آ ٱ → ا
        "\u0629": "\u0647",  # ة → ه
        "\u0649": "\u064a",  # ى → ي
        "\u063a": "\u062c",  # غ → ج: the hard G of foreign names is written either way (غريف/جريف)
    }
)
_ALIAS_GAPS = re.compile(r"[\s\-\u200c\u200d'\u2019]+")


_PERSIAN_LETTERS = re.compile("[" + "".join(chr(c) for c in _PERSIAN) + "]")
"""What :data:`_PERSIAN` changes: found by a regular expression, since ``str.translate`` looks
every character of a non-ASCII text up in a dict (most of indexing 10,000 articles' text)."""
_APOSTROPHES = "\u2019\u02bc\u2018\u0060\u00b4"
"""What :data:`_APOSTROPHE` replaces: a text without any skips its look-behind at every
character (Arabic articles have none)."""


def fold_index(text: str) -> str:
    """Text as it is indexed: NFC, Arabic letters for Persian ones, ASCII apostrophes."""
    text = unicodedata.normalize("NFC", text)
    text = _PERSIAN_LETTERS.sub(lambda found: found[0].translate(_PERSIAN), text)
    if any(mark in text for mark in _APOSTROPHES):
        text = _APOSTROPHE.sub("'", text)
    return text


def alias_key(text: str) -> str:
    """The lookup key of a tag name or alias: ``سبير بنك``, ``سبيربنك`` and ``Sber-bank`` meet."""
    text = _MARKS.sub("", fold_index(text).translate(_ARABIC_DIGITS)).lower()
    return _ALIAS_GAPS.sub("", text.translate(_ALIAS_FOLDS))
