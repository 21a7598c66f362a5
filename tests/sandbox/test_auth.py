"""Bearer tokens: 401 without or with an expired token, 403 naming a missing permission."""

from __future__ import annotations

import httpx
import pytest
from msgraph.generated.models.o_data_errors.o_data_error import ODataError

from tests.sandbox.sdk import make_client
from tui.sandbox.server import RunningSandbox
from tui.sandbox.tokens import RUN_SCOPES, parse_token

pytestmark = pytest.mark.usefixtures("msgraph_warm")


def test_token_claims(demo_sandbox_shared: RunningSandbox) -> None:
    sb = demo_sandbox_shared
    header, payload, signature = sb.token.split(".")
    assert header
    assert payload
    assert signature  # a JWT signed by this sandbox (HS256)
    claims = parse_token(sb.token, sb.token_secret)
    assert claims is not None
    assert claims.tid == sb.tenant_id
    assert claims.upn == "admin@contoso.com"
    assert set(RUN_SCOPES) <= claims.scopes
    assert not claims.expired()


def test_missing_token_is_401_with_graph_error_body(demo_sandbox_shared: RunningSandbox) -> None:
    answer = httpx.get(f"{demo_sandbox_shared.graph_url}/v1.0/groups")
    assert answer.status_code == 401
    error = answer.json()["error"]
    assert error["code"] == "InvalidAuthenticationToken"
    assert error["message"] == "Access token is empty."
    assert error["innerError"]["request-id"] == answer.headers["request-id"]
    assert error["innerError"]["date"]
    assert answer.headers["www-authenticate"].startswith("Bearer ")


async def test_expired_token_is_401(demo_sandbox_shared: RunningSandbox) -> None:
    expired = demo_sandbox_shared.mint_token(expires_in=-10)
    with pytest.raises(ODataError) as caught:
        await make_client(demo_sandbox_shared, expired).organization.get()
    assert caught.value.response_status_code == 401
    assert caught.value.error is not None
    assert "token is expired" in (caught.value.error.message or "")


def test_token_for_another_tenant_is_401(demo_sandbox_shared: RunningSandbox) -> None:
    from tui.sandbox.tokens import mint_token

    foreign = mint_token(
        secret=demo_sandbox_shared.token_secret,
        tenant_id="11111111-2222-4333-8444-555555555555",
        upn="x@fabrikam.com",
    )
    answer = httpx.get(
        f"{demo_sandbox_shared.graph_url}/v1.0/organization",
        headers={"Authorization": f"Bearer {foreign}"},
    )
    assert answer.status_code == 401


async def test_missing_permission_is_403_naming_it(demo_sandbox_shared: RunningSandbox) -> None:
    sb = demo_sandbox_shared
    reader = sb.mint_token(scopes=["User.Read", "Group.Read.All"])
    client = make_client(sb, reader)
    assert await client.groups.get()  # allowed
    with pytest.raises(ODataError) as caught:
        await client.device_management.device_configurations.get()
    assert caught.value.response_status_code == 403
    message = caught.value.error.message if caught.value.error else ""
    assert caught.value.error is not None
    assert caught.value.error.code == "Forbidden"
    assert "DeviceManagementConfiguration.Read.All" in (message or "")
    with pytest.raises(ODataError) as directory:
        await client.subscribed_skus.get()
    assert directory.value.response_status_code == 403
    assert directory.value.error is not None
    assert directory.value.error.code == "Authorization_RequestDenied"
    assert "Organization.Read.All" in (directory.value.error.message or "")


def test_read_scope_cannot_write(demo_sandbox_shared: RunningSandbox) -> None:
    sb = demo_sandbox_shared
    reader = sb.mint_token(scopes=["DeviceManagementConfiguration.Read.All"])
    answer = httpx.post(
        f"{sb.graph_url}/beta/deviceManagement/deviceConfigurations",
        headers={"Authorization": f"Bearer {reader}"},
        json={"@odata.type": "#microsoft.graph.iosDeviceFeaturesConfiguration", "displayName": "x"},
    )
    assert answer.status_code == 403
    assert "DeviceManagementConfiguration.ReadWrite.All" in answer.json()["error"]["message"]
    assert len(sb.state.device_configurations) == 2
