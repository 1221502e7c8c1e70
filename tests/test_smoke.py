"""The repository's own archive builds."""

from pathlib import Path

from briefgen.build import build

ROOT = Path(__file__).resolve().parent.parent


def test_repository_archive_builds(tmp_path: Path) -> None:
    report = build(ROOT, tmp_path / "out")
    assert report.articles == 5
    assert (tmp_path / "out" / "ar" / "index.html").is_file()
    assert (tmp_path / "out" / "it" / "index.html").is_file()
