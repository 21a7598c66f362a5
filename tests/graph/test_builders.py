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


def _count_builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the SDK's builder is walked for from now on (nothing kept yet)."""
    from tui.graph import builders

    walked: list[str] = []
    real = builders.v1_get

    def counting(*args: object) -> object:
        walked.append(str(args[2]))
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(builders, "v1_get", counting)
    monkeypatch.setattr(builders, "_built", {})
    return walked


def test_the_same_read_again_is_a_copy_of_what_the_builder_made(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fleet's tenants send the same list reads: the SDK's builder makes each once (its
    template expanded once), and every later one, in any client, is a copy of it."""
    walked = _count_builds(monkeypatch)
    first, second = make_client(sandbox), make_client(sandbox)
    query = {"$select": "id,displayName", "$top": "7"}
    made = [c.request_information("GET", "groups", query=query) for c in (first, second, first)]
    assert walked == ["groups"]
    assert len({str(info.url) for info in made}) == 1
    assert str(made[2].url).endswith("/v1.0/groups?%24select=id,displayName&%24top=7")
    assert all(info.url_template == made[0].url_template for info in made)
    made[0].path_parameters["x"] = "y"  # a request's own parameters are its own
    assert "x" not in made[1].path_parameters
    other = first.request_information("GET", "groups", query={"$top": "8"})
    assert walked == ["groups", "groups"]
    assert str(other.url).endswith("?%24top=8")


def test_a_read_of_another_objects_id_is_a_copy_with_that_id(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each tenant's groups have their own ids: a path with GUIDs is built once by its
    shape, and each copy carries its own ids, exactly as the SDK's builder makes it."""
    from tui.graph import builders

    real = builders.v1_get  # the SDK's builder itself, for what each request must be
    walked = _count_builds(monkeypatch)
    client = make_client(sandbox)
    query = {"$top": "1", "$select": "id"}
    ids = [
        "f052ef88-02b4-48af-887e-b61b0cc32306",
        "E52F327B-E4F2-4A08-A512-E1F0EEC6CB80",
        builders._STAND_IN.format(1),  # an id that looks like the next stand-in
    ]
    shapes = {
        "groups/{}/members/microsoft.graph.user": query,
        "deviceManagement/deviceConfigurations/{}/assignments/{}": {"$select": "id"},
    }
    for shape, options in shapes.items():
        for first in ids:
            for second in ids:
                path = shape.format(first, second)
                made = client.request_information("GET", path, query=options)
                expected = real(client.sdk, f"{client.graph_root}/v1.0", path, options)
                assert str(made.url) == str(expected.url)
                assert f"/{path}?" in str(made.url)
                assert made.path_parameters == {
                    **expected.path_parameters,
                    "request-raw-url": str(expected.url),
                }
                assert made.url_template == expected.url_template
    assert len(walked) == 2  # the builder made each shape's first; the rest are copies
    plain = client.request_information("GET", "groups/not-a-guid", query={"$select": "id"})
    assert str(plain.url).endswith("/groups/not-a-guid?%24select=id")
    assert len(walked) == 3


def test_kept_requests_are_bounded(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.graph import builders

    monkeypatch.setattr(builders, "_built", {})
    client = make_client(sandbox)
    for n in range(builders._KEPT + 20):
        client.request_information("GET", f"groups/g{n}")
    assert len(builders._built) == builders._KEPT
    assert str(client.request_information("GET", "groups/g3").url).endswith("/groups/g3")
