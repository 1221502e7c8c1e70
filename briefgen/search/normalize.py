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
from collections.abc import Mapping
from types import MappingProxyType

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


# ---------------------------------------------------------------------------------------------
# Function words. Pagefind matches a query word to every indexed word it begins (its prefix
# search) and, when there is none, to the longest indexed word that begins *it* (``منغوليا`` to
# ``من``, ``عنكبوت`` to ``عن``, ``lapide`` to ``la``); and its Arabic stemmer gives some words a
# function word's stem (``عليا`` and ``على`` are both ``علي``). A function word is in nearly every
# article, so such a query found the whole archive. Each occurrence of a function word is indexed
# with weight 0 (docs/search.md, "Precision"): a query still reaches it, with a score of 0, and
# the search page drops results that score 0. The occurrences of a word that shares the stem
# keep their weight, so ``عليا`` finds its articles and not the rest.

_FUNCTION_WORD_LISTS = {
    # Written plainly; any alef form, ى/ي, ة/ه, tashkeel and tatweel match too.
    "ar": """
            في من عن على إلى مع منذ حتى لدى عند ضد نحو حول بين دون خلال عبر قبل بعد تحت فوق
            أمام وراء و ف ب ل ك ثم أو أم بل لكن إن أن كأن لأن بأن كي لا لم لن ما قد هل
            إذا إذ لو لولا أي كل بعض غير سوى إلا أيضا كما مثل الذي التي الذين اللذين اللذان
            اللتين اللتان اللواتي اللاتي اللائي هذا هذه ذلك تلك هذان هاتان هؤلاء أولئك هنا
            هناك هو هي هم هما هن أنا نحن أنت أنتم كان كانت كانوا يكون تكون فيه فيها فيهم منه
            منها منهم عنه عنها عنهم عليه عليها عليهم إليه إليها إليهم معه معها معهم له لها لهم
            لهما به بها بهم بهما لديه لديها وفي ومن وعن وعلى وإلى ومع ولا ولم ولن وما وقد وهو
            وهي وهم وهذا وهذه وذلك والتي والذي والذين وأن وإن وأو وكان وكانت وبين وبعد وقبل
            وحتى وكما ولكن وهناك فإن فقد فلا فما فمن ففي لهذا لذلك كذلك بهذا بذلك بعدما عندما
            حيث حين بينما مما ممن عما فيما إنما لما كلما
            """,
    "it": """
            il lo la i gli le un uno una di a da in con su per tra fra del dello della dei degli
            delle al allo alla ai agli alle dal dallo dalla dai dagli dalle nel nello nella nei
            negli nelle sul sullo sulla sui sugli sulle col coi e ed o od ma che se non né anche
            come è ha hanno sono si ci vi ne cui più
            """,
}
FUNCTION_WORDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {lang: tuple(words.split()) for lang, words in _FUNCTION_WORD_LISTS.items()}
)
"""Per language (primary subtag), the words indexed with weight 0: prepositions, conjunctions,
articles, particles, relative, demonstrative and personal pronouns, the copula, and the Arabic
prepositions with a pronoun or و/ف attached. Closed classes only: a noun is never one."""

_MARKS = "".join(chr(c) for c in range(0x0610, 0x0700) if not strip_tashkeel(chr(c)))
"""What :func:`~briefgen.text.strip_tashkeel` removes: a function word may carry any of them."""
_SAME_LETTER = {
    letter: "".join(c for c in map(chr, range(0x0621, 0x06D4)) if fold_arabic_letters(c) == letter)
    for letter in set(fold_arabic_letters("".join(map(chr, range(0x0621, 0x06D4)))))
}
"""Each letter as :func:`~briefgen.text.fold_arabic_letters` folds it, with the letters it folds
(``ا``: ``اأإآٱ``), so that the patterns below accept every spelling the folding makes equal."""
_WORD_EDGE = rf"\w'\u203f{_MARKS}"
"""What may not touch a function word: a letter or digit, tashkeel, an apostrophe (``dell'``, as
:func:`fold_index` writes it) or the tag words' undertie."""


def _letters(word: str) -> list[str]:
    """``word`` as a pattern per letter: a class of the spellings folding makes equal, then any
    tashkeel. ى stays ى: ``على`` is a function word, the name ``علي`` is not."""
    classes = []
    for c in strip_tashkeel(unicodedata.normalize("NFC", word)):
        if "\u0600" <= c <= "\u06ff":
            same = c if c == "\u0649" else _SAME_LETTER.get(fold_arabic_letters(c), c)
            classes.append(f"[{same}][{_MARKS}]*")
        else:
            classes.append(re.escape(c))
    return classes


def _alternation(words: list[list[str]]) -> str:
    """One pattern for all ``words`` (lists of :func:`_letters`), as a trie: a plain alternation
    of 200 words tries each at every word start (18 s for 10,000 articles); sharing prefixes
    tries each letter once."""
    heads: dict[str, list[list[str]]] = {}
    ends = False
    for word in words:
        if word:
            heads.setdefault(word[0], []).append(word[1:])
        else:
            ends = True
    branches = [head + _alternation(rest) for head, rest in sorted(heads.items())]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 and not ends else "(?:" + "|".join(branches) + ")"
    return body + "?" if ends else body


_FUNCTION_WORD = {
    lang: re.compile(
        rf"(?<![{_WORD_EDGE}])"
        + _alternation([_letters(word) for word in dict.fromkeys(words)])
        + rf"(?![{_WORD_EDGE}])",
        0 if lang == "ar" else re.IGNORECASE,  # Arabic has no case (and matches 14 % faster)
    )
    for lang, words in FUNCTION_WORDS.items()
}


def function_words(lang: str) -> re.Pattern[str] | None:
    """The pattern of ``lang``'s function words in indexed text (:func:`fold_index`'s output),
    whole words in any of their spellings; None for a language without a list."""
    return _FUNCTION_WORD.get(lang.split("-", 1)[0].lower())
