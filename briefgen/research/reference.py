"""The formatted reference of an article page: citeproc-py's output, reused across articles.

citeproc-py walks the whole CSL style for every item, about 4 ms an article: more than the rest
of an article page, and most of a 10,000-article build. Yet two articles of one language, with
the same fields and a date of the same precision, differ in the reference only by their strings,
their year, their month and their day. So citeproc formats a *probe* once per such
shape, with a marker in place of each string, and the result becomes a template that later
articles fill in.

The template is used only where that is provably what citeproc would print:

* markers are letters and periods (``qz.ak.qz``), lower case in one probe and upper case in
  the other, so a case transform or ``strip-periods`` the style applies to a field shows up as
  a marker that is no longer found, and that shape falls back to citeproc for good;
* a value is filled in only when citeproc could not treat it differently from a marker: a
  letter, digit, bracket or slash at both ends (styles move or merge punctuation and quotation
  marks at a field's edges), no ``&<>``, not empty;
* the year and the day are plain numbers in the template, checked by a second probe with other
  digits, with no letter or digit next to them (no ordinal suffix, no leading zero); day 1 has a
  shape of its own, probed as itself (some locales write ``1º``);
* the month is the style's locale term (``marzo``, ``مارس``) exactly as the locale spells it,
  found in both probes (March in one, October in the other). A style that abbreviates,
  capitalises or numbers months fails that check, and its shapes are then made per month, as a
  month name can only be printed from its term, never computed;
* the access date (``accessed``, which Cite Them Right prints as "(Accessed: 3 January 2025)")
  is a second date, probed the same way with digits and months of its own; an item whose two
  dates both fall on the first of a month, or a locale without usable month names, goes to
  citeproc;
* any other digit in a probe's output disables the template for that shape.

Anything else is formatted by citeproc, item by item. ``tests/test_research.py`` compares the
two on every shape of the fixture sites and on adversarial titles.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from citeproc import (  # type: ignore[import-untyped]
    Citation,
    CitationItem,
    CitationStylesBibliography,
    formatter,
)
from citeproc.source.json import CiteProcJSON  # type: ignore[import-untyped]
from markupsafe import Markup

STRING_FIELDS = (
    "title",
    "URL",
    "archive",
    "container-title",
    "original-publisher",
    "abstract",
    "keyword",
    "note",
)
"""CSL fields whose values are free text: replaced by markers in a probe."""

_MARKERS = {name: f"qz.{chr(97 + i)}{chr(107 + i)}.qz" for i, name in enumerate(STRING_FIELDS)}
"""Lower case with periods: title case, capitalising or ``strip-periods`` alters a marker."""
_UPPER_MARKERS = {name: marker.upper() for name, marker in _MARKERS.items()}
"""The second probe's markers: lower-casing alters them (title case leaves upper case alone)."""
DATES = ("issued", "accessed")
"""The CSL dates an item may have; a template's date slots are ``(variable, part)``."""
_PROBES: Mapping[str, tuple[tuple[int, int], tuple[int, int], tuple[int, int]]] = {
    "issued": ((1111, 2222), (3, 10), (14, 27)),
    "accessed": ((1333, 2444), (5, 11), (16, 29)),
}
"""Per date, the (years, months, days) of the two probes: no two alike, so every slot is
found in its own place."""
_UNSAFE = frozenset("&<>")
"""Characters that would reach citeproc escaped (its output is compared escaped, not raw)."""
_DIGITS = re.compile(r"\d")
_ALTERED = re.compile(r"qz\.?[a-z]{2}\.?qz", re.IGNORECASE)


def format_item(style: Any, item: Mapping[str, Any]) -> str:
    """citeproc-py's HTML for one CSL-JSON item whose strings are already HTML-escaped."""
    bibliography = CitationStylesBibliography(style, CiteProcJSON([dict(item)]), formatter.html)
    bibliography.register(Citation([CitationItem(item["id"])]))
    return "".join(str(entry) for entry in bibliography.bibliography())


def escaped(item: Mapping[str, Any]) -> dict[str, Any]:
    """The item with every string HTML-escaped: citeproc-py's HTML formatter does not escape."""
    return {k: (html.escape(v, quote=True) if isinstance(v, str) else v) for k, v in item.items()}


