"""Every read route answers 200 with Graph's collection or entity shape (plain httpx)."""

from __future__ import annotations

import httpx
import pytest

from tui.sandbox.server import RunningSandbox


def ids(sb: RunningSandbox) -> dict[str, str]:
    t = sb.state
    return {
        "user": next(iter(t.users)),
        "group": next(iter(t.groups)),
        "device": next(iter(t.devices)),
        "sku": t.subscribed_skus[0]["id"],
        "vpp": next(iter(t.vpp_tokens)),
        "app": next(iter(t.mobile_apps)),
        "config": next(iter(t.device_configurations)),
        "restriction": next(iter(t.enrollment_configurations)),
        "profile": next(iter(t.enrollment_profiles)),
        "tid": t.tenant_id,
    }


COLLECTIONS = [
    "/v1.0/organization",
    "/v1.0/domains",
    "/v1.0/subscribedSkus",
    "/v1.0/users",
    "/v1.0/users/{user}/memberOf",
    "/v1.0/users/{user}/transitiveMemberOf/microsoft.graph.group",
    "/v1.0/me/transitiveMemberOf",
    "/v1.0/groups",
    "/v1.0/groups/{group}/members",
    "/v1.0/groups/{group}/transitiveMembers/graph.user",
    "/v1.0/devices",
    "/v1.0/deviceAppManagement/vppTokens",
    "/v1.0/deviceAppManagement/mobileApps?$expand=assignments",
    "/v1.0/deviceAppManagement/mobileApps/graph.iosVppApp",
    "/v1.0/deviceAppManagement/mobileApps/{app}/assignments",
    "/v1.0/deviceManagement/deviceConfigurations?$expand=assignments",
    "/v1.0/deviceManagement/deviceConfigurations/{config}/assignments",
    "/v1.0/deviceManagement/deviceEnrollmentConfigurations",
    "/beta/deviceManagement/appleUserInitiatedEnrollmentProfiles",
    "/beta/deviceManagement/appleUserInitiatedEnrollmentProfiles/{profile}/assignments",
]
ENTITIES = [
    "/v1.0/organization/{tid}",
    "/v1.0/domains/contoso.com",
    "/v1.0/subscribedSkus/{sku}",
    "/v1.0/me",
    "/v1.0/users/{user}",
    "/v1.0/groups/{group}",
    "/v1.0/devices/{device}",
    "/v1.0/deviceManagement/applePushNotificationCertificate",
    "/v1.0/deviceAppManagement/vppTokens/{vpp}",
    "/v1.0/deviceAppManagement/mobileApps/{app}?$expand=assignments",
    "/v1.0/deviceManagement/deviceConfigurations/{config}",
    "/v1.0/deviceManagement/deviceEnrollmentConfigurations/{restriction}",
    "/beta/deviceManagement/appleUserInitiatedEnrollmentProfiles/{profile}?$expand=assignments",
]


@pytest.mark.parametrize("template", COLLECTIONS + ENTITIES)
def test_read_route(demo_sandbox_shared: RunningSandbox, template: str) -> None:
    sb = demo_sandbox_shared
    answer = httpx.get(
        sb.graph_url + template.format(**ids(sb)),
        headers={"Authorization": f"Bearer {sb.token}"},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert answer.headers["request-id"]
    if template in COLLECTIONS:
        assert isinstance(body["value"], list)
        assert body["@odata.context"]
        if "$expand=assignments" in template:
            assert all(isinstance(item["assignments"], list) for item in body["value"])
    else:
        assert ("value" not in body and body.get("id")) or body.get("appleIdentifier")
