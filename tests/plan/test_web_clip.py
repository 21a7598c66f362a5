"""The Company Portal web clip (issue 18, point 1) against the sandbox, through the real SDK:
the demo tenant's existing Company Portal web app is adopted and another admin's assignment
on it goes back exactly as read; without one, adue creates exactly one (also after a lost
answer or a kill); drift is planned and restored; `enabled = false` leaves it out."""

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

from tests.plan.helpers import ROOT, apply_file, example_session, group_id, plan_file
from tui.rollout.desired import desired_state
from tui.sandbox.faults import parse_rule
from tui.sandbox.recording import RequestRecord
from tui.sandbox.server import RunningSandbox, start_sandbox
from tui.session import Session

PORTAL = "https://portal.manage.microsoft.com/"
WEB_APP = "#microsoft.graph.webApp"
APPS = "/beta/deviceAppManagement/mobileApps"
COMMAND = (sys.executable, "-m", "tui", "apply", "--session")


def _portal_apps(sb: RunningSandbox) -> list[dict[str, Any]]:
    with sb.lock:
        return [
            copy.deepcopy(a)
            for a in sb.state.mobile_apps.values()
            if a["@odata.type"] == WEB_APP and a.get("appUrl") == PORTAL
        ]


def _assignments(sb: RunningSandbox, app_id: str) -> list[dict[str, Any]]:
    with sb.lock:
        return copy.deepcopy(sb.state.app_assignments.get(app_id, []))


def _without_portal_app(sb: RunningSandbox) -> None:
    """A tenant that has no Company Portal web app yet."""
    with sb.lock:
        for app in [a for a in sb.state.mobile_apps.values() if a["@odata.type"] == WEB_APP]:
            del sb.state.mobile_apps[app["id"]]
            sb.state.app_assignments.pop(app["id"], None)


def _required_groups(sb: RunningSandbox, app_id: str) -> set[tuple[str, str]]:
    return {
        (a["target"]["@odata.type"].rsplit(".", 1)[-1], a["target"]["groupId"])
        for a in _assignments(sb, app_id)
        if a["intent"] == "required"
    }


def _rollout_targets(sb: RunningSandbox) -> set[tuple[str, str]]:
    return {
        ("groupAssignmentTarget", group_id(sb, "BYOD pilot")),
        ("groupAssignmentTarget", group_id(sb, "All iOS users")),
        ("exclusionGroupAssignmentTarget", group_id(sb, "Executives")),
    }


async def test_the_tenants_web_app_is_adopted_and_an_admins_assignment_kept(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    sb = fresh
    (portal,) = _portal_apps(sb)
    sales = group_id(sb, "Sales")
    theirs = {
        "@odata.type": "#microsoft.graph.mobileAppAssignment",
        "id": f"{sales}_0_0",
        "intent": "available",
        "target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": sales},
        "settings": None,
        "source": "direct",
        "sourceId": None,
    }
    with sb.lock:
        sb.state.app_assignments[portal["id"]] = [copy.deepcopy(theirs)]
    path = example_session(tmp_path)

    plan = await plan_file(sb, path)
    clip = next(a for a in plan.changes if a.key == "web_clip:assign")
    assert not any(a.key == "web_clip:create" for a in plan.changes)
    assert any("adopts the tenant's web app 'Company Portal website'" in d for d in clip.details)
    assert "= group 'Sales': available (kept as it is)" in clip.details

    result = await apply_file(sb, path)
    assert result.ok, result.failed
    (still,) = _portal_apps(sb)  # nothing made, nothing renamed
    assert (still["id"], still["displayName"]) == (portal["id"], portal["displayName"])
    after = {a["target"]["groupId"]: a for a in _assignments(sb, portal["id"])}
    assert after[sales] == theirs  # exactly as the other admin left it
    assert _required_groups(sb, portal["id"]) == _rollout_targets(sb)
    session = Session.read_only(path)
    assert session.get("web_clip", "app_id") == portal["id"]
    assert len(session.get("web_clip", "added_targets")) == 3
    assert (await plan_file(sb, path)).is_empty


