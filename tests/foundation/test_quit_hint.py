"""Quitting the wizard says where the session is saved and how to resume it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tui.commands.wizard import resume_hint


def quit_at_once(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """adue run headless by Textual's own driver, which presses ctrl+q once it is ready."""
    env = {
        **os.environ,
        "HOME": str(cwd / "home"),
        "TEXTUAL_DRIVER": "textual.drivers.headless_driver:HeadlessDriver",
        "TEXTUAL_PRESS": "ctrl+q",
    }
    env.pop("ADUE_ACCESS_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env=env,
    )


def test_quit_prints_the_session_and_the_command_that_resumes_it(tmp_path: Path) -> None:
    (tmp_path / "rollouts").mkdir()
    result = quit_at_once("--session", "rollouts/contoso one.toml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Session saved in rollouts/contoso one.toml (step 1 of 8: Sign in)." in result.stdout
    assert "Resume with: adue --session 'rollouts/contoso one.toml'" in result.stdout
    assert "Without the wizard: adue plan --session 'rollouts/contoso one.toml'" in result.stdout
    assert (tmp_path / "rollouts" / "contoso one.toml").exists()


def test_the_default_sessions_resume_without_options() -> None:
    lines = resume_hint("adue-session.toml", sandbox=False, step="guide").splitlines()
    assert lines[1:] == ["Resume with: adue", "Without the wizard: adue plan (then apply)"]
    hint = resume_hint("adue-sandbox-session.toml", sandbox=True, step="priority")
    assert "(step 6 of 8: Priority)" in hint
    # Both commands work on the wizard's sandbox session (tests/plan/test_wizard_sandbox_*).
    assert hint.splitlines()[1:] == [
        "Resume with: adue --sandbox",
        "Without the wizard: adue --sandbox plan (then apply)",
    ]
