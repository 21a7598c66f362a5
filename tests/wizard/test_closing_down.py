"""A step's answer that lands while the wizard closes down (its screens already gone):
the session is still saved, and nothing raises (a ScreenStackError from refreshing the
bindings of a screen that is no longer there was seen under load, in
test_prerequisites_audit)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.wizard.late_steps_support import new_session, signed_in_app
from tui.sandbox.server import RunningSandbox
from tui.session import Session


async def test_a_session_change_after_the_screens_are_gone_is_saved_quietly(
    tmp_path: Path, sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = new_session(tmp_path, "review")
    app = signed_in_app(session, sandbox, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
    assert not app.screen_stack
    session.set("review", "last_result", "ok")
    app.on_step_panel_session_changed()
    assert Session.read_only(session.path).get("review", "last_result") == "ok"