def fillable(value: object) -> bool:
    """True when citeproc prints ``value`` exactly as it prints a marker in its place."""
    return (
        isinstance(value, str)
        and value != ""
        and _plain_edge(value[0])
        and (_plain_edge(value[-1]) or _mark_after_letter(value))
        and _UNSAFE.isdisjoint(value)
    )


def _plain_edge(char: str) -> bool:
    """Letters, digits, brackets and the slash URLs end with: CSL merges none of them."""
    return char.isalnum() or char in "/[]()"


def _mark_after_letter(value: str) -> bool:
    """A value ending in combining marks on a letter (Arabic tanween or shadda: ``نموذجاً``)."""
    end = len(value)
    while end and unicodedata.category(value[end - 1]) == "Mn":
        end -= 1
    return 0 < end < len(value) and value[end - 1].isalpha()


@dataclass(frozen=True, slots=True)
class Template:
    """A probe's output cut at its markers: text, then ``(kind, name)`` slots."""

    parts: tuple[str | tuple[str, str], ...]

    @property
    def fields(self) -> frozenset[str]:
        """The string fields the style prints."""
        return frozenset(p[1] for p in self.parts if isinstance(p, tuple) and p[0] == "field")

    def has_month(self, variable: str = "issued") -> bool:
        """The month of ``variable`` is a slot (filled with its name)."""
        return (variable, "month") in self.parts

    def fill(self, strings: Mapping[str, str], dates: Mapping[tuple[str, str], str]) -> str:
        """The reference: ``strings`` by field, ``dates`` by ``(variable, part)``."""
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            elif part[0] == "field":
                out.append(strings[part[1]])
            else:
                out.append(dates[part])
        return "".join(out)


def date_parts(item: Mapping[str, Any], variable: str) -> list[int]:
    """The parts of a date of ``item`` (``issued``, ``accessed``); none when it has none."""
    return list(item[variable]["date-parts"][0]) if variable in item else []


def _probe(
    item: Mapping[str, Any], markers: Mapping[str, str], dates: Mapping[str, tuple[int, int, int]]
) -> dict[str, Any]:
    """``item`` with markers for its strings and ``dates``' (year, month, day) for its dates (a
    month or day of 0: the item's own)."""
    probe = {k: markers.get(k, v) for k, v in item.items()}
    probe["id"] = "probe"
    for variable, (year, month, day) in dates.items():
        parts = date_parts(item, variable)
        if not parts:
            continue
        parts[0] = year
        if len(parts) >= 2 and month:
            parts[1] = month
        if len(parts) == 3 and day:
            parts[2] = day
        probe[variable] = {"date-parts": [parts]}
    return probe


def month_terms(style: Any) -> tuple[str, ...] | None:
    """The style's locale's long month names, January first; None when they cannot stand in a
    template (missing, or with digits or periods, which styles may strip)."""
    try:  # the terms citeproc-py's long-form date-part looks up (the style's, then the locale's)
        terms = [style.root.get_term(f"month-{m:02d}") for m in range(1, 13)]
        found = [t.text if t is not None and len(t) == 0 else None for t in terms]
    except (AttributeError, LookupError, TypeError):
        return None
    names = tuple(n for n in found if isinstance(n, str) and n)
    if len(set(names)) != 12 or any("." in n or _DIGITS.search(n) for n in names):
        return None
    return names


def _cut(
    text: str,
    markers: Mapping[str, str],
    fields: tuple[str, ...],
    dates: Mapping[tuple[str, str], str],
) -> Template | None:
    """``text`` as a template, or None when it is not one (a marker altered, a stray digit).

    ``dates``: the text each date slot ``(variable, part)`` was probed with."""
    slots: dict[str, tuple[str, str]] = {markers[f]: ("field", f) for f in fields}
    for slot, probed in dates.items():
        if probed in slots:
            return None  # two slots print alike (both days the first): not a template
        slots[probed] = slot
    # The longest first: a day "1" must not cut a year "1333" apart.
    found = sorted(slots, key=len, reverse=True)
    pieces = re.split("(" + "|".join(re.escape(t) for t in found) + ")", text)
    parts: list[str | tuple[str, str]] = []
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            if _DIGITS.search(piece) or _ALTERED.search(piece):
                return None  # a digit the template cannot account for, or a transformed marker
            if piece:
                parts.append(piece)
            continue
        slot = slots[piece]
        if slot[0] != "field":
            before, after = pieces[index - 1], pieces[index + 1]
            if (before and before[-1].isalnum()) or (after and after[0].isalnum()):
                return None  # an ordinal suffix or a glued letter: not a plain value
        parts.append(slot)
    return Template(tuple(parts))


