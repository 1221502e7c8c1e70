"""Which language a copy is written in: py3langid's reading as a tag CLDR knows, with every doubt
said (a short text, a close second choice, a code CLDR does not know), and the language
dateparser reads its dates in.

py3langid scores about 140 codes. Most are tags CLDR knows (``ru``, ``zh``, ``fa``, ``he``); a
few are CLDR's deprecated spellings of a language it knows (``tl`` → ``fil``, ``kik`` → ``ki``),
taken with CLDR's own replacement; the rest (``wuu`` Wu Chinese, ``arz`` Egyptian Arabic,
``zxx`` no linguistic content…) are never turned into another language by a guess: the likeliest
language CLDR knows is taken and the curator told, or the import asks for ``--language``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from babel.core import get_global
from dateparser.data.languages_info import language_order
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from briefgen import languages
from briefgen.errors import UsageError

SURE = 0.8
"""py3langid's first choice below this probability is reported as uncertain. Measured: the
test copies (300 to 400 characters of text) and the seeds score 0.98 to 1.0; a one-sentence
Russian brief 0.74 (Bulgarian 0.26); 120 characters of Chinese 0.83 (Wu Chinese 0.17)."""
MIN_LETTERS = 80
"""A text with fewer letters is reported as too short to identify with confidence."""
LIKELY = 0.2
"""A language less likely than this is no reading at all: the curator must give one."""


@cache
def _identifier() -> LanguageIdentifier:
    """py3langid's model with probabilities (its plain ``classify`` gives raw scores)."""
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def tag_of(code: str) -> tuple[str | None, str]:
    """(the CLDR tag of a py3langid code, how it was spelt) or (None, "") when CLDR does not
    know the language."""
    tag = languages.canonical(code)
    if tag is not None:
        return tag, ""
    alias = get_global("language_aliases").get(code)
    if isinstance(alias, str) and languages.canonical(alias) == alias:
        return alias, f"py3langid's {code!r}, which CLDR spells {alias!r}"
    return None, ""


@dataclass(frozen=True, slots=True)
class Reading:
    """The language of a text as py3langid reads it."""

    tag: str | None
    """A canonical tag CLDR knows; None when no such language is likely (see ``problem``)."""
    how: str
    """How it was found (the report's and the file's note)."""
    doubts: tuple[str, ...] = ()
    """What the curator should check."""
    problem: str = ""
    """Why there is no tag."""


def identify(text: str) -> Reading:
    """The language of ``text``; uncertain readings say so, unreadable ones give no tag."""
    ranked = [(str(code), float(p)) for code, p in _identifier().rank(text)]
    best = ranked[0][0]
    known = ((code, p, *tag_of(code)) for code, p in ranked)
    code, p, tag, spelt = next((k for k in known if k[2] is not None), (best, 0.0, None, ""))
    top = ranked[:3] if (code, p) in ranked[:3] or tag is None else [*ranked[:3], (code, p)]
    shown = ", ".join(f"{each!r} {chance:.2f}" for each, chance in top)
    if tag is None or p < LIKELY:
        unknown = f"; {best!r} is not a language CLDR knows" if code != best else ""
        return Reading(
            None,
            "",
            problem=f"cannot tell the language (py3langid: {shown}{unknown}); pass --language",
        )
    reasons: list[str] = []
    if code != best:
        reasons.append(f"py3langid's first choice {best!r} is not a language CLDR knows")
    elif p < SURE:
        reasons.append("py3langid is not sure")
    letters = sum(ch.isalpha() for ch in text)
    if letters < MIN_LETTERS:
        reasons.append(f"the text is short ({letters} letters)")
    doubts = (
        (
            f"language: {' and '.join(reasons)}: py3langid gives {shown}; check {tag!r}, or "
            "re-import with --language",
        )
        if reasons
        else ()
    )
    how = "identified by py3langid"
    if spelt:
        how += f" ({spelt})"
    if doubts:
        how += f", uncertain ({shown})"
    return Reading(tag, how, doubts)


def given(text: str, prefer: Sequence[str] = ()) -> str:
    """The canonical spelling of a ``--language`` tag; a usage error, with the tag most likely
    meant, when CLDR does not know it."""
    tag = languages.canonical(text)
    if tag is None:
        close = languages.suggestion(text, prefer)
        hint = f" (did you mean {close!r}?)" if close else ""
        raise UsageError(f"--language {text!r} is not a language tag CLDR knows{hint}")
    return tag


def date_language(tag: str) -> str | None:
    """The dateparser language for a tag (``zh-Hant``, else its language ``zh``), or None when
    dateparser has none."""
    for code in (tag, tag.split("-", 1)[0]):
        if code in language_order:
            return code
    return None
