"""`adue guide` as a user runs it: a subprocess on a session file it must never change."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import SESSION, session_data, write_session

REPO = Path(__file__).resolve().parents[2]


def adue(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        cwd=cwd or REPO,
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def session(tmp_path: Path) -> Path:
    return write_session(tmp_path / "contoso" / "adue-session.toml", SESSION)


def snapshot(path: Path) -> tuple[bytes, int, int]:
    info = path.stat()
    return path.read_bytes(), info.st_mtime_ns, stat.S_IMODE(info.st_mode)


def test_writes_a_german_html_guide(session: Path, tmp_path: Path) -> None:
    before = snapshot(session)
    out = tmp_path / "onboarding.html"
    result = adue(
        "guide", "--session", str(session), "--format", "html", "--lang", "de", "-o", str(out)
    )
    assert result.returncode == 0, result.stderr.decode()
    # the first line names the session's tenant and cloud, then the file written
    assert result.stdout.decode().splitlines() == [
        "Tenant: Contoso Ltd (6c1b9d7e-0a57-4c3e-9f0b-1f2d3c4b5a69) · cloud: global",
        str(out),
    ]
    html = out.read_text(encoding="utf-8")
    assert '<html lang="de"' in html
    assert "VPN und Geräteverwaltung" in html
    assert stat.S_IMODE(out.stat().st_mode) == 0o644  # a document to publish, no secret
    assert snapshot(session) == before


def test_without_format_writes_the_sessions_languages_and_formats(session: Path) -> None:
    before = snapshot(session)
    result = adue("--session", str(session), "guide", cwd=session.parent.parent)
    assert result.returncode == 0, result.stderr.decode()
    folder = session.parent / "guides"  # [guide] output_dir, next to the session
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(
        f"onboarding-guide-{lang}.{fmt}" for lang in ("en", "de") for fmt in ("md", "html", "pdf")
    )
    assert (folder / "onboarding-guide-de.pdf").read_bytes()[:5] == b"%PDF-"
    assert snapshot(session) == before


def test_markdown_to_standard_output(session: Path) -> None:
    result = adue("guide", "--session", str(session), "--format", "md", "--lang", "es", "-o", "-")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().startswith("# Configure su iPhone o iPad para Contoso")


def test_missing_session_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    result = adue("guide", "--session", str(missing), "--format", "md")
    assert result.returncode == 1
    assert f"session file {missing} not found" in result.stderr.decode()
    assert not missing.exists()


def test_invalid_toml_names_the_line_and_stays_untouched(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('[guide]\norganization = "Contoso\n')
    before = snapshot(broken)
    result = adue("guide", "--session", str(broken))
    assert result.returncode == 1
    error = result.stderr.decode()
    assert "is not valid TOML" in error
    assert "line 2" in error
    assert snapshot(broken) == before


def test_empty_organization_names_the_key_and_the_override(tmp_path: Path) -> None:
    data = session_data(organization="")
    data["tenant"]["organization"] = ""
    session = write_session(tmp_path / "s.toml", data)
    before = snapshot(session)
    out = tmp_path / "g.md"
    result = adue("guide", "--session", str(session), "--format", "md", "-o", str(out))
    assert result.returncode == 1
    error = result.stderr.decode()
    assert "[guide] organization is empty" in error
    assert "--organization" in error
    assert not out.exists()

    result = adue(
        "guide",
        "--session",
        str(session),
        "--format",
        "md",
        "--lang",
        "fr",
        "--organization",
        "Fabrikam",
        "-o",
        str(out),
    )
    assert result.returncode == 0, result.stderr.decode()
    assert "Fabrikam" in out.read_text(encoding="utf-8")
    assert snapshot(session) == before


def test_unknown_language_is_blamed_on_the_flag(session: Path) -> None:
    before = snapshot(session)
    result = adue("guide", "--session", str(session), "--lang", "xx", "--format", "md", "-o", "-")
    assert result.returncode == 1
    error = result.stderr.decode()
    assert "--lang has 'xx', which has no translation: use one of en, de, es, fr" in error
    # The session file is fine: it is not named, nor its [guide] languages.
    assert "[guide] languages" not in error
    assert str(session) not in error
    assert snapshot(session) == before


def test_unknown_language_in_the_session_is_blamed_on_the_session(tmp_path: Path) -> None:
    session = write_session(tmp_path / "s.toml", session_data(languages=["en", "xx"]))
    result = adue("guide", "--session", str(session), "--format", "md", "-o", "-")
    assert result.returncode == 1
    error = result.stderr.decode()
    assert f"{session}: cannot write the guide" in error
    assert "[guide] languages has 'xx'" in error
    assert "(or pass --lang)" in error
    assert "en, de, es, fr" in error


def test_bad_format_is_a_usage_error(session: Path) -> None:
    result = adue("guide", "--session", str(session), "--format", "docx")
    assert result.returncode == 64


def test_several_guides_into_an_existing_plain_file_is_refused(
    session: Path, tmp_path: Path
) -> None:
    target = tmp_path / "notes"
    target.write_text("x")
    result = adue("guide", "--session", str(session), "-o", str(target))
    assert result.returncode == 1
    assert "give a folder" in result.stderr.decode()
    assert target.read_text() == "x"


def test_one_file_name_for_several_languages_names_each_guide(
    session: Path, tmp_path: Path
) -> None:
    target = tmp_path / "onboarding.pdf"
    result = adue(
        "guide", "--session", str(session), "--format", "pdf", "--lang", "en,de", "-o", str(target)
    )
    assert result.returncode == 0, result.stderr.decode()
    written = sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".pdf")
    assert written == ["onboarding-de.pdf", "onboarding-en.pdf"]
    assert not target.exists()  # never a folder (or file) named like the one guide
    for name in written:
        assert (tmp_path / name).read_bytes()[:5] == b"%PDF-"
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644


def test_an_existing_folder_as_output_gets_the_default_name(session: Path, tmp_path: Path) -> None:
    result = adue(
        "guide", "--session", str(session), "--format", "pdf", "--lang", "fr", "-o", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr.decode()
    assert (tmp_path / "onboarding-guide-fr.pdf").read_bytes()[:5] == b"%PDF-"


def test_list_languages() -> None:
    result = adue("guide", "--list-languages")
    assert result.returncode == 0
    codes = [line.split("\t")[0] for line in result.stdout.decode().splitlines()]
    assert codes[:1] == ["en"]
    assert {"de", "fr", "es"} <= set(codes)


def test_importing_the_command_stays_light() -> None:
    code = (
        "import sys, tui.cli, tui.commands.guide, tui.guide;"
        "heavy = {'fpdf', 'segno', 'textual', 'msgraph', 'azure.identity'} & set(sys.modules);"
        "print(sorted(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.stdout.decode().strip() == "[]"
