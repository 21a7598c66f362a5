"""Sandbox access tokens: JWT-shaped, unsigned, carrying the claims Graph looks at.

A sandbox token is `base64url(header).base64url(payload).` with no signature: the
sandbox is a rehearsal tenant on loopback, and clients (azure-identity, kiota) only
need something JWT-shaped. adue reads `scp` from it to show the granted scopes.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# The audience Graph access tokens carry (Microsoft Graph's application id).
GRAPH_AUDIENCE = "00000003-0000-0000-c000-000000000000"

# The delegated scopes a full adue run needs (graph.md, "Prerequisite reads").
RUN_SCOPES: tuple[str, ...] = (
    "DeviceManagementApps.ReadWrite.All",
    "DeviceManagementConfiguration.ReadWrite.All",
    "DeviceManagementServiceConfig.ReadWrite.All",
    "Group.Read.All",
    "Organization.Read.All",
)

# Everything a sandbox admin token holds: the run scopes plus the read scopes an
# admin's token from the Graph Command Line Tools app typically carries as well.
ALL_SCOPES: tuple[str, ...] = (
    *RUN_SCOPES,
    "Device.Read.All",
    "Domain.Read.All",
    "GroupMember.Read.All",
    "User.Read",
    "User.ReadBasic.All",
)


@dataclass(frozen=True)
class TokenClaims:
    tid: str
    upn: str
    scopes: frozenset[str]
    exp: int
    iat: int
    jti: str

    def expired(self, now: float | None = None) -> bool:
        return (time.time() if now is None else now) >= self.exp


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(part: str) -> Any:
    padded = part + "=" * (-len(part) % 4)
    return json.loads(base64.urlsafe_b64decode(padded.encode()))


def mint_token(
    *,
    tenant_id: str,
    upn: str,
    scopes: Sequence[str] = ALL_SCOPES,
    expires_in: int = 3600,
    name: str = "",
    oid: str | None = None,
) -> str:
    """A sandbox access token for `upn` with the given delegated scopes."""
    now = int(time.time())
    payload = {
        "aud": GRAPH_AUDIENCE,
        "iss": f"https://sts.windows.net/{tenant_id}/",
        "iat": now,
        "nbf": now,
        "exp": now + int(expires_in),
        "tid": tenant_id,
        "upn": upn,
        "unique_name": upn,
        "name": name or upn,
        "oid": oid or str(uuid.uuid5(uuid.NAMESPACE_URL, f"adue-sandbox:{tenant_id}:{upn}")),
        "scp": " ".join(scopes),
        "app_displayname": "adue sandbox",
        "ver": "1.0",
        "jti": uuid.uuid4().hex,
    }
    return f"{_b64({'typ': 'JWT', 'alg': 'none'})}.{_b64(payload)}."


def parse_token(token: str) -> TokenClaims | None:
    """The claims of a sandbox token, or None when `token` is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = _unb64(parts[1])
        return TokenClaims(
            tid=str(payload["tid"]),
            upn=str(payload.get("upn", "")),
            scopes=frozenset(str(payload.get("scp", "")).split()),
            exp=int(payload["exp"]),
            iat=int(payload.get("iat", 0)),
            jti=str(payload.get("jti", parts[1][-16:])),
        )
    except (ValueError, KeyError, TypeError):
        return None
