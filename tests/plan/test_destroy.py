"""`adue destroy` (issue 18, point 3) against the sandbox through the real SDK: after a full
apply it leaves the tenant exactly as before it (another admin's Authenticator assignment
and the tenant's own Company Portal web app included), a second destroy writes nothing,
the session can apply again; a kill or a lost answer during destroy, then a re-run,
converges; enrolled devices need --force-enrolled; tenant pinning applies."""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.plan.helpers import (
    ROOT,
    apply_file,
    count_named,
    example_session,
    group_id,
    make_client,
    plan_file,
    snapshot,
)
from tui.rollout.destroy import make_destroy_plan, run_destroy
from tui.rollout.destroy_model import DestroyResult
from tui.sandbox.faults import parse_rule
from tui.sandbox.recording import RequestRecord
from tui.sandbox.server import RunningSandbox, start_sandbox
from tui.session import Session

DESTROY_WRITES = 4  # SSO policy, Authenticator's assignments, the web clip's, the profile
AUTHENTICATOR = "com.microsoft.azureauthenticator"
OTHER_GUID = "11111111-2222-4333-8444-555555555555"
DESTROY = (sys.executable, "-m", "tui", "destroy", "--session")


def _authenticator_id(sb: RunningSandbox) -> str:
    with sb.lock:
        return next(
            str(a["id"])
            for a in sb.state.mobile_apps.values()
            if a.get("bundleId") == AUTHENTICATOR
            and a["@odata.type"] == "#microsoft.graph.iosVppApp"
        )


def _with_other_admins(sb: RunningSandbox) -> None:
    """Another admin's Authenticator assignment (beta-only settings) and one on the tenant's
    Company Portal web app, set up before the rollout."""
    sales = group_id(sb, "Sales")
    with sb.lock:
        portal = next(
            a["id"]
            for a in sb.state.mobile_apps.values()
            if a["@odata.type"] == "#microsoft.graph.webApp"
        )
        sb.state.app_assignments[_authenticator_id(sb)] = [
            {
                "@odata.type": "#microsoft.graph.mobileAppAssignment",
                "id": f"{sales}_0_0",
                "intent": "available",
                "target": {
                    "@odata.type": "#microsoft.graph.groupAssignmentTarget",
                    "groupId": sales,
                },
                "settings": {
                    "@odata.type": "#microsoft.graph.iosVppAppAssignmentSettings",
                    "useDeviceLicensing": False,
                    "vpnConfigurationId": None,
                    "uninstallOnDeviceRemoval": True,
                    "isRemovable": False,
                    "preventManagedAppBackup": True,
                    "preventAutoAppUpdate": False,
                },
                "source": "direct",
                "sourceId": None,
            }
        ]
        sb.state.app_assignments[portal] = [
            {
                "@odata.type": "#microsoft.graph.mobileAppAssignment",
                "id": f"{sales}_0_0",
                "intent": "available",
                "target": {
                    "@odata.type": "#microsoft.graph.groupAssignmentTarget",
                    "groupId": sales,
                },
                "settings": None,
                "source": "direct",
                "sourceId": None,
            }
        ]


def _full_state(sb: RunningSandbox) -> dict[str, Any]:
    """snapshot() plus every field of every app assignment and the apps themselves."""
    with sb.lock:
        apps = {k: copy.deepcopy(v) for k, v in sb.state.mobile_apps.items()}
        for app in apps.values():
            app.pop("lastModifiedDateTime", None)
        assignments = copy.deepcopy(sb.state.app_assignments)
    return {"snapshot": snapshot(sb), "apps": apps, "app_assignments": assignments}


async def destroy_file(sb: RunningSandbox, path: Path) -> DestroyResult:
    client = make_client(sb)
    try:
        with Session.open(path, create=False) as session:
            plan = await make_destroy_plan(client, session.data)
            return await run_destroy(client, session, plan)
    finally:
        await client.aclose()


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


