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
from tui.graph.audit import CHECK_ID, find_incompatibilities
from tui.graph.checks import CheckStatus, run_checks
from tui.graph.models import CheckTargets
from tui.sandbox.server import RunningSandbox, start_sandbox

ROOT = Path(__file__).resolve().parents[2]
UNSUPPORTED = {
    "iOS – Always-on corporate VPN",
    "iOS – Per-app VPN with Safari",
    "iOS – Wi-Fi certificate (serial)",
    "Contoso Notes (App Store)",
    "Zoom (device licence)",
}
SUPPORTED_OR_ELSEWHERE = (
    "iOS – Per-app VPN (Teams)",
    "iOS – User certificate (UPN)",
    "iOS – Finance device VPN",
    "Slack (user licence)",
    "Contoso Expenses (LOB)",
    "Old Survey (App Store)",
)


@pytest.fixture(scope="module")
def incompatible() -> Iterator[RunningSandbox]:
    with start_sandbox(seed="incompatible") as sb:
        yield sb


def _group(sb: RunningSandbox, name: str) -> str:
    return next(g["id"] for g in sb.state.groups.values() if g["displayName"] == name)


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
    # Assigned to All iOS users only: not there for BYOD pilot alone.
    assert {f.name for f in pilot_only} == {
        "iOS – Always-on corporate VPN",
        "iOS – Wi-Fi certificate (serial)",
        "Contoso Notes (App Store)",
    }


async def test_demo_has_nothing_and_the_check_passes() -> None:
    with start_sandbox(seed="demo") as sb:
        client = make_client(sb)
        try:
            report = await run_checks(
                client, targets=CheckTargets(group_ids=(_group(sb, "BYOD pilot"),))
            )
        finally:
            await client.aclose()
    assert report.by_id(CHECK_ID).status is CheckStatus.PASS


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
    assert result.status is CheckStatus.ERROR
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
    assert "WARN   Profiles and apps User Enrollment supports: 5 assigned" in text.stdout
    assert "- profile 'iOS – Always-on corporate VPN' (group 'BYOD pilot')" in text.stdout
    assert "0x87d136cd" in text.stdout


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
    assert targets.any and not targets.user_enrollment
    client = make_client(incompatible)
    try:
        report = await run_checks(client, targets=targets)
    finally:
        await client.aclose()
    assert CHECK_ID not in [r.id for r in report.results]
    account = check_targets({"enrollment_profile": {"groups": [{"name": "BYOD pilot"}]}})
    assert account.user_enrollment
