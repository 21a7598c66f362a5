"""The prerequisite checks against every sandbox seed: demo passes, each broken seed fails
exactly its own check; a reduced-scope token makes the unreadable checks `error`."""

from __future__ import annotations

import pytest

from tests.graph.conftest import make_client
from tui.findings import Status
from tui.graph.checks import CHECK_IDS, run_checks
from tui.sandbox.server import start_sandbox

BROKEN = {
    "expired-apns": "apns_certificate",
    "no-vpp-token": "vpp_token",
    "authenticator-store-only": "authenticator_app",
    "authenticator-no-licences": "authenticator_app",
    "personal-ios-blocked": "personal_ios_enrollment",
    "no-intune-licence": "intune_licence",
}


async def test_demo_passes_every_check_in_one_round_trip() -> None:
    with start_sandbox(seed="demo") as sb:
        client = make_client(sb)
        try:
            report = await run_checks(client)
        finally:
            await client.aclose()
        trips = sb.top_level_requests()
    assert [r.id for r in report.results] == list(CHECK_IDS)
    assert {r.status for r in report.results} == {Status.PASS}, report.results
    assert report.exit_code == 0
    assert report.organization is not None
    assert report.organization.id == sb.tenant_id
    # One round trip: a v1.0 and a beta $batch (per-platform restrictions are beta-only).
    assert sorted((t.method, t.path) for t in trips) == [
        ("POST", "/beta/$batch"),
        ("POST", "/v1.0/$batch"),
    ]


# Personal iOS blocked is a warning with Microsoft's context (enrollment-facts.md).
WARNS = {"personal-ios-blocked"}


@pytest.mark.parametrize(("seed", "check_id"), sorted(BROKEN.items()))
async def test_each_broken_seed_fails_exactly_its_check(seed: str, check_id: str) -> None:
    with start_sandbox(seed=seed) as sb:
        client = make_client(sb)
        try:
            report = await run_checks(client)
        finally:
            await client.aclose()
    failing = {r.id for r in report.results if r.status is not Status.PASS}
    assert failing == {check_id}
    result = report.by_id(check_id)
    assert result.status is (Status.WARN if seed in WARNS else Status.FAIL)
    assert result.detail
    assert result.fix
    assert report.exit_code == (0 if seed in WARNS else 2)


async def test_store_only_authenticator_gives_the_user_enrollment_reason() -> None:
    with start_sandbox(seed="authenticator-store-only") as sb:
        client = make_client(sb)
        try:
            report = await run_checks(client)
        finally:
            await client.aclose()
    assert "User Enrollment does not support" in report.by_id("authenticator_app").detail


async def test_reduced_scope_token_gives_403_errors_naming_the_permission() -> None:
    with start_sandbox(seed="demo") as sb:
        token = sb.mint_token(scopes=["Organization.Read.All", "Group.Read.All"])
        client = make_client(sb, token=token)
        try:
            report = await run_checks(client)
        finally:
            await client.aclose()
    statuses = {r.id: r.status for r in report.results}
    assert statuses["intune_licence"] is Status.PASS
    assert statuses["mdm_authority"] is Status.PASS
    assert statuses["granted_scopes"] is Status.FAIL
    for check_id in ("apns_certificate", "vpp_token", "personal_ios_enrollment"):
        assert statuses[check_id] is Status.ERROR
        assert "DeviceManagementServiceConfig.Read.All" in report.by_id(check_id).fix
    assert statuses["authenticator_app"] is Status.ERROR
    assert "DeviceManagementApps.Read.All" in report.by_id("authenticator_app").fix
    assert report.exit_code == 2
