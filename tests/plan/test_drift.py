"""Drift: objects adue created are changed in the portal (simulated on the sandbox's
tenant); the plan says exactly what differs and apply restores it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.plan.helpers import (
    apply_file,
    count_named,
    group_id,
    plan_file,
    session_with_ids,
    snapshot,
)
from tui.rollout.model import ActionKind
from tui.sandbox.server import RunningSandbox
from tui.session import Session


def _ids(path: Path) -> tuple[str, str, str]:
    s = Session.read_only(path)
    return (
        s.get("sso_extension", "policy_id"),
        s.get("authenticator", "app_id"),
        s.get("enrollment_profile", "profile_id"),
    )


async def _applied(sb: RunningSandbox, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    path = session_with_ids(sb, tmp_path)
    # The admin asked for ours first (not just the default): a moved order is restored.
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("order = []", 'order = ["enrollment_profile"]'), "utf-8")
    assert (await apply_file(sb, path)).ok
    return path, snapshot(sb)


async def test_portal_changes_are_shown_exactly_and_restored(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    sb = fresh
    path, applied = await _applied(sb, tmp_path)
    policy_id, app_id, profile_id = _ids(path)
    byod, ios, sales = (group_id(sb, n) for n in ("BYOD pilot", "All iOS users", "Sales"))
    with sb.lock:
        t = sb.state
        extension = t.device_configurations[policy_id]["iosSingleSignOnExtension"]
        extension["bundleIdAccessControlList"] = ["com.contoso.expenses"]
        extension["configurations"] = extension["configurations"][:1]  # browser key removed
        t.config_assignments[policy_id] = [
            a for a in t.config_assignments[policy_id] if a["target"].get("groupId") != ios
        ] + [
            {
                "@odata.type": "#microsoft.graph.deviceConfigurationAssignment",
                "id": f"{policy_id}_{sales}",
                "target": {
                    "@odata.type": "#microsoft.graph.groupAssignmentTarget",
                    "groupId": sales,
                },
            }
        ]
        for assignment in t.app_assignments[app_id]:
            if assignment["target"].get("groupId") == byod:
                assignment["intent"] = "available"
        t.profile_assignments[profile_id] = [
            a for a in t.profile_assignments[profile_id] if a["target"].get("groupId") != byod
        ]
        other = next(
            p
            for p, v in t.enrollment_profiles.items()
            if p != profile_id and v["platform"] == "iOS"
        )
        t.move_profile(other, 0)

    plan = await plan_file(sb, path)
    assert not plan.is_empty
    assert plan.has_drift
    assert not plan.blocked
    by_key = {a.key: a for a in plan.changes}
    assert all(a.drift for a in plan.changes)
    update = by_key["sso_extension:update"]
    assert update.kind is ActionKind.UPDATE
    assert update.object_id == policy_id
    assert set(update.details) == {
        "bundle id com.contoso.timesheets will be added",
        "extension key browser_sso_interaction_enabled is missing (should be 1)",
    }
    assign = by_key["sso_extension:assign"]
    assert set(assign.details) == {"+ group 'All iOS users'", "- group 'Sales'"}
    app = by_key["authenticator:assign"]
    assert app.details == (
        "group 'BYOD pilot': available with user licensing, should be required with user licensing",
        "= group 'All iOS users': required, user licensing (kept as it is)",
        "= excluded group 'Executives': required, user licensing (kept as it is)",
    )
    assert by_key[f"enrollment_profile:assign:{byod}"].kind is ActionKind.ASSIGN
    moves = [a for a in plan.changes if a.kind is ActionKind.SET_PRIORITY]
    assert len(moves) == 1
    assert moves[0].object_id == profile_id
    assert moves[0].op.order[0] == profile_id
    assert moves[0].title.startswith("Order the iOS enrollment profiles, highest first: 1. ")
    assert any("changed outside this session" in d for d in moves[0].details)
    assert len(plan.changes) == 5

    sb.clear_requests()
    result = await apply_file(sb, path)
    assert result.ok, result.failed
    assert snapshot(sb) == applied
    assert (await plan_file(sb, path)).is_empty


async def test_deleted_policy_is_recreated_and_the_new_id_stored(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    sb = fresh
    path, applied = await _applied(sb, tmp_path)
    policy_id, _, _ = _ids(path)
    with sb.lock:
        del sb.state.device_configurations[policy_id]
        sb.state.config_assignments.pop(policy_id, None)
    plan = await plan_file(sb, path)
    create = next(a for a in plan.changes if a.kind is ActionKind.CREATE)
    assert create.drift
    assert f"(id {policy_id}) is gone" in create.details[0]
    assert [a.key for a in plan.changes] == ["sso_extension:create", "sso_extension:assign"]
    assert (await apply_file(sb, path)).ok
    new_id, _, _ = _ids(path)
    assert new_id
    assert new_id != policy_id
    assert snapshot(sb) == applied
    assert count_named(sb) == (1, 1)
    assert (await plan_file(sb, path)).is_empty


async def test_session_changes_update_only_what_differs(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    """Editing the session (not the tenant): only the changed fields are sent."""
    sb = fresh
    path, _ = await _applied(sb, tmp_path)
    policy_id, _, profile_id = _ids(path)
    with Session.open(path) as session:
        session.set("sso_extension", "description", "Changed in the wizard")
        session.set("enrollment_profile", "groups", [{"name": "BYOD pilot"}])
        session.save()
    plan = await plan_file(sb, path)
    assert [a.kind for a in plan.changes] == [ActionKind.UPDATE, ActionKind.UNASSIGN]
    sb.clear_requests()
    assert (await apply_file(sb, path)).ok
    patches = [w for w in sb.writes() if w.method == "PATCH"]
    assert len(patches) == 1
    assert patches[0].path.endswith(policy_id)
    assert patches[0].body == {
        "@odata.type": "#microsoft.graph.iosDeviceFeaturesConfiguration",
        "description": "Changed in the wizard",
    }
    deletes = [w for w in sb.writes() if w.method == "DELETE"]
    assert len(deletes) == 1
    assert profile_id in deletes[0].path
    assert (await plan_file(sb, path)).is_empty
