"""Step states mean what they say: visiting a step never makes it done; Next does.

A step is done when its inputs are complete and valid AND the admin has gone through
it (Next, or the step's own action); a step still at its untouched defaults is todo.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button

from tests.wizard.sso_auth_profile_support import (
    open_session,
    private_home,
    saved,
    settle,
    signed_in_app,
)
from tui.app import AdueApp
from tui.sandbox.server import RunningSandbox


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    private_home(tmp_path, monkeypatch)


def status(session_path: Path, step: str) -> str:
    return str(saved(session_path)[step]["status"])


async def test_visiting_sso_authenticator_and_priority_leaves_them_todo(
    tmp_path: Path, sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = open_session(tmp_path, "sso_extension")
    app = signed_in_app(session, sandbox, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        for step in ("authenticator", "enrollment_profile", "priority", "review"):
            app.go_to_step(step)
            await settle(app, pilot)
        for step in ("sso_extension", "authenticator", "priority"):
            assert status(session.path, step) == "todo", step


async def test_priority_is_not_done_before_sign_in(tmp_path: Path) -> None:
    session = open_session(tmp_path, "priority")
    app = AdueApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert status(session.path, "priority") == "todo"


async def test_next_makes_a_complete_step_done(
    tmp_path: Path, sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = open_session(tmp_path, "sso_extension")
    app = signed_in_app(session, sandbox, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert status(session.path, "sso_extension") == "todo"
        await pilot.press("ctrl+n")  # the keyboard's Next
        await settle(app, pilot)
        assert status(session.path, "sso_extension") == "done"
        assert app.current_step == "authenticator"
        assert status(session.path, "authenticator") == "todo"
        next_button = app.query_one("#authenticator-next", Button)
        next_button.scroll_visible(animate=False)
        await pilot.pause()
        await pilot.click(next_button)  # the mouse's Next
        await settle(app, pilot)
        assert status(session.path, "authenticator") == "done"
