"""What apply refuses before any write: same-named objects (a conflict, never a guess),
device groups for the enrollment profile, unknown or ambiguous group names, Microsoft
bundle ids. Each problem names the session key and the fix."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from tests.plan.helpers import (
    PROFILE_NAME,
    SSO_NAME,
    apply_file,
    example_session,
    group_id,
    plan_file,
)
from tui.rollout.apply import ApplyRefused
from tui.sandbox.server import RunningSandbox


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


async def _refused(sb: RunningSandbox, path: Path) -> tuple[str, ...]:
    plan = await plan_file(sb, path)
    assert plan.blocked
    assert not plan.is_empty
    sb.clear_requests()
    with pytest.raises(ApplyRefused) as refused:
        await apply_file(sb, path)
    assert sb.writes() == []
    assert refused.value.problems == plan.problems
    return tuple(plan.problems)


async def test_same_named_policy_and_profile_are_a_conflict(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    sb = fresh
    with sb.lock:
        t = sb.state
        for n in (1, 2):
            cid = f"00000000-0000-0000-0000-00000000000{n}"
            t.device_configurations[cid] = {
                "@odata.type": "#microsoft.graph.iosDeviceFeaturesConfiguration",
                "id": cid,
                "displayName": SSO_NAME,
                "description": "",
                "version": 1,
            }
            t.config_assignments[cid] = []
        profile = copy.deepcopy(next(iter(t.enrollment_profiles.values())))
        for n in (3, 4):
            pid = f"00000000-0000-0000-0000-00000000000{n}"
            t.enrollment_profiles[pid] = {**profile, "id": pid, "displayName": PROFILE_NAME}
            t.profile_assignments[pid] = []
    problems = await _refused(sb, example_session(tmp_path))
    assert len(problems) == 2
    sso, prof = problems
    assert sso.startswith("[sso_extension] name: 2 iOS device features policies have exactly")
    assert "00000000-0000-0000-0000-000000000001" in sso
    assert "will not guess" in sso
    assert prof.startswith("[enrollment_profile] name: 2 enrollment profiles")


async def test_device_groups_are_refused_for_the_profile(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    path = example_session(tmp_path)
    _edit(
        path,
        'groups = [{ name = "BYOD pilot" }, { name = "All iOS users" }]   # user groups only',
        'groups = [{ name = "Corporate iPads" }, { name = "Kiosk iPhones" }, '
        '{ name = "BYOD pilot" }]',
    )
    problems = await _refused(fresh, path)
    assert problems == (
        "[enrollment_profile] groups: the group 'Corporate iPads' holds devices: enrollment "
        "profiles for user enrollment apply to users only (device groups are not supported); "
        "choose a group of users",
        "[enrollment_profile] groups: the group 'Kiosk iPhones' holds devices: enrollment "
        "profiles for user enrollment apply to users only (device groups are not supported); "
        "choose a group of users",
    )


async def test_unknown_and_ambiguous_group_names(fresh: RunningSandbox, tmp_path: Path) -> None:
    sb = fresh
    with sb.lock:
        original = sb.state.groups[group_id(sb, "Sales")]
        twin = {**original, "id": "00000000-0000-0000-0000-0000000000aa"}
        sb.state.groups[twin["id"]] = twin
        sb.state.directory_changed()
    path = example_session(tmp_path)
    _edit(
        path, 'exclude_groups = [{ name = "Executives" }]', 'exclude_groups = [{ name = "Sales" }]'
    )
    _edit(
        path,
        '[{ name = "BYOD pilot" }, { name = "All iOS users" }]\nexclude',
        '[{ name = "BYOD pilots" }]\nexclude',
    )
    problems = await _refused(sb, path)
    assert any(
        p.startswith("[sso_extension] groups: no group is named 'BYOD pilots'") for p in problems
    )
    ambiguous = [p for p in problems if "groups are named 'Sales'" in p]
    assert ambiguous
    assert ambiguous[0].startswith("[sso_extension] exclude_groups: 2 groups")
    assert "00000000-0000-0000-0000-0000000000aa" in ambiguous[0]


async def test_microsoft_bundle_ids_refused_before_any_request(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    path = example_session(tmp_path)
    _edit(
        path,
        '["com.contoso.expenses", "com.contoso.timesheets"]',
        '["com.contoso.expenses", "com.microsoft.azureauthenticator", "com.microsoft.skype.teams"]',
    )
    fresh.clear_requests()
    problems = await _refused(fresh, path)
    assert fresh.requests == []
    assert problems[0].startswith(
        "[sso_extension] bundle_ids: bundle id 'com.microsoft.azureauthenticator' is Microsoft "
        "Authenticator"
    )
    assert "covers Microsoft apps already" in problems[1]
