"""Shared fixtures: a factory for tiny sites on disk."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

SITE_YML = """\
title:
  ar: أرشيف الاختبار
  it: Archivio di prova
base_url: https://example.org/archive/
languages: [ar, it]
per_page: 2
"""

TAGS_YML = """\
russia:
  label: {ar: روسيا, it: Russia}
china:
  label: {ar: الصين, it: Cina}
  aliases: [China, 中国]
"""

OUTLETS_YML = """\
meteoweb:
  name: MeteoWeb
  language: it
  country: IT
  url: https://www.meteoweb.eu/
al-akhbar:
  name: الأخبار
  language: ar
"""


def article(**fields: str) -> str:
    """An article file: front matter lines from ``fields`` (written verbatim), then a body."""
    body = fields.pop("body", "نص المقال.")
    front = "\n".join(f"{k}: {v}" for k, v in fields.items())
    return f"---\n{front}\n---\n{body}\n"


MakeSite = Callable[..., Path]


@pytest.fixture
def make_site(tmp_path: Path) -> MakeSite:
    """Write a site into a fresh directory and return its root.

    ``files`` maps paths to text (dedented); ``site.yml``, ``content/tags.yml`` and
    ``content/outlets.yml`` get defaults unless given; ``None`` leaves a file out.
    """

    def make(files: Mapping[str, str | bytes | None] | None = None, name: str = "site") -> Path:
        root = tmp_path / name
        defaults: dict[str, str | bytes | None] = {
            "site.yml": SITE_YML,
            "content/tags.yml": TAGS_YML,
            "content/outlets.yml": OUTLETS_YML,
        }
        defaults.update(files or {})
        for rel, text in defaults.items():
            if text is None:
                continue
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(textwrap.dedent(text), encoding="utf-8")
        return root

    return make
