"""In a real terminal at 80x24 (tmux), the highlighted row of a long list stays on
screen while the admin moves down it: the step panel scrolls with the list, not only
the list itself (issue 17, point 5). The list: the Priority step's 50 profiles on
the sandbox's `large` seed, focused when the step opens."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.wizard.test_full_run_terminal import ADUE, Terminal

pytestmark = pytest.mark.terminal

if shutil.which("tmux") is None and not os.environ.get("CI"):
    pytest.skip("tmux is not installed (CI installs it)", allow_module_level=True)

# A session signed in before and left on the Priority step: the sandbox signs in again
# by itself and the step opens with its list focused.
SESSION = '[session]\nschema = 1\ncurrent_step = "priority"\n[sign_in]\nstatus = "done"\n'


class LargeTenantTerminal(Terminal):
    def start(self) -> None:
        self.name = f"adue-list-{uuid.uuid4().hex[:8]}"
        self.tmux = ["tmux", "-L", self.name]
        self.session_path.write_text(SESSION)
        command = (
            f"env -u NO_COLOR -u ADUE_ACCESS_TOKEN -u ADUE_GRAPH_URL -u COLUMNS -u LINES "
            f"TERM=xterm-256color ADUE_SANDBOX_SEED=large "
            f"HOME={self.folder / 'home'} XDG_STATE_HOME={self.folder / 'state'} "
            f"{ADUE} --sandbox --session {self.session_path}"
        )
        size = ["-x", "80", "-y", "24"]
        where = ["-c", str(self.folder)]
        subprocess.run(
            [*self.tmux, "new-session", "-d", "-s", self.name, *size, *where, command], check=True
        )


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[LargeTenantTerminal]:
    term = LargeTenantTerminal(tmp_path)
    try:
        yield term
    finally:
        term.stop()


def test_highlighted_profile_stays_on_screen_moving_down_at_80x24(
    terminal: LargeTenantTerminal,
) -> None:
    terminal.start()
    terminal.wait_for_text("1. new: iOS", timeout=60)
    moved = 0
    for target in (4, 8, 12, 16):
        while moved < target:
            terminal.keys("Down")
            moved += 1
        # The highlighted profile (number moved + 1) heads its own line on screen.
        row = re.compile(rf"▌ {moved + 1}\. iOS – ")
        terminal.wait(
            lambda row=row: bool(row.search(terminal.screen())),  # type: ignore[misc]
            f"profile {moved + 1}",
            10,
        )
    assert "^q Save & quit" in terminal.screen()  # the footer is still drawn
