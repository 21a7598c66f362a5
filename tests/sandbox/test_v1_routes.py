"""v1.0 routes through msgraph-sdk's typed GraphServiceClient over real HTTP."""

from __future__ import annotations

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.device_app_management.mobile_apps.mobile_apps_request_builder import (
    MobileAppsRequestBuilder,
)
from msgraph.generated.device_management.device_configurations.device_configurations_request_builder import (  # noqa: E501
    DeviceConfigurationsRequestBuilder,
)
from msgraph.generated.groups.groups_request_builder import GroupsRequestBuilder
from msgraph.generated.groups.item.members.graph_device.graph_device_request_builder import (
    GraphDeviceRequestBuilder,
)
from msgraph.generated.groups.item.members.graph_user.graph_user_request_builder import (
    GraphUserRequestBuilder,
)
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.organization.organization_request_builder import OrganizationRequestBuilder

from tests.sandbox.sdk import make_client
from tui.sandbox.seeds import AUTHENTICATOR_BUNDLE_ID, INTUNE_A
from tui.sandbox.server import RunningSandbox

pytestmark = pytest.mark.usefixtures("msgraph_warm")


def group_id(sb: RunningSandbox, name: str) -> str:
    return str(next(g["id"] for g in sb.state.groups.values() if g["displayName"] == name))


def groups_query(
    **params: object,
) -> RequestConfiguration[GroupsRequestBuilder.GroupsRequestBuilderGetQueryParameters]:
    return RequestConfiguration(
        query_parameters=GroupsRequestBuilder.GroupsRequestBuilderGetQueryParameters(**params)  # type: ignore[arg-type]
    )


async def test_organization_domains_and_licences(demo_sandbox_shared: RunningSandbox) -> None:
    client = make_client(demo_sandbox_shared)
    orgs = await client.organization.get()
    assert orgs
    assert orgs.value
    org = orgs.value[0]
    assert org.id == demo_sandbox_shared.tenant_id
    assert org.display_name == "Contoso"
    assert [d.name for d in org.verified_domains or [] if d.is_default] == ["contoso.com"]
    # Not among /organization's default properties (graph.md): only $select brings it.
    assert org.mobile_device_management_authority is None
    selected = await client.organization.get(
        RequestConfiguration(
            query_parameters=OrganizationRequestBuilder.OrganizationRequestBuilderGetQueryParameters(
                select=["id", "mobileDeviceManagementAuthority"]
            )
        )
    )
    assert selected
    assert selected.value
    authority = selected.value[0].mobile_device_management_authority
    # The generated enum types its value as a tuple; it is the string Graph sent.
    assert authority is not None
    assert authority.value == "intune"  # type: ignore[comparison-overlap]

    domains = await client.domains.get()
    assert domains
    assert {d.id for d in domains.value or []} == {
        "contoso.com",
        "contoso.onmicrosoft.com",
    }

    skus = await client.subscribed_skus.get()
    plans = {str(p.service_plan_id) for s in skus.value or [] for p in s.service_plans or []}  # type: ignore[union-attr]
    assert INTUNE_A in plans


async def test_user_and_transitive_groups(demo_sandbox_shared: RunningSandbox) -> None:
    client = make_client(demo_sandbox_shared)
    user = await client.users.by_user_id("JohannaL@contoso.com").get()
    assert user
    assert user.display_name == "Johanna Lorenz"
    groups = await client.users.by_user_id(
        "JohannaL@contoso.com"
    ).transitive_member_of.graph_group.get()
    names = {g.display_name for g in groups.value or []}  # type: ignore[union-attr]
    # Direct: Engineering, IT Administrators, All employees; via IT Administrators: BYOD pilot.
    assert names == {"Engineering", "IT Administrators", "All employees", "BYOD pilot"}


async def test_groups_filter_eq_and_startswith(demo_sandbox_shared: RunningSandbox) -> None:
    client = make_client(demo_sandbox_shared)
    exact = await client.groups.get(groups_query(filter="displayName eq 'byod PILOT'"))
    assert [g.display_name for g in exact.value or []] == ["BYOD pilot"]  # type: ignore[union-attr]
    prefix = await client.groups.get(
        groups_query(filter="startswith(displayName,'Co')", select=["id", "displayName"])
    )
    assert [g.display_name for g in prefix.value or []] == ["Corporate iPads"]  # type: ignore[union-attr]
    assert prefix.value[0].description is None  # type: ignore[index, union-attr]  # not selected


async def test_group_search_needs_consistency_level(demo_sandbox_shared: RunningSandbox) -> None:
    client = make_client(demo_sandbox_shared)
    with pytest.raises(ODataError) as refused:
        await client.groups.get(groups_query(search='"displayName:fin"'))
    assert refused.value.response_status_code == 400
    assert refused.value.error
    assert refused.value.error.code == "Request_UnsupportedQuery"
    assert "ConsistencyLevel: eventual" in (refused.value.error.message or "")

    config = groups_query(search='"displayName:fin"', count=True, top=5)
    config.headers.add("ConsistencyLevel", "eventual")
    found = await client.groups.get(config)
    assert [g.display_name for g in found.value or []] == ["Finance"]  # type: ignore[union-attr]
    assert found.odata_count == 1  # type: ignore[union-attr]


