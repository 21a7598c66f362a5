"""The wizard shell's look at 80x24 and 120x40 (SVG snapshots in __snapshots__/).

The steps' own panels have their snapshots under tests/wizard/; these cover the
shell: header with the SANDBOX badge, the step list with states, the footer and
the F1 help dialog.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tui.app import AdueApp
from tui.session import Session


def make_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AdueApp:
    monkeypatch.chdir(tmp_path)  # the help dialog shows the session path relative to here
    session = Session.open(tmp_path / "s.toml", lock=False)
    session.set("session", "current_step", "sign_in")
    session.set("sign_in", "status", "in_progress")
    session.set("prerequisites", "status", "done")
    return AdueApp(session, sandbox=True)


async def sandbox_started(pilot: Pilot[Any]) -> None:
    # The sandbox starts after the first frame and names its tenant in the header a moment
    # after its worker ends (via the UI thread): wait for that, not only for the worker.
    from screens.widgets.wizard_header import WizardHeader

    await pilot.app.workers.wait_for_complete()
    header = pilot.app.query_one(WizardHeader)
    for _ in range(100):
        if header.tenant != "not signed in":
            break
        await pilot.pause(0.05)
    await pilot.pause()


async def help_open(pilot: Pilot[Any]) -> None:
    await sandbox_started(pilot)
    await pilot.press("f1")
    await pilot.app.workers.wait_for_complete()  # the Markdown widget renders in a worker
    await pilot.pause(0.3)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_shell(
    snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    app = make_app(tmp_path, monkeypatch)
    assert snap_compare(app, terminal_size=size, run_before=sandbox_started)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_help(
    snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    app = make_app(tmp_path, monkeypatch)
    assert snap_compare(app, terminal_size=size, run_before=help_open)