async def test_without_one_adue_creates_exactly_one_and_restores_drift(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    sb = fresh
    _without_portal_app(sb)
    path = example_session(tmp_path)
    plan = await plan_file(sb, path)
    assert [a.key for a in plan.changes if a.key.startswith("web_clip")] == [
        "web_clip:create",
        "web_clip:assign",
    ]
    result = await apply_file(sb, path)
    assert result.ok, result.failed
    (clip,) = _portal_apps(sb)
    assert clip["displayName"] == "Company Portal"
    assert clip["publishingState"] == "published"
    create = next(w for w in sb.writes() if w.method == "POST" and w.path == APPS)
    assert create.body["@odata.type"] == WEB_APP
    assert create.body["appUrl"] == PORTAL
    assert _required_groups(sb, clip["id"]) == _rollout_targets(sb)
    assert Session.read_only(path).get("web_clip", "app_id") == clip["id"]
    assert (await plan_file(sb, path)).is_empty

    # Drift: someone removes an assignment, then deletes the app in the admin center.
    with sb.lock:
        sb.state.app_assignments[clip["id"]] = sb.state.app_assignments[clip["id"]][1:]
    plan = await plan_file(sb, path)
    (assign,) = [a for a in plan.changes if a.key.startswith("web_clip")]
    assert assign.key == "web_clip:assign"
    assert assign.drift
    with sb.lock:
        del sb.state.mobile_apps[clip["id"]]
    plan = await plan_file(sb, path)
    create_action = next(a for a in plan.changes if a.key == "web_clip:create")
    assert create_action.drift
    assert "is gone" in create_action.details[0]
    assert (await apply_file(sb, path)).ok
    (again,) = _portal_apps(sb)
    assert _required_groups(sb, again["id"]) == _rollout_targets(sb)
    assert (await plan_file(sb, path)).is_empty


@pytest.mark.parametrize("form", ["503", "drop"])
async def test_a_lost_answer_on_the_create_adopts_the_one_graph_made(
    form: str, tmp_path: Path
) -> None:
    with start_sandbox(seed="demo", retry_after=0) as sb:
        _without_portal_app(sb)
        path = example_session(tmp_path)
        rule = parse_rule(f"lost-{form}:1@{APPS}")
        hits: list[RequestRecord] = []

        def once(record: RequestRecord) -> None:
            if record.fault == f"lost-{form}" and rule in sb.faults.rules:
                sb.faults.rules.remove(rule)
                hits.append(record)

        sb.on_request(once)
        sb.faults.rules.append(rule)
        result = await apply_file(sb, path)
        assert len(hits) == 1, "the lost answer did not happen"
        assert hits[0].path == APPS, "the lost answer did not happen"
        assert result.ok, result.failed
        creates = [w for w in sb.writes() if w.method == "POST" and w.path == APPS]
        assert len(creates) == 1  # never sent twice
        (clip,) = _portal_apps(sb)
        assert _required_groups(sb, clip["id"]) == _rollout_targets(sb)
        journal = Session.read_only(path).journal()
        adopted = [e for e in journal if e["action"] == "adopt" and e["object_type"] == "web_clip"]
        assert len(adopted) == 1
        assert adopted[0]["object_id"] == clip["id"]
        assert (await plan_file(sb, path)).is_empty


async def test_a_kill_right_after_the_create_then_a_rerun_makes_no_second_one(
    tmp_path: Path,
) -> None:
    with start_sandbox(seed="demo") as sb:
        _without_portal_app(sb)
        path = example_session(tmp_path)
        env = dict(os.environ, ADUE_ACCESS_TOKEN=sb.token, PYTHONPATH=str(ROOT))
        killed = threading.Event()
        holder: dict[str, subprocess.Popen[bytes]] = {}

        def kill_after_create(record: RequestRecord) -> None:
            if record.method == "POST" and record.path == APPS and not killed.is_set():
                os.kill(holder["p"].pid, signal.SIGKILL)
                killed.set()

        sb.on_request(kill_after_create)
        # Blocking on purpose: the sandbox answers from its own thread and the kill
        # hook needs the child's pid; nothing else runs on this test's loop.
        holder["p"] = subprocess.Popen(  # noqa: ASYNC220
            [*COMMAND, str(path), "--yes", "--graph-url", sb.graph_url],
            env=env,
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        out, err = holder["p"].communicate(timeout=60)
        assert killed.is_set(), (out.decode(), err.decode())
        assert Session.read_only(path).get("web_clip", "app_id") == ""  # the answer never came
        result = await apply_file(sb, path)
        assert result.ok, result.failed
        (clip,) = _portal_apps(sb)  # found by name and address, adopted: no second one
        assert Session.read_only(path).get("web_clip", "app_id") == clip["id"]
        assert _required_groups(sb, clip["id"]) == _rollout_targets(sb)
        assert (await plan_file(sb, path)).is_empty


async def test_disabled_leaves_it_out(fresh: RunningSandbox, tmp_path: Path) -> None:
    path = example_session(tmp_path)
    text = path.read_text(encoding="utf-8").replace(
        "[web_clip]\nenabled = true", "[web_clip]\nenabled = false"
    )
    path.write_text(text, encoding="utf-8")
    plan = await plan_file(fresh, path)
    assert not [a for a in plan.actions if a.key.startswith("web_clip")]


@pytest.mark.parametrize(
    ("cloud", "url"),
    [
        ("global", "https://portal.manage.microsoft.com/"),
        ("usgov", "https://portal.manage.microsoft.us/"),
        ("usgov-dod", "https://portal.manage.microsoft.us/"),
        ("china", "https://portal.manage.microsoftonline.cn/"),
    ],
)
def test_the_portal_address_follows_the_cloud(cloud: str, url: str) -> None:
    data = {
        "tenant": {"cloud": cloud},
        "authenticator": {"same_groups_as_sso": False, "groups": [{"name": "BYOD"}]},
        "web_clip": {"enabled": True},
    }
    clip = desired_state(data).web_clip
    assert clip is not None
    assert clip.app_url == url
    assert clip.groups[0].name == "BYOD"


async def test_the_sandbox_creates_and_deletes_web_apps_as_graph_does(
    fresh: RunningSandbox,
) -> None:
    """Microsoft's "Create webApp" / "Delete webApp": 201 with the new app, 204; a web app
    without appUrl, or an app type Graph does not create this way, is a 400; a second
    DELETE is a 404."""
    from kiota_abstractions.api_error import APIError

    from tests.sandbox.sdk import make_adapter, send_json

    adapter = make_adapter(fresh, version="beta")
    url = f"{fresh.graph_url}{APPS}"
    made = await send_json(
        adapter,
        "POST",
        url,
        {"@odata.type": WEB_APP, "displayName": "CP", "publisher": "IT", "appUrl": PORTAL},
    )
    assert made["@odata.type"] == WEB_APP
    assert made["id"]
    assert made["createdDateTime"]
    for bad in (
        {"@odata.type": WEB_APP, "displayName": "CP", "publisher": "IT"},
        {
            "@odata.type": WEB_APP,
            "displayName": "CP",
            "publisher": "IT",
            "appUrl": PORTAL,
            "appURL": PORTAL,
        },
        {"@odata.type": "#microsoft.graph.iosVppApp", "displayName": "X", "publisher": "IT"},
    ):
        with pytest.raises(APIError) as refused:
            await send_json(adapter, "POST", url, bad)
        assert refused.value.response_status_code == 400
    assert await send_json(adapter, "DELETE", f"{url}/{made['id']}") is None
    with pytest.raises(APIError) as gone:
        await send_json(adapter, "DELETE", f"{url}/{made['id']}")
    assert gone.value.response_status_code == 404


async def test_two_runs_at_once_converge_on_one_web_clip(tmp_path: Path) -> None:
    """Two session copies applied at the same moment on a tenant without a web clip: both
    create one; the oldest survives, the other run deletes only its own and adopts it."""
    import asyncio

    with start_sandbox(seed="demo", latency_ms=60) as sb:
        _without_portal_app(sb)
        first = example_session(tmp_path, "first.toml")
        second = example_session(tmp_path, "second.toml")
        await asyncio.gather(apply_file(sb, first), apply_file(sb, second))
        for path in (first, second):  # one re-run each, as an admin would
            assert (await apply_file(sb, path)).ok
        (clip,) = _portal_apps(sb)
        ids = {Session.read_only(p).get("web_clip", "app_id") for p in (first, second)}
        assert ids == {clip["id"]}
        creates = [w for w in sb.writes() if w.method == "POST" and w.path == APPS]
        # Usually both made one (the twin was settled); never more than one each.
        assert 1 <= len(creates) <= 2
        assert _required_groups(sb, clip["id"]) == _rollout_targets(sb)
