"""The national clouds adue knows, in one table used everywhere (graph.md, "Clouds")."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cloud:
    name: str
    label: str
    graph_root: str  # before /v1.0 and /beta
    login_authority: str  # host, as azure-identity's AzureAuthorityHosts
    discovery_host: str  # Intune enrollment host in the well-known file's BaseURL
    admin_center: str  # Intune admin center, for links to created objects

    @property
    def scope(self) -> str:
        """The `.default` scope on this cloud's own Graph host."""
        return f"{self.graph_root}/.default"

    def discovery_base_url(self, tenant_id: str) -> str:
        return (
            f"https://{self.discovery_host}/EnrollmentServer/"
            f"PostReportDeviceInfoForUEV2?aadTenantId={tenant_id}"
        )


CLOUDS: dict[str, Cloud] = {
    "global": Cloud(
        "global",
        "Global (incl. GCC)",
        "https://graph.microsoft.com",
        "login.microsoftonline.com",
        "manage.microsoft.com",
        "https://intune.microsoft.com",
    ),
    "usgov": Cloud(
        "usgov",
        "US Government GCC High",
        "https://graph.microsoft.us",
        "login.microsoftonline.us",
        "manage.microsoft.us",
        "https://intune.microsoft.us",
    ),
    "usgov-dod": Cloud(
        "usgov-dod",
        "US Government DoD",
        "https://dod-graph.microsoft.us",
        "login.microsoftonline.us",
        "manage.microsoft.us",
        "https://intune.microsoft.us",
    ),
    "china": Cloud(
        "china",
        "Microsoft Azure operated by 21Vianet",
        "https://microsoftgraph.chinacloudapi.cn",
        "login.chinacloudapi.cn",
        "manage.microsoft.cn",
        "https://intune.microsoftonline.cn",
    ),
}

DEFAULT_CLOUD = "global"


def get_cloud(name: str | None) -> Cloud:
    """The cloud called `name` (default global); a clear error naming the choices."""
    key = (name or DEFAULT_CLOUD).strip().lower()
    try:
        return CLOUDS[key]
    except KeyError:
        raise ValueError(
            f"unknown cloud {name!r}: choose one of {', '.join(CLOUDS)}"
        ) from None
