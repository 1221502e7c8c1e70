"""Facts about characters that every stage must agree on: control characters, bidirectional
controls, normal forms, and the folding under which two spellings of a word compare equal.

One home, so that ``check``, ``build``, ``import`` and search cannot disagree on what they refuse
or on which words are the same.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

# Embeddings and overrides (LRE, RLE, PDF, LRO, RLO) reorder the text after them until the end
# of the paragraph: in a title they reach into the page around it, and in source they let a line
# read differently from what it says ("Trojan Source"). Isolates (LRI, RLI, FSI … PDI) are scoped
# and legitimate in Persian or Hebrew text, as long as each one is closed on its own line.
_EMBEDDINGS = frozenset("\u202a\u202b\u202c\u202d\u202e")
_INITIATORS = frozenset("\u2066\u2067\u2068")
_PDI = "\u2069"
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


# What no page, feed or citation may carry. XML 1.0 forbids C0 controls but tab, line feed and
# carriage return, surrogates, U+FFFE and U+FFFF: one in a title makes every feed that lists the
# article unreadable. C1 controls (U+0080 to U+009F) are legal XML but invisible, a parse error in
# HTML, and what text mis-decoded from Windows-1252 holds: refused too. U+2028 and U+2029 (line
# and paragraph separators) are text in HTML and XML and stay; only old engines' JavaScript took
# them for line ends, and the JSON-LD escapes them.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x80-\x9f\ud800-\udfff\ufffe\uffff]")


def forbidden_character(text: str) -> re.Match[str] | None:
    """The first character of ``text`` that no HTML or XML output may carry, if any."""
    return _FORBIDDEN.search(text)


def forbidden_characters(text: str) -> Iterator[re.Match[str]]:
    """Every character of ``text`` that no HTML or XML output may carry, in order."""
    return _FORBIDDEN.finditer(text)


def control_message(char: str) -> str:
    """Why ``char`` (one of :func:`forbidden_characters`) is refused, for an error or a report."""
    return f"control character U+{ord(char):04X} is not allowed"


@dataclass(frozen=True, slots=True)
class BidiProblem:
    """A bidirectional control that must not reach the output."""

    index: int
    """Where it is in the text (0-based)."""
    message: str
    """Why, for a ``path:line: message`` error or an import report."""


def _name(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char)}"


def bidi_problems(text: str) -> Iterator[BidiProblem]:
    """Every embedding or override, and every isolate left unbalanced, in ``text`` (in order).

    ``text`` is one unit: a field's value or one line of a body. Removing exactly these
    characters leaves the text balanced (what ``briefgen import`` does).
    """
    if _BIDI.search(text) is None:  # the common case: one scan, nothing to report
        return
    open_isolates: list[int] = []
    found: list[BidiProblem] = []
    for index, char in enumerate(text):
        if char in _EMBEDDINGS:
            found.append(BidiProblem(index, f"bidirectional control {_name(char)} is not allowed"))
        elif char in _INITIATORS:
            open_isolates.append(index)
        elif char == _PDI:
            if open_isolates:
                open_isolates.pop()
            else:
                found.append(BidiProblem(index, f"{_name(char)} closes no isolate"))
    for index in open_isolates:
        message = f"{_name(text[index])} is not closed by U+2069 POP DIRECTIONAL ISOLATE"
        found.append(BidiProblem(index, message))
    yield from sorted(found, key=lambda problem: problem.index)


def bidi_problem(text: str) -> BidiProblem | None:
    """The first of :func:`bidi_problems`, or None when ``text`` may be published."""
    return next(bidi_problems(text), None)


def bidi_lines(
    text: str, first_line: int = 1, *, references: bool = False
) -> Iterator[tuple[int, BidiProblem]]:
    """(line number, first problem) of each line of ``text`` that has one.

    Per line, as an editor shows it: an isolate may not run on into the next line (that is how
    "Trojan Source" makes a line read differently from what it does). ``references``: the
    text is Markdown or HTML, where ``&#x202E;`` becomes the character itself.
    """
    if _BIDI.search(text) is None and not (references and "&#" in text):
        return
    for number, line in enumerate(text.split("\n"), first_line):
        if references and "&#" in line:
            line = html.unescape(line)  # line by line: ``&#10;`` must not move the numbers
        problem = bidi_problem(line)
        if problem is not None:
            yield number, problem


def nfc(text: str) -> str:
    """``text`` in Unicode normal form C: macOS writes file names decomposed (NFD), editors and
    URLs compose them; one form keeps ``caffè`` one slug and one URL whichever way it came."""
    return unicodedata.normalize("NFC", text)


def caseless(text: str) -> str:
    """The key under which two texts are the same word (canonical caseless match, Unicode
    3.13): equal for ``Caffè`` and ``caffè`` whether either is composed or decomposed."""
    return unicodedata.normalize("NFD", unicodedata.normalize("NFD", text).casefold())


# ---------------------------------------------------------------------------------------------
# Folding: the same word however it is spelled. ``check`` (duplicate bodies), ``import`` (widget
# lines, outlet names, an article already in) and search (the index, tag aliases) build on these.

_TASHKEEL = re.compile("[\u064b-\u065f\u0670\u0640]")
"""Arabic harakat, tanwin, shadda, sukun and the other combining marks up to U+065F, the
superscript alef, and tatweel (U+0640): writers put them in or leave them out freely."""
_ARABIC_LETTERS = str.maketrans(
    {
        **dict.fromkeys("\u0623\u0625\u0622\u0671", "\u0627"),  # alef with hamza, madda, wasla
        "\u0629": "\u0647",  # ta marbuta → ha
        "\u0649": "\u064a",  # alef maqsura → ya
    }
)
_PERSIAN_LETTERS = str.maketrans(
    {
        "\u06a9": "\u0643",  # keheh → kaf
        "\u06cc": "\u064a",  # Farsi yeh → ya
        **{chr(0x06F0 + i): chr(0x0660 + i) for i in range(10)},  # Persian → Arabic-Indic digits
    }
)
_PERSIAN_FOUND = re.compile("[" + "".join(chr(c) for c in _PERSIAN_LETTERS) + "]")
"""What :data:`_PERSIAN_LETTERS` changes: found by a regular expression, since ``str.translate``
looks every character of a non-ASCII text up in a dict (most of indexing 10,000 articles)."""
WORD = re.compile(r"\w+")
"""A word in any script."""


def strip_tashkeel(text: str) -> str:
    """``text`` without Arabic vowel marks and tatweel."""
    return _TASHKEEL.sub("", text)


def fold_arabic_letters(text: str) -> str:
    """Alef with hamza, madda or wasla as bare alef; ta marbuta as ha; alef maqsura as ya."""
    return text.translate(_ARABIC_LETTERS)


def fold_persian_letters(text: str) -> str:
    """The Persian keyboard's keheh and yeh, and its digits, as the Arabic letters and digits."""
    return _PERSIAN_FOUND.sub(lambda found: found[0].translate(_PERSIAN_LETTERS), text)


def fold_loosely(text: str) -> str:
    """NFKC, case-folded, without tashkeel or tatweel: what the importer compares lines with."""
    return strip_tashkeel(unicodedata.normalize("NFKC", text).casefold())


def loose_words(text: str) -> list[str]:
    """The words of :func:`fold_loosely` with Arabic letter variants folded too: what ``check``
    and ``import`` compare bodies with (near-duplicate articles)."""
    return WORD.findall(fold_arabic_letters(fold_loosely(text)))
