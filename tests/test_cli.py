"""Exit codes and messages of the command line: 0 done, 1 archive errors, 2 usage errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.cli import main
from tests.helpers import VALID_SITE


def test_build_reports_what_it_wrote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--source", str(VALID_SITE), "--output", str(tmp_path / "o")]) == 0
    out, err = capsys.readouterr()
    # The summary counts exactly the files in the output (the manifest is not a page).
    written = sum(1 for p in (tmp_path / "o").rglob("*") if p.is_file()) - 1
    assert out.startswith(f"built {written} files (5 articles, 0 unchanged)")
    assert err == ""


def test_drafts_are_built_on_request(tmp_path: Path) -> None:
    output = tmp_path / "o"
    assert main(["build", "--source", str(VALID_SITE), "--output", str(output), "--drafts"]) == 0
    assert (output / "it/articles/inedito/index.html").is_file()


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_missing_source_is_a_usage_error(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, "--source", str(tmp_path / "nowhere")]) == 2
    assert "no such directory" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_directory_without_site_yml_is_a_usage_error(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, "--source", str(tmp_path)]) == 2
    assert "site.yml: not found" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_an_output_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    output = tmp_path / "file"
    output.write_text("mine\n")
    assert main(["build", "--source", str(VALID_SITE), "--output", str(output)]) == 2
    assert output.read_text() == "mine\n"


def test_an_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["build", "--no-such-flag"])
    assert exited.value.code == 2
    assert "--no-such-flag" in capsys.readouterr().err
