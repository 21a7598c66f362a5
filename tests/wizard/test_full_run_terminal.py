"""A whole rollout typed into a real terminal: tmux runs `adue --sandbox` at 80x24 and we
press keys as an admin would, from sign-in to an applied setup, then quit and resume."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.terminal

if shutil.which("tmux") is None and not os.environ.get("CI"):
    pytest.skip("tmux is not installed (CI installs it)", allow_module_level=True)

ADUE = Path(sys.executable).with_name("adue")


class Terminal:
    def __init__(self, folder: Path) -> None:
        self.name = ""
        self.tmux: list[str] = []
        self.folder = folder
        self.session_path = folder / "rollout.toml"
        self.last_screen = ""

    def start(self) -> None:
        # A private tmux server per start: nothing else on the machine can kill it, and
        # a server still exiting after the last run cannot take the new one down.
        self.name = f"adue-full-{uuid.uuid4().hex[:8]}"
        self.tmux = ["tmux", "-L", self.name]
        command = (
            f"env -u NO_COLOR -u ADUE_ACCESS_TOKEN -u ADUE_GRAPH_URL TERM=xterm-256color "
            f"HOME={self.folder / 'home'} XDG_STATE_HOME={self.folder / 'state'} "
            f"{ADUE} --sandbox --session {self.session_path}"
        )
        size = ["-x", "80", "-y", "24"]
        where = ["-c", str(self.folder)]
        subprocess.run(
            [*self.tmux, "new-session", "-d", "-s", self.name, *size, *where, command], check=True
        )

    def keys(self, *keys: str, literal: bool = False) -> None:
        flags = ["-l"] if literal else []
        subprocess.run([*self.tmux, "send-keys", "-t", self.name, *flags, *keys], check=True)
        time.sleep(0.3)

    def screen(self) -> str:
        shown = subprocess.run(
            [*self.tmux, "capture-pane", "-t", self.name, "-p"], capture_output=True, text=True
        )
        if shown.returncode != 0:
            raise AssertionError(f"adue is gone; its last screen was:\n{self.last_screen}")
        self.last_screen = shown.stdout
        return shown.stdout

    def wait_for_text(self, text: str, timeout: float = 30) -> str:
        self.wait(lambda: text in self.screen(), f"{text!r} on screen", timeout)
        return self.last_screen

    def session(self) -> dict[str, Any]:
        try:
            return tomllib.loads(self.session_path.read_text())
        except (FileNotFoundError, tomllib.TOMLDecodeError):
            return {}

    def wait_for_session(self, check: Callable[[dict[str, Any]], bool], what: str) -> None:
        self.wait(lambda: bool(self.session()) and check(self.session()), what, 40)

    def wait(self, condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.2)
        raise AssertionError(f"never saw {what}; last screen:\n{self.last_screen}")

    def running(self) -> bool:
        has = subprocess.run([*self.tmux, "has-session", "-t", self.name], capture_output=True)
        return has.returncode == 0

    def stop(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], capture_output=True)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = Terminal(tmp_path)
    try:
        yield term
    finally:
        term.stop()


def status(step: str) -> Callable[[dict[str, Any]], bool]:
    return lambda data: data.get(step, {}).get("status") == "done"


def test_a_whole_rollout_by_keystrokes_then_quit_and_resume(terminal: Terminal) -> None:
    terminal.start()
    terminal.wait_for_text("Save & quit")
    terminal.wait_for_text("Contoso (sandbox)")  # the sandbox is up

    # 1. Sign in: the device code appears inside the TUI; the sandbox approves it.
    terminal.keys("Tab", "Enter")
    terminal.wait_for_text("enter the code")
    terminal.wait_for_text("Signed in as admin@contoso.com")

    # 2. Prerequisites: the checks run by themselves; confirm the Apple side.
    terminal.keys("C-n")
    terminal.wait_for_text("Intune licence")
    terminal.wait_for_session(lambda d: "last_checked" in d["prerequisites"], "checks run")
    terminal.wait_for_text("✔ pass Intune licence")
    terminal.keys("Tab", "Tab", "Space")  # Run checks -> the federation checkbox
    terminal.wait_for_session(
        lambda d: d["prerequisites"].get("federation_confirmed") is True, "federation confirmed"
    )
    terminal.wait_for_text("All prerequisites are met")

    # 3-4. The SSO extension and Authenticator defaults (all users) are accepted; a
    # complete step becomes done as the admin goes through it (Next).
    terminal.keys("C-n")
    terminal.wait_for_session(status("prerequisites"), "prerequisites done")
    terminal.wait_for_text("Policy name")
    terminal.keys("C-n")
    terminal.wait_for_text("Licences: 250 total")
    terminal.wait_for_session(status("sso_extension"), "SSO step done")

    # 5. The enrollment profile needs a user group: search, pick.
    terminal.keys("C-n")
    terminal.wait_for_text("Profile name")
    terminal.keys("Tab", "Tab", "Tab")
    terminal.keys("BYOD", literal=True)
    terminal.wait_for_text("BYOD pilot")
    terminal.keys("Enter")
    terminal.keys("Enter")
    terminal.wait_for_session(
        lambda d: [g.get("name") for g in d["enrollment_profile"]["groups"]] == ["BYOD pilot"],
        "the profile's group saved",
    )

    # 6. Priority as proposed (ours first); 7. review and apply.
    terminal.keys("C-n")
    terminal.wait_for_text("new: iOS – account-driven user enrollment")
    terminal.keys("C-n")
    terminal.wait_for_text("changes to apply")
    terminal.keys("Tab", "Enter")
    terminal.wait_for_text("Apply the plan?")
    terminal.keys("Tab", "Enter")
    terminal.wait_for_session(lambda d: d["review"].get("last_result") == "ok", "apply ok")
    screen = terminal.wait_for_text("Applied:")
    assert "all done" in screen

    data = terminal.session()
    policy_id = data["sso_extension"]["policy_id"]
    profile_id = data["enrollment_profile"]["profile_id"]
    assert policy_id
    assert profile_id
    assert all(entry["result"] == "ok" for entry in data["journal"])
    # The sandbox tenant (kept beside the session; written shortly after each change)
    # now holds these objects.
    state_file = terminal.folder / "rollout.sandbox-state.json"

    def state_has_them() -> bool:
        text = json.dumps(json.loads(state_file.read_text()))
        return policy_id in text and profile_id in text

    terminal.wait(state_has_them, "the sandbox state file holding the new objects", 10)

    # Quit halfway through the guide step, start again: same step, signed in again.
    terminal.keys("C-n")
    terminal.wait_for_text("Organisation")
    terminal.keys("C-q")
    terminal.wait(lambda: not terminal.running(), "adue exit", 15)
    assert terminal.session()["session"]["current_step"] == "guide"
    terminal.start()
    terminal.wait_for_text("Employee guide")
    terminal.wait_for_text("Organisation")
    assert "● 7 Review & apply" in terminal.screen()
