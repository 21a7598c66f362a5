"""The sandbox's discovery host: `GET /.well-known/com.apple.remotemanagement` over HTTPS.

What it serves comes from `tui.discovery.sandbox_response` for the sandbox's current
`discovery_variant` (the correct file, or one broken variant to rehearse with), so that
`adue discovery check` runs end to end against the sandbox.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import BaseRoute

    from tui.sandbox.server import RunningSandbox

WELL_KNOWN_PATH = "/.well-known/com.apple.remotemanagement"


def _fallback(tenant_id: str, path: str) -> tuple[int, dict[str, str], bytes]:
    """The correct file, for when the discovery module is not importable."""
    if path != WELL_KNOWN_PATH:
        return 404, {"Content-Type": "text/plain"}, b"Not Found"
    base_url = (
        "https://manage.microsoft.com/EnrollmentServer/PostReportDeviceInfoForUEV2"
        f"?aadTenantId={tenant_id}"
    )
    body = json.dumps({"Servers": [{"Version": "mdm-byod", "BaseURL": base_url}]}, indent=2)
    return 200, {"Content-Type": "application/json"}, body.encode()


def tenant_for_host(sb: RunningSandbox, host: str) -> str:
    """The served tenant whose verified domain `host` is (a fleet sandbox serves each
    customer's discovery file at its own domain); the sandbox's own tenant otherwise."""
    name = host.rsplit(":", 1)[0].strip("[]").lower() if host.count(":") <= 1 else host.lower()
    if len(sb.tenants) > 1 and name:
        for tenant_id, tenant in sb.tenants.items():
            domains = tenant.organization.get("verifiedDomains", [])
            if any(str(d.get("name", "")).lower() == name for d in domains):
                return tenant_id
    return sb.tenant_id


def serve(
    sb: RunningSandbox, path: str, query: dict[str, str], host: str = ""
) -> tuple[int, dict[str, str], bytes]:
    tenant_id = tenant_for_host(sb, host)
    try:
        from tui.sandbox.discovery_variants import sandbox_response
    except ImportError:
        return _fallback(tenant_id, path)
    try:
        result: Any = sandbox_response(sb.discovery_variant, tenant_id, "global", path, query)
    except ValueError as error:  # unknown variant: say so to whoever is looking
        return 500, {"Content-Type": "text/plain"}, str(error).encode()
    status, headers, body = result
    return int(status), dict(headers), bytes(body)


def discovery_paths() -> tuple[str, ...]:
    try:
        from tui.sandbox.discovery_variants import SANDBOX_PATHS
    except ImportError:
        return (WELL_KNOWN_PATH,)
    return tuple(SANDBOX_PATHS)


def routes(sb: RunningSandbox) -> list[BaseRoute]:
    from starlette.responses import Response
    from starlette.routing import Route

    async def endpoint(request: Request) -> Response:
        host = request.headers.get("host", "")
        status, headers, body = serve(sb, request.url.path, dict(request.query_params), host)
        media_type = headers.pop("Content-Type", None) or headers.pop("content-type", None)
        return Response(body, status_code=status, headers=headers, media_type=media_type)

    return [Route(path, endpoint, methods=["GET"]) for path in discovery_paths()]
