"""adue in a real terminal: tmux runs it at 80x24 and we read the screen."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import tomllib
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.terminal

if shutil.which("tmux") is None and not os.environ.get("CI"):
    pytest.skip("tmux is not installed (CI installs it)", allow_module_level=True)


def tmux(name: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    # A private tmux server per test (-L): nothing else on the machine can kill it.
    return subprocess.run(["tmux", "-L", name, *args], capture_output=True, text=True, check=check)


def capture(name: str) -> str:
    return tmux(name, "capture-pane", "-t", name, "-p").stdout


def wait_for(name: str, text: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = capture(name)
        if text in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared; screen was:\n{screen}")


def test_adue_in_tmux_shows_the_shell_and_resumes(tmp_path: Path) -> None:
    name = f"adue-{uuid.uuid4().hex[:8]}"
    adue = Path(sys.executable).with_name("adue")
    command = f"{adue} --sandbox --session {tmp_path / 's.toml'}"
    env_prefix = "env -u NO_COLOR TERM=xterm-256color "
    tmux(name, "new-session", "-d", "-s", name, "-x", "80", "-y", "24", env_prefix + command)
    try:
        screen = wait_for(name, "Save & quit")
        assert "SANDBOX" in screen
        assert "1 Sign in" in screen
        assert "8 Employee guide" in screen
        assert "Next" in screen
        assert "Save & quit" in screen
        tmux(name, "send-keys", "-t", name, "C-n")
        screen = wait_for(name, "Run checks")
        assert "Apple push certificate" in screen
        tmux(name, "send-keys", "-t", name, "C-q")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            has = tmux(name, "has-session", "-t", name, check=False)
            if has.returncode != 0:
                break
            time.sleep(0.1)
        data = tomllib.loads((tmp_path / "s.toml").read_text())
        assert data["session"]["current_step"] == "prerequisites"
    finally:
        tmux(name, "kill-server", check=False)
