"""Graph returns a default property set unless `$select` asks for more (the v1.0
organization page, user-get's "returns by default only a subset"); the sandbox does the
same, and adue asks for the MDM authority by name."""

from __future__ import annotations

from tests.graph.conftest import make_client
from tests.sandbox.sdk import make_adapter, send_json
from tui.findings import Status
from tui.graph import operations as ops
from tui.graph.checks import run_checks
from tui.sandbox.server import RunningSandbox, start_sandbox


async def test_organization_hides_the_mdm_authority_unless_selected(demo: RunningSandbox) -> None:
    adapter = make_adapter(demo)
    listed = await send_json(adapter, "GET", f"{demo.graph_url}/v1.0/organization")
    org = listed["value"][0]
    assert "mobileDeviceManagementAuthority" not in org
    assert org["id"] == demo.tenant_id
    assert org["verifiedDomains"]
    assert org["displayName"]
    one = await send_json(adapter, "GET", f"{demo.graph_url}/v1.0/organization/{demo.tenant_id}")
    assert "mobileDeviceManagementAuthority" not in one
    chosen = await send_json(
        adapter,
        "GET",
        f"{demo.graph_url}/v1.0/organization?$select=id,mobileDeviceManagementAuthority",
    )
    assert chosen["value"][0] == {"id": demo.tenant_id, "mobileDeviceManagementAuthority": "intune"}


async def test_users_show_the_default_set_unless_selected(demo: RunningSandbox) -> None:
    adapter = make_adapter(demo)
    users = await send_json(adapter, "GET", f"{demo.graph_url}/v1.0/users?$top=3")
    for user in users["value"]:
        assert "accountEnabled" not in user
        assert "department" not in user
        assert user["userPrincipalName"]
        assert user["id"]
    uid = users["value"][0]["id"]
    one = await send_json(
        adapter, "GET", f"{demo.graph_url}/v1.0/users/{uid}?$select=id,accountEnabled"
    )
    assert one["accountEnabled"] is True
    assert "displayName" not in one


async def test_adue_reads_the_mdm_authority_with_select(demo: RunningSandbox) -> None:
    client = make_client(demo)
    try:
        org = await ops.get_organization(client)
    finally:
        await client.aclose()
    assert org.mdm_authority == "intune"


async def test_a_tenant_managed_elsewhere_fails_the_check_by_its_real_authority() -> None:
    with start_sandbox(seed="demo") as sb:
        with sb.lock:
            sb.state.organization["mobileDeviceManagementAuthority"] = "office365"
        client = make_client(sb)
        try:
            report = await run_checks(client)
        finally:
            await client.aclose()
    result = report.by_id("mdm_authority")
    assert result.status is Status.FAIL
    assert "'office365'" in result.detail  # read, not "unknown" for want of $select
