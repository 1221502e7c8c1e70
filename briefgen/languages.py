"""Language tags, as CLDR (through Babel) knows them: the one home of what a tag means.

Reader languages (``site.yml`` ``languages``) are plain codes with UI strings. Content languages
(an article's or an outlet's ``language``) may be any BCP 47 tag of a language, an optional
script and an optional region that CLDR knows: ``ru``, ``zh-Hant``, ``sr-Latn``, ``pt-BR``. Here
a tag gets its canonical spelling, its direction, its script and its name in a reader's language.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global

_TAG = re.compile(r"^([A-Za-z]{2,3})(?:-([A-Za-z]{4}))?(?:-([A-Za-z]{2}|[0-9]{3}))?$")
_ENGLISH = Locale("en")


@lru_cache(maxsize=1024)
def canonical(tag: str) -> str | None:
    """``tag`` spelt as BCP 47 writes it (``zh-hant`` → ``zh-Hant``, ``pt-br`` → ``pt-BR``), or
    None when it is not ``language[-Script][-REGION]`` of a language CLDR knows. A deprecated
    alias (``iw`` for Hebrew) and ``und`` are refused: Babel would quietly read them as another
    language."""
    match = _TAG.match(tag)
    if match is None:
        return None
    lang, script, region = match.group(1).lower(), match.group(2), match.group(3)
    parts = [lang]
    if script is not None:
        script = script.title()
        if script not in _ENGLISH.scripts:
            return None
        parts.append(script)
    if region is not None:
        region = region.upper()
        if region not in _ENGLISH.territories:
            return None
        parts.append(region)
    text = "-".join(parts)
    try:
        locale = Locale.parse(text, sep="-")
    except (UnknownLocaleError, ValueError):
        return None
    return text if locale.language == lang else None


def _locale(tag: str) -> Locale:
    """The CLDR locale of a canonical tag (its language alone when the combination has no data
    of its own, e.g. ``en-Latn``)."""
    try:
        return Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError):
        return Locale.parse(tag.split("-", 1)[0])


@lru_cache(maxsize=1024)
def direction(tag: str) -> str:
    """``rtl`` or ``ltr``, from CLDR: the one place a direction is decided (``dir`` on pages,
    list items, search results)."""
    return str(_locale(tag).text_direction)


@lru_cache(maxsize=1024)
def script(tag: str) -> str:
    """The script a tag is written in: its own script subtag, else CLDR's likely script for the
    language (``ru`` → ``Cyrl``, ``zh`` → ``Hans``, ``fa`` → ``Arab``); ``Zyyy`` when unknown."""
    match = _TAG.match(tag)
    if match is not None and match.group(2):
        return match.group(2).title()
    likely: Mapping[str, str] = get_global("likely_subtags")
    found = likely.get(tag.replace("-", "_")) or likely.get(tag.split("-", 1)[0].lower(), "")
    parts = found.split("_")
    return parts[1] if len(parts) > 2 else "Zyyy"


@lru_cache(maxsize=4096)
def name(tag: str, reader: str) -> str:
    """The language's name in a reader language: ``ru`` is «الروسية» for ``ar``, «russo» for
    ``it``; ``zh-Hant`` is «cinese (tradizionale)»."""
    shown = _locale(tag).get_display_name(Locale.parse(reader, sep="-"))
    return str(shown) if shown else tag


@lru_cache(maxsize=1)
def _known_names() -> dict[str, str]:
    """English language name (folded) → code, for the languages CLDR has data for."""
    return {
        str(n).casefold(): str(code)
        for code, n in _ENGLISH.languages.items()
        if "_" not in code and canonical(code) == code
    }


def suggestion(text: str, prefer: Sequence[str] = ()) -> str | None:
    """The tag a mistyped language most likely meant: an English language name (``russian`` →
    ``ru``), an underscore form (``zh_Hant`` → ``zh-Hant``), an alias (``iw`` → ``he``), or a
    close code, those in ``prefer`` (the site's reader languages) first; None when nothing
    is close."""
    spaced = text.strip().replace("_", "-")
    if spaced != text and canonical(spaced):
        return canonical(spaced)
    names = _known_names()
    folded = text.strip().casefold()
    if folded in names:
        return names[folded]
    try:
        locale = Locale.parse(spaced, sep="-")
    except (UnknownLocaleError, ValueError):
        locale = None
    written = spaced.split("-", 1)[0].lower()
    if locale is not None and written != "und" and locale.language != written:
        return locale.language
    close = difflib.get_close_matches(folded, list(names), n=1, cutoff=0.75)
    if close:
        return names[close[0]]
    for choices in (prefer, names.values()):
        codes = difflib.get_close_matches(folded, list(choices), n=1, cutoff=0.6)
        if codes:
            return codes[0]
    return None