async def test_destroy_after_a_full_apply_leaves_the_tenant_as_before(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    sb = fresh
    _with_other_admins(sb)
    before = _full_state(sb)
    path = example_session(tmp_path)
    assert (await apply_file(sb, path)).ok
    assert count_named(sb) == (1, 1)
    applied = Session.read_only(path)
    statuses = {t: applied.get(t, "status") for t in ("sso_extension", "enrollment_profile")}

    result = await destroy_file(sb, path)
    assert result.ok, result.failed
    assert result.writes == DESTROY_WRITES
    assert _full_state(sb) == before  # the other admins' assignments exactly as read
    session = Session.read_only(path)
    assert session.get("sso_extension", "policy_id") == ""
    assert session.get("enrollment_profile", "profile_id") == ""
    assert session.get("authenticator", "added_targets") == []
    assert session.get("web_clip", "added_targets") == []
    assert session.get("authenticator", "app_id")  # not created by adue: kept
    assert {t: session.get(t, "status") for t in statuses} == statuses  # step states kept
    journal = session.journal()
    assert [e["action"] for e in journal[-DESTROY_WRITES:]] == [
        "delete",
        "unassign",
        "unassign",
        "delete",
    ]
    assert all(e["result"] == "ok" for e in journal)

    writes = len(sb.writes())
    again = await destroy_file(sb, path)  # idempotent: nothing left to do
    assert again.ok
    assert again.writes == 0
    assert len(sb.writes()) == writes
    assert not (await plan_file(sb, path)).is_empty  # ready to apply again
    assert (await apply_file(sb, path)).ok
    assert count_named(sb) == (1, 1)
    assert (await plan_file(sb, path)).is_empty


async def test_a_web_clip_this_session_created_is_deleted(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    sb = fresh
    with sb.lock:
        for app in [a for a in sb.state.mobile_apps.values() if "webApp" in a["@odata.type"]]:
            del sb.state.mobile_apps[app["id"]]
    before = _full_state(sb)
    path = example_session(tmp_path)
    assert (await apply_file(sb, path)).ok
    clip_id = Session.read_only(path).get("web_clip", "app_id")
    plan = await make_destroy_plan(make_client(sb), Session.read_only(path).data)
    assert "destroy:web_clip" in [a.key for a in plan.plan.changes]
    assert (await destroy_file(sb, path)).ok
    with sb.lock:
        assert clip_id not in sb.state.mobile_apps
    assert _full_state(sb) == before
    assert Session.read_only(path).get("web_clip", "app_id") == ""


async def test_an_adopted_policy_is_left_alone(fresh: RunningSandbox, tmp_path: Path) -> None:
    """A policy found by name (made by someone else) is not this session's to delete."""
    sb = fresh
    first = example_session(tmp_path, "first.toml")
    assert (await apply_file(sb, first)).ok
    second = example_session(tmp_path, "second.toml")
    assert (await apply_file(sb, second)).ok  # adopts everything by name: writes nothing new
    plan = await make_destroy_plan(make_client(sb), Session.read_only(second).data)
    assert not [a for a in plan.plan.changes if a.kind.value == "delete"]
    assert any("not created by this session" in n for n in plan.plan.notes)


@pytest.mark.parametrize("k", range(1, DESTROY_WRITES + 1))
async def test_kill_after_destroy_write_k_then_rerun(k: int, tmp_path: Path) -> None:
    with start_sandbox(seed="demo") as sb:
        _with_other_admins(sb)
        before = _full_state(sb)
        path = example_session(tmp_path)
        assert (await apply_file(sb, path)).ok
        env = dict(os.environ, ADUE_ACCESS_TOKEN=sb.token, PYTHONPATH=str(ROOT))
        seen = 0
        killed = threading.Event()
        holder: dict[str, subprocess.Popen[bytes]] = {}

        def kill_after_k(record: RequestRecord) -> None:
            nonlocal seen
            if record.is_write and not killed.is_set():
                seen += 1
                if seen == k:
                    os.kill(holder["p"].pid, signal.SIGKILL)
                    killed.set()

        sb.on_request(kill_after_k)
        # Blocking on purpose: the sandbox answers from its own thread and the kill
        # hook needs the child's pid; nothing else runs on this test's loop.
        holder["p"] = subprocess.Popen(  # noqa: ASYNC220
            [*DESTROY, str(path), "--yes", "--graph-url", sb.graph_url],
            env=env,
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        out, err = holder["p"].communicate(timeout=60)
        assert killed.is_set(), (out.decode(), err.decode())
        pending = [e for e in Session.read_only(path).journal() if e["result"] == "pending"]
        assert len(pending) == 1  # the write in flight when it was killed

        result = await destroy_file(sb, path)
        assert result.ok, result.failed
        assert _full_state(sb) == before
        journal = Session.read_only(path).journal()
        assert all(e["result"] in ("ok", "failed") for e in journal)
        assert (await destroy_file(sb, path)).writes == 0


@pytest.mark.parametrize(
    ("pattern", "form"),
    [
        ("/beta/deviceManagement/deviceConfigurations/*", "503"),
        ("/beta/deviceManagement/appleUserInitiatedEnrollmentProfiles/*", "drop"),
        ("/beta/deviceAppManagement/mobileApps/*/assign", "504"),
    ],
)
async def test_a_lost_answer_during_destroy_converges(
    pattern: str, form: str, tmp_path: Path
) -> None:
    """The delete is made, its answer lost: a retried DELETE meets 404 (done), a dropped
    connection stops the run and the re-run finds the object gone."""
    with start_sandbox(seed="demo", retry_after=0) as sb:
        _with_other_admins(sb)
        before = _full_state(sb)
        path = example_session(tmp_path)
        assert (await apply_file(sb, path)).ok
        method = "POST" if pattern.endswith("/assign") else "DELETE"
        rule = parse_rule(f"lost-{form}:1@{pattern}")
        hits: list[RequestRecord] = []

        def once(record: RequestRecord) -> None:
            if record.fault == f"lost-{form}" and rule in sb.faults.rules:
                sb.faults.rules.remove(rule)
                hits.append(record)

        sb.on_request(once)
        rule_list = sb.faults.rules
        rule_list.append(rule)
        results = [await destroy_file(sb, path)]
        if not results[-1].ok:
            results.append(await destroy_file(sb, path))
        assert len(hits) == 1, "the lost answer did not happen"
        assert hits[0].method == method, "the lost answer did not happen"
        assert results[-1].ok, results[-1].failed
        assert _full_state(sb) == before
        assert (await destroy_file(sb, path)).writes == 0


async def test_enrolled_devices_need_force_enrolled(tmp_path: Path) -> None:
    with start_sandbox(seed="enrolled") as sb:
        path = example_session(tmp_path)
        assert (await apply_file(sb, path)).ok
        writes = len(sb.writes())
        text = path.read_bytes()
        refused = adue(sb, tmp_path, "destroy", "--session", str(path), "--yes")
        assert refused.returncode == 1
        assert "device(s) are enrolled through the enrollment profile" in refused.stderr
        assert "--force-enrolled" in refused.stderr
        assert len(sb.writes()) == writes
        assert path.read_bytes() == text
        done = adue(
            sb, tmp_path, "destroy", "--session", str(path), "--yes", "--force-enrolled", "--json"
        )
        assert done.returncode == 0, done.stderr
        assert '"result": "ok"' in done.stdout
        assert '"enrolled_devices": 5' in done.stdout  # 4 users, Megan twice
        assert count_named(sb) == (0, 0)


async def test_a_session_pinned_to_another_tenant_destroys_nothing(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    sb = fresh
    path = example_session(tmp_path)
    assert (await apply_file(sb, path)).ok
    text = path.read_text(encoding="utf-8")
    text = text.replace("[tenant]\n", f'[tenant]\ntenant_id = "{OTHER_GUID}"\n', 1)
    path.write_text(text, encoding="utf-8")
    writes, before = len(sb.writes()), path.read_bytes()
    result = adue(sb, tmp_path, "destroy", "--session", str(path), "--yes")
    assert result.returncode == 1
    assert path.read_bytes() == before
    assert OTHER_GUID in result.stderr
    assert sb.tenant_id in result.stderr
    assert len(sb.writes()) == writes
    assert count_named(sb) == (1, 1)


async def test_destroy_after_a_killed_apply_removes_what_it_made(tmp_path: Path) -> None:
    """Apply killed right after it created the SSO policy (its id never saved): destroy
    settles the pending create first (found by exact name), then deletes that policy."""
    with start_sandbox(seed="demo") as sb:
        before = _full_state(sb)
        path = example_session(tmp_path)
        env = dict(os.environ, ADUE_ACCESS_TOKEN=sb.token, PYTHONPATH=str(ROOT))
        killed = threading.Event()
        holder: dict[str, subprocess.Popen[bytes]] = {}
        configs = "/beta/deviceManagement/deviceConfigurations"

        def kill_after_create(record: RequestRecord) -> None:
            if record.method == "POST" and record.path == configs and not killed.is_set():
                os.kill(holder["p"].pid, signal.SIGKILL)
                killed.set()

        sb.on_request(kill_after_create)
        command = [sys.executable, "-m", "tui", "apply", "--session", str(path), "--yes"]
        # Blocking on purpose: the sandbox answers from its own thread and the kill
        # hook needs the child's pid; nothing else runs on this test's loop.
        holder["p"] = subprocess.Popen(  # noqa: ASYNC220
            [*command, "--graph-url", sb.graph_url],
            env=env,
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        holder["p"].communicate(timeout=60)
        assert killed.is_set()
        assert Session.read_only(path).get("sso_extension", "policy_id") == ""
        assert count_named(sb)[0] == 1
        done = adue(sb, tmp_path, "destroy", "--session", str(path), "--yes")
        assert done.returncode == 0, done.stderr
        assert count_named(sb) == (0, 0)
        assert _full_state(sb) == before
        journal = Session.read_only(path).journal()
        assert all(e["result"] in ("ok", "failed") for e in journal)


async def test_web_based_destroy_counts_only_the_profiles_web_based_enrollments(
    tmp_path: Path,
) -> None:
    """A web-based session on the `enrolled` seed: of the personal device enrollments
    (Graph's userEnrollment) only PattiF's names the web-based profile; AlexW's and
    LeeG's Company Portal device enrollments are not the profile's (tui/graph/devices.py)."""
    with start_sandbox(seed="enrolled") as sb:
        path = example_session(tmp_path)
        text = path.read_text(encoding="utf-8").replace(
            '[enrollment_profile]\nname = "iOS – account-driven user enrollment"\n',
            '[enrollment_profile]\nmode = "web-based"\n'
            'name = "iOS – web-based device enrollment"\n',
            1,
        )
        assert 'mode = "web-based"' in text
        path.write_text(text, encoding="utf-8")
        assert (await apply_file(sb, path)).ok
        refused = adue(sb, tmp_path, "destroy", "--session", str(path), "--yes", "--json")
        assert refused.returncode == 1
        assert "1 device(s) are enrolled through the enrollment profile" in refused.stderr
        done = adue(
            sb, tmp_path, "destroy", "--session", str(path), "--yes", "--force-enrolled", "--json"
        )
        assert done.returncode == 0, done.stderr
        assert '"enrolled_devices": 1' in done.stdout
