"""An access token's claims, read but never verified: Graph verifies the token; adue
only reads what it was granted (scopes, account, tenant, expiry) to explain and check.

The sandbox signs and verifies its own tokens (tui/sandbox/tokens.py): it is
self-contained by an import contract, so it does not use this module.

GrantedAccess and decode_access_token are here, not in tui.graph.models and
tui.graph.operations (which re-export them), because every sign-in reads its token
before the first request, and a headless command imports those two while that request is
on the wire (tui.rollout.pinned_plan).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from tui.values import Frozen


class GrantedAccess(Frozen):
    """What the access token says (decoded locally, not verified)."""

    scopes: frozenset[str]  # delegated `scp`
    roles: frozenset[str]  # application `roles`
    account: str
    tenant_id: str
    readable: bool = True  # False when the token is not a JWT adue can read

    def has(self, permission: str) -> bool:
        """True if granted, a ReadWrite permission also satisfying its Read twin."""
        granted = {p.lower() for p in self.scopes | self.roles}
        wanted = permission.lower()
        return wanted in granted or wanted.replace(".read.", ".readwrite.") in granted


def read_claims(token: str) -> dict[str, Any] | None:
    """The payload of a JWT (header.payload.signature), or None when `token` is not one
    (an opaque token, a truncated one, a payload that is not a JSON object)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    padded = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except ValueError:  # bad base64 (binascii.Error), bad UTF-8 or JSON
        return None
    return claims if isinstance(claims, dict) else None


def expiry(token: str) -> int | None:
    """The token's `exp` (seconds since the epoch), when it carries one."""
    exp = (read_claims(token) or {}).get("exp")
    return exp if isinstance(exp, int) else None


def decode_access_token(token: str) -> GrantedAccess:
    """The scopes, account and tenant an access token carries (read, not verified)."""
    claims = read_claims(token)
    if claims is None:
        return GrantedAccess(frozenset(), frozenset(), "", "", readable=False)
    roles = claims.get("roles")
    account = next(
        (
            str(claims[k])
            for k in ("upn", "preferred_username", "unique_name", "app_displayname")
            if claims.get(k)
        ),
        "",
    )
    return GrantedAccess(
        scopes=frozenset(str(claims.get("scp") or "").split()),
        roles=frozenset(str(r) for r in roles) if isinstance(roles, list) else frozenset(),
        account=account,
        tenant_id=str(claims.get("tid") or ""),
    )
