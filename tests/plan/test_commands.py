"""`adue plan`, `adue apply` and `adue status` as a user runs them (subprocesses, real
HTTP to the sandbox): examples/sandbox-demo.toml end to end, exit codes, JSON shapes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.plan.helpers import ROOT, count_named, example_session
from tui.sandbox.server import RunningSandbox

ACTION_KEYS = {
    "key",
    "kind",
    "object_type",
    "object_id",
    "title",
    "details",
    "drift",
    "session_changed",
}
PLAN_KEYS = {"version", "empty", "blocked", "drift", "problems", "notes", "objects", "actions"}


def adue(sb: RunningSandbox, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, ADUE_ACCESS_TOKEN=sb.token, ADUE_GRAPH_URL=sb.graph_url)
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _json(result: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(result.stdout)


def _headline(sb: RunningSandbox) -> str:
    return f"Tenant: Contoso ({sb.tenant_id}) · cloud: global"


def _pop_tenant(sb: RunningSandbox, answer: dict[str, Any]) -> dict[str, Any]:
    """A command's --json names the tenant and cloud first; returns the rest."""
    assert list(answer)[:2] in (["tenant", "cloud"], ["version", "tenant"]), list(answer)
    assert answer.pop("tenant") == {"id": sb.tenant_id, "name": "Contoso"}
    assert answer.pop("cloud") == "global"
    return answer


def _check_plan_shape(plan: dict[str, Any]) -> None:
    assert set(plan) == PLAN_KEYS
    assert plan["version"] == 1
    for action in plan["actions"]:
        assert set(action) == ACTION_KEYS
    for found in plan["objects"]:
        assert set(found) == {"object_type", "name", "id", "found_by"}


def test_example_end_to_end_with_exit_codes_and_json(fresh: RunningSandbox, tmp_path: Path) -> None:
    sb = fresh
    path = example_session(tmp_path)
    session = str(path)

    first = adue(sb, tmp_path, "plan", "--session", session)
    assert first.returncode == 2, first.stderr
    assert first.stdout.splitlines()[0] == _headline(sb)
    assert "+ Create the SSO app extension policy" in first.stdout
    assert "8 change(s)" in first.stdout
    assert sb.writes() == []

    refused = adue(sb, tmp_path, "apply", "--session", session)
    assert refused.returncode == 1
    assert "pass --yes" in refused.stderr
    assert sb.writes() == []

    applied = adue(sb, tmp_path, "apply", "--session", session, "--yes", "--json")
    assert applied.returncode == 0, applied.stderr
    result = _pop_tenant(sb, _json(applied))
    assert set(result) == {
        "version", "result", "writes", "done", "failed", "skipped", "created", "plan",
    }  # fmt: skip
    assert result["result"] == "ok"
    assert result["writes"] == 8
    assert result["failed"] == []
    assert set(result["created"]) == {"sso_policy", "enrollment_profile"}
    _check_plan_shape(result["plan"])
    assert len(sb.writes()) == 8
    assert count_named(sb) == (1, 1)

    again = adue(sb, tmp_path, "plan", "--session", session, "--json")
    assert again.returncode == 0, again.stderr
    plan = _pop_tenant(sb, _json(again))
    _check_plan_shape(plan)
    assert plan["empty"]
    assert plan["actions"] == []
    assert not plan["drift"]
    assert {o["found_by"] for o in plan["objects"]} == {"stored id"}

    status = adue(sb, tmp_path, "status", "--session", session, "--json")
    assert status.returncode == 0, status.stderr
    report = _pop_tenant(sb, _json(status))
    assert set(report) == {"steps", "objects", "last_apply", "last_result", "journal", "drift"}
    assert report["last_result"] == "ok"
    assert report["last_apply"]
    assert all(report["objects"].values())
    steps = {s["id"]: s["status"] for s in report["steps"]}
    assert steps["sso_extension"] == steps["enrollment_profile"] == "done"
    assert len(report["journal"]) == 8
    assert set(report["journal"][0]) >= {
        "time", "intent", "action", "object_type", "object_id", "request_id", "result",
    }  # fmt: skip
    assert report["drift"]["checked"]
    assert report["drift"]["in_sync"]
    _check_plan_shape(report["drift"]["plan"])
    assert len(sb.writes()) == 8
    text = adue(sb, tmp_path, "status", "--session", session)
    assert text.stdout.splitlines()[0] == _headline(sb)
    # the first checked sign-in pinned the session (it had no tenant_id) to the GUID
    saved = path.read_text(encoding="utf-8")
    assert f'tenant_id = "{sb.tenant_id}"' in saved
    assert 'organization = "Contoso"' in saved


def test_plan_with_problems_exits_1_and_status_offline(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    path = example_session(tmp_path)
    text = path.read_text(encoding="utf-8").replace(
        '"com.contoso.timesheets"', '"com.microsoft.Office.Outlook"'
    )
    path.write_text(text, encoding="utf-8")
    result = adue(fresh, tmp_path, "plan", "--session", str(path), "--json")
    assert result.returncode == 1
    plan = _pop_tenant(fresh, _json(result))
    _check_plan_shape(plan)
    assert plan["blocked"]
    assert "com.microsoft.Office.Outlook" in plan["problems"][0]

    offline = adue(fresh, tmp_path, "status", "--session", str(path), "--offline")
    assert offline.returncode == 0, offline.stderr
    assert "Last apply: never" in offline.stdout

    missing = adue(fresh, tmp_path, "plan", "--session", str(tmp_path / "nope.toml"))
    assert missing.returncode == 1
    assert "no such session file" in missing.stderr


def test_apply_asks_on_a_terminal_and_writes_nothing_on_no(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    import pty

    path = example_session(tmp_path)
    primary, secondary = pty.openpty()
    env = dict(os.environ, ADUE_ACCESS_TOKEN=fresh.token, ADUE_GRAPH_URL=fresh.graph_url)
    env["PYTHONPATH"] = str(ROOT)
    os.write(primary, b"n\n")
    try:
        result = subprocess.run(
            [sys.executable, "-m", "tui", "apply", "--session", str(path)],
            env=env,
            cwd=tmp_path,
            stdin=secondary,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        os.close(secondary)
        os.close(primary)
    assert f"Apply these 8 change(s) to Contoso ({fresh.tenant_id})? [y/N]" in result.stderr
    assert "nothing written" in result.stderr
    assert result.returncode == 1
    assert fresh.writes() == []
