"""Pending device-code sign-ins of one sandbox run, and approving one (signing in).

Kept apart from the HTTP routes (tui/sandbox/identity.py) so the running sandbox can
hold the state and its in-process owner can approve a code without a request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class DeviceFlow:
    device_code: str
    user_code: str
    client_id: str
    scope: str
    issued: float
    approved: bool = False
    redeemed: bool = False
    tenant_id: str = ""  # the tenant of the authority the flow started at


@dataclass
class IdentityState:
    flows: dict[str, DeviceFlow] = field(default_factory=dict)  # by device_code
    # refresh token -> (upn, client id, the user's home tenant id)
    refresh_tokens: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def approve_user_code(state: IdentityState, user_code: str) -> bool:
    """Approve the pending flow with `user_code` (as the admin signing in); False if none."""
    wanted = user_code.strip().upper().replace("-", "").replace(" ", "")
    with state.lock:
        for flow in state.flows.values():
            if flow.user_code == wanted and not flow.redeemed:
                flow.approved = True
                return True
    return False
