"""The whole wizard with Textual's Pilot on the sandbox `demo` tenant, from a new session
to an applied setup and an exported guide, by keyboard; then the tenant is checked
through the sandbox itself."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import ContentSwitcher, Input, OptionList

from screens.dialogs.confirm import ConfirmDialog
from tests.wizard.conftest import wait_until
from tui.app import AdueApp
from tui.backend import Backend, WizardOptions
from tui.sandbox.seeds import AUTHENTICATOR_BUNDLE_ID
from tui.sandbox.server import RunningSandbox
from tui.session import Session


@pytest.fixture(autouse=True)
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("ADUE_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("ADUE_GRAPH_URL", raising=False)


def saved(session: Session) -> dict[str, Any]:
    return tomllib.loads(session.path.read_text())


def status_of(session: Session, step: str) -> str:
    return str(saved(session)[step]["status"])


async def test_from_sign_in_to_an_applied_setup_by_keyboard(
    tmp_path: Path, sandbox_factory: Callable[..., RunningSandbox]
) -> None:
    sb = sandbox_factory(device_auto_approve_seconds=0.5)
    session = Session.open(tmp_path / "rollout.toml")
    app = AdueApp(session, backend=Backend(session, WizardOptions(), running_sandbox=sb))
    async with app.run_test(size=(80, 24)) as pilot:
        step = app.query_one(ContentSwitcher)
        # 1. Sign in with the real device-code flow (the sandbox approves it).
        await pilot.press("tab", "enter")
        await wait_until(pilot, lambda: status_of(session, "sign_in") == "done", "signed in")
        # 2. Prerequisites: checks and the discovery file run by themselves.
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: bool(app.query("#discovery-verdict")), "discovery ok")
        app.query_one("#prereq-federation").focus()
        await pilot.press("space")
        await wait_until(
            pilot,
            lambda: "All prerequisites are met" in str(app.query_one("#prereq-verdict").render()),
            "prerequisites",
        )
        assert status_of(session, "prerequisites") != "done"  # complete, not yet gone through
        # 3. SSO extension: one of our own apps; all users (the default).
        await pilot.press("ctrl+n")
        await wait_until(
            pilot, lambda: status_of(session, "prerequisites") == "done", "prerequisites done"
        )
        assert step.current == "sso_extension"
        bundles = app.query_one("#sso-bundles Input", Input)
        bundles.focus()
        await pilot.press(*"com.contoso.expenses", "enter")
        await wait_until(
            pilot,
            lambda: saved(session)["sso_extension"]["bundle_ids"] == ["com.contoso.expenses"],
            "bundle id saved",
        )
        # 4. Authenticator: required for the SSO policy's users (the default).
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: bool(saved(session)["authenticator"]["app_id"]), "app")
        # 5. Enrollment profile: find and pick the user group.
        await pilot.press("ctrl+n")
        search = app.query_one("#profile-groups-search", Input)
        search.focus()
        await pilot.press(*"BYOD")
        results = app.query_one("#profile-groups-results", OptionList)
        await wait_until(pilot, lambda: results.option_count > 0, "search results")
        await pilot.press("enter", "enter")
        await wait_until(
            pilot,
            lambda: (
                [g["name"] for g in saved(session)["enrollment_profile"]["groups"]]
                == ["BYOD pilot"]
            ),
            "profile group",
        )
        # 6. Priority: ours first (the proposal). 7. Review & apply.
        await pilot.press("ctrl+n")
        await pilot.press("ctrl+n")
        assert step.current == "review"
        await wait_until(
            pilot, lambda: not app.query_one("#review-apply").disabled, "a plan to apply"
        )
        app.query_one("#review-apply").focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "confirm")
        app.screen.query_one("#confirm-ok").focus()
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: saved(session)["review"].get("last_result") == "ok", "applied"
        )

    # The tenant, as the sandbox holds it, has exactly the rollout.
    data = saved(session)
    with sb.lock:
        policy = sb.state.device_configurations[data["sso_extension"]["policy_id"]]
        profile = sb.state.enrollment_profiles[data["enrollment_profile"]["profile_id"]]
        extension = policy["iosSingleSignOnExtension"]
        assert extension["bundleIdAccessControlList"] == ["com.contoso.expenses"]
        keys = {c["key"]: c["value"] for c in extension["configurations"]}
        assert keys == {
            "device_registration": "{{DEVICEREGISTRATION}}",
            "browser_sso_interaction_enabled": 1,
        }
        assert profile["defaultEnrollmentType"] == "accountDrivenUserEnrollment"
        assert profile["priority"] == 0
        app_record = sb.state.mobile_apps[data["authenticator"]["app_id"]]
        assert app_record["bundleId"] == AUTHENTICATOR_BUNDLE_ID
    assert all(entry["result"] == "ok" for entry in data["journal"])
