"""The compatibility audit (tui.graph.audit) on the `incompatible` sandbox seed, through
the real SDK pipeline and as `adue check` (text and --json): exactly the unsupported
profiles and apps that reach the rollout's users are named, never the supported ones
nor those assigned elsewhere (tui/sandbox/seeds_incompatible.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.graph.conftest import make_client
from tests.graph.test_check_command import adue, environment
from tui.findings import Status
from tui.graph.audit import CHECK_ID, find_incompatibilities
from tui.graph.checks import run_checks
from tui.graph.models import CheckTargets
from tui.sandbox.server import RunningSandbox, start_sandbox

ROOT = Path(__file__).resolve().parents[2]
UNSUPPORTED = {
    "iOS – Always-on corporate VPN",
    "iOS – Per-app VPN with Safari",
    "iOS – Wi-Fi certificate (serial)",
    "Contoso Notes (App Store)",
    "Zoom (device licence)",
    "iOS – Corporate device restrictions",  # through Mobile workforce (contains BYOD pilot)
    "iOS – Supervised lockdown",  # all devices
    "Contoso Travel (App Store)",  # through Contoso staff > Mobile workforce > BYOD pilot
    "iOS – Sales always-on VPN",  # Sales iPhones shares Adele and Isaiah
    "Sales Deck (App Store)",  # Sales iPhones minus BYOD pilot: Isaiah
}
SUPPORTED_OR_ELSEWHERE = (
    "iOS – Per-app VPN (Teams)",
    "iOS – User certificate (UPN)",
    "iOS – Legal device VPN",
    "Slack (user licence)",
    "Contoso Expenses (LOB)",
    "Old Survey (App Store)",
    "iOS – BYOD restrictions",
    "iOS – Legal supervised restrictions",
    "iOS – Lobby kiosk",
)


@pytest.fixture(scope="module")
def incompatible() -> Iterator[RunningSandbox]:
    with start_sandbox(seed="incompatible") as sb:
        yield sb


def _group(sb: RunningSandbox, name: str) -> str:
    return str(next(g["id"] for g in sb.state.groups.values() if g["displayName"] == name))


async def test_finds_exactly_the_unsupported_ones(incompatible: RunningSandbox) -> None:
    groups = {_group(incompatible, n): n for n in ("BYOD pilot", "All iOS users")}
    client = make_client(incompatible)
    try:
        found = await find_incompatibilities(client, groups)
        pilot_only = await find_incompatibilities(
            client, {_group(incompatible, "BYOD pilot"): "BYOD pilot"}
        )
    finally:
        await client.aclose()
    assert {f.name for f in found} == UNSUPPORTED
    by_name = {f.name: f for f in found}
    assert by_name["iOS – Always-on corporate VPN"].reaches == ("group 'BYOD pilot'",)
    assert by_name["iOS – Wi-Fi certificate (serial)"].reaches == ("all users",)
    assert "0x87d136cd" in by_name["iOS – Always-on corporate VPN"].device
    assert "Safari domains" in by_name["iOS – Per-app VPN with Safari"].problem
    assert "device licensing" in by_name["Zoom (device licence)"].problem
    assert all(f.fix for f in found)
    # Assigned to All iOS users, which shares Adele, Megan and Pradeep with BYOD pilot:
    # there for BYOD pilot alone through those members (tests/graph/test_audit_shared.py).
    assert {f.name for f in pilot_only} == {
        "iOS – Per-app VPN with Safari",
        "Zoom (device licence)",
        "iOS – Always-on corporate VPN",
        "iOS – Wi-Fi certificate (serial)",
        "Contoso Notes (App Store)",
        "iOS – Corporate device restrictions",
        "iOS – Supervised lockdown",
        "Contoso Travel (App Store)",
        "iOS – Sales always-on VPN",
    }


async def test_device_restrictions_name_each_unsupported_setting(
    incompatible: RunningSandbox,
) -> None:
    """iosGeneralDeviceConfiguration: the settings that need supervision or a device
    enrollment, and the password settings User Enrollment ignores, each named; a profile
    of "All enrollment types" settings only is not reported (tui/graph/audit_restrictions)."""
    groups = {_group(incompatible, n): n for n in ("BYOD pilot", "All iOS users")}
    client = make_client(incompatible)
    try:
        found = {f.name: f for f in await find_incompatibilities(client, groups)}
    finally:
        await client.aclose()
    corporate = found["iOS – Corporate device restrictions"]
    assert corporate.problem == (
        "device restrictions User Enrollment does not support (need a supervised device:"
        " Block camera; apply to device enrollment only: Block in-app purchases; password"
        " settings User Enrollment ignores: Password expiration (days))"
    )
    assert "0x87d136cd" in corporate.device
    assert "6-digit PIN" in corporate.device
    assert "All enrollment types" in corporate.fix
    lockdown = found["iOS – Supervised lockdown"]
    assert "Block AirDrop" in lockdown.problem
    assert "Block use of erase all content and settings" in lockdown.problem
    assert "Safari cookies" in lockdown.problem
    assert "PIN" not in lockdown.device
    # Beta-only settings (the audit reads beta): NFC needs supervision, App Clips a
    # device enrollment; the BYOD profile's beta "All enrollment types" ones are fine.
    assert (
        "(need a supervised device: Block AirDrop, Disable near-field communication (NFC),"
        " Block use of erase all content and settings; apply to device enrollment only:"
        " Safari cookies, Block app clips)"
    ) in lockdown.problem
    # Supported settings of the same profile are not named.
    for supported in ("Require password", "Block viewing corporate documents"):
        assert supported not in corporate.problem
    assert "iOS – BYOD restrictions" not in found


def test_every_listed_setting_is_a_property_of_the_beta_resource() -> None:
    """Each property the restrictions list checks exists on iosGeneralDeviceConfiguration
    as the seed builds it (v1.0 plus beta properties, tui/sandbox/seeds_incompatible.py),
    and a profile where nothing is configured (beta defaults) has no finding."""
    from tui.graph.audit_restrictions import SETTINGS, unsupported_restrictions
    from tui.sandbox.seeds_incompatible import _restrictions

    blank = _restrictions()
    assert set(SETTINGS) - set(blank) == set()
    found = unsupported_restrictions(blank)
    assert not found
    assert found.passcode == ()
    assert (
        "Block AirPrint" in unsupported_restrictions(_restrictions(airPrintBlocked=True)).supervised
    )
    kiosk = unsupported_restrictions(_restrictions(kioskModeAppType="appStoreApp"))
    assert kiosk.supervised == ("App to run in kiosk mode",)


async def test_parent_groups_all_devices_and_exclusions(incompatible: RunningSandbox) -> None:
    """A policy assigned to a group containing a rollout group (at any depth) reaches its
    users, found through transitiveMemberOf; so does all devices; an exclusion of the
    rollout group or of a group containing it keeps a policy away."""
    groups = {_group(incompatible, n): n for n in ("BYOD pilot", "All iOS users")}
    seen = len(incompatible.requests)
    client = make_client(incompatible)
    try:
        found = {f.name: f for f in await find_incompatibilities(client, groups)}
        ios_only = {
            f.name: f
            for f in await find_incompatibilities(
                client, {_group(incompatible, "All iOS users"): "All iOS users"}
            )
        }
    finally:
        await client.aclose()
    assert found["iOS – Corporate device restrictions"].reaches == (
        "group 'Mobile workforce' (contains 'BYOD pilot')",
    )
    assert found["Contoso Travel (App Store)"].reaches == (
        "group 'Contoso staff' (contains 'BYOD pilot')",
    )
    assert found["iOS – Supervised lockdown"].reaches == ("all devices",)
    assert "iOS – Lobby kiosk" not in found  # all users, minus both rollout groups' lines
    # All iOS users is in no parent group: the nested assignments reach it only through
    # the members it shares with BYOD pilot, not as a parent group.
    assert ios_only["iOS – Corporate device restrictions"].reaches == (
        "group 'Mobile workforce' (also has 3 of the rollout's users, e.g. 'Adele Vance',"
        " 'Megan Bowen')",
    )
    assert ios_only["Contoso Travel (App Store)"].shared[0].group_name == "Contoso staff"
    assert "iOS – Supervised lockdown" in ios_only
    parents = [r for r in incompatible.requests[seen:] if r.path.endswith("/transitiveMemberOf")]
    assert len(parents) == 3
    assert all(r.in_batch for r in parents)  # one per group and call


async def test_sandbox_lists_a_groups_parents_like_graph(incompatible: RunningSandbox) -> None:
    """GET /groups/{id}/transitiveMemberOf: every group containing it, at any depth, as
    directoryObjects with the group default properties (Graph v1.0 "List group
    transitive memberOf"); a token without a group scope is refused."""
    import httpx

    pilot = _group(incompatible, "BYOD pilot")
    url = f"{incompatible.graph_url}/v1.0/groups/{pilot}/transitiveMemberOf"
    async with httpx.AsyncClient() as http:
        answer = await http.get(url, headers={"Authorization": f"Bearer {incompatible.token}"})
        refused = await http.get(
            url,
            headers={
                "Authorization": "Bearer "
                + incompatible.mint_token(scopes=["DeviceManagementConfiguration.Read.All"])
            },
        )
    assert answer.status_code == 200
    body = answer.json()
    assert body["@odata.context"].endswith("$metadata#directoryObjects")
    assert {g["displayName"] for g in body["value"]} == {"Mobile workforce", "Contoso staff"}
    assert {g["@odata.type"] for g in body["value"]} == {"#microsoft.graph.group"}
    assert refused.status_code == 403
    # Applications: Directory.Read.All, not GroupMember.Read.All (the page's Application row).
    async with httpx.AsyncClient() as http:
        answers = {}
        for role in ("GroupMember.Read.All", "Directory.Read.All"):
            token = incompatible.mint_app_token(tenant_id=incompatible.tenant_id, roles=[role])
            answers[role] = await http.get(url, headers={"Authorization": f"Bearer {token}"})
    assert answers["GroupMember.Read.All"].status_code == 403
    assert "Directory.Read.All" in answers["GroupMember.Read.All"].text
    assert answers["Directory.Read.All"].status_code == 200


async def test_demo_has_nothing_and_the_check_passes() -> None:
    with start_sandbox(seed="demo") as sb:
        client = make_client(sb)
        try:
            report = await run_checks(
                client, targets=CheckTargets(group_ids=(_group(sb, "BYOD pilot"),))
            )
        finally:
            await client.aclose()
    assert report.by_id(CHECK_ID).status is Status.PASS


async def test_a_refused_read_is_an_error_result_not_a_verdict(
    incompatible: RunningSandbox,
) -> None:
    token = incompatible.mint_token(
        scopes=["Organization.Read.All", "Group.Read.All", "DeviceManagementApps.Read.All"]
    )
    client = make_client(incompatible, token)
    try:
        report = await run_checks(
            client, targets=CheckTargets(group_ids=(_group(incompatible, "BYOD pilot"),))
        )
    finally:
        await client.aclose()
    result = report.by_id(CHECK_ID)
    assert result.status is Status.ERROR
    assert "DeviceManagementConfiguration.Read.All" in result.detail + result.fix


def test_adue_check_names_each_one_with_error_and_fix(tmp_path: Path) -> None:
    session = tmp_path / "rollout.toml"
    session.write_text(
        (ROOT / "examples" / "sandbox-demo.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    session.chmod(0o600)
    argv = ("--sandbox", "check", "--seed", "incompatible", "--session", str(session))
    done = adue(*argv, "--json", env=environment(tmp_path), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr  # warnings, not failures
    checks = {c["id"]: c for c in json.loads(done.stdout)["checks"]}
    audit = checks[CHECK_ID]
    assert audit["status"] == "warn"
    for name in UNSUPPORTED:
        assert f"'{name}'" in audit["detail"]
    for name in SUPPORTED_OR_ELSEWHERE:
        assert name not in audit["detail"]
    text = adue(*argv, env=environment(tmp_path), cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    assert "WARN   Profiles and apps User Enrollment supports: 10 assigned" in text.stdout
    assert "- profile 'iOS – Always-on corporate VPN' (group 'BYOD pilot')" in text.stdout
    assert "0x87d136cd" in text.stdout
    assert (
        "- profile 'iOS – Corporate device restrictions' (group 'Mobile workforce' (contains"
        " 'BYOD pilot')): device restrictions User Enrollment does not support (need a"
        " supervised device: Block camera;" in text.stdout
    )


async def test_a_web_based_rollout_is_not_audited_for_user_enrollment(
    incompatible: RunningSandbox,
) -> None:
    """Web-based device enrollment (issue 18.5) is a device enrollment: device-wide VPN
    and the like apply there, so the User Enrollment audit is not a check of it."""
    from tui.rollout.desired import check_targets

    targets = check_targets(
        {
            "enrollment_profile": {
                "mode": "web-based",
                "groups": [{"id": _group(incompatible, "BYOD pilot"), "name": "BYOD pilot"}],
            }
        }
    )
    assert targets.any
    assert not targets.user_enrollment
    client = make_client(incompatible)
    try:
        report = await run_checks(client, targets=targets)
    finally:
        await client.aclose()
    assert CHECK_ID not in [r.id for r in report.results]
    account = check_targets({"enrollment_profile": {"groups": [{"name": "BYOD pilot"}]}})
    assert account.user_enrollment
