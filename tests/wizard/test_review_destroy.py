"""Undo from Review (issue 18, point 3), by Pilot against a sandbox of the test's own: after
an apply, "Undo rollout…" asks in a dialog naming the tenant and every object, Cancel
changes nothing, confirming removes exactly what the session created (another admin's
Authenticator assignment stays) and the plan shows the rollout can be applied again."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from textual.widgets import Button, Static

from screens.dialogs.confirm import ConfirmDialog
from tui.sandbox.server import RunningSandbox, start_sandbox

from .late_steps_support import SSO_NAME, new_session, signed_in_app, until
from .test_review_step import apply_confirmed, outcome, planned, status

AUTHENTICATOR = "com.microsoft.azureauthenticator"


@pytest.fixture
def sb() -> Iterator[RunningSandbox]:
    with start_sandbox(seed="demo", retry_after=0) as running:
        yield running


def _authenticator_id(sb: RunningSandbox) -> str:
    return str(
        next(
            a["id"]
            for a in sb.state.mobile_apps.values()
            if a.get("bundleId") == AUTHENTICATOR and "iosVppApp" in a["@odata.type"]
        )
    )


def _authenticator_assignments(sb: RunningSandbox) -> list[dict[str, Any]]:
    with sb.lock:
        return copy.deepcopy(sb.state.app_assignments.get(_authenticator_id(sb), []))


def _another_admins_assignment(sb: RunningSandbox) -> None:
    with sb.lock:
        sales = next(g["id"] for g in sb.state.groups.values() if g["displayName"] == "Sales")
        sb.state.app_assignments[_authenticator_id(sb)] = [
            {
                "@odata.type": "#microsoft.graph.mobileAppAssignment",
                "id": f"{sales}_0_0",
                "intent": "available",
                "target": {
                    "@odata.type": "#microsoft.graph.groupAssignmentTarget",
                    "groupId": sales,
                },
                "settings": {
                    "@odata.type": "#microsoft.graph.iosVppAppAssignmentSettings",
                    "useDeviceLicensing": False,
                    "vpnConfigurationId": None,
                    "uninstallOnDeviceRemoval": True,
                    "isRemovable": False,
                    "preventManagedAppBackup": False,
                    "preventAutoAppUpdate": False,
                },
                "source": "direct",
                "sourceId": None,
            }
        ]


def _ours(sb: RunningSandbox) -> int:
    with sb.lock:
        return sum(
            1 for c in sb.state.device_configurations.values() if c["displayName"] == SSO_NAME
        )


async def test_undo_from_review_removes_what_the_session_created(
    tmp_path: Any, sb: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    _another_admins_assignment(sb)
    before = _authenticator_assignments(sb)
    session = new_session(tmp_path, "review")
    app = signed_in_app(session, sb, monkeypatch)
    async with app.run_test(size=(100, 40)) as pilot:
        await planned(pilot)
        assert app.query_one("#review-destroy", Button).disabled  # nothing created yet
        await apply_confirmed(pilot)
        await until(pilot, lambda: not app.query_one("#review-destroy", Button).disabled)
        assert _ours(sb) == 1

        await pilot.click("#review-destroy")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        text = str(app.screen.query_one(".confirm-text", Static).render())
        assert f"Contoso ({sb.tenant_id})" in text
        assert f"delete the SSO app extension policy '{SSO_NAME}'" in text
        assert "delete the enrollment profile" in text
        assert "remove the assignments this session added to Microsoft Authenticator" in text
        await pilot.click("#confirm-cancel")
        await until(pilot, lambda: not isinstance(app.screen, ConfirmDialog))
        assert _ours(sb) == 1
        assert status(app) == "Nothing removed."

        await pilot.click("#review-destroy")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.click("#confirm-ok")
        await until(pilot, lambda: outcome(app).startswith("Undone:"))
        await planned(pilot)
        assert _ours(sb) == 0
        assert _authenticator_assignments(sb) == before  # the other admin's, exactly
        assert session.get("sso_extension", "policy_id") == ""
        assert "change" in status(app)  # ready to apply again: the plan has changes
        assert not app.query_one("#review-apply", Button).disabled
