"""The compatibility audit follows members shared with other groups (tui.graph.audit_shared)
on the `incompatible` seed, through the real SDK pipeline: "Sales iPhones" is no rollout
group and contains none, but holds Adele Vance (BYOD pilot, All iOS users) and Isaiah
Langer (All iOS users); its device-wide VPN reaches them, its App Store app, which
excludes BYOD pilot, reaches Isaiah only; a group over the member limit is skipped with
a note, and `adue check` says so in text and JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.graph.conftest import make_client
from tests.graph.test_check_command import adue, environment
from tui.findings import Status
from tui.graph.audit import CHECK_ID, audit_result, audit_rollout
from tui.sandbox.server import RunningSandbox, start_sandbox

ROOT = Path(__file__).resolve().parents[2]
VPN = "iOS – Sales always-on VPN"
DECK = "Sales Deck (App Store)"


@pytest.fixture(scope="module")
def incompatible() -> Iterator[RunningSandbox]:
    with start_sandbox(seed="incompatible") as sb:
        yield sb


def _group(sb: RunningSandbox, name: str) -> str:
    return str(next(g["id"] for g in sb.state.groups.values() if g["displayName"] == name))


async def test_a_group_sharing_members_reaches_them(incompatible: RunningSandbox) -> None:
    both = {_group(incompatible, n): n for n in ("BYOD pilot", "All iOS users")}
    pilot = {_group(incompatible, "BYOD pilot"): "BYOD pilot"}
    seen = len(incompatible.requests)
    client = make_client(incompatible)
    try:
        audit = await audit_rollout(client, both)
        pilot_audit = await audit_rollout(client, pilot)
    finally:
        await client.aclose()
    found = {f.name: f for f in audit.found}
    vpn = found[VPN]
    assert vpn.reaches == (
        "group 'Sales iPhones' (also has 2 of the rollout's users, e.g. 'Adele Vance',"
        " 'Isaiah Langer')",
    )
    [reach] = vpn.shared
    assert (reach.group_name, reach.users, reach.examples) == (
        "Sales iPhones",
        2,
        ("Adele Vance", "Isaiah Langer"),
    )
    assert reach.group_id == _group(incompatible, "Sales iPhones")
    assert "0x87d136cd" in vpn.device
    assert "Per-app VPN" in vpn.fix
    # The app excludes BYOD pilot: Adele is kept away, Isaiah (All iOS users only) is not.
    assert found[DECK].reaches == (
        "group 'Sales iPhones' (also has 1 of the rollout's users, e.g. 'Isaiah Langer')",
    )
    assert "Legal" not in " ".join(found)  # Legal shares nobody with the rollout
    assert audit.notes == ()
    by_pilot = {f.name: f for f in pilot_audit.found}
    assert by_pilot[VPN].shared[0].users == 1
    assert by_pilot[VPN].shared[0].examples == ("Adele Vance",)
    assert DECK not in by_pilot
    # Members were read as Graph pages them, inside $batch requests.
    members = [r for r in incompatible.requests[seen:] if "/transitiveMembers" in r.path]
    assert members
    assert all(r.in_batch for r in members)
    assert {r.path.split("/")[-3] for r in members} >= {
        _group(incompatible, "Sales iPhones"),
        _group(incompatible, "BYOD pilot"),
    }


async def test_a_group_over_the_member_limit_is_skipped_with_a_note(
    incompatible: RunningSandbox,
) -> None:
    groups = {_group(incompatible, n): n for n in ("BYOD pilot", "All iOS users")}
    client = make_client(incompatible)
    try:
        audit = await audit_rollout(client, groups, member_limit=2)  # Sales iPhones has 3
    finally:
        await client.aclose()
    names = {f.name for f in audit.found}
    assert VPN not in names
    assert DECK not in names
    assert "iOS – Always-on corporate VPN" in names  # the rest of the audit still runs
    assert audit.notes == (
        "group 'Sales iPhones' has more than 2 members: the policies assigned to it (or"
        " excluding it) were not checked for the rollout's users it also contains",
    )
    result = audit_result(audit)
    assert result.status is Status.WARN
    assert result.detail.endswith("\nNot checked: " + audit.notes[0])


def test_adue_check_names_the_shared_group(tmp_path: Path) -> None:
    session = tmp_path / "rollout.toml"
    session.write_text(
        (ROOT / "examples" / "sandbox-demo.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    session.chmod(0o600)
    argv = ("--sandbox", "check", "--seed", "incompatible", "--session", str(session))
    line = (
        "- profile 'iOS – Sales always-on VPN' (group 'Sales iPhones' (also has 2 of the"
        " rollout's users, e.g. 'Adele Vance', 'Isaiah Langer')): a device-wide VPN"
    )
    done = adue(*argv, "--json", env=environment(tmp_path), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    audit = {c["id"]: c for c in json.loads(done.stdout)["checks"]}[CHECK_ID]
    assert line in audit["detail"]
    text = adue(*argv, env=environment(tmp_path), cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    assert line in text.stdout
    assert "also has 1 of the rollout's users, e.g. 'Isaiah Langer'" in text.stdout


async def test_a_large_group_costs_a_few_pages_not_all_of_them() -> None:
    """ "Sales iPhones" with 12,000 more members (none of them targeted): at the default
    limit (5,000) the audit reads at most 6 pages of it (999 a page) and skips it with a
    note; with a limit above its size it reads all 13 pages and still finds exactly the
    2 rollout users it shares."""
    from tui.sandbox.tenant import stable_id

    with start_sandbox(seed="incompatible") as sb:
        sales = _group(sb, "Sales iPhones")
        for i in range(12_000):
            uid = stable_id(sb.tenant_id, "sales-rep", str(i))
            upn = f"rep{i:05d}@contoso.com"
            sb.state.users[uid] = {
                "id": uid,
                "businessPhones": [],
                "displayName": f"Sales Rep {i:05d}",
                "givenName": "Sales",
                "jobTitle": None,
                "mail": upn,
                "mobilePhone": None,
                "officeLocation": None,
                "preferredLanguage": "en-US",
                "surname": f"Rep {i:05d}",
                "userPrincipalName": upn,
            }
            sb.state.members[sales].append(uid)
        sb.state.directory_changed()
        groups = {_group(sb, n): n for n in ("BYOD pilot", "All iOS users")}

        def pages_of_sales(since: int) -> int:
            return sum(
                1
                for r in sb.requests[since:]
                if f"/groups/{sales}/transitiveMembers" in r.path and r.in_batch
            )

        client = make_client(sb)
        try:
            seen = len(sb.requests)
            bounded = await audit_rollout(client, groups)
            bounded_pages = pages_of_sales(seen)
            seen = len(sb.requests)
            whole = await audit_rollout(client, groups, member_limit=20_000)
            whole_pages = pages_of_sales(seen)
        finally:
            await client.aclose()
    assert VPN not in {f.name for f in bounded.found}
    assert bounded.notes == (
        "group 'Sales iPhones' has more than 5,000 members: the policies assigned to it (or"
        " excluding it) were not checked for the rollout's users it also contains",
    )
    assert bounded_pages == 6
    vpn = {f.name: f for f in whole.found}[VPN]
    assert vpn.shared[0].users == 2
    assert whole.notes == ()
    assert whole_pages == 13
