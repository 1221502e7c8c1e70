"""The shape of values that become URL segments or links: vocabulary keys, slugs, URLs."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

# Vocabulary keys become URL segments: lower-case ASCII words joined by hyphens.
_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Slugs may use any script's letters and digits, but stay one safe path segment.
_SLUG = re.compile(r"^\w(?:[\w.-]*\w)?$")
SLUG_RULE = "use one path segment of letters, digits, '-', '_' or '.'"
"""What :func:`valid_slug` asks of a slug, for error messages."""


def valid_key(key: str) -> bool:
    """A tag or outlet key: lower-case ASCII words joined by hyphens (:data:`_KEY`)."""
    return bool(_KEY.match(key))


def valid_slug(slug: str) -> bool:
    """One safe path segment (:data:`_SLUG`); a letter's combining marks count as letters
    (Devanagari vowel signs, Arabic harakat: no NFC form composes them)."""
    word = "".join(c for i, c in enumerate(slug) if not (i and unicodedata.category(c)[0] == "M"))
    return bool(_SLUG.match(word)) and ".." not in slug


def valid_url(url: str) -> bool:
    """An absolute ``http`` or ``https`` URL (a source, an outlet's site)."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)
