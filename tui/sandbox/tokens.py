"""Sandbox access tokens: JWTs signed with HS256 by a secret only the running sandbox knows.

A sandbox token is `base64url(header).base64url(payload).base64url(HMAC-SHA256)`. Graph
accepts only tokens its issuer signed, and so does the sandbox: a token anyone can
write (unsigned, `alg: none`, or signed with another key) is refused like a forged
one at Graph (401). The secret is random per run (`new_secret`) and never leaves the
process. adue reads `scp` from the payload to show the granted scopes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
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
    "DeviceManagementManagedDevices.Read.All",
    "Domain.Read.All",
    "GroupMember.Read.All",
    "LicenseAssignment.Read.All",
    "User.Read",
    "User.ReadBasic.All",
)


@dataclass(frozen=True)
class TokenClaims:
    tid: str
    upn: str
    scopes: frozenset[str]
    exp: int
    jti: str
    # Application permissions of an app-only token (client credentials): Graph checks them
    # where it checks a delegated token's scopes; such a token has no `scp` and no user.
    roles: frozenset[str] = frozenset()
    app_id: str = ""

    @property
    def permissions(self) -> frozenset[str]:
        """What the token may do: delegated scopes, or an app-only token's roles."""
        return self.scopes | self.roles

    @property
    def is_app_only(self) -> bool:
        return bool(self.roles) and not self.upn

    def expired(self, now: float | None = None) -> bool:
        return (time.time() if now is None else now) >= self.exp


SECRET_BYTES = 32
HEADER = {"typ": "JWT", "alg": "HS256"}


def new_secret() -> bytes:
    """A fresh signing key for one sandbox run."""
    return secrets.token_bytes(SECRET_BYTES)


def _b64_bytes(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64(data: dict[str, Any]) -> str:
    return _b64_bytes(json.dumps(data, separators=(",", ":")).encode())


def _unb64(part: str) -> Any:
    padded = part + "=" * (-len(part) % 4)
    return json.loads(base64.urlsafe_b64decode(padded.encode()))


def _signature(secret: bytes, signing_input: str) -> str:
    return _b64_bytes(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())


def mint_token(
    *,
    secret: bytes,
    tenant_id: str,
    upn: str,
    scopes: Sequence[str] = ALL_SCOPES,
    expires_in: int = 3600,
    name: str = "",
    oid: str | None = None,
) -> str:
    """A sandbox access token for `upn` with the given delegated scopes, signed with `secret`."""
    claims = {
        "upn": upn,
        "unique_name": upn,
        "name": name or upn,
        "oid": oid or str(uuid.uuid5(uuid.NAMESPACE_URL, f"adue-sandbox:{tenant_id}:{upn}")),
        "scp": " ".join(scopes),
        "app_displayname": "adue sandbox",
    }
    return _sign_claims(secret, tenant_id, expires_in, claims)


def mint_app_token(
    *,
    secret: bytes,
    tenant_id: str,
    app_id: str,
    app_name: str,
    roles: Sequence[str],
    expires_in: int = 3600,
) -> str:
    """An app-only access token (client credentials grant) for `app_id` in `tenant_id`.

    As Entra ID issues them (learn.microsoft.com/entra/identity-platform/access-token-claims-
    reference): the application permissions in `roles`, no `scp`, no `upn`, `idtyp` "app",
    `oid` the app's service principal in that tenant.
    """
    claims = {
        "appid": app_id,
        "app_displayname": app_name,
        "idtyp": "app",
        "oid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"adue-sandbox:{tenant_id}:sp:{app_id}")),
        "roles": list(roles),
    }
    return _sign_claims(secret, tenant_id, expires_in, claims)


def _sign_claims(secret: bytes, tenant_id: str, expires_in: int, claims: dict[str, Any]) -> str:
    """`claims` signed between the claims every sandbox token carries (audience, issuer,
    validity from now, tenant) and its version and unique id, in Entra ID's order."""
    now = int(time.time())
    payload = {
        "aud": GRAPH_AUDIENCE,
        "iss": f"https://sts.windows.net/{tenant_id}/",
        "iat": now,
        "nbf": now,
        "exp": now + int(expires_in),
        "tid": tenant_id,
        **claims,
        "ver": "1.0",
        "jti": uuid.uuid4().hex,
    }
    return _sign(secret, payload)


def _sign(secret: bytes, payload: dict[str, Any]) -> str:
    signing_input = f"{_b64(HEADER)}.{_b64(payload)}"
    return f"{signing_input}.{_signature(secret, signing_input)}"


def is_well_formed(token: str) -> bool:
    """Three dot-separated parts, as any JWT (Graph's first check)."""
    return token.count(".") == 2


def parse_token(token: str, secret: bytes) -> TokenClaims | None:
    """The claims of a token this sandbox signed with `secret`, or None for any other:
    not a JWT, another algorithm (`none` included), a wrong signature, bad claims."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    expected = _signature(secret, f"{parts[0]}.{parts[1]}")
    if not hmac.compare_digest(expected.encode(), parts[2].encode()):
        return None
    try:
        if _unb64(parts[0]) != HEADER:
            return None
        payload = _unb64(parts[1])
        roles = payload.get("roles", [])
        if not isinstance(roles, list):
            return None
        return TokenClaims(
            tid=str(payload["tid"]),
            upn=str(payload.get("upn", "")),
            scopes=frozenset(str(payload.get("scp", "")).split()),
            exp=int(payload["exp"]),
            jti=str(payload.get("jti", parts[1][-16:])),
            roles=frozenset(str(r) for r in roles),
            app_id=str(payload.get("appid", "")),
        )
    except (ValueError, KeyError, TypeError):
        return None
