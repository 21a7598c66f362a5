"""Every write against a fresh sandbox: SSO policy, assignments, app assignment, profiles."""

from __future__ import annotations

import pytest

from tui.graph import operations as ops
from tui.graph import parse
from tui.graph.client import GraphClient
from tui.graph.errors import BadRequest, PermissionMissing
from tui.graph.models import (
    AppAssignment,
    AppIntent,
    AssignmentTarget,
    EnrollmentProfileSpec,
    SsoPolicySpec,
    TargetKind,
)
from tui.sandbox.server import RunningSandbox


def group_id(sandbox: RunningSandbox, name: str) -> str:
    """A seeded group's id (the session names it; the group picker is tested elsewhere)."""
    return str(next(g["id"] for g in sandbox.state.groups.values() if g["displayName"] == name))


def stored_app_assignments(sandbox: RunningSandbox, app_id: str) -> tuple[AppAssignment, ...]:
    """What the tenant holds, through adue's own parser of Graph's app assignments."""
    parsed = (parse.app_assignment(a) for a in sandbox.state.app_assignments.get(app_id, []))
    return tuple(a for a in parsed if a)


SPEC = SsoPolicySpec(
    "iOS – Entra ID SSO extension (account-driven UE)", "", ("com.contoso.expenses",)
)


async def test_sso_policy_create_get_update_only_changed(
    writer: GraphClient, fresh: RunningSandbox
) -> None:
    created = await ops.create_sso_policy(writer, SPEC)
    policy = created.value
    assert created.request_id
    assert policy.id
    assert policy.display_name == SPEC.display_name
    assert policy.bundle_ids == ("com.contoso.expenses",)
    assert policy.browser_sso_interaction_enabled
    assert policy.has_device_registration
    assert policy.extension_type == "#microsoft.graph.iosAzureAdSingleSignOnExtension"
    assert await ops.find_sso_policies_by_name(writer, SPEC.display_name) == (policy,)

    fresh.clear_requests()
    same = await ops.update_sso_policy(writer, policy.id, SPEC)
    assert same.changed == ()
    assert fresh.writes() == []  # nothing to do -> no write

    changed = SsoPolicySpec(SPEC.display_name, "Rolled out by adue", SPEC.bundle_ids)
    update = await ops.update_sso_policy(writer, policy.id, changed)
    assert update.changed == ("description",)
    assert update.request_id
    (patch,) = fresh.writes()
    assert patch.method == "PATCH"
    assert patch.body == {
        "description": "Rolled out by adue",
        "@odata.type": "#microsoft.graph.iosDeviceFeaturesConfiguration",
    }
    (after,) = await ops.find_sso_policies_by_name(writer, SPEC.display_name)
    assert after.id == policy.id
    assert after.description == "Rolled out by adue"


async def test_sso_policy_bad_payload_names_the_field(writer: GraphClient) -> None:
    with pytest.raises(BadRequest) as info:
        await writer.request(
            "POST",
            ops.CONFIGURATIONS,
            version="beta",
            body={"@odata.type": "#microsoft.graph.iosDeviceFeaturesConfiguration", "nope": 1},
            what="create a policy",
        )
    assert info.value.request_id
    assert "nope" in str(info.value)


async def test_configuration_assignments_merge_and_replace_all(
    writer: GraphClient, fresh: RunningSandbox
) -> None:
    # As the plan and apply do it: merge_targets, then one replace-all /assign.
    policy = (await ops.create_sso_policy(writer, SPEC)).value
    finance, sales, legal = (group_id(fresh, n) for n in ("Finance", "Sales", "Legal"))

    first = await ops.assign_configuration(
        writer,
        policy.id,
        ops.merge_targets([], [AssignmentTarget.group(finance), AssignmentTarget.exclude(legal)]),
    )
    assert len(first.value) == 2
    assert first.request_id
    current = [a.target for a in first.value]
    merged = ops.merge_targets(
        current, [AssignmentTarget.group(sales), AssignmentTarget.group(finance)]
    )
    second = await ops.assign_configuration(writer, policy.id, merged)
    assert {(a.target.kind, a.target.group_id) for a in second.value} == {
        (TargetKind.GROUP, finance),
        (TargetKind.GROUP, sales),
        (TargetKind.EXCLUDE_GROUP, legal),
    }
    # Removing goes through the same replace-all post; the tenant keeps only what was sent.
    kept = ops.merge_targets(
        [a.target for a in second.value], remove=[AssignmentTarget.exclude(legal)]
    )
    after = await ops.assign_configuration(writer, policy.id, kept)
    assert len(after.value) == 2
    stored = fresh.state.config_assignments[policy.id]
    assert {a["target"]["groupId"] for a in stored} == {finance, sales}


