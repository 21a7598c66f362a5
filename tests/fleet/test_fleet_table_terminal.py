"""The fleet table in a real terminal: tmux runs `adue fleet --fleet FILE` at 80x24 over
a fleet sandbox (gdap: the partner admin's device code, approved by the sandbox), and
we read the screen: the sign-in, a fleet apply from the table, a tenant's wizard and
back to the table."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.fleet.helpers import count_named, fleet_file
from tests.foundation.test_terminal import capture, tmux, wait_for
from tui.sandbox.fleet import start_fleet_sandbox

pytestmark = pytest.mark.terminal

if shutil.which("tmux") is None and not os.environ.get("CI"):
    pytest.skip("tmux is not installed (CI installs it)", allow_module_level=True)


def test_fleet_table_in_tmux_signs_in_applies_opens_a_wizard_and_comes_back(
    tmp_path: Path,
) -> None:
    # The sandbox approves the device code it showed after a second (as a partner admin
    # entering it on another device would).
    with start_fleet_sandbox(4, device_auto_approve_seconds=1) as sb:
        path = fleet_file(sb, tmp_path, mode="gdap")
        name = f"adue-fleet-{uuid.uuid4().hex[:8]}"
        adue = Path(sys.executable).with_name("adue")
        env = (
            f"env -u NO_COLOR -u AZURE_CLIENT_SECRET TERM=xterm-256color"
            f" HOME={shlex.quote(str(tmp_path / 'home'))}"
            f" XDG_STATE_HOME={shlex.quote(str(tmp_path / 'state'))} "
        )
        command = f"{adue} fleet --fleet {shlex.quote(str(path))}"
        tmux(name, "new-session", "-d", "-s", name, "-x", "80", "-y", "24", env + command)
        try:
            wait_for(name, "Not signed in (gdap)")
            screen = wait_for(name, "Apply all")
            assert "t01" in screen
            assert "t04" in screen
            assert "Apply all" in screen
            tmux(name, "send-keys", "-t", name, "s")
            screen = wait_for(name, "enter the code")  # the device code, inside the TUI
            wait_for(name, "Signed in for the fleet as")
            tmux(name, "send-keys", "-t", name, "a")
            wait_for(name, "Apply in 4 tenant(s)?")
            tmux(name, "send-keys", "-t", name, "Tab", "Enter")  # Cancel has the focus
            screen = wait_for(name, "Done. 4 tenant(s)", timeout=60)
            assert screen.count("applied") >= 4, screen
            assert all(count_named(sb, m.label) == (1, 1) for m in sb.fleet)
            tmux(name, "send-keys", "-t", name, "Down", "Enter")  # t02's wizard
            screen = wait_for(name, "Save & quit")
            assert "1 Sign in" in screen
            assert "8 Employee guide" in screen
            tmux(name, "send-keys", "-t", name, "C-q")
            wait_for(name, "Back from t02's wizard")
            screen = wait_for(name, "Apply all")
            assert "Signed in for the fleet" in screen  # the one sign-in is kept
            assert "t01" in screen
            assert "Apply all" in screen
            tmux(name, "send-keys", "-t", name, "C-q")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if tmux(name, "has-session", "-t", name, check=False).returncode != 0:
                    break
                time.sleep(0.1)
            else:
                raise AssertionError(f"adue fleet did not quit:\n{capture(name)}")
        finally:
            tmux(name, "kill-server", check=False)


def test_quitting_while_the_device_code_waits_ends_adue_at_once(tmp_path: Path) -> None:
    with start_fleet_sandbox(2) as sb:  # nobody approves this code
        path = fleet_file(sb, tmp_path, mode="gdap")
        name = f"adue-fleet-{uuid.uuid4().hex[:8]}"
        adue = Path(sys.executable).with_name("adue")
        env = (
            f"env -u NO_COLOR TERM=xterm-256color HOME={shlex.quote(str(tmp_path / 'home'))}"
            f" XDG_STATE_HOME={shlex.quote(str(tmp_path / 'state'))} "
        )
        command = f"{adue} fleet --fleet {shlex.quote(str(path))}"
        tmux(name, "new-session", "-d", "-s", name, "-x", "80", "-y", "24", env + command)
        try:
            wait_for(name, "Apply all")
            tmux(name, "send-keys", "-t", name, "s")
            wait_for(name, "enter the code")
            tmux(name, "send-keys", "-t", name, "Escape")  # cancel the dialog
            wait_for(name, "Apply all")
            tmux(name, "send-keys", "-t", name, "C-q")
            deadline = time.monotonic() + 10  # not the code's 15 minutes
            while time.monotonic() < deadline:
                if tmux(name, "has-session", "-t", name, check=False).returncode != 0:
                    break
                time.sleep(0.1)
            else:
                raise AssertionError(f"adue fleet did not quit:\n{capture(name)}")
        finally:
            tmux(name, "kill-server", check=False)
