"""The checks against tenants shaped like real ones (issue 15, points 2, 3 and 7): an
Education tenant, unlicensed users, a beta-only per-platform restriction for one group,
a device-licensed Authenticator assignment; all through the real SDK over HTTP."""

from __future__ import annotations

from collections.abc import Sequence

from tests.graph.conftest import make_client
from tui.findings import Status
from tui.graph.checks import CheckReport, run_checks
from tui.graph.models import CheckTargets
from tui.sandbox.server import RunningSandbox, start_sandbox


def _group(sb: RunningSandbox, name: str) -> str:
    with sb.lock:
        return next(str(g["id"]) for g in sb.state.groups.values() if g["displayName"] == name)


async def _check(seed: str, groups: Sequence[str] = (), all_users: bool = False) -> CheckReport:
    with start_sandbox(seed=seed) as sb:
        ids = tuple(_group(sb, g) for g in groups)
        targets = CheckTargets(all_users, ids, labels=tuple(zip(ids, groups, strict=True)))
        client = make_client(sb)
        try:
            return await run_checks(client, targets=targets)
        finally:
            await client.aclose()


async def test_an_education_tenant_is_licensed_through_intune_edu() -> None:
    report = await _check("edu-licensed", ["BYOD pilot"])
    result = report.by_id("intune_licence")
    assert result.status is Status.PASS, result
    assert "INTUNE_EDU" in result.detail
    assert "M365EDU_A3_FACULTY" in result.detail
    assert "All 5 targeted users have an Intune licence" in result.detail


async def test_the_subscription_state_decides() -> None:
    report = await _check("no-intune-licence")
    result = report.by_id("intune_licence")
    assert result.status is Status.FAIL
    assert "'disabled'" in result.detail


async def test_targeted_users_without_a_licence_are_counted_and_named() -> None:
    report = await _check("unlicensed-users", ["BYOD pilot"])
    result = report.by_id("intune_licence")
    assert result.status is Status.WARN, result
    assert "2 of 5 targeted users have no Intune licence" in result.detail
    assert "AdeleV@contoso.com" in result.detail
    assert "MeganB@contoso.com" in result.detail
    assert "User License Type Invalid" in result.detail
    assert "Licenses and apps" in result.fix
    # Users outside the targets do not count.
    others = await _check("unlicensed-users", ["Engineering"])
    assert others.by_id("intune_licence").status is Status.PASS


async def test_a_beta_only_restriction_for_a_targeted_group_is_a_warning() -> None:
    report = await _check("personal-ios-blocked-for-sales", ["Sales", "BYOD pilot"])
    result = report.by_id("personal_ios_enrollment")
    assert result.status is Status.WARN, result
    assert "'Sales': 'iOS – corporate devices only (Sales)' (personal devices BLOCKED)" in (
        result.detail
    )
    assert "'BYOD pilot': 'All users and all devices' (allowed)" in result.detail
    assert "December 2025" in result.detail  # Microsoft's context, from enrollment-facts.md
    assert "Company Portal enrollments only" in result.detail  # its OS minimum 17.0
    assert "Device limit per user: default: 5" in result.detail
    assert "Devices > Device onboarding > Enrollment > Device platform restriction" in result.fix


async def test_the_restriction_for_other_groups_does_not_block_ours() -> None:
    report = await _check("personal-ios-blocked-for-sales", ["BYOD pilot"])
    result = report.by_id("personal_ios_enrollment")
    assert result.status is Status.PASS, result


async def test_a_device_licensed_assignment_reaching_our_users_is_a_warning() -> None:
    # All iOS users (device licensing, another admin) shares Adele, Megan, Pradeep with BYOD.
    report = await _check("authenticator-device-licensed", ["BYOD pilot"])
    result = report.by_id("authenticator_app")
    assert result.status is Status.WARN, result
    assert "DEVICE licensing to group 'All iOS users'" in result.detail
    assert "never to give one user both a device and a user licence" in result.detail
    assert "Only 3 free licences for 5 targeted users" in result.detail


async def test_no_device_licence_warning_when_the_users_do_not_meet() -> None:
    report = await _check("authenticator-device-licensed", ["Engineering"])
    result = report.by_id("authenticator_app")
    assert "DEVICE licensing" not in result.detail
    assert result.status is Status.PASS  # 3 free licences for 2 engineers


async def test_all_users_samples_the_tenant() -> None:
    report = await _check("unlicensed-users", all_users=True)
    result = report.by_id("intune_licence")
    assert "2 of 12 targeted users have no Intune licence" in result.detail
