"""`adue --sandbox` on the `hostile` seed in a real terminal (tmux, 160x45): the names
with markup, OSC/ANSI/C1 sequences and bidi overrides are drawn as visible text, the
terminal never receives them as sequences (its title stays adue's own), and typing
`[/` into a search box crashes nothing (issue 14, point 2)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.wizard.test_full_run_terminal import ADUE, Terminal
from tui.sandbox.seeds import HOSTILE_ORGANIZATION
from tui.text import safe_text

pytestmark = pytest.mark.terminal

if shutil.which("tmux") is None and not os.environ.get("CI"):
    pytest.skip("tmux is not installed (CI installs it)", allow_module_level=True)

TITLE = "adue-hostile-title-untouched"
SIZE = ("-x", "160", "-y", "45")
FORBIDDEN = {chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))} - {"\n"}


class HostileTerminal(Terminal):
    def start(self) -> None:
        self.name = f"adue-hostile-{uuid.uuid4().hex[:8]}"
        self.tmux = ["tmux", "-L", self.name]
        command = (
            # COLUMNS/LINES from the test runner would override the pane's own size.
            f"env -u NO_COLOR -u ADUE_ACCESS_TOKEN -u ADUE_GRAPH_URL -u COLUMNS -u LINES "
            f"TERM=xterm-256color "
            f"ADUE_SANDBOX_SEED=hostile "
            f"HOME={self.folder / 'home'} XDG_STATE_HOME={self.folder / 'state'} "
            f"{ADUE} --sandbox --session {self.session_path}"
        )
        subprocess.run(
            [
                *self.tmux,
                "new-session",
                "-d",
                "-s",
                self.name,
                *SIZE,
                "-c",
                str(self.folder),
                command,
            ],
            check=True,
        )
        # A title of our own: an OSC 0/2 sequence reaching the terminal would replace it.
        subprocess.run([*self.tmux, "select-pane", "-t", self.name, "-T", TITLE], check=True)

    def title(self) -> str:
        shown = subprocess.run(
            [*self.tmux, "display-message", "-p", "-t", self.name, "#{pane_title}"],
            capture_output=True,
            text=True,
            check=True,
        )
        return shown.stdout.strip()

    def clean_screen(self) -> str:
        screen = self.screen()
        found = sorted({hex(ord(c)) for c in screen if c in FORBIDDEN})
        assert not found, f"control characters on screen: {found}\n{screen}"
        assert self.title() == TITLE, f"the terminal title changed to {self.title()!r}"
        return screen


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[HostileTerminal]:
    term = HostileTerminal(tmp_path)
    try:
        yield term
    finally:
        term.stop()


def test_hostile_names_in_a_real_terminal(terminal: HostileTerminal) -> None:
    terminal.start()
    terminal.wait_for_text("Save & quit")
    shown_org = safe_text(HOSTILE_ORGANIZATION)
    assert "␛]0;PWNED-ORG␇" in shown_org
    terminal.wait_for_text(shown_org)  # the header, before signing in
    terminal.clean_screen()

    # Sign in: the result names the organisation literally and sign-in finishes.
    terminal.keys("Tab", "Enter")
    terminal.wait_for_text("Signed in as admin@contoso.com")
    screen = terminal.clean_screen()
    assert f"Tenant: {shown_org}" in screen

    # Prerequisites: the VPP token's organisation carries markup, an OSC and a bidi override.
    terminal.keys("C-n")
    terminal.wait_for_text("Apple VPP")
    terminal.wait_for_text("[red]Contoso[/] ␛]0;PWNED-VPP␇VPP <U+202E>Ltd")
    terminal.clean_screen()

    # Enrollment profile: "[/" typed into the search box, then a real search.
    for _ in range(3):
        terminal.keys("C-n")
    terminal.wait_for_text("Profile name")
    terminal.keys("Tab", "Tab", "Tab")
    terminal.keys("[/", literal=True)
    time.sleep(1.0)
    assert terminal.running(), f"adue exited; last screen:\n{terminal.last_screen}"
    terminal.wait_for_text("“[/”")
    terminal.keys("BSpace", "BSpace")
    terminal.keys("OSC", literal=True)
    terminal.wait_for_text("␛]0;PWNED-TITLE␇OSC title group")
    terminal.clean_screen()
    terminal.keys("BSpace", "BSpace", "BSpace")
    terminal.keys("Finance", literal=True)
    terminal.wait_for_text("Finance [/]")
    terminal.clean_screen()

    terminal.keys("C-q")
    terminal.wait(lambda: not terminal.running(), "adue exit", 15)
