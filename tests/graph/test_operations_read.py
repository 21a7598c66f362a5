"""Every read against the demo sandbox, through msgraph-sdk's pipeline over real HTTP."""

from __future__ import annotations

import threading

import pytest

from tui.graph import operations as ops
from tui.graph.batch import batch_get
from tui.graph.client import GraphClient
from tui.graph.errors import Cancelled
from tui.graph.models import AUTHENTICATOR_BUNDLE_ID, BatchRead, GroupKind
from tui.sandbox.server import RunningSandbox


async def test_organization_domains_and_mdm_authority(
    client: GraphClient, demo: RunningSandbox
) -> None:
    org = await ops.get_organization(client)
    assert org.id == demo.tenant_id
    assert org.display_name == demo.organization
    assert org.mdm_authority == "intune"
    assert org.default_domain == demo.sign_in_domain
    assert {d.name for d in org.verified_domains} >= {demo.sign_in_domain}


async def test_licences_apns_vpp(client: GraphClient) -> None:
    skus = await ops.list_subscribed_skus(client)
    assert any(s.plan("c1ec4a95-1f05-45b3-a911-aa3fa01094f5") for s in skus)
    cert = await ops.get_apns_certificate(client)
    assert cert is not None and cert.expiration is not None and cert.apple_identifier
    tokens = await ops.list_vpp_tokens(client)
    assert [t.state for t in tokens] == ["valid"]


async def test_authenticator_found_as_vpp_and_store_app(client: GraphClient) -> None:
    apps = await ops.find_authenticator_apps(client)
    assert apps.best is not None
    assert apps.best.bundle_id == AUTHENTICATOR_BUNDLE_ID
    assert apps.best.supports_user_licensing and apps.best.free_licenses > 0
    assert [a.bundle_id for a in apps.store_apps] == [AUTHENTICATOR_BUNDLE_ID]
    vpp_apps = await ops.list_ios_vpp_apps(client)
    assert len(vpp_apps) > 1  # Teams, Outlook, ... are VPP apps too


async def test_platform_restrictions(client: GraphClient) -> None:
    restrictions = await ops.list_platform_restrictions(client)
    default = [r for r in restrictions if r.is_default]
    assert len(default) == 1
    assert not default[0].ios_personal_blocked


async def test_granted_access_from_the_token(client: GraphClient, demo: RunningSandbox) -> None:
    access = ops.get_granted_access(client)
    assert access.account == demo.admin_upn
    assert access.tenant_id == demo.tenant_id
    assert all(access.has(s) for s in ops.RUN_SCOPES)


async def test_group_search_is_server_side_and_paged(
    client: GraphClient, demo: RunningSandbox
) -> None:
    demo.clear_requests()
    page = await ops.search_groups(client, "fin", top=5)
    assert [g.display_name for g in page.groups] == ["Finance"]
    sent = demo.top_level_requests()[-1]
    assert sent.path == "/v1.0/groups"
    assert sent.query["$search"] == '"displayName:fin"'
    assert sent.query["$top"] == "5"

    first = await ops.search_groups(client, "", top=4)
    assert len(first.groups) == 4 and first.has_more
    second = await ops.next_group_page(client, first)
    assert second.groups and not {g.id for g in second.groups} & {g.id for g in first.groups}


async def test_group_search_escapes_quotes_and_cancels(
    client: GraphClient, demo: RunningSandbox
) -> None:
    demo.clear_requests()
    await ops.search_groups(client, 'say "hi"')
    assert demo.top_level_requests()[-1].query["$search"] == '"displayName:say \\"hi\\""'
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        await ops.search_groups(client, "fin", cancel=cancel)


async def test_group_by_name_and_kind(client: GraphClient) -> None:
    (finance,) = await ops.find_groups_by_name(client, "Finance")
    assert await ops.get_group_kind(client, finance) is GroupKind.USERS
    (ipads,) = await ops.find_groups_by_name(client, "Corporate iPads")
    assert ipads.is_dynamic
    assert await ops.get_group_kind(client, ipads) is GroupKind.DEVICES
    (kiosks,) = await ops.find_groups_by_name(client, "Kiosk iPhones")
    assert await ops.get_group_kind(client, kiosks) is GroupKind.DEVICES
    (everyone,) = await ops.find_groups_by_name(client, "All employees")
    assert await ops.get_group_kind(client, everyone) is GroupKind.USERS
    assert await ops.find_groups_by_name(client, "No such group") == ()
    assert (await ops.get_group(client, finance.id)) == finance
    assert await ops.get_group(client, "00000000-0000-0000-0000-000000000000") is None


async def test_user_transitive_groups(client: GraphClient, demo: RunningSandbox) -> None:
    groups = await ops.list_user_groups(client, f"admin@{demo.sign_in_domain}")
    names = {g.display_name for g in groups}
    # admin is in IT Administrators, which is nested in BYOD pilot.
    assert {"IT Administrators", "BYOD pilot"} <= names


async def test_enrollment_profiles_listed_by_priority(client: GraphClient) -> None:
    profiles = await ops.list_enrollment_profiles(client)
    assert profiles and [p.priority for p in profiles] == sorted(p.priority for p in profiles)
    first = await ops.get_enrollment_profile(client, profiles[0].id)
    assert first == profiles[0]
    assert await ops.get_enrollment_profile(client, "missing") is None


async def test_batch_reads_in_one_round_trip(client: GraphClient, demo: RunningSandbox) -> None:
    demo.clear_requests()
    reads = [BatchRead(f"r{i}", "organization") for i in range(23)]
    reads.append(BatchRead("vpp", "deviceAppManagement/vppTokens"))
    answers = await batch_get(client, reads)
    assert set(answers) == {r.id for r in reads}
    assert all(a.ok for a in answers.values())
    batches = [r for r in demo.top_level_requests() if r.is_batch]
    assert len(batches) == 2  # 24 reads -> 20 + 4
    assert all(r.path == "/v1.0/$batch" for r in batches)
