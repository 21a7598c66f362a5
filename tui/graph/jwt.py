"""An access token's claims, read but never verified: Graph verifies the token; adue
only reads what it was granted (scopes, account, tenant, expiry) to explain and check.

The sandbox signs and verifies its own tokens (tui/sandbox/tokens.py): it is
self-contained by an import contract, so it does not use this module.
"""

from __future__ import annotations

import base64
import json
from typing import Any


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