async def test_groups_paging_with_next_link(demo_sandbox_shared: RunningSandbox) -> None:
    client = make_client(demo_sandbox_shared)
    page = await client.groups.get(groups_query(top=5))
    names: list[str] = []
    pages = 0
    while page is not None:
        pages += 1
        names += [g.display_name or "" for g in page.value or []]
        if not page.odata_next_link:
            break
        assert page.odata_next_link.startswith(demo_sandbox_shared.graph_url + "/v1.0/groups?")
        page = await client.groups.with_url(page.odata_next_link).get()
    assert pages == 3
    assert len(names) == len(set(names)) == len(demo_sandbox_shared.state.groups) == 14


async def test_group_members_by_type(demo_sandbox_shared: RunningSandbox) -> None:
    sb = demo_sandbox_shared
    client = make_client(sb)
    top1_user = RequestConfiguration(
        query_parameters=GraphUserRequestBuilder.GraphUserRequestBuilderGetQueryParameters(top=1)
    )
    top1_device = RequestConfiguration(
        query_parameters=GraphDeviceRequestBuilder.GraphDeviceRequestBuilderGetQueryParameters(
            top=1
        )
    )
    kiosks = client.groups.by_group_id(group_id(sb, "Kiosk iPhones")).members
    assert (await kiosks.graph_user.get(top1_user)).value == []  # type: ignore[union-attr]
    devices = await kiosks.graph_device.get(top1_device)
    assert [d.display_name for d in devices.value or []] == ["LOBBY-IPHONE-01"]  # type: ignore[union-attr]
    assert devices.odata_next_link  # type: ignore[union-attr]  # a second device exists
    finance = client.groups.by_group_id(group_id(sb, "Finance")).members
    users = await finance.graph_user.get()
    assert {u.display_name for u in users.value or []} == {"Pradeep Gupta", "Nestor Wilke"}  # type: ignore[union-attr]
    ipads = await client.groups.by_group_id(group_id(sb, "Corporate iPads")).get()
    assert ipads
    assert ipads.membership_rule
    assert ipads.membership_rule.startswith("(device.")


async def test_unknown_group_is_404(demo_sandbox_shared: RunningSandbox) -> None:
    client = make_client(demo_sandbox_shared)
    with pytest.raises(ODataError) as missing:
        await client.groups.by_group_id("00000000-0000-4000-8000-000000000000").get()
    assert missing.value.response_status_code == 404
    assert missing.value.error
    assert missing.value.error.code == "Request_ResourceNotFound"


async def test_apns_vpp_and_enrollment_restrictions(demo_sandbox_shared: RunningSandbox) -> None:
    client = make_client(demo_sandbox_shared)
    apns = await client.device_management.apple_push_notification_certificate.get()
    assert apns
    assert apns.apple_identifier == "mdm-push@contoso.com"
    assert apns.expiration_date_time is not None
    tokens = await client.device_app_management.vpp_tokens.get()
    assert [t.state.value for t in tokens.value or [] if t.state] == ["valid"]  # type: ignore[union-attr]
    configs = await client.device_management.device_enrollment_configurations.get()
    ios = [
        c.ios_restriction  # type: ignore[union-attr]
        for c in configs.value or []  # type: ignore[union-attr]
        if getattr(c, "ios_restriction", None) is not None
    ]
    assert len(ios) == 1
    assert ios[0].personal_device_enrollment_blocked is False


async def test_mobile_apps_isof_filter_and_replace_all_assign(sandbox: RunningSandbox) -> None:
    from msgraph.generated.device_app_management.mobile_apps.item.assign.assign_post_request_body import (  # noqa: E501
        AssignPostRequestBody,
    )
    from msgraph.generated.models.group_assignment_target import GroupAssignmentTarget
    from msgraph.generated.models.install_intent import InstallIntent
    from msgraph.generated.models.ios_vpp_app import IosVppApp
    from msgraph.generated.models.ios_vpp_app_assignment_settings import (
        IosVppAppAssignmentSettings,
    )
    from msgraph.generated.models.mobile_app_assignment import MobileAppAssignment

    client = make_client(sandbox)
    query = MobileAppsRequestBuilder.MobileAppsRequestBuilderGetQueryParameters(
        filter="isof('microsoft.graph.iosVppApp')"
    )
    apps = await client.device_app_management.mobile_apps.get(
        RequestConfiguration(query_parameters=query)
    )
    vpp = [a for a in apps.value or [] if isinstance(a, IosVppApp)]  # type: ignore[union-attr]
    assert len(vpp) == len(apps.value or [])  # type: ignore[union-attr]  # only VPP apps
    authenticator = next(a for a in vpp if a.bundle_id == AUTHENTICATOR_BUNDLE_ID)
    assert authenticator.licensing_type
    assert authenticator.licensing_type.supports_user_licensing
    assert (authenticator.total_license_count or 0) > (authenticator.used_license_count or 0)

    def assignment(group: str) -> MobileAppAssignment:
        return MobileAppAssignment(
            odata_type="#microsoft.graph.mobileAppAssignment",
            intent=InstallIntent.Required,
            target=GroupAssignmentTarget(
                odata_type="#microsoft.graph.groupAssignmentTarget",
                group_id=group_id(sandbox, group),
            ),
            settings=IosVppAppAssignmentSettings(
                odata_type="#microsoft.graph.iosVppAppAssignmentSettings",
                use_device_licensing=False,
            ),
        )

    app = client.device_app_management.mobile_apps.by_mobile_app_id(authenticator.id or "")
    await app.assign.post(AssignPostRequestBody(mobile_app_assignments=[assignment("Finance")]))
    await app.assign.post(AssignPostRequestBody(mobile_app_assignments=[assignment("Sales")]))
    current = await app.assignments.get()
    targets = [a.target.group_id for a in current.value or []]  # type: ignore[union-attr]
    assert targets == [group_id(sandbox, "Sales")]  # replaced, not added
    assert sandbox.requests[-2].status == 204


