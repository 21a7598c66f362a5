"""Files planted next to a session (issue 14): the lock file is never opened through a
symbolic link (the link's target stays untouched), a symlinked session is written
through to its target atomically and stays a link, and a refused command leaves no
stray lock file."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.plan.helpers import ROOT, example_session
from tui.session import Session, SessionError

VICTIM = b"precious: a file the person never meant adue to touch\n"


def _adue(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("dangling", [False, True])
def test_a_symlink_planted_as_the_lock_file_is_refused(dangling: bool, tmp_path: Path) -> None:
    session = example_session(tmp_path)
    victim = tmp_path / "elsewhere" / "victim.txt"
    victim.parent.mkdir()
    if not dangling:
        victim.write_bytes(VICTIM)
    lock = tmp_path / "rollout.toml.lock"
    lock.symlink_to(victim)
    before = session.read_bytes()

    with pytest.raises(SessionError, match="is a symbolic link") as caught:
        Session.open(session)
    assert f"rm {lock}" in str(caught.value)
    result = _adue("--session", str(session), cwd=tmp_path)  # the wizard, as a person starts it
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "never follows a link" in result.stderr

    assert lock.is_symlink()
    if dangling:
        assert not victim.exists()  # not created through the link either
    else:
        assert victim.read_bytes() == VICTIM
    assert session.read_bytes() == before


def test_a_fifo_planted_as_the_lock_file_is_refused(tmp_path: Path) -> None:
    session = example_session(tmp_path)
    os.mkfifo(tmp_path / "rollout.toml.lock")
    with pytest.raises(SessionError, match="not a regular file"):
        Session.open(session)


def test_a_symlinked_session_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    kept = tmp_path / "repo" / "rollout.toml"
    kept.parent.mkdir()
    example_session(kept.parent)
    work = tmp_path / "work"
    work.mkdir()
    link = work / "rollout.toml"
    link.symlink_to(Path("..") / "repo" / "rollout.toml")  # relative, as in a dotfiles repo
    inode = kept.stat().st_ino

    with Session.open(link) as session:
        session.set("guide", "organization", "Fabrikam")
        session.save()
    assert link.is_symlink()
    assert os.readlink(link) == str(Path("..") / "repo" / "rollout.toml")
    assert 'organization = "Fabrikam"' in kept.read_text(encoding="utf-8")
    assert kept.stat().st_ino != inode  # replaced atomically, not rewritten in place
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert not [p for p in (*kept.parent.iterdir(), *work.iterdir()) if p.suffix == ".tmp"]
    assert Session.read_only(link).get("guide", "organization") == "Fabrikam"


def test_a_dangling_session_link_is_refused_and_left_alone(tmp_path: Path) -> None:
    link = tmp_path / "rollout.toml"
    link.symlink_to(tmp_path / "gone" / "rollout.toml")
    result = _adue("plan", "--session", str(link), cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "symbolic link" in result.stderr
    assert link.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rollout.toml"]


def test_a_refused_open_removes_only_a_lock_file_it_created(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[session]\nschema = 0\n")
    with pytest.raises(SessionError):
        Session.open(broken)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.toml"]
    # A lock file that was there before (another adue's, or a killed one's) stays.
    (tmp_path / "broken.toml.lock").write_text("")
    with pytest.raises(SessionError):
        Session.open(broken)
    assert (tmp_path / "broken.toml.lock").exists()


def test_the_lock_still_excludes_a_second_opener(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    with Session.open(path), pytest.raises(SessionError, match="in use by"):
        Session.open(path)
    Session.open(path).close()
