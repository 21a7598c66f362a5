"""A fresh demo tenant: apply creates exactly graph.md's objects and payloads, in 6 round
trips (the session names Authenticator by nothing but its bundle id, so the app found in
the list is read again by id for its assignments: the list cannot expand them, graph.md;
and the new profile's place is read, then read back after the move); a second apply
writes nothing and needs 1; the plan after it is empty."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.plan.helpers import (
    PROFILE_NAME,
    SSO_NAME,
    apply_file,
    count_named,
    group_id,
    plan_file,
    round_trips,
    session_with_ids,
)
from tui.sandbox.server import start_sandbox
from tui.session import Session

AUTHENTICATOR = "com.microsoft.azureauthenticator"


def _authenticator_vpp_id(sb: object) -> str:
    state = sb.state  # type: ignore[attr-defined]
    return str(
        next(
            a["id"]
            for a in state.mobile_apps.values()
            if a.get("bundleId") == AUTHENTICATOR
            and a["@odata.type"] == "#microsoft.graph.iosVppApp"
        )
    )


async def test_fresh_apply_payloads_round_trips_and_idempotence(tmp_path: Path) -> None:
    with start_sandbox(seed="demo", latency_ms=120) as sb:
        path = session_with_ids(sb, tmp_path)
        byod, ios, execs = (group_id(sb, n) for n in ("BYOD pilot", "All iOS users", "Executives"))
        with sb.lock:
            before = (len(sb.state.device_configurations), len(sb.state.enrollment_profiles))
        result = await apply_file(sb, path)
        assert result.ok, result.failed
        # plan: 2; create; assign + read where the new profile landed; move it; read it back
        assert round_trips(sb) == 6

        with sb.lock:
            after = (len(sb.state.device_configurations), len(sb.state.enrollment_profiles))
        assert after == (before[0] + 1, before[1] + 1)  # exactly one policy, one profile
        writes = sb.writes()
        by_path = {(w.method, w.path): w for w in writes}
        assert len(writes) == 8, [(w.method, w.path) for w in writes]
        session = Session.read_only(path)
        policy_id = session.get("sso_extension", "policy_id")
        profile_id = session.get("enrollment_profile", "profile_id")
        app_id = session.get("authenticator", "app_id")
        assert app_id == _authenticator_vpp_id(sb)

        configs = "/beta/deviceManagement/deviceConfigurations"
        assert by_path[("POST", configs)].body == {
            "@odata.type": "#microsoft.graph.iosDeviceFeaturesConfiguration",
            "displayName": SSO_NAME,
            "description": "Just-in-time registration for personal iPhones and iPads",
            "iosSingleSignOnExtension": {
                "@odata.type": "#microsoft.graph.iosAzureAdSingleSignOnExtension",
                "enableSharedDeviceMode": False,
                "bundleIdAccessControlList": ["com.contoso.expenses", "com.contoso.timesheets"],
                "configurations": [
                    {
                        "@odata.type": "#microsoft.graph.keyStringValuePair",
                        "key": "device_registration",
                        "value": "{{DEVICEREGISTRATION}}",
                    },
                    {
                        "@odata.type": "#microsoft.graph.keyIntegerValuePair",
                        "key": "browser_sso_interaction_enabled",
                        "value": 1,
                    },
                ],
            },
        }

        def config_target(kind: str, gid: str) -> dict[str, object]:
            return {
                "@odata.type": "#microsoft.graph.deviceConfigurationAssignment",
                "target": {"@odata.type": f"#microsoft.graph.{kind}", "groupId": gid},
            }

        assert by_path[("POST", f"{configs}/{policy_id}/assign")].body == {
            "assignments": [
                config_target("groupAssignmentTarget", byod),
                config_target("groupAssignmentTarget", ios),
                config_target("exclusionGroupAssignmentTarget", execs),
            ]
        }

        def app_assignment(kind: str, gid: str) -> dict[str, object]:
            return {
                "@odata.type": "#microsoft.graph.mobileAppAssignment",
                "intent": "required",
                "target": {"@odata.type": f"#microsoft.graph.{kind}", "groupId": gid},
                "settings": {
                    "@odata.type": "#microsoft.graph.iosVppAppAssignmentSettings",
                    "useDeviceLicensing": False,
                },
            }

        app_write = by_path[("POST", f"/beta/deviceAppManagement/mobileApps/{app_id}/assign")]
        assert app_write.body == {
            "mobileAppAssignments": [
                app_assignment("groupAssignmentTarget", byod),
                app_assignment("groupAssignmentTarget", ios),
                app_assignment("exclusionGroupAssignmentTarget", execs),
            ]
        }
        # The demo tenant's Company Portal web app is adopted (it opens the portal address)
        # and made required for the same users; a web app's assignment has no settings.
        clip_id = session.get("web_clip", "app_id")
        assert clip_id
        assert clip_id != app_id
        clip_write = by_path[("POST", f"/beta/deviceAppManagement/mobileApps/{clip_id}/assign")]
        assert clip_write.body == {
            "mobileAppAssignments": [
                {
                    "@odata.type": "#microsoft.graph.mobileAppAssignment",
                    "intent": "required",
                    "target": {"@odata.type": f"#microsoft.graph.{kind}", "groupId": gid},
                }
                for kind, gid in (
                    ("groupAssignmentTarget", byod),
                    ("groupAssignmentTarget", ios),
                    ("exclusionGroupAssignmentTarget", execs),
                )
            ]
        }

        profiles = "/beta/deviceManagement/appleUserInitiatedEnrollmentProfiles"
        assert by_path[("POST", profiles)].body == {
            "@odata.type": "#microsoft.graph.appleUserInitiatedEnrollmentProfile",
            "displayName": PROFILE_NAME,
            "description": "Personal iPhones and iPads: work apps and data only",
            "platform": "iOS",
            "defaultEnrollmentType": "accountDrivenUserEnrollment",
            "availableEnrollmentTypeOptions": [
                {
                    "@odata.type": "#microsoft.graph.appleOwnerTypeEnrollmentType",
                    "ownerType": "personal",
                    "enrollmentType": "accountDrivenUserEnrollment",
                }
            ],
        }
        assigned = sorted(
            w.body["target"]["groupId"]
            for w in writes
            if w.path == f"{profiles}/{profile_id}/assignments"
        )
        assert assigned == sorted([byod, ios])
        for w in writes:
            if w.path == f"{profiles}/{profile_id}/assignments":
                assert w.body == {
                    "target": {
                        "@odata.type": "#microsoft.graph.groupAssignmentTarget",
                        "groupId": w.body["target"]["groupId"],
                    }
                }
        assert by_path[("POST", f"{profiles}/{profile_id}/setPriority")].body == {"priority": 0}
        with sb.lock:
            ordered = [p["id"] for p in sb.state.profiles_by_priority("iOS")]
        assert ordered[0] == profile_id
        assert len(ordered) == 3

        # The journal: one ok entry per write with Graph's request-id; no secret in the file.
        journal = session.journal()
        assert [e["result"] for e in journal] == ["ok"] * 8
        assert {e["request_id"] for e in journal} == {w.request_id for w in writes}
        assert {e["object_id"] for e in journal} == {policy_id, app_id, profile_id, clip_id}
        assert session.get("review", "last_result") == "ok"
        text = path.read_text(encoding="utf-8")
        assert sb.token not in text
        assert "Bearer" not in text
        assert path.stat().st_mode & 0o777 == 0o600
        # Group ids are written next to names; the example's names stay.
        assert session.get("enrollment_profile", "groups")[0] == {"id": byod, "name": "BYOD pilot"}

        # A second apply: nothing to write, one round trip; the plan is empty.
        sb.clear_requests()
        again = await apply_file(sb, path)
        assert again.ok
        assert again.writes == 0
        assert not again.plan.changes
        assert sb.writes() == []
        assert round_trips(sb) == 1
        assert (await plan_file(sb, path)).is_empty
        assert count_named(sb) == (1, 1)


async def test_an_apply_with_nothing_to_do_saves_the_session_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No write to be ahead of, so no write-ahead save: one save records the run (a fleet's
    no-op re-run saves once a tenant, not twice)."""
    from tui.session import document

    with start_sandbox(seed="demo") as sb:
        path = session_with_ids(sb, tmp_path)
        assert (await apply_file(sb, path)).ok
        written: list[Path] = []
        real = document.write_private  # type: ignore[attr-defined]

        def counting(target: Path, text: str) -> None:
            written.append(Path(target))
            real(target, text)

        monkeypatch.setattr(document, "write_private", counting)
        again = await apply_file(sb, path)
        assert again.ok
        assert again.plan.changes == ()
        assert written == [path]
        session = Session.read_only(path)
        assert session.get("review", "last_result") == "ok"
        assert session.get("review", "last_apply")
