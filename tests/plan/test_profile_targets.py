"""Enrollment profile targets (issue 15.4): "All users", user groups and an assignment
filter (include / exclude), through the real SDK over HTTP against the sandbox. A later
run keeps an "All users" target it finds on its own profile unless this session added it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.plan.helpers import apply_file, group_id, plan_file, session_with_ids
from tui.rollout.model import ActionKind
from tui.sandbox.server import RunningSandbox
from tui.sandbox.tenant import stable_id
from tui.session import Session

PROFILES = "/beta/deviceManagement/appleUserInitiatedEnrollmentProfiles"
ALL_USERS = "#microsoft.graph.allLicensedUsersAssignmentTarget"
IOS_FILTER = stable_id("demo", "filter", "ios-personal")
WINDOWS_FILTER = stable_id("demo", "filter", "windows-corp")


def _set(path: Path, table: str, **values: Any) -> None:
    with Session.open(path, create=False) as session:
        session.update(table, values)
        session.save()


def _profile_targets(sb: RunningSandbox, path: Path) -> list[dict[str, Any]]:
    profile_id = Session.read_only(path).get("enrollment_profile", "profile_id")
    with sb.lock:
        return [dict(a["target"]) for a in sb.state.profile_assignments[profile_id]]


async def test_all_users_with_an_exclude_filter_is_created_and_then_stable(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    sb = fresh
    path = session_with_ids(sb, tmp_path)
    _set(path, "enrollment_profile", all_users=True, filter_id=IOS_FILTER, filter_type="exclude")
    plan = await plan_file(sb, path)
    titles = [a.title for a in plan.changes if a.key.startswith("enrollment_profile:assign")]
    assert any("all users (filter 'iOS – personal devices', exclude)" in t for t in titles)

    assert (await apply_file(sb, path)).ok
    posted = [
        w.body["target"]
        for w in sb.writes()
        if w.method == "POST" and w.path.endswith("/assignments") and w.path.startswith(PROFILES)
    ]
    assert {
        "@odata.type": ALL_USERS,
        "deviceAndAppManagementAssignmentFilterId": IOS_FILTER,
        "deviceAndAppManagementAssignmentFilterType": "exclude",
    } in posted
    assert len(posted) == 3  # all users + the two groups, each with the filter
    assert all(t["deviceAndAppManagementAssignmentFilterId"] == IOS_FILTER for t in posted)
    assert (await plan_file(sb, path)).is_empty


async def test_an_all_users_target_added_by_an_admin_is_kept(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    sb = fresh
    path = session_with_ids(sb, tmp_path)
    assert (await apply_file(sb, path)).ok
    profile_id = Session.read_only(path).get("enrollment_profile", "profile_id")
    with sb.lock:  # an admin adds "All users" in the admin center
        sb.state.profile_assignments[profile_id].append(
            {
                "@odata.type": "#microsoft.graph.appleEnrollmentProfileAssignment",
                "id": f"{profile_id}_all",
                "target": {"@odata.type": ALL_USERS},
            }
        )
    plan = await plan_file(sb, path)
    assert plan.is_empty, [a.title for a in plan.changes]
    assert any("assigned to All users, which this session did not add" in n for n in plan.notes)
    sb.clear_requests()
    result = await apply_file(sb, path)
    assert result.ok
    assert result.writes == 0
    assert sb.writes() == []
    assert {"@odata.type": ALL_USERS} in _profile_targets(sb, path)


async def test_all_users_this_session_added_is_removed_when_the_session_drops_it(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    sb = fresh
    path = session_with_ids(sb, tmp_path)
    _set(path, "enrollment_profile", all_users=True)
    assert (await apply_file(sb, path)).ok
    assert {"@odata.type": ALL_USERS} in _profile_targets(sb, path)
    _set(path, "enrollment_profile", all_users=False)
    plan = await plan_file(sb, path)
    assert [a.key for a in plan.changes] == ["enrollment_profile:unassign:all_users"]
    assert (await apply_file(sb, path)).ok
    assert all(t["@odata.type"] != ALL_USERS for t in _profile_targets(sb, path))
    # Once removed, an admin's later "All users" is theirs again and stays.
    assert (await plan_file(sb, path)).is_empty


async def test_a_changed_filter_is_re_added_and_a_bad_filter_is_refused(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    sb = fresh
    path = session_with_ids(sb, tmp_path)
    assert (await apply_file(sb, path)).ok
    _set(path, "enrollment_profile", filter_id=IOS_FILTER, filter_type="include")
    plan = await plan_file(sb, path)
    byod = group_id(sb, "BYOD pilot")
    by_key = {a.key: a for a in plan.changes}
    assert by_key[f"enrollment_profile:filter:{byod}"].kind is ActionKind.ASSIGN
    assert by_key[f"enrollment_profile:filter:{byod}"].details == (
        "the assignment has no filter now: adue removes it and adds it again",
    )
    assert (await apply_file(sb, path)).ok
    targets = _profile_targets(sb, path)
    assert len(targets) == 2
    assert {t.get("deviceAndAppManagementAssignmentFilterType") for t in targets} == {"include"}
    assert (await plan_file(sb, path)).is_empty

    _set(path, "enrollment_profile", filter_id=WINDOWS_FILTER)
    before = path.read_bytes()
    plan = await plan_file(sb, path)
    assert path.read_bytes() == before
    assert plan.blocked
    assert any("'Windows – corporate' is for windows10AndLater" in p for p in plan.problems)
    _set(path, "enrollment_profile", filter_id="5f1c8f7e-1111-4222-8333-444455556666")
    plan = await plan_file(sb, path)
    assert any("no assignment filter has the id 5f1c8f7e" in p for p in plan.problems)
    _set(path, "enrollment_profile", filter_id="not-a-guid", filter_type="include")
    plan = await plan_file(sb, path)
    assert any(p.startswith("[enrollment_profile] filter_id:") for p in plan.problems)
