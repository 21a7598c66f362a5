"""The words a session file and the command line accept for each choice, defined once.

The session schema (tui.session.schema), the options (tui.commands), the sign-in
(tui.graph.auth), the rollout modes and the guide all read them from here. Nothing but
`enum` and `typing` is imported, so `adue --help` stays light. The clouds are the keys
of their own table (tui.graph.clouds.CLOUDS).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, get_args


class AuthMethod(StrEnum):
    DEVICE_CODE = "device-code"
    BROWSER = "browser"
    SECRET = "secret"
    CERTIFICATE = "certificate"
    AZURE_CLI = "azure-cli"
    TOKEN = "token"


AUTH_METHODS: tuple[str, ...] = tuple(method.value for method in AuthMethod)

# [sign_in] token_cache: where an interactive sign-in is kept between runs.
TOKEN_CACHES = ("keyring", "file", "memory")

# How personal devices enroll with our profile (tui.rollout.modes says what each means).
ENROLLMENT_MODES = ("account-driven", "web-based")

# [enrollment_profile] filter_type.
FILTER_TYPES = ("include", "exclude")

# [priority] order: profile ids, highest first, and this word for the profile adue
# manages (its id is not known before apply creates it).
PRIORITY_OURS = "enrollment_profile"

# The employee guide: how employees sign in, and the files it is written as.
Identity = Literal["federated", "managed_apple_id"]
IDENTITIES: tuple[Identity, ...] = get_args(Identity)
GuideFormat = Literal["md", "html", "pdf"]
GUIDE_FORMATS: tuple[GuideFormat, ...] = get_args(GuideFormat)
