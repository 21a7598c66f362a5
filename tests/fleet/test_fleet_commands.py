"""`adue fleet plan|apply|status|check|guide` over a fleet of sandbox tenants, through
the real msgraph-sdk pipeline over loopback HTTP: results per tenant, exit codes, zero
writes on a re-run, a broken tenant failing alone, tenant pinning, overrides."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.fleet.helpers import SandboxFleet, running_fleet, tenant_id_for, write_fleet_file
from tests.plan.helpers import count_named, group_id
from tui import cli
from tui.sandbox.tokens import ALL_SCOPES
from tui.session import Session

Connect = Callable[..., list[Any]]


def fleet_cmd(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    """Run `adue fleet ...` in-process; (exit code, the --json answer or stdout, stderr)."""
    code = cli.main(["fleet", *args])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if "--json" in args else out), err


def by_label(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["label"]: t for t in answer["tenants"]}


@pytest.fixture(scope="module")
def ten() -> Any:
    with running_fleet(10) as fleet:
        yield fleet


def test_ten_tenants_plan_apply_rerun_with_zero_writes(
    ten: SandboxFleet, tmp_path: Path, connect: Connect, capsys: pytest.CaptureFixture[str]
) -> None:
    labels = list(ten.sandboxes)
    path = write_fleet_file(tmp_path, labels)
    made = connect(ten.connector_data())

    code, plan, _ = fleet_cmd(capsys, "plan", "--fleet", str(path), "--json")
    assert code == 2
    tenants = by_label(plan)
    assert list(tenants) == labels
    for label, entry in tenants.items():
        sb = ten.sandboxes[label]
        assert entry["tenant"] == {"id": sb.tenant_id, "name": sb.organization}
        assert entry["cloud"] == "global"
        assert entry["result"] == "changes" and entry["changes"] > 0, entry
    assert sum(ten.writes().values()) == 0
    assert not (tmp_path / "fleet.tenants").exists()  # plan writes nothing, not even sessions
    assert made[-1].signed_in == 1 and made[-1].closed

    code, applied, _ = fleet_cmd(capsys, "apply", "--fleet", str(path), "--yes", "--json")
    assert code == 0, applied
    tenants = by_label(applied)
    first_writes = ten.writes()
    for label, entry in tenants.items():
        assert entry["result"] == "applied", entry
        assert entry["writes"] == first_writes[label] > 0
        assert entry["apply"]["result"] == "ok"
        assert count_named(ten.sandboxes[label]) == (1, 1)
    assert len(set(first_writes.values())) == 1  # the same rollout in every tenant

    for label in labels:
        session = tmp_path / "fleet.tenants" / f"{label}.toml"
        assert stat.S_IMODE(session.stat().st_mode) == 0o600
        table = Session.read_only(session).table("tenant")
        assert table["tenant_id"] == tenant_id_for(label)
        assert Session.read_only(session).get("sso_extension", "policy_id")

    code, again, _ = fleet_cmd(capsys, "apply", "--fleet", str(path), "--yes", "--json")
    assert code == 0
    assert {t["result"] for t in again["tenants"]} == {"in sync"}
    assert ten.writes() == first_writes  # a re-run writes nothing anywhere

    code, text, _ = fleet_cmd(capsys, "plan", "--fleet", str(path))
    assert code == 0
    for label in labels:
        assert any(line.startswith(label) and "in sync" in line for line in text.splitlines())
    assert "10 tenant(s)" in text and "10 in sync" in text

    code, status, _ = fleet_cmd(capsys, "status", "--fleet", str(path), "--json", "--only", "t02")
    assert code == 0
    [entry] = status["tenants"]
    assert entry["label"] == "t02" and entry["status"]["last_result"] == "ok"
    assert entry["status"]["drift"]["in_sync"]
    assert ten.writes() == first_writes


def test_single_tenant_commands_work_on_a_fleet_session(
    ten: SandboxFleet,
    tmp_path: Path,
    connect: Connect,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_fleet_file(tmp_path, ["t04"])
    connect(ten.connector_data())
    assert fleet_cmd(capsys, "apply", "--fleet", str(path), "--yes")[0] in (0, 1)
    sb = ten.sandboxes["t04"]
    session = tmp_path / "fleet.tenants" / "t04.toml"
    monkeypatch.setenv("ADUE_ACCESS_TOKEN", sb.token)
    code = cli.main(
        ["plan", "--session", str(session), "--auth", "token", "--graph-url", sb.graph_url]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.splitlines()[0] == f"Tenant: {sb.organization} ({sb.tenant_id}) · cloud: global"
    assert "No changes" in out


def test_broken_tenants_fail_alone_with_their_reason(
    tmp_path: Path, connect: Connect, capsys: pytest.CaptureFixture[str]
) -> None:
    with running_fleet(5, seeds={"t03": "expired-apns"}) as fleet:
        labels = list(fleet.sandboxes)
        # t02's token lacks the permission to write device configurations: Graph answers
        # 403 on the first write. t05 refuses at token time (no GDAP relationship).
        scopes = [s for s in ALL_SCOPES if s != "DeviceManagementConfiguration.ReadWrite.All"]
        fleet.tokens["t02"] = fleet.sandboxes["t02"].mint_token(
            scopes=[*scopes, "DeviceManagementConfiguration.Read.All"]
        )
        connect(fleet.connector_data(), {"t05": "Tenant t05 has no GDAP relationship"})
        path = write_fleet_file(tmp_path, labels, concurrency=2)

        code, answer, _ = fleet_cmd(capsys, "apply", "--fleet", str(path), "--yes", "--json")
        assert code == 1
        tenants = by_label(answer)
        assert tenants["t02"]["result"] == "failed"
        assert "permission" in tenants["t02"]["reason"].lower(), tenants["t02"]
        assert tenants["t05"]["result"] == "failed"
        assert "no GDAP relationship" in tenants["t05"]["reason"]
        for label in ("t01", "t03", "t04"):
            assert tenants[label]["result"] == "applied", tenants[label]
            assert count_named(fleet.sandboxes[label]) == (1, 1)
        assert fleet.writes()["t05"] == 0
        assert answer["summary"] == {"applied": 3, "failed": 2}

        code, text, _ = fleet_cmd(capsys, "check", "--fleet", str(path), "--only", "t01,t03")
        assert code == 2, text
        lines = text.splitlines()
        t03 = next(i for i, line in enumerate(lines) if line.startswith("t03"))
        assert "checks fail" in lines[t03] and "push" in lines[t03 + 1].lower(), lines
        assert any(line.startswith("t01") and " pass " in line for line in lines), lines


def test_a_token_for_another_tenant_is_refused_with_zero_writes(
    tmp_path: Path, connect: Connect, capsys: pytest.CaptureFixture[str]
) -> None:
    with running_fleet(3) as fleet:
        data = fleet.connector_data()
        data["t02"] = dict(data["t01"])  # t02's sign-in hands out a token for t01
        connect(data)
        path = write_fleet_file(tmp_path, list(fleet.sandboxes))
        code, answer, _ = fleet_cmd(capsys, "apply", "--fleet", str(path), "--yes", "--json")
        assert code == 1
        t02 = by_label(answer)["t02"]
        assert t02["result"] == "failed" and t02["writes"] == 0
        reason = t02["reason"]
        assert "Wrong tenant" in reason and tenant_id_for("t02") in reason
        assert fleet.sandboxes["t01"].tenant_id in reason and "Tenant 01" in reason
        writes = fleet.writes()
        assert writes["t02"] == 0 and writes["t01"] == writes["t03"] > 0  # t01 written once
        assert count_named(fleet.sandboxes["t01"]) == (1, 1)
        session = Session.read_only(tmp_path / "fleet.tenants" / "t02.toml")
        assert session.get("sso_extension", "policy_id") == ""
        assert session.journal() == []


def test_overrides_land_in_that_tenant_only(
    tmp_path: Path, connect: Connect, capsys: pytest.CaptureFixture[str]
) -> None:
    with running_fleet(3) as fleet:
        connect(fleet.connector_data())
        domain = '"tenant.sign_in_domain" = "contoso.com"\n'
        overrides = {
            "t01": domain,
            "t02": domain + '"enrollment_profile.groups" = [{ name = "Executives" }]\n'
            '"guide.organization" = "Fabrikam"\n"web_clip.enabled" = false\n',
            "t03": domain,
        }
        path = write_fleet_file(tmp_path, list(fleet.sandboxes), overrides=overrides)
        code, answer, _ = fleet_cmd(capsys, "apply", "--fleet", str(path), "--yes", "--json")
        assert code == 0, answer
        for label, sb in fleet.sandboxes.items():
            with sb.lock:
                [profile] = [
                    p
                    for p in sb.state.enrollment_profiles.values()
                    if p["displayName"] == "iOS – account-driven user enrollment"
                ]
                groups = {
                    a["target"].get("groupId")
                    for a in sb.state.profile_assignments.get(profile["id"], [])
                }
            wanted = "Executives" if label == "t02" else "BYOD pilot"
            assert groups == {group_id(sb, wanted)}, label
            session = Session.read_only(tmp_path / "fleet.tenants" / f"{label}.toml")
            assert session.get("guide", "organization") == (
                "Fabrikam" if label == "t02" else "Test MSP customer"
            )
            assert bool(session.get("web_clip", "app_id")) == (label != "t02")

        code, guide, _ = fleet_cmd(capsys, "guide", "--fleet", str(path), "--json")
        assert code == 0, [t["reason"] for t in guide["tenants"]]
        for entry in guide["tenants"]:
            [written] = entry["files"]
            assert Path(written).parent == tmp_path / "fleet.tenants" / entry["label"]
            text = Path(written).read_text(encoding="utf-8")
            assert ("Fabrikam" in text) == (entry["label"] == "t02")
