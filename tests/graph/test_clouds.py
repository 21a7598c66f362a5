"""The cloud table against graph.md ("Clouds") and the custom Graph root rules."""

from __future__ import annotations

import pytest

from tui.graph.clouds import CLOUDS, get_cloud, normalize_graph_root, resolve_graph_root

# Transcribed from ../shared/reference/graph.md, "Clouds" (Graph root, login authority,
# discovery BaseURL host), and Microsoft's Intune admin center hosts.
EXPECTED = {
    "global": (
        "https://graph.microsoft.com",
        "login.microsoftonline.com",
        "manage.microsoft.com",
        "https://intune.microsoft.com",
    ),
    "usgov": (
        "https://graph.microsoft.us",
        "login.microsoftonline.us",
        "manage.microsoft.us",
        "https://intune.microsoft.us",
    ),
    "usgov-dod": (
        "https://dod-graph.microsoft.us",
        "login.microsoftonline.us",
        "manage.microsoft.us",
        "https://intune.microsoft.us",
    ),
    "china": (
        "https://microsoftgraph.chinacloudapi.cn",
        "login.chinacloudapi.cn",
        "manage.microsoft.cn",
        "https://intune.microsoftonline.cn",
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cloud_table_matches_graph_md(name: str) -> None:
    cloud = CLOUDS[name]
    graph, login, discovery, admin = EXPECTED[name]
    assert (cloud.graph_root, cloud.login_authority, cloud.discovery_host, cloud.admin_center) == (
        graph,
        login,
        discovery,
        admin,
    )
    # Scopes use the cloud's own Graph host.
    assert cloud.scope == f"{graph}/.default"
    assert cloud.authority_url == f"https://{login}"


def test_cloud_table_matches_azure_identity_and_msgraph_core() -> None:
    from azure.identity import AzureAuthorityHosts
    from msgraph_core import NationalClouds

    assert CLOUDS["global"].login_authority == AzureAuthorityHosts.AZURE_PUBLIC_CLOUD
    assert CLOUDS["usgov"].login_authority == AzureAuthorityHosts.AZURE_GOVERNMENT
    assert CLOUDS["usgov-dod"].login_authority == AzureAuthorityHosts.AZURE_GOVERNMENT
    assert CLOUDS["china"].login_authority == AzureAuthorityHosts.AZURE_CHINA
    assert CLOUDS["global"].graph_root == NationalClouds.Global.value
    assert CLOUDS["usgov"].graph_root == NationalClouds.US_GOV.value
    assert CLOUDS["usgov-dod"].graph_root == NationalClouds.US_DoD.value
    assert CLOUDS["china"].graph_root == NationalClouds.China.value


def test_discovery_base_url_names_the_tenant() -> None:
    url = CLOUDS["usgov"].discovery_base_url("0000-tenant")
    assert url == (
        "https://manage.microsoft.us/EnrollmentServer/PostReportDeviceInfoForUEV2"
        "?aadTenantId=0000-tenant"
    )


def test_unknown_cloud_names_the_choices() -> None:
    with pytest.raises(ValueError, match="global, usgov, usgov-dod, china"):
        get_cloud("germany")
    assert get_cloud(None).name == "global"
    assert get_cloud(" USGov ").name == "usgov"


@pytest.mark.parametrize(
    ("given", "root"),
    [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://127.0.0.1:8080/v1.0/", "http://127.0.0.1:8080"),
        ("http://[::1]:9/beta", "http://[::1]:9"),
        ("http://localhost:9", "http://localhost:9"),
        ("https://graph.contoso.test/", "https://graph.contoso.test"),
    ],
)
def test_custom_graph_root_is_normalised(given: str, root: str) -> None:
    assert normalize_graph_root(given) == root


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("http://graph.contoso.test", "plain http to a non-loopback host"),
        ("graph.microsoft.com", "is not a URL"),
        ("ftp://127.0.0.1", "is not a URL"),
        ("https://graph.contoso.test/?x=1", "query or fragment"),
    ],
)
def test_bad_graph_root_names_the_option(given: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        normalize_graph_root(given)
    assert "--graph-url" in str(info.value)


def test_resolve_graph_root_prefers_the_custom_root() -> None:
    assert resolve_graph_root(CLOUDS["china"], None) == CLOUDS["china"].graph_root
    assert resolve_graph_root(CLOUDS["china"], "  ") == CLOUDS["china"].graph_root
    assert resolve_graph_root(CLOUDS["global"], "http://127.0.0.1:1/") == "http://127.0.0.1:1"
