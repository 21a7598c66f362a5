"""At 60x18 the step list collapses to a one-line "Step n/8" indicator and F2 shows it
until a step is chosen; from 72 columns up the list is always there (issue 17, point 5).
Snapshots of the collapsed shell, of F2's list at 60x18 and of a step at 80x24."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from screens.widgets.step_list import StepList
from tui.app import AdueApp
from tui.session import Session

from .test_snapshots import make_app, sandbox_started


def indicator(app: AdueApp) -> Static:
    return app.query_one("#step-indicator", Static)


async def test_narrow_terminal_collapses_the_step_list(tmp_path: Path) -> None:
    session = Session.open(tmp_path / "s.toml", lock=False)
    app = AdueApp(session)
    async with app.run_test(size=(60, 18)) as pilot:
        await pilot.pause()
        steps = app.query_one(StepList)
        assert not steps.display or steps.region.width == 0
        assert indicator(app).display
        assert str(indicator(app).render()).startswith("Step 1/8 ○ Sign in")
        await pilot.press("f2")
        await pilot.pause()
        assert steps.region.width > 0
        assert app.focused is steps
        await pilot.press("down", "enter")
        await pilot.pause()
        assert steps.region.width == 0  # hidden again once a step is chosen
        assert str(indicator(app).render()).startswith("Step 2/8 ○ Prerequisites")
        assert session.current_step == "prerequisites"
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert steps.region.width == 26
        assert indicator(app).region.height == 0


async def open_steps(pilot: Pilot[Any]) -> None:
    await sandbox_started(pilot)
    await pilot.press("f2")
    await pilot.pause()


@pytest.mark.parametrize("size", [(60, 18), (80, 24)])
def test_shell_narrow_and_standard(
    snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    app = make_app(tmp_path, monkeypatch)
    assert snap_compare(app, terminal_size=size, run_before=sandbox_started)


def test_steps_shown_by_f2_at_60x18(
    snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(tmp_path, monkeypatch)
    assert snap_compare(app, terminal_size=(60, 18), run_before=open_steps)