class ReferenceFormatter:
    """Formats references with one CSL style per language, reusing citeproc's work by shape."""

    def __init__(self, style_for: Any) -> None:
        self._style_for = style_for
        self._templates: dict[tuple[object, ...], Template | None] = {}
        self._months: dict[str, tuple[str, ...] | None] = {}

    @staticmethod
    def shape(item: Mapping[str, Any], locale: str | None = None) -> tuple[object, ...]:
        """What two items must share to be formatted from one template: the style's language
        (``locale``, else the item's), the item's language, the fields present, each date's
        precision, and whether its day is the first."""
        dates: list[object] = []
        for variable in DATES:
            parts = date_parts(item, variable)
            dates += [len(parts), len(parts) == 3 and parts[2] == 1]
        own = str(item.get("language", ""))
        style = own if locale is None else locale
        key = (style, tuple(sorted(item)), *dates)
        return key if style == own else (*key, own)

    def __call__(self, item: Mapping[str, Any], locale: str | None = None) -> Markup:
        """The reference of ``item`` in the style of ``locale`` (a language the style has
        terms for; the item's own language when None)."""
        language = str(item.get("language", "")) if locale is None else locale
        safe = escaped(item)
        parts = date_parts(item, "issued")
        key = self.shape(item, language)
        if key not in self._templates:
            self._templates[key] = self._compile(language, item, None)
        template = self._templates[key]
        if template is None and len(parts) > 1:
            # The month could not be a slot: a template per month (``None`` marks the shape).
            key = (*key, parts[1])
            if key not in self._templates:
                self._templates[key] = self._compile(language, item, parts[1])
            template = self._templates[key]
        if template is None or not all(fillable(item[f]) for f in template.fields):
            return Markup(format_item(self._style_for(language), safe))
        return Markup(template.fill(safe, self._date_values(template, item, language)))

    def _date_values(
        self, template: Template, item: Mapping[str, Any], language: str
    ) -> dict[tuple[str, str], str]:
        """The text of each date slot of ``template`` for ``item``."""
        values: dict[tuple[str, str], str] = {}
        for variable in DATES:
            year, month, day = [*date_parts(item, variable), 0, 0, 0][:3]
            values[(variable, "year")] = str(year)
            values[(variable, "day")] = str(day)
            if template.has_month(variable):
                names = self._months[language]
                assert names is not None  # a month slot is made only from the locale's names
                values[(variable, "month")] = names[month - 1]
        return values

    def _compile(
        self, language: str, item: Mapping[str, Any], month: int | None
    ) -> Template | None:
        """The template for ``item``'s shape, checked against a second probe; None if unsafe.

        ``month``: None for a template whose issued month is a slot (probed with two months),
        else the one month the template is for (an access date's month is always a slot)."""
        style = self._style_for(language)
        if language not in self._months:
            self._months[language] = month_terms(style)
        names = self._months[language]
        fields = tuple(k for k in item if k in _MARKERS)
        templates: list[Template] = []
        for probe in (0, 1):
            markers = (_MARKERS, _UPPER_MARKERS)[probe]
            dates: dict[str, tuple[int, int, int]] = {}
            slots: dict[tuple[str, str], str] = {}
            for variable in DATES:
                parts = date_parts(item, variable)
                if not parts:
                    continue
                years, months, days = _PROBES[variable]
                fixed = month is not None and variable == "issued"
                if len(parts) > 1 and not fixed and names is None:
                    return None  # no usable month names: per month, or citeproc
                probed_month = months[probe] if len(parts) > 1 and not fixed else 0
                probed_day = (1 if parts[2] == 1 else days[probe]) if len(parts) == 3 else 0
                dates[variable] = (years[probe], probed_month, probed_day)
                slots[(variable, "year")] = str(years[probe])
                if probed_month and names is not None:
                    slots[(variable, "month")] = names[probed_month - 1]
                if probed_day:
                    slots[(variable, "day")] = str(probed_day)
            text = format_item(style, _probe(item, markers, dates))
            cut = _cut(text, markers, fields, slots)
            if cut is None or (templates and templates[0] != cut):
                return None  # the digits are not plain numbers, or the shape is unstable
            templates.append(cut)
        return templates[0]