async def test_authenticator_app_assignment_merge(
    writer: GraphClient, fresh: RunningSandbox
) -> None:
    apps = await ops.find_authenticator_apps(writer)
    assert apps.best is not None
    app_id = apps.best.id
    pilot = group_id(fresh, "BYOD pilot")
    before = stored_app_assignments(fresh, app_id)
    merged = ops.merge_app_assignments(before, [AppAssignment(AssignmentTarget.group(pilot))])
    written = await ops.assign_app(writer, app_id, merged)
    assert written.request_id
    after = stored_app_assignments(fresh, app_id)
    assert len(after) == len(before) + 1
    ours = next(a for a in after if a.target.group_id == pilot)
    assert ours.intent is AppIntent.REQUIRED
    assert ours.use_device_licensing is False


async def test_enrollment_profile_lifecycle(writer: GraphClient, fresh: RunningSandbox) -> None:
    spec = EnrollmentProfileSpec("iOS – account-driven user enrollment", "")
    created = await ops.create_enrollment_profile(writer, spec)
    profile = created.value
    assert created.request_id
    assert profile.id
    assert profile.default_enrollment_type == "accountDrivenUserEnrollment"
    assert profile.platform == "iOS"

    fresh.clear_requests()
    assert (await ops.update_enrollment_profile(writer, profile.id, spec)).changed == ()
    updated = await ops.update_enrollment_profile(
        writer, profile.id, EnrollmentProfileSpec(spec.display_name, "For personal iPhones")
    )
    assert updated.changed == ("description",)
    (patch,) = fresh.writes()
    assert "platform" not in patch.body

    pilot = group_id(fresh, "BYOD pilot")
    added = await ops.add_profile_assignment(writer, profile.id, pilot)
    assert added.value.target.group_id == pilot
    listed = await ops.list_profile_assignments(writer, profile.id)
    assert [a.id for a in listed] == [added.value.id]
    # Again (a killed run's write that had landed): the existing assignment, no error.
    again = await ops.add_profile_assignment(writer, profile.id, pilot)
    assert again.value.id == added.value.id
    assert len(await ops.list_profile_assignments(writer, profile.id)) == 1
    await ops.remove_profile_assignment(writer, profile.id, added.value.id)
    assert await ops.list_profile_assignments(writer, profile.id) == ()

    await ops.set_profile_priority(writer, profile.id, 0)
    profiles = [p for p in await ops.list_enrollment_profiles(writer) if p.is_ios]
    assert profiles[0].id == profile.id
    assert [p.priority for p in profiles] == list(range(len(profiles)))


async def test_writes_with_a_read_only_token_name_the_permission(
    fresh: RunningSandbox,
) -> None:
    from tests.graph.conftest import make_client

    token = fresh.mint_token(scopes=["DeviceManagementConfiguration.Read.All", "Group.Read.All"])
    client = make_client(fresh, token=token)
    try:
        with pytest.raises(PermissionMissing) as info:
            await ops.create_sso_policy(client, SPEC)
    finally:
        await client.aclose()
    assert info.value.permissions == ("DeviceManagementConfiguration.ReadWrite.All",)
    assert "DeviceManagementConfiguration.ReadWrite.All" in info.value.fix
    assert "admin consent" in info.value.fix
    assert info.value.request_id
