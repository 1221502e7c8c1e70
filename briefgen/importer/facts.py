"""What a raw copy says about itself: date, outlet, agency and tags (its language:
:mod:`briefgen.importer.language`).

Each finder returns a value with the evidence (line and text) or None with the reason, so the
importer can report what it could not fill instead of guessing. Dates come from dateparser, in
the text's language first (:meth:`Dates.speaking`), with relative expressions turned off
("اليوم", "ieri" are never resolved against today) and only when the text states a year; times
get an offset only when the text gives one or the outlet's country has a single time zone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.core import get_global
from dateparser.date import DateDataParser

from briefgen.importer.clean import (
    CREDIT,
    SOCIAL_SITE,
    Cleaned,
    Line,
    metadata_parts,
    normalise,
)
from briefgen.importer.language import date_language
from briefgen.model import Outlet, Tag

_YEAR = re.compile(r"(?<!\d)(?:1[89]|20)\d\d(?!\d)")
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_DATE_LANGUAGES = ["ar", "it", "en"]
# A dateline's place before the date, one to three words and a comma (Latin, Arabic or
# full-width): "MOSCOW, ", "ירושלים, ".
_PLACE = re.compile(r"^[^\d\s,\u060c\uff0c]+(?:\s[^\d\s,\u060c\uff0c]+){0,2}\s*[,\u060c\uff0c]\s*")
_SOLAR_HIJRI_MONTHS = "فروردین|اردیبهشت|خرداد|تیر|مرداد|امرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند"
# The whole line: perhaps a weekday or a place, the day, the month, a year 13xx or 14xx.
_SOLAR_HIJRI = re.compile(
    rf"^(?:[^\d\s,،]+\s*[,،]?\s+)?(?:\d{{1,2}}\s+)?(?:{_SOLAR_HIJRI_MONTHS})(?:\s+ماه)?"
    r"\s+1[34]\d\d(?:\s*(?:\u0647\.?\s*ش\.?|هجری\s+شمسی|خورشیدی))?$"
)


UNKNOWN_DATE = "unknown"


@dataclass(frozen=True, slots=True)
class Found:
    """A value and the evidence for it."""

    value: str
    note: str


class Dates:
    """Date parsing for one import run (dateparser's parser is costly to build)."""

    def __init__(self, languages: Sequence[str] = _DATE_LANGUAGES) -> None:
        self.languages = tuple(dict.fromkeys([*languages, "en"]))
        """dateparser's languages, in the order it tries them."""
        self._speaking: dict[str, Dates] = {}
        self._parser = DateDataParser(
            languages=list(self.languages),
            settings={
                "RETURN_TIME_AS_PERIOD": True,
                "PREFER_DAY_OF_MONTH": "first",
                "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
            },
        )

    def speaking(self, tag: str) -> Dates:
        """Dates read in the dateparser language of ``tag`` first, then in these; these alone
        when they include it or dateparser has none (:func:`date_language`)."""
        code = date_language(tag)
        if code is None or code in self.languages:
            return self
        if code not in self._speaking:
            self._speaking[code] = Dates([code, *self.languages])
        return self._speaking[code]

    def parse(self, text: str) -> tuple[datetime, str] | None:
        """(moment, period) for a text that is a date with an explicit year, perhaps after a
        place (``MOSCOW, January 2, 2025``); else None."""
        text = text.translate(_ARABIC_DIGITS).strip()
        if not text or not _YEAR.search(text) or len(text) > 80:
            return None
        found = self._parse(text)
        place = _PLACE.match(text)
        if found is None and place is not None:
            found = self._parse(text[place.end() :])
        return found

    def _parse(self, text: str) -> tuple[datetime, str] | None:
        try:
            data = self._parser.get_date_data(text)
        except (ValueError, OverflowError):  # pragma: no cover - dateparser edge cases
            return None
        if data.date_obj is None or data.period is None:
            return None
        return data.date_obj, str(data.period)

    def is_date(self, text: str) -> bool:
        """Whether ``text`` is a date (used to classify lines), a Solar Hijri one included."""
        return self.parse(text) is not None or solar_hijri(text)


def solar_hijri(text: str) -> bool:
    """Whether ``text`` is a date of the Solar Hijri (Persian) calendar, ``۱۲ دی ۱۴۰۳``: one
    dateparser does not convert (that needs the ``convertdate`` package, not installed with
    briefgen), so it is reported and never read as a Gregorian date."""
    text = text.translate(_ARABIC_DIGITS).strip()
    return len(text) <= 80 and _SOLAR_HIJRI.match(text) is not None


def outlet_zone(outlet: Outlet | None) -> ZoneInfo | None:
    """The outlet's time zone, when its country has exactly one (CLDR's territory zones)."""
    if outlet is None or outlet.country is None:
        return None
    zones = get_global("territory_zones").get(outlet.country, ())
    if len(zones) != 1:
        return None
    try:
        return ZoneInfo(zones[0])
    except ZoneInfoNotFoundError:  # pragma: no cover - system without tz data
        return None


def find_date(cleaned: Cleaned, dates: Dates, outlet: Outlet | None) -> Found | None:
    """The article's date at the precision its dateline gives, or None when it has none."""
    line = cleaned.dateline
    if line is None:
        return None
    text = line.text.strip()
    parts = metadata_parts(text, dates.is_date)
    if parts is not None:
        text = parts[0]
    parsed = dates.parse(text)
    where = f"line {line.number} {text!r}"
    if parsed is None:  # classified as a date: one in the Solar Hijri calendar
        return Found(
            UNKNOWN_DATE,
            f"{where} is a Solar Hijri (Persian calendar) date, which dateparser does not "
            "convert here: written as 'unknown'; give the Gregorian date by hand",
        )
    moment, period = parsed
    if period == "year":
        return Found(f"{moment.year:04d}", f"{where} gives only the year")
    if period == "month":
        return Found(f"{moment.year:04d}-{moment.month:02d}", f"{where} gives only the month")
    day = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
    if period != "time":
        return Found(day, f"{where} gives the day")
    if moment.tzinfo is not None:
        return Found(moment.isoformat(), f"{where} gives the time and its UTC offset")
    zone = outlet_zone(outlet)
    if zone is None:
        why = "the outlet is unknown" if outlet is None else "the outlet's time zone is not known"
        return Found(day, f"{where} gives a time but no UTC offset and {why}, so only the day")
    aware = moment.replace(tzinfo=zone)
    return Found(aware.isoformat(), f"{where}; offset of {zone.key}, the outlet's time zone")


def _outlet_by_name(name: str, outlets: Mapping[str, Outlet]) -> Outlet | None:
    """The outlet whose name or key the text spells out (whole words)."""
    wanted = f" {normalise(name)} "
    for outlet in outlets.values():
        for spelling in (outlet.name, outlet.key.replace("-", " ")):
            needle = normalise(spelling)
            if needle and f" {needle} " in wanted:
                return outlet
    return None


@dataclass(frozen=True, slots=True)
class Outlets:
    """Outlet (the site carrying the copy) and via (the original publisher)."""

    outlet: Found | None
    via: Found | None
    unknown_names: tuple[str, ...]
    """Names the text gives that are not in outlets.yml (reported, never invented as keys)."""


def find_outlets(cleaned: Cleaned, outlets: Mapping[str, Outlet], dates: Dates) -> Outlets:
    """Read the metadata, social-media and credit lines for outlet names."""
    site: Found | None = None
    credited: Found | None = None
    unknown: list[str] = []

    def lookup(name: str, line: Line, what: str, shown: str | None = None) -> Found | None:
        outlet = _outlet_by_name(name, outlets)
        if outlet is None:
            # An agency credit ("Fonte: ANSA") is not an outlet: find_agency reads it.
            if name not in unknown and find_agency([Line(0, name, line.role)]) is None:
                unknown.append(shown or name)
            return None
        return Found(outlet.key, f"{what} on line {line.number} names {name!r}")

    if cleaned.dateline is not None:
        parts = metadata_parts(cleaned.dateline.text, dates.is_date)
        if parts is not None and parts[1]:
            site = lookup(parts[1], cleaned.dateline, "the metadata line")
    for line in cleaned.social:
        match = SOCIAL_SITE.search(line.text.strip())
        if match and site is None:
            site = lookup(match.group("name"), line, "the page's own social-media line")
    for line in cleaned.credit:
        credit = CREDIT.match(line.text.strip())
        name = credit.group("name") if credit else None
        found = lookup(line.text.strip(), line, "the credit line", name)
        if found is not None and credited is None:
            credited = found
    if site is not None:
        via = credited if credited is not None and credited.value != site.value else None
        return Outlets(site, via, tuple(unknown))
    return Outlets(credited, None, tuple(unknown))


# News agencies: canonical name → spellings (Latin ones matched as whole words, case-sensitive).
AGENCIES: Mapping[str, tuple[str, ...]] = {
    "Reuters": ("رويترز", "Reuters"),
    "AFP": (
        "فرانس برس",
        "وكالة الصحافة الفرنسية",
        "وكالة الأنباء الفرنسية",
        "AFP",
        "Agence France-Presse",
    ),
    "Associated Press": ("أسوشيتد برس", "أسوشيتدبرس", "Associated Press"),
    "ANSA": ("ANSA", "أنسا"),
    "TASS": ("وكالة تاس", "TASS", "Tass"),
    "RIA Novosti": ("ريا نوفوستي", "RIA Novosti"),
    "Sputnik": ("سبوتنيك", "Sputnik"),
    "Xinhua": ("شينخوا", "Xinhua"),
    "Interfax": ("إنترفاكس", "انترفاكس", "Interfax"),
    "Bloomberg": ("بلومبرغ", "بلومبيرغ", "Bloomberg"),
    "Anadolu": ("الأناضول", "Anadolu"),
    "MENA": ("وكالة أنباء الشرق الأوسط", "MENA"),
    "Adnkronos": ("Adnkronos",),
    "Agenzia Nova": ("Agenzia Nova",),
    "dpa": ("الألمانية للأنباء", "dpa"),
}


def find_agency(lines: Iterable[Line]) -> Found | None:
    """The news agencies the article text cites, in order of first mention."""
    hits: list[tuple[int, int, str, str]] = []
    for line in lines:
        for name, spellings in AGENCIES.items():
            for spelling in spellings:
                pattern = rf"(?<!\w)(?:\w{{0,3}}){re.escape(spelling)}(?!\w)"
                if spelling.isascii():
                    pattern = rf"(?<![\w-]){re.escape(spelling)}(?![\w-])"
                match = re.search(pattern, line.text)
                if match:
                    hits.append((line.number, match.start(), name, match.group(0)))
    if not hits:
        return None
    hits.sort()
    first: dict[str, tuple[int, int, str, str]] = {}
    for hit in hits:
        first.setdefault(hit[2], hit)
    names = list(first)
    evidence = "; ".join(f"line {h[0]} {h[3]!r}" for h in first.values())
    return Found(", ".join(names), f"cited in the text ({evidence})")


# Arabic proclitics that attach to the first word of a name (و ب ل ف ك and the article).
_PREFIXES = ("", "و", "ف", "ب", "ل", "ك", "ال", "وال", "فال", "بال", "كال", "لل", "ولل", "وب", "ول")


def _tokens(text: str) -> list[str]:
    return normalise(text).split()


def _matches(tokens: Sequence[str], needle: Sequence[str]) -> bool:
    first, rest = needle[0], list(needle[1:])
    firsts = {p + first for p in _PREFIXES}
    if first.startswith("ال"):
        firsts |= {p + first[2:] for p in ("لل", "ولل")}
    for i, token in enumerate(tokens):
        if token in firsts and list(tokens[i + 1 : i + 1 + len(rest)]) == rest:
            return True
    return False


def suggest_tags(text: str, tags: Mapping[str, Tag]) -> tuple[str, ...]:
    """Vocabulary tags whose label or alias the text mentions, in vocabulary order.

    Short all-capital aliases (AI, US, GPU) must match in capitals, so "us" or "ai" in running
    text do not count.
    """
    tokens = _tokens(text)
    raw_words = set(re.findall(r"\w+", text))
    found: list[str] = []
    for key, tag in tags.items():
        spellings = [*tag.labels.values(), *tag.aliases]
        for spelling in spellings:
            if spelling.isupper() and len(spelling) <= 4:
                if spelling in raw_words:
                    found.append(key)
                    break
                continue
            needle = _tokens(spelling)
            if needle and _matches(tokens, needle):
                found.append(key)
                break
    return tuple(found)
