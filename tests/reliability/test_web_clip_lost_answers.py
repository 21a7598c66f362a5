"""The Company Portal web clip under lost answers: the sandbox makes the write, then answers
503 or 504 or drops the connection (`lost-*` faults), once, at the web clip's create and at
its assign, on a tenant whose Company Portal web app adue adopts (only the assign is
written; another admin's assignment on it) and on one without a web app (adue creates it).
Afterwards exactly one Company Portal web app (the tenant's own, or the one Graph made:
the create never sent twice), its assignments exactly as after a clean apply, the other
admin's kept, nothing left to plan and no journal entry pending. One answer form per write
in `make test`; all three with `make soak`.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.plan.helpers import apply_file, group_id, plan_file, session_with_ids, snapshot
from tui.sandbox.faults import parse_rule
from tui.sandbox.recording import RequestRecord
from tui.sandbox.server import RunningSandbox, start_sandbox
from tui.session import Session

APPS = "/beta/deviceAppManagement/mobileApps"
WEB_APP = "#microsoft.graph.webApp"
PORTAL = "https://portal.manage.microsoft.com/"
FORMS = ("503", "504", "drop")
MAX_RUNS = 4
# (tenant, write) -> the answer form `make test` uses
QUICK = {
    ("adopted", "assign"): "504",
    ("created", "create"): "drop",
    ("created", "assign"): "503",
}


def _cases() -> list[Any]:
    cases = []
    for (scenario, write), quick in QUICK.items():
        for form in FORMS:
            marks = () if form == quick else (pytest.mark.soak,)
            cases.append(
                pytest.param(scenario, write, form, marks=marks, id=f"{scenario}-{write}-{form}")
            )
    return cases


def _portal_apps(sb: RunningSandbox) -> list[dict[str, Any]]:
    with sb.lock:
        return [
            dict(a)
            for a in sb.state.mobile_apps.values()
            if a["@odata.type"] == WEB_APP and a.get("appUrl") == PORTAL
        ]


def _prepare(sb: RunningSandbox, scenario: str) -> None:
    sales = group_id(sb, "Sales")
    with sb.lock:
        for app in [a for a in sb.state.mobile_apps.values() if a["@odata.type"] == WEB_APP]:
            if scenario == "created":
                del sb.state.mobile_apps[app["id"]]
                sb.state.app_assignments.pop(app["id"], None)
            else:  # another admin's assignment, to be kept exactly
                sb.state.app_assignments[app["id"]] = [
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


def _normalized(sb: RunningSandbox) -> dict[str, Any]:
    """helpers.snapshot with apps keyed by type and name (a created web clip's id is new
    in every tenant)."""
    found = snapshot(sb)
    with sb.lock:
        names = {
            app_id: (app["@odata.type"], app.get("displayName"), app.get("appUrl"))
            for app_id, app in sb.state.mobile_apps.items()
        }
    found["apps"] = sorted(
        (json.dumps(names[app_id]), json.dumps(assignments))
        for app_id, assignments in found["apps"].items()
    )
    return found


@pytest.fixture(scope="module")
def references(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    found = {}
    for scenario in ("adopted", "created"):
        with start_sandbox(seed="demo") as sb:
            _prepare(sb, scenario)
            path = session_with_ids(sb, tmp_path_factory.mktemp(scenario))
            assert asyncio.run(apply_file(sb, path)).ok
            assert len(_portal_apps(sb)) == 1
            found[scenario] = _normalized(sb)
    return found


@pytest.mark.parametrize(("scenario", "write", "form"), _cases())
async def test_one_lost_answer_at_the_web_clip(
    scenario: str,
    write: str,
    form: str,
    references: dict[str, dict[str, Any]],
    tmp_path: Path,
    tally: Counter[str],
) -> None:
    with start_sandbox(seed="demo", retry_after=0) as sb:
        _prepare(sb, scenario)
        tenants_own = [a["id"] for a in _portal_apps(sb)]
        path = session_with_ids(sb, tmp_path)
        hits: list[RequestRecord] = []
        armed: list[Any] = []

        def arm(pattern: str) -> None:
            rule = parse_rule(f"lost-{form}:1@{pattern}")
            armed.append(rule)
            sb.faults.rules.append(rule)

        def on_request(record: RequestRecord) -> None:
            rule = armed[0] if armed else None
            if rule is not None and record.fault == f"lost-{form}" and rule in sb.faults.rules:
                sb.faults.rules.remove(rule)  # one lost answer, then the network is fine
                hits.append(record)
            if (
                write == "assign"
                and not armed
                and record.method == "POST"
                and record.path == APPS
                and record.status == 201
            ):
                # The clip was just made: its assign is the write to lose.
                (clip,) = _portal_apps(sb)
                arm(f"{APPS}/{clip['id']}/assign")

        sb.on_request(on_request)
        if write == "create":
            arm(APPS)
        elif tenants_own:
            arm(f"{APPS}/{tenants_own[0]}/assign")
        results = []
        for _ in range(MAX_RUNS):
            results.append(await apply_file(sb, path))
            if results[-1].ok:
                break
        assert len(hits) == 1, "the lost answer did not happen: the case proves nothing"
        assert hits[0].method == "POST"
        assert hits[0].path.endswith("/assign") if write == "assign" else hits[0].path == APPS
        assert results[-1].ok, results[-1].failed
        tally["web clip lost answers"] += 1
        tally["web clip runs until done"] += len(results)

        clips = _portal_apps(sb)
        assert len(clips) == 1, clips  # exactly one Company Portal web app
        if scenario == "adopted":
            assert [c["id"] for c in clips] == tenants_own  # the tenant's own, adopted
        creates = [w for w in sb.writes() if w.method == "POST" and w.path == APPS]
        assert len(creates) == (1 if scenario == "created" else 0)  # never sent twice
        assert _normalized(sb) == references[scenario]
        assert (await plan_file(sb, path)).is_empty
        session = Session.read_only(path)
        assert session.get("web_clip", "app_id") == clips[0]["id"]
        journal = session.journal()
        assert all(e["result"] in ("ok", "failed") for e in journal), journal
        if write == "create":
            adopted = [e for e in journal if e["action"] == "adopt"]
            assert [e["object_id"] for e in adopted if e["object_type"] == "web_clip"] == [
                clips[0]["id"]
            ]
