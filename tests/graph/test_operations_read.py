"""Every read against the demo sandbox, through msgraph-sdk's pipeline over real HTTP."""

from __future__ import annotations

import threading

import pytest

from tui.graph import operations as ops
from tui.graph.batch import batch_get
from tui.graph.client import GraphClient
from tui.graph.errors import Cancelled
from tui.graph.models import AUTHENTICATOR_BUNDLE_ID, BatchRead, Group, GroupKind
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


# Licences, the push certificate and the restrictions are read by the checks' $batch
# (tests/graph/test_checks_sandbox.py); the Authenticator step lists the VPP tokens itself.
async def test_vpp_tokens(client: GraphClient) -> None:
    tokens = await ops.list_vpp_tokens(client)
    assert [t.state for t in tokens] == ["valid"]


async def test_authenticator_found_as_vpp_and_store_app(client: GraphClient) -> None:
    apps = await ops.find_authenticator_apps(client)
    assert apps.best is not None
    assert apps.best.bundle_id == AUTHENTICATOR_BUNDLE_ID
    assert apps.best.supports_user_licensing
    assert apps.best.free_licenses > 0
    assert [a.bundle_id for a in apps.store_apps] == [AUTHENTICATOR_BUNDLE_ID]
    vpp_apps = await ops.list_ios_vpp_apps(client)
    assert len(vpp_apps) > 1  # Teams, Outlook, ... are VPP apps too


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
    assert len(first.groups) == 4
    assert first.has_more
    second = await ops.next_group_page(client, first)
    assert second.groups
    assert not {g.id for g in second.groups} & {g.id for g in first.groups}


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


async def found(client: GraphClient, name: str) -> Group:
    """A group as the group picker finds it: server-side search, then the exact name."""
    page = await ops.search_groups(client, name)
    (group,) = [g for g in page.groups if g.display_name == name]
    return group


async def test_group_kind_as_the_picker_shows_it(client: GraphClient) -> None:
    finance = await found(client, "Finance")
    assert await ops.get_group_kind(client, finance) is GroupKind.USERS
    ipads = await found(client, "Corporate iPads")
    assert ipads.is_dynamic
    assert await ops.get_group_kind(client, ipads) is GroupKind.DEVICES
    kiosks = await found(client, "Kiosk iPhones")
    assert await ops.get_group_kind(client, kiosks) is GroupKind.DEVICES
    everyone = await found(client, "All employees")
    assert await ops.get_group_kind(client, everyone) is GroupKind.USERS
    assert (await ops.search_groups(client, "No such group")).groups == ()


async def test_user_transitive_groups(client: GraphClient, demo: RunningSandbox) -> None:
    groups = await ops.list_user_groups(client, f"admin@{demo.sign_in_domain}")
    names = {g.display_name for g in groups}
    # admin is in IT Administrators, which is nested in BYOD pilot.
    assert {"IT Administrators", "BYOD pilot"} <= names


async def test_enrollment_profiles_listed_by_priority(client: GraphClient) -> None:
    profiles = await ops.list_enrollment_profiles(client)
    assert profiles
    assert [p.priority for p in profiles] == sorted(p.priority for p in profiles)
    assert all(p.id and p.display_name and p.platform for p in profiles)


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
