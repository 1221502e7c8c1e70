"""Exit codes and messages of the command line: 0 done, 1 archive errors, 2 usage errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from briefgen.cli import main
from tests.conftest import MakeSite
from tests.helpers import VALID_SITE

ROOT = Path(__file__).resolve().parent.parent


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


def in_c_locale(encoding: str | None, *args: str | Path) -> subprocess.CompletedProcess[bytes]:
    """``python -m briefgen ARGS`` in the C locale, without Python's UTF-8 mode or locale
    coercion: stdout and stderr are ASCII, or ``encoding`` (``PYTHONIOENCODING``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "PYTHONIO"))}
    env.update(LC_ALL="C", PYTHONUTF8="0", PYTHONCOERCECLOCALE="0", PYTHONPATH=str(ROOT))
    if encoding is not None:
        env["PYTHONIOENCODING"] = encoding
    command = [sys.executable, "-m", "briefgen", *map(str, args)]
    done = subprocess.run(command, capture_output=True, env=env, cwd=ROOT, timeout=120)
    assert b"Traceback" not in done.stderr and b"Logging error" not in done.stderr, done.stderr
    return done


def escaped(text: str) -> str:
    return text.encode("ascii", "backslashreplace").decode("ascii")


@pytest.mark.parametrize("encoding", [None, "latin-1", "ascii", "ascii:strict"])
def test_a_terminal_that_cannot_show_arabic_gets_escapes_not_a_crash(
    encoding: str | None, valid_copy: Path, make_site: MakeSite, tmp_path: Path
) -> None:
    """What the encoding lacks is escaped (\\u2192 for the summary's arrow, \\u0631 for
    Arabic in a message); a file name's bytes are written as they are; exit codes as usual."""
    built = in_c_locale(encoding, "-v", "build", "--no-search", "--source", valid_copy)
    assert built.returncode == 0
    assert built.stdout.startswith(b"built ") and b" \\u2192 " in built.stdout

    tag = "روسيا-مجهولة"
    name = "content/articles/ar/مقال.md"
    front = f"title: عنوان\ndate: 2025-01-02\noutlet: al-akhbar\nlanguage: ar\ntags: [{tag}]"
    bad = make_site({name: f"---\n{front}\nsummary: ملخص.\n---\nنص المقال.\n"})
    checked = in_c_locale(encoding, "check", "--source", bad)
    assert checked.returncode == 1
    assert f"{bad / name}:6: tags: unknown tag '{escaped(tag)}'" in checked.stderr.decode("utf-8")
    # JSON escapes are JSON's own: the report reads back with the Arabic and the file name.
    listed = in_c_locale(encoding, "check", "--format", "json", "--source", bad)
    assert listed.returncode == 1
    found = [(p["path"], p["line"], p["message"]) for p in json.loads(listed.stdout)]
    assert (str(bad / name), 6, f"tags: unknown tag {tag!r}") in found

    raw = sorted((ROOT / "tests/import_seeds").glob("*.txt"))[0]
    imported = in_c_locale(encoding, "import", "--dry-run", "--source", valid_copy, raw)
    assert imported.returncode == 0
    assert escaped("الأرصاد الجوية") in imported.stdout.decode("ascii")

    helped = in_c_locale(encoding, "--help")
    assert helped.returncode == 0 and b"briefgen" in helped.stdout


def test_a_reader_that_stops_reading_ends_check_quietly(make_site: MakeSite) -> None:
    """``briefgen check --format json | head``: when the pipe closes, briefgen stops without a
    traceback, with the shell's code for a closed pipe (128 + SIGPIPE)."""
    front = "title: T\ndate: 2025-01-02\noutlet: al-akhbar\nlanguage: ar\ntags: [nowhere]"
    files = {f"content/articles/ar/a{i:04d}.md": f"---\n{front}\n---\nنص.\n" for i in range(800)}
    bad = make_site(files)
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefgen", "check", "--format", "json", "--source", str(bad)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(10).startswith(b"[")
    proc.stdout.close()  # what `head` does once it has its lines
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=60) == 141
    assert err == ""
