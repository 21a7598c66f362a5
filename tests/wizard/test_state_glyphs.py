"""State reads without colour: checkboxes, radios, switches and the step cursor by glyph.

Run with NO_COLOR at 80x24, and read from the exported screen text, which is what a
vt100 console or a plain `tmux capture-pane` shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widget import Widget
from textual.widgets import RadioSet, Switch

from tests.wizard.sso_auth_profile_support import open_session, private_home, settle
from tui.app import AdueApp


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    private_home(tmp_path, monkeypatch)
    monkeypatch.setenv("NO_COLOR", "1")


def visible_lines(app: AdueApp) -> list[str]:
    """Each rendered row of the screen as plain characters."""
    lines = []
    for strip in app.screen._compositor.render_strips():
        lines.append("".join(segment.text for segment in strip))
    return lines


async def show(pilot: Any, widget: Widget) -> None:
    """Scroll `widget` into the 80x24 view, as a person would, and let it draw."""
    widget.scroll_visible(animate=False)
    await pilot.pause()
    await pilot.pause()


async def test_switch_and_radios_show_state_by_glyph(tmp_path: Path) -> None:
    session = open_session(tmp_path, "sso_extension")
    app = AdueApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.no_color
        await show(pilot, app.query_one("#sso-target"))
        text = "\n".join(visible_lines(app))
        assert "◉ All users" in text
        assert "○ Selected groups" in text
        assert "● on" in text

        switch = app.query_one("#sso-browser-sso", Switch)
        switch.focus()
        await show(pilot, switch)
        await pilot.press("space")
        await pilot.pause()
        assert switch.value is False
        text = "\n".join(visible_lines(app))
        assert "○ off" in text

        app.query_one("#sso-target", RadioSet).focus()
        await pilot.press("down", "enter")  # "Selected groups"
        await settle(app, pilot)
        await show(pilot, app.query_one("#sso-target"))
        text = "\n".join(visible_lines(app))
        assert "◉ Selected groups" in text
        assert "○ All users" in text


async def test_checkbox_and_step_cursor_show_state_by_glyph(tmp_path: Path) -> None:
    session = open_session(tmp_path, "authenticator")
    app = AdueApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await show(pilot, app.query_one("#auth-same-groups"))
        lines = visible_lines(app)
        text = "\n".join(lines)
        checkbox_rows = [line for line in lines if "Same users as the SSO" in line]
        assert checkbox_rows, text
        assert "☑" in checkbox_rows[0] or "☐" in checkbox_rows[0]
        before = "☑" in checkbox_rows[0]

        box = app.query_one("#auth-same-groups")
        box.focus()
        await pilot.press("space")
        await pilot.pause()
        row = next(line for line in visible_lines(app) if "Same users as the SSO" in line)
        assert ("☑" in row) is (not before)

        cursor_rows = [line for line in visible_lines(app) if "▸" in line]
        assert len(cursor_rows) == 1
        assert "Authenticator" in cursor_rows[0]
