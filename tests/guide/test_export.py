"""export(): the bytes of render(), mode 0644 (a published document), atomic, clear failures."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tui.guide import default_filename, export, export_all, render

from .conftest import make_settings


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("fmt", ["md", "html", "pdf"])
def test_export_writes_the_rendered_guide_readable(tmp_path: Path, fmt: str) -> None:
    settings = make_settings()
    previous = os.umask(0o077)  # even a strict umask leaves a guide readable to publish
    try:
        path = export(settings, "de", fmt, tmp_path / "new" / "folder" / f"guide.{fmt}")
    finally:
        os.umask(previous)
    assert path == tmp_path / "new" / "folder" / f"guide.{fmt}"
    assert mode(path) == 0o644
    expected = render(settings, "de", fmt)
    if fmt == "pdf":  # fpdf2 stamps the creation time: compare the text instead
        assert path.read_bytes()[:5] == b"%PDF-"
    else:
        assert path.read_bytes() == expected
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_replacing_a_private_file_makes_it_publishable(tmp_path: Path) -> None:
    target = tmp_path / "guide.md"
    target.write_text("old")
    target.chmod(0o600)
    export(make_settings(), "en", "md", target)
    assert mode(target) == 0o644
    assert target.read_text(encoding="utf-8").startswith("# Set up your iPhone or iPad")


def test_a_failed_replace_leaves_the_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "guide.html"
    target.write_text("old guide")

    def refuse(_src: str, _dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match=r"the disk holding .* is full"):
        export(make_settings(), "en", "html", target)
    assert target.read_text() == "old guide"
    assert [p.name for p in tmp_path.iterdir()] == ["guide.html"]


def test_a_folder_as_target_is_refused_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError, match="give a file name"):
        export(make_settings(), "en", "md", tmp_path)


def test_export_all_names_files_by_language_and_format(tmp_path: Path) -> None:
    settings = make_settings(languages=("en", "fr"), formats=("md", "html"))
    written = export_all(settings, tmp_path)
    assert [p.name for p in written] == [
        "onboarding-guide-en.md",
        "onboarding-guide-en.html",
        "onboarding-guide-fr.md",
        "onboarding-guide-fr.html",
    ]
    assert default_filename("de", "pdf") == "onboarding-guide-de.pdf"
    assert 'lang="fr"' in (tmp_path / "onboarding-guide-fr.html").read_text(encoding="utf-8")