async def test_device_configuration_crud_assign_and_expand(sandbox: RunningSandbox) -> None:
    from msgraph.generated.device_management.device_configurations.item.assign.assign_post_request_body import (  # noqa: E501
        AssignPostRequestBody,
    )
    from msgraph.generated.models.all_licensed_users_assignment_target import (
        AllLicensedUsersAssignmentTarget,
    )
    from msgraph.generated.models.device_configuration_assignment import (
        DeviceConfigurationAssignment,
    )
    from msgraph.generated.models.exclusion_group_assignment_target import (
        ExclusionGroupAssignmentTarget,
    )
    from msgraph.generated.models.ios_device_features_configuration import (
        IosDeviceFeaturesConfiguration,
    )

    client = make_client(sandbox)
    configs = client.device_management.device_configurations
    created = await configs.post(
        IosDeviceFeaturesConfiguration(
            odata_type="#microsoft.graph.iosDeviceFeaturesConfiguration",
            display_name="Lock screen note",
            lock_screen_footnote="Contoso",
        )
    )
    assert created
    assert created.id
    assert created.version == 1
    assert created.created_date_time
    item = configs.by_device_configuration_id(created.id)
    await item.patch(
        IosDeviceFeaturesConfiguration(
            odata_type="#microsoft.graph.iosDeviceFeaturesConfiguration", description="changed"
        )
    )
    again = await item.get()
    assert again
    assert again.description == "changed"
    assert again.version == 2

    everyone = DeviceConfigurationAssignment(
        target=AllLicensedUsersAssignmentTarget(
            odata_type="#microsoft.graph.allLicensedUsersAssignmentTarget"
        )
    )
    excluded = DeviceConfigurationAssignment(
        target=ExclusionGroupAssignmentTarget(
            odata_type="#microsoft.graph.exclusionGroupAssignmentTarget",
            group_id=group_id(sandbox, "Executives"),
        )
    )
    answer = await item.assign.post(AssignPostRequestBody(assignments=[everyone, excluded]))
    assert answer
    assert len(answer.value or []) == 2
    answer = await item.assign.post(AssignPostRequestBody(assignments=[everyone]))
    assert answer
    assert len(answer.value or []) == 1
    assert len(sandbox.state.config_assignments[created.id]) == 1  # replace-all

    query = DeviceConfigurationsRequestBuilder.DeviceConfigurationsRequestBuilderGetQueryParameters(
        expand=["assignments"]
    )
    listed = await configs.get(RequestConfiguration(query_parameters=query))
    mine = next(c for c in listed.value or [] if c.id == created.id)  # type: ignore[union-attr]
    assert [type(a.target).__name__ for a in mine.assignments or []] == [
        "AllLicensedUsersAssignmentTarget"
    ]
    await item.delete()
    assert created.id not in sandbox.state.device_configurations
    with pytest.raises(ODataError) as gone:
        await item.get()
    assert gone.value.response_status_code == 404


async def test_batch_through_the_sdk(demo_sandbox_shared: RunningSandbox) -> None:
    from msgraph_core.requests.batch_request_content import BatchRequestContent
    from msgraph_core.requests.batch_request_item import BatchRequestItem

    client = make_client(demo_sandbox_shared)
    content = BatchRequestContent()
    for rid, info in (
        ("org", client.organization.to_get_request_information()),
        ("skus", client.subscribed_skus.to_get_request_information()),
    ):
        item = BatchRequestItem(info, id=rid)
        item.url = str(info.url).removeprefix(demo_sandbox_shared.graph_url + "/v1.0")
        content.add_request(rid, item)
    before = len(demo_sandbox_shared.top_level_requests())
    answer = await client.batch.post(content)
    assert {k: v.status for k, v in answer.responses.items()} == {"org": 200, "skus": 200}
    assert len(demo_sandbox_shared.top_level_requests()) == before + 1  # one round trip
