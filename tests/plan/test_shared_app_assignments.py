"""Microsoft Authenticator is shared with other admins: an assignment adue does not own
(intent available, beta-only settings, an assignment filter) is read per app by id in
beta and goes back through the replace-all `/assign` exactly as read; the plan lists it.

The sandbox answers like Graph here: the app LIST with `$expand=assignments` shows no
assignments and v1.0 leaves out beta-only settings, so reading either way would lose it.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from tests.plan.helpers import apply_file, example_session, group_id, plan_file
from tests.sandbox.sdk import make_adapter, send_json
from tui.sandbox.server import RunningSandbox
from tui.sandbox.tenant import stable_id

AUTHENTICATOR = "com.microsoft.azureauthenticator"
FILTER_ID = stable_id("demo", "filter", "ios-personal")  # the demo seed's iOS filter


def _authenticator_id(sb: RunningSandbox) -> str:
    with sb.lock:
        return next(
            str(a["id"])
            for a in sb.state.mobile_apps.values()
            if a.get("bundleId") == AUTHENTICATOR
            and a["@odata.type"] == "#microsoft.graph.iosVppApp"
        )


def _foreign_assignment(sales: str) -> dict[str, Any]:
    """What another admin set up in the admin center, as beta returns it."""
    return {
        "@odata.type": "#microsoft.graph.mobileAppAssignment",
        "id": f"{sales}_0_0",
        "intent": "available",
        "target": {
            "@odata.type": "#microsoft.graph.groupAssignmentTarget",
            "groupId": sales,
            "deviceAndAppManagementAssignmentFilterId": FILTER_ID,
            "deviceAndAppManagementAssignmentFilterType": "include",
        },
        "settings": {
            "@odata.type": "#microsoft.graph.iosVppAppAssignmentSettings",
            "useDeviceLicensing": False,
            "vpnConfigurationId": "b7f3c1d2-0a4e-4c5b-9d8e-7f6a5b4c3d2e",
            "uninstallOnDeviceRemoval": True,
            "isRemovable": False,
            "preventManagedAppBackup": True,
            "preventAutoAppUpdate": True,
        },
        "source": "direct",
        "sourceId": None,
    }


async def _beta_assignments(sb: RunningSandbox, app_id: str) -> list[dict[str, Any]]:
    adapter = make_adapter(sb, version="beta")
    body = await send_json(
        adapter, "GET", f"{sb.graph_url}/beta/deviceAppManagement/mobileApps/{app_id}/assignments"
    )
    return list(body["value"])


async def test_a_foreign_assignment_survives_apply_exactly_as_read(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    sb = fresh
    app_id = _authenticator_id(sb)
    sales = group_id(sb, "Sales")
    foreign = _foreign_assignment(sales)
    with sb.lock:
        sb.state.app_assignments[app_id] = [copy.deepcopy(foreign)]
    path = example_session(tmp_path)

    plan = await plan_file(sb, path)
    app = next(a for a in plan.changes if a.key == "authenticator:assign")
    assert (
        f"= group 'Sales': available, user licensing, assignment filter {FILTER_ID} (include)"
        " (kept as it is)" in app.details
    )

    result = await apply_file(sb, path)
    assert result.ok, result.failed
    write = next(w for w in sb.writes() if w.path.endswith(f"/mobileApps/{app_id}/assign"))
    assert write.path.startswith("/beta/"), "app assignments must be written in beta"

    after = {a["target"].get("groupId"): a for a in await _beta_assignments(sb, app_id)}
    assert after[sales] == foreign  # every field, read in beta, as the other admin left it
    assert len(after) == 4  # plus adue's three (two groups and one exclusion)

    # The next plan has nothing to do for the app and keeps it again.
    assert (await plan_file(sb, path)).is_empty


async def test_a_session_with_the_app_id_reads_it_by_id_in_beta(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    sb = fresh
    app_id = _authenticator_id(sb)
    sales = group_id(sb, "Sales")
    foreign = _foreign_assignment(sales)
    with sb.lock:
        sb.state.app_assignments[app_id] = [copy.deepcopy(foreign)]
    path = example_session(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("[authenticator]\n", f'[authenticator]\napp_id = "{app_id}"\n'),
        encoding="utf-8",
    )
    sb.clear_requests()
    result = await apply_file(sb, path)
    assert result.ok, result.failed
    reads = [r for r in sb.requests if r.method == "GET" and f"mobileApps/{app_id}" in r.path]
    assert reads
    assert all(r.path.startswith("/beta/") for r in reads)
    after = {a["target"].get("groupId"): a for a in await _beta_assignments(sb, app_id)}
    assert after[sales] == foreign


async def test_sandbox_list_expand_is_empty_and_v1_omits_beta_settings(
    fresh: RunningSandbox,
) -> None:
    sb = fresh
    app_id = _authenticator_id(sb)
    with sb.lock:
        sb.state.app_assignments[app_id] = [_foreign_assignment(group_id(sb, "Sales"))]
    base = f"{sb.graph_url}/{{}}/deviceAppManagement/mobileApps"
    beta, v1 = make_adapter(sb, version="beta"), make_adapter(sb)
    listed = await send_json(beta, "GET", base.format("beta") + "?$expand=assignments")
    mine = next(a for a in listed["value"] if a["id"] == app_id)
    assert mine["assignments"] == []  # deprecated expansion on the list: comes back empty
    one = await send_json(beta, "GET", base.format("beta") + f"/{app_id}?$expand=assignments")
    assert one["assignments"][0]["settings"]["uninstallOnDeviceRemoval"] is True
    old = await send_json(v1, "GET", base.format("v1.0") + f"/{app_id}/assignments")
    settings = old["value"][0]["settings"]
    assert set(settings) == {"@odata.type", "useDeviceLicensing", "vpnConfigurationId"}
    assert "source" not in old["value"][0]


async def test_the_replace_all_body_keeps_what_adue_does_not_change() -> None:
    from tui.graph.models import AppIntent
    from tui.graph.parse import app_assignment
    from tui.graph.payloads import app_assignments_body

    foreign = _foreign_assignment("a1b2c3d4-0000-4000-8000-000000000001")
    read = app_assignment(foreign)
    assert read is not None
    kept = app_assignments_body([read])["mobileAppAssignments"][0]
    assert kept == {k: v for k, v in foreign.items() if k != "id"}
    from dataclasses import replace

    fixed = replace(read, intent=AppIntent.REQUIRED)
    body = app_assignments_body([fixed])["mobileAppAssignments"][0]
    assert body["intent"] == "required"
    assert body["settings"] == foreign["settings"]
    assert body["target"] == foreign["target"]
