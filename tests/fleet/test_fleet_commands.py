"""`adue fleet plan|apply|status|check|guide` on a 10-tenant fleet sandbox, through the
real fleet sign-in (azure-identity against the identity emulator) and the real
msgraph-sdk pipeline over loopback HTTP: a result per tenant, exit codes, zero writes on
a re-run, the broken tenants (t03 expired APNs, t07 a 403 for a missing permission, t10
refusing the sign-in) failing alone with their reason, tenant pinning, overrides."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fleet.helpers import (
    SwappedConnector,
    count_named,
    fleet_file,
    fleet_sandbox,
    group_id,
    member,
    profile_groups,
    writes_by_label,
)
from tui import cli
from tui.fleet.connect import SignInConnector
from tui.sandbox.server import RunningSandbox
from tui.session import Session

Connect = Callable[..., list[Any]]
HEALTHY = ["t01", "t02", "t03", "t04", "t05", "t06", "t08", "t09"]


def fleet_cmd(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    """Run `adue fleet ...` in-process; (exit code, the --json answer or stdout, stderr)."""
    code = cli.main(["fleet", *args])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if "--json" in args else out), err


def by_label(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["label"]: t for t in answer["tenants"]}


@pytest.fixture(scope="module")
def ten() -> Iterator[RunningSandbox]:
    with fleet_sandbox(10) as sb:
        yield sb


def test_ten_tenants_plan_apply_rerun_with_zero_writes_and_broken_ones_alone(
    ten: RunningSandbox,
    tmp_path: Path,
    connect: Connect,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sb = ten
    monkeypatch.setenv("AZURE_CLIENT_SECRET", sb.fleet_client_secret)
    path = fleet_file(sb, tmp_path, overrides={"t05": {"web_clip.enabled": False}})
    labels = [m.label for m in sb.fleet]

    code, plan, _ = fleet_cmd(capsys, "plan", "--fleet", str(path), "--json")
    assert code == 1  # t10 refuses the sign-in
    tenants = by_label(plan)
    assert list(tenants) == labels
    for label, entry in tenants.items():
        m = member(sb, label)
        assert entry["tenant"]["id"] == m.id
        assert entry["cloud"] == "global"
        if label == "t10":
            assert entry["result"] == "failed", entry
            assert "AADSTS700016" in entry["reason"], entry
        else:
            assert entry["tenant"]["name"] == m.name
            assert entry["result"] == "changes", entry
            assert entry["changes"] > 0, entry
    assert sum(writes_by_label(sb).values()) == 0
    assert not (tmp_path / "fleet.tenants").exists()  # plan writes nothing, not even sessions

    code, applied, _ = fleet_cmd(capsys, "apply", "--fleet", str(path), "--yes", "--json")
    assert code == 1, applied
    tenants = by_label(applied)
    first = writes_by_label(sb)
    for label in HEALTHY:
        assert tenants[label]["result"] == "applied", tenants[label]
        assert tenants[label]["writes"] == first[label] > 0
        assert count_named(sb, label) == (1, 1)
    assert tenants["t07"]["result"] == "failed"
    assert "permission" in tenants["t07"]["reason"].lower(), tenants["t07"]
    assert count_named(sb, "t07") == (0, 0)
    assert tenants["t10"]["result"] == "failed"
    assert first["t10"] == 0
    assert applied["summary"] == {"applied": 8, "failed": 2}
    # overrides land in their tenant only: t02's profile goes to BYOD pilot alone (the
    # sandbox fleet file's override), t05 has no web clip
    for label in HEALTHY:
        wanted = {"BYOD pilot"} if label == "t02" else {"BYOD pilot", "All iOS users"}
        assert profile_groups(sb, label) == {group_id(sb, label, g) for g in wanted}, label
        session = Session.read_only(tmp_path / "fleet.tenants" / f"{label}.toml")
        assert bool(session.get("web_clip", "app_id")) == (label != "t05"), label
        assert session.get("guide", "organization") == member(sb, label).name
        assert session.table("tenant")["tenant_id"] == member(sb, label).id
        assert session.get("review", "last_result") == "ok"
        assert stat.S_IMODE(session.path.stat().st_mode) == 0o600

    code, again, _ = fleet_cmd(capsys, "apply", "--fleet", str(path), "--yes", "--json")
    assert code == 1
    assert {by_label(again)[label]["result"] for label in HEALTHY} == {"in sync"}
    after = writes_by_label(sb)
    assert {label: after[label] for label in HEALTHY} == {label: first[label] for label in HEALTHY}

    code, text, _ = fleet_cmd(capsys, "plan", "--fleet", str(path), "--only", *HEALTHY)
    assert code == 0, text
    for label in HEALTHY:
        assert any(line.startswith(label) and "in sync" in line for line in text.splitlines())
    assert "8 tenant(s)" in text
    assert "8 in sync" in text

    code, status, _ = fleet_cmd(capsys, "status", "--fleet", str(path), "--json", "--only", "t02")
    assert code == 0
    [entry] = status["tenants"]
    assert entry["label"] == "t02"
    assert entry["status"]["last_result"] == "ok"
    assert entry["status"]["drift"]["in_sync"]

    # The checks as the fleet's app (the compatibility audit reads a group's parents, which
    # an app may do with Directory.Read.All, granted as the README asks), then as the
    # partner admin (gdap, delegated).
    code, text, _ = fleet_cmd(capsys, "check", "--fleet", str(path), "--only", "t01,t03")
    _t03_fails_alone(code, text)
    connect(lambda fleet: SignInConnector(fleet, interactive=True))
    gdap = fleet_file(sb, tmp_path / "gdap", mode="gdap", only=["t01", "t03"])
    code, text, _ = fleet_cmd(capsys, "check", "--fleet", str(gdap))
    _t03_fails_alone(code, text)

    code, guide, _ = fleet_cmd(capsys, "guide", "--fleet", str(path), "--json", "--only", "t02,t04")
    assert code == 0, [t["reason"] for t in guide["tenants"]]
    files = {t["label"]: t["files"] for t in guide["tenants"]}
    assert [Path(f).name for f in files["t04"]] == [
        "onboarding-guide-de.html",
        "onboarding-guide-en.html",
    ]
    assert Path(files["t02"][0]).parent == tmp_path / "fleet.tenants" / "t02"
    assert member(sb, "t02").name in Path(files["t02"][0]).read_text(encoding="utf-8")
    assert member(sb, "t04").name not in Path(files["t02"][0]).read_text(encoding="utf-8")
    assert writes_by_label(sb) == after


def _t03_fails_alone(code: int, text: str) -> None:
    """t03's expired push certificate fails its checks; t01's pass."""
    assert code == 2, text
    lines = text.splitlines()
    t03 = next(i for i, line in enumerate(lines) if line.startswith("t03"))
    assert "checks fail" in lines[t03], lines
    assert "push" in lines[t03 + 1].lower(), lines
    assert any(line.startswith("t01") and " pass " in line for line in lines), lines


def test_single_tenant_commands_work_on_a_fleet_session(
    ten: RunningSandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AZURE_CLIENT_SECRET", ten.fleet_client_secret)
    path = fleet_file(ten, tmp_path, only=["t06"])
    assert fleet_cmd(capsys, "apply", "--fleet", str(path), "--yes")[0] == 0
    session = tmp_path / "fleet.tenants" / "t06.toml"
    m = member(ten, "t06")
    monkeypatch.setenv("ADUE_ACCESS_TOKEN", ten.mint_token(upn=m.admin_upn, tenant_id=m.id))
    code = cli.main(["plan", "--session", str(session), "--auth", "token"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.splitlines()[0] == f"Tenant: {m.name} ({m.id}) · cloud: global"
    assert "No changes" in out


def test_gdap_signs_in_once_for_the_fleet(
    ten: RunningSandbox, tmp_path: Path, connect: Connect, capsys: pytest.CaptureFixture[str]
) -> None:
    made = connect(lambda fleet: SignInConnector(fleet, interactive=True))
    path = fleet_file(ten, tmp_path, mode="gdap", only=["t08", "t09"])
    code, text, err = fleet_cmd(capsys, "plan", "--fleet", str(path))
    assert code in (0, 2), err
    assert err.count("To sign in for the whole fleet") == 1
    assert len(made) == 1
    for label in ("t08", "t09"):
        assert any(line.startswith(label) for line in text.splitlines())


def test_a_token_for_another_tenant_is_refused_with_zero_writes(
    tmp_path: Path,
    connect: Connect,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with fleet_sandbox(3, monkeypatch) as sb:
        t01 = member(sb, "t01")
        connect(lambda fleet: SwappedConnector(fleet, wrong="t02", right_id=t01.id))
        path = fleet_file(sb, tmp_path)
        code, answer, _ = fleet_cmd(capsys, "apply", "--fleet", str(path), "--yes", "--json")
        assert code == 1
        t02 = by_label(answer)["t02"]
        assert t02["result"] == "failed"
        assert t02["writes"] == 0
        reason = t02["reason"]
        assert "Wrong tenant" in reason, reason
        assert member(sb, "t02").id in reason, reason
        assert t01.id in reason
        assert t01.name in reason
        writes = writes_by_label(sb)
        assert writes["t02"] == 0
        assert writes["t01"] == writes["t03"] > 0, repr(by_label(answer)["t01"])  # t01 written once
        assert count_named(sb, "t01") == (1, 1)
        assert count_named(sb, "t02") == (0, 0)
        session = Session.read_only(tmp_path / "fleet.tenants" / "t02.toml")
        assert session.get("sso_extension", "policy_id") == ""
        assert session.journal() == []


def test_the_example_fleet_file_rolls_out_to_the_sandbox_fleet(
    tmp_path: Path, connect: Connect, capsys: pytest.CaptureFixture[str]
) -> None:
    """examples/fleet.toml as its header says, with this sandbox's ports (fixed ones there)."""
    from tests.fleet.helpers import ROOT

    text = (ROOT / "examples" / "fleet.toml").read_text(encoding="utf-8")
    with fleet_sandbox(6) as sb:
        connect(lambda fleet: SignInConnector(fleet, interactive=True))
        text = text.replace("http://127.0.0.1:8750", sb.graph_url)
        text = text.replace("https://127.0.0.1:8751", sb.https_url)
        (tmp_path / "sandbox-ca.pem").write_bytes(Path(sb.ca_path).read_bytes())
        path = tmp_path / "northwind.toml"
        path.write_text(text, encoding="utf-8")
        code, plan, err = fleet_cmd(capsys, "plan", "--fleet", str(path), "--json")
        assert code == 2, (err, plan)
        names = {t["label"]: t["tenant"]["name"] for t in plan["tenants"]}
        assert names == {
            "fabrikam": "Fabrikam",
            "adatum": "Adatum",
            "bellows": "Bellows College",
            "coho": "Coho Winery",
            "fourth-coffee": "Fourth Coffee",
        }
        assert {t["result"] for t in plan["tenants"]} == {"changes"}
        code, applied, _ = fleet_cmd(capsys, "apply", "--fleet", str(path), "--yes", "--json")
        assert code == 0, [t["reason"] for t in applied["tenants"]]
        assert fleet_cmd(capsys, "plan", "--fleet", str(path))[0] == 0
        assert (tmp_path / "northwind.tenants" / "coho.toml").exists()
        assert profile_groups(sb, "t02") == {group_id(sb, "t02", "BYOD pilot")}
