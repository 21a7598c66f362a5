"""v1.0 requests come from msgraph-sdk's request builders (URL templates, query parameter
classes), sent through the one adapter to the sandbox; beta and nextLinks keep their URL."""

from __future__ import annotations

import pytest

from tests.graph.conftest import make_client
from tui.graph import operations as ops
from tui.graph.batch import batch_get
from tui.graph.builders import request_builder
from tui.graph.models import BatchRead
from tui.sandbox.server import RunningSandbox


async def test_a_v1_read_is_the_sdk_builders_request(sandbox: RunningSandbox) -> None:
    client = make_client(sandbox)
    try:
        info = client.request_information(
            "GET", "groups/abc/transitiveMembers/microsoft.graph.user", query={"$top": "5"}
        )
        beta = client.request_information("GET", "deviceAppManagement/mobileApps", version="beta")
        page = await ops.search_groups(client, "BYOD", top=2)
    finally:
        await client.aclose()
    template = info.url_template or ""
    assert template.startswith("{+baseurl}/groups/{group%2Did}/transitiveMembers/")
    assert info.path_parameters["group%2Did"] == "abc"
    wanted = "/v1.0/groups/abc/transitiveMembers/microsoft.graph.user?%24top=5"
    assert str(info.url).endswith(wanted)
    assert beta.url_template is None  # beta: the URL as written, no SDK template
    assert [g.display_name for g in page.groups] == ["BYOD pilot"]
    searched = [r for r in sandbox.requests if r.path == "/v1.0/groups"][-1]
    assert searched.query["$search"] == '"displayName:BYOD"'
    assert searched.query["$top"] == "2"


async def test_batch_items_are_built_by_the_sdk_and_links_sent_as_given(
    sandbox: RunningSandbox,
) -> None:
    client = make_client(sandbox)
    try:
        answers = await batch_get(
            client,
            [
                BatchRead("org", "organization", (("$select", "id,displayName"),)),
                BatchRead("link", "users", (("$top", "1"), ("$skiptoken", "x")), as_given=True),
            ],
        )
    finally:
        await client.aclose()
    assert answers["org"].ok
    inner = {r.path: r.query for r in sandbox.requests if r.in_batch}
    assert inner["/v1.0/organization"] == {"$select": "id,displayName"}
    assert inner["/v1.0/users"]["$skiptoken"] == "x"


@pytest.mark.parametrize(
    ("path", "query"),
    [("organisation", {}), ("groups", {"$skiptoken": "x"}), ("subscribedSkus", {"select": "a"})],
)
def test_a_path_or_option_the_sdk_does_not_know_is_refused(
    sandbox: RunningSandbox, path: str, query: dict[str, str]
) -> None:
    client = make_client(sandbox)
    with pytest.raises(ValueError, match=r"msgraph-sdk|query option"):
        client.request_information("GET", path, query=query)


def test_walk_uses_the_sdk_fluent_api(sandbox: RunningSandbox) -> None:
    client = make_client(sandbox)
    builder = request_builder(client.sdk, "users/a@b.com/licenseDetails")
    assert type(builder).__name__ == "LicenseDetailsRequestBuilder"
