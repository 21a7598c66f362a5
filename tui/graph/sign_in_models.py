"""What a sign-in shows and gives, as plain values: the device-code prompt, where the
token cache lives, who signed in. tui.graph.auth makes them (network, keyring); the
screens show them, so they live here, apart from the code that signs in.
"""

from __future__ import annotations

import datetime as dt

from tui.values import Frozen


class DeviceCodePrompt(Frozen):
    """What the person needs to finish a device-code sign-in elsewhere."""

    verification_uri: str
    user_code: str
    expires_on: dt.datetime  # UTC

    def seconds_left(self, now: dt.datetime | None = None) -> int:
        now = now or dt.datetime.now(dt.UTC)
        return max(0, int((self.expires_on - now).total_seconds()))


class TokenCacheChoice(Frozen):
    persistent: bool
    plaintext: bool
    notice: str  # for the command line: where tokens live, or why they are not kept
    problem: str = ""  # why the OS keyring cannot be used here ("" = it can, or not asked)

    @property
    def where(self) -> str:
        """ "keyring", "file" or "memory": where the sign-in is kept between runs."""
        if not self.persistent:
            return "memory"
        return "file" if self.plaintext else "keyring"


class SignedIn(Frozen):
    account: str
    tenant_id: str
    scopes: tuple[str, ...]
    expires_on: dt.datetime
    cache_notice: str
    cache: TokenCacheChoice | None = None  # interactive methods: where the sign-in is kept
