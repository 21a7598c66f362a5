"""Web-based device enrollment in the wizard (issue 18.5), by Pilot on the demo sandbox:
step 5 chooses the type and says what it means, a name left at the default follows the
type, and the prerequisites step stops asking for the discovery file and Managed Apple
Accounts (and asks again when the type goes back)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import ContentSwitcher, Input, RadioButton

from tests.wizard.sso_auth_profile_support import (
    open_session,
    private_home,
    saved,
    settle,
    signed_in_app,
    text_of,
)
from tui.app import AdueApp
from tui.sandbox.server import RunningSandbox

WEB_NAME = "iOS – web-based device enrollment"


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    private_home(tmp_path, monkeypatch)


async def test_choosing_web_based_saves_the_mode_and_the_default_name_follows(
    tmp_path: Path,
) -> None:
    session = open_session(tmp_path, "enrollment_profile")
    app = AdueApp(session)
    async with app.run_test(size=(100, 40)) as pilot:
        assert "Account-driven User Enrollment" in text_of(app.query_one("#profile-mode-facts"))
        app.query_one("#mode-web-based", RadioButton).value = True  # below the fold at 40 rows
        await pilot.pause()
        data = saved(session.path)["enrollment_profile"]
        assert data["mode"] == "web-based"
        assert data["name"] == WEB_NAME
        assert app.query_one("#profile-name", Input).value == WEB_NAME
        facts = text_of(app.query_one("#profile-mode-facts"))
        assert "serial number" in facts
        assert "wipe the whole device" in facts

        # A name the admin typed is theirs: switching back keeps it.
        name = app.query_one("#profile-name", Input)
        name.value = "BYOD phones"
        await pilot.pause()
        app.query_one("#mode-account-driven", RadioButton).value = True
        await pilot.pause()
        data = saved(session.path)["enrollment_profile"]
        assert data["mode"] == "account-driven"
        assert data["name"] == "BYOD phones"


async def test_web_based_needs_no_discovery_file_nor_managed_apple_accounts(
    tmp_path: Path, sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = open_session(tmp_path, "prerequisites")
    session.set("prerequisites", "status", "in_progress")
    session.set("enrollment_profile", "mode", "web-based")
    app = signed_in_app(session, sandbox, monkeypatch)
    async with app.run_test(size=(100, 40)) as pilot:
        assert app.query_one(ContentSwitcher).current == "prerequisites"
        await settle(app, pilot)
        assert not app.query_one("#prereq-federation").display
        assert not app.query_one("#discovery-domain").display
        assert app.query_one("#prereq-web-note").display
        verdict = text_of(app.query_one("#prereq-verdict"))
        assert "discovery" not in verdict
        assert "Managed Apple" not in verdict
        assert "All prerequisites are met" in verdict
        # No discovery check ran: the sandbox saw no request for the well-known file.
        assert not [r for r in sandbox.requests if "well-known" in r.path]

        # Back from step 5 in account-driven mode: both are asked for again.
        session.set("enrollment_profile", "mode", "account-driven")
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert app.query_one(ContentSwitcher).current == "sso_extension"
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.query_one(ContentSwitcher).current == "prerequisites"
        assert app.query_one("#prereq-federation").display
        assert "confirm Managed Apple Accounts" in text_of(app.query_one("#prereq-verdict"))


async def test_review_explains_and_applies_a_web_based_rollout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole write in web-based mode through the wizard: Review's plan says what a
    device enrollment lets the company see and do, Apply makes a web enrollment profile,
    and Check again finds nothing to do."""
    from tests.wizard.late_steps_support import new_session
    from tests.wizard.late_steps_support import signed_in_app as late_app
    from tests.wizard.test_review_step import apply_confirmed, planned, status
    from tui.sandbox.server import start_sandbox

    with start_sandbox(seed="demo", retry_after=0) as sb:
        session = new_session(tmp_path, "review")
        session.set("enrollment_profile", "mode", "web-based")
        session.set("enrollment_profile", "name", WEB_NAME)
        app = late_app(session, sb, monkeypatch)
        async with app.run_test(size=(100, 40)) as pilot:
            await planned(pilot)
            notes = " ".join(str(w.render()) for w in app.query("#review-plan Static"))
            assert "Web-based device enrollment: employees enroll in Safari" in notes
            await apply_confirmed(pilot)
            assert "nothing to change" in status(app)
        (profile,) = [
            p for p in sb.state.enrollment_profiles.values() if p["displayName"] == WEB_NAME
        ]
    assert profile["defaultEnrollmentType"] == "webDeviceEnrollment"
    assert session.get("enrollment_profile", "profile_id") == profile["id"]
