"""Shared fixtures: a factory for tiny sites on disk, the fixture sites and the golden tree.

Refresh the golden output tree after an intended change to the output::

    /work/venv/bin/python -m pytest tests/test_golden.py --update-golden

then review ``git diff tests/golden`` before committing it.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from briefgen.build import build
from tests.helpers import VALID_SITE


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/ from the current output instead of comparing with it",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run was asked to refresh the golden trees."""
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def valid_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/sites/valid built once per session (read-only for tests: copy before changing)."""
    output = tmp_path_factory.mktemp("valid") / "out"
    build(VALID_SITE, output)
    return output


@pytest.fixture
def valid_copy(tmp_path: Path) -> Path:
    """A private copy of tests/sites/valid that a test may change."""
    root = tmp_path / "valid"
    shutil.copytree(VALID_SITE, root, ignore=shutil.ignore_patterns(".briefgen-cache"))
    return root


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
