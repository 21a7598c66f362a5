"""The national clouds adue knows, in one table used everywhere (graph.md, "Clouds")."""

from __future__ import annotations

import ipaddress
from typing import NamedTuple
from urllib.parse import urlsplit


# A NamedTuple, not a dataclass: the options import this table, and `adue --help` stays
# light without the dataclasses module.
class Cloud(NamedTuple):
    name: str
    label: str
    graph_root: str  # before /v1.0 and /beta
    login_authority: str  # host, as azure-identity's AzureAuthorityHosts
    discovery_host: str  # Intune enrollment host in the well-known file's BaseURL
    admin_center: str  # Intune admin center, for links to created objects
    # The Company Portal website (Microsoft Intune's network endpoint pages: "Intune
    # customer designated endpoints" for US Government, GCC High and DoD, and for China).
    company_portal: str

    @property
    def authority_url(self) -> str:
        """The login authority as an https URL (what azure-identity's `authority=` takes)."""
        return f"https://{self.login_authority}"

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
        "https://portal.manage.microsoft.com/",
    ),
    "usgov": Cloud(
        "usgov",
        "US Government GCC High",
        "https://graph.microsoft.us",
        "login.microsoftonline.us",
        "manage.microsoft.us",
        "https://intune.microsoft.us",
        "https://portal.manage.microsoft.us/",
    ),
    "usgov-dod": Cloud(
        "usgov-dod",
        "US Government DoD",
        "https://dod-graph.microsoft.us",
        "login.microsoftonline.us",
        "manage.microsoft.us",
        "https://intune.microsoft.us",
        "https://portal.manage.microsoft.us/",
    ),
    "china": Cloud(
        "china",
        "Microsoft Azure operated by 21Vianet",
        "https://microsoftgraph.chinacloudapi.cn",
        "login.chinacloudapi.cn",
        "manage.microsoft.cn",
        "https://intune.microsoftonline.cn",
        "https://portal.manage.microsoftonline.cn/",
    ),
}

# The names `--cloud` and `[tenant] cloud` accept.
CLOUD_NAMES: tuple[str, ...] = tuple(CLOUDS)
DEFAULT_CLOUD = "global"


def get_cloud(name: str | None) -> Cloud:
    """The cloud called `name` (default global); a clear error naming the choices."""
    key = (name or DEFAULT_CLOUD).strip().lower()
    try:
        return CLOUDS[key]
    except KeyError:
        raise ValueError(f"unknown cloud {name!r}: choose one of {', '.join(CLOUDS)}") from None


LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalize_graph_root(url: str) -> str:
    """A custom Graph root (`--graph-url`), checked and without a trailing `/v1.0` or `/beta`.

    Plain http is accepted only for loopback hosts (a sandbox): tokens must never
    travel unencrypted over a network.
    """
    text = url.strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"--graph-url {url!r} is not a URL: give the Graph root, e.g. https://graph.microsoft.com"
            " or http://127.0.0.1:8080 for a sandbox"
        )
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ValueError(
            f"--graph-url {url!r} uses plain http to a non-loopback host: use https"
            " (http is only allowed for 127.0.0.1, ::1 and localhost)"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"--graph-url {url!r} must not contain a query or fragment")
    for suffix in ("/v1.0", "/beta"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    return text


def resolve_graph_root(cloud: Cloud, graph_url: str | None) -> str:
    """The Graph root to send requests to: the custom one when given, else the cloud's."""
    return normalize_graph_root(graph_url) if graph_url and graph_url.strip() else cloud.graph_root


def is_known_root(graph_root: str) -> bool:
    """A root a token may go to without being named on the command line: a national
    cloud's own Graph root, or a loopback address (the sandbox)."""
    if graph_root.rstrip("/").lower() in {c.graph_root for c in CLOUDS.values()}:
        return True
    return is_loopback_host(urlsplit(graph_root).hostname or "")


def session_graph_root(graph_url: str, where: str = "[tenant] graph_url") -> str:
    """The Graph root a session file names, refused unless it is a known root.

    A session file may arrive by pull request or be shared: a root taken from it could
    send the token to anyone's server. Any other root must be given explicitly
    (`--graph-url` or $ADUE_GRAPH_URL), where the person running adue sees it.
    """
    root = normalize_graph_root(graph_url)
    if not is_known_root(root):
        raise ValueError(
            f"{where} = {graph_url.strip()!r} is not a Microsoft cloud's Graph root or a "
            "loopback sandbox: adue sends the token to a root from a session file only when "
            "it is one of those. Remove that line to use the cloud's own root, or give this "
            f"root explicitly: --graph-url {root} (or ADUE_GRAPH_URL={root})"
        )
    return root


def custom_root_notice(graph_root: str) -> str:
    """What to tell the person before sign-in when the token will go to an unusual root."""
    if is_known_root(graph_root):
        return ""
    host = urlsplit(graph_root).netloc
    return (
        f"Graph root {graph_root} (from --graph-url or $ADUE_GRAPH_URL) is not a Microsoft "
        f"cloud's: the access token will be sent to {host}."
    )
