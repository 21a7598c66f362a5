"""The optional keys of the Microsoft Enterprise SSO plug-in adue lets an admin add.

From Microsoft Entra's page "Microsoft Enterprise SSO plug-in for Apple devices"
(learn.microsoft.com/entra/identity-platform/apple-sso-plugin): each key with the
type Microsoft documents for it. Integer flags are documented as "1 or 0".
`device_registration` and `browser_sso_interaction_enabled` are not here: adue
sends them itself ([sso_extension] browser_sso_interaction_enabled).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tui.values import Frozen

STRING = "#microsoft.graph.keyStringValuePair"
INTEGER = "#microsoft.graph.keyIntegerValuePair"
BOOLEAN = "#microsoft.graph.keyBooleanValuePair"

OWN_KEYS = ("device_registration", "browser_sso_interaction_enabled")  # adue sends these


class KeySpec(Frozen):
    kinds: tuple[str, ...]  # value-pair @odata.types Microsoft documents, the first preferred
    meaning: str


_LIST = "comma-separated bundle ids"
EXTRA_KEYS: dict[str, KeySpec] = {
    "AppAllowList": KeySpec((STRING,), f"apps allowed to use SSO ({_LIST})"),
    "AppPrefixAllowList": KeySpec((STRING,), "bundle id prefixes allowed to use SSO"),
    "AppBlockList": KeySpec((STRING,), f"apps kept out of SSO ({_LIST})"),
    "AppCookieSSOAllowList": KeySpec(
        (STRING,), "prefixes of apps that need SSO through cookies (also in AppPrefixAllowList)"
    ),
    "Enable_SSO_On_All_ManagedApps": KeySpec((INTEGER,), "1: every managed app may use SSO"),
    "disable_explicit_app_prompt": KeySpec((INTEGER,), "1: fewer prompts in non-MSAL apps"),
    "disable_explicit_app_prompt_and_autologin": KeySpec(
        (INTEGER,), "1: non-MSAL apps pick the account themselves"
    ),
    "disable_explicit_native_app_prompt": KeySpec((INTEGER,), "1: fewer prompts in MSAL apps"),
    "disable_explicit_native_app_prompt_and_autologin": KeySpec(
        (INTEGER,), "1: MSAL apps pick the account themselves"
    ),
    "disable_inapp_sso_signin": KeySpec(
        (INTEGER,), "1: MSAL apps sign in through Microsoft Authenticator"
    ),
    "admin_debug_mode_enabled": KeySpec((INTEGER,), "1: log bundle ids (troubleshooting only)"),
    "use_most_secure_storage": KeySpec(
        (BOOLEAN, INTEGER), "true: device identity keys in the Secure Enclave"
    ),
}

TYPE_WORDS = {STRING: "a string", INTEGER: "1 or 0", BOOLEAN: "true or false"}


def value_problem(name: str, value: Any) -> str:
    """What is wrong with `name = value` as an extra key ("" = fine)."""
    if name in OWN_KEYS:
        return f"{name} is sent by adue itself: set it through the step's own setting, not here"
    spec = EXTRA_KEYS.get(name)
    if spec is None:
        known = ", ".join(EXTRA_KEYS)
        return f"{name!r} is not a documented key of the SSO plug-in: use one of {known}"
    kind = value_kind(name, value)
    if kind:
        return ""
    wanted = " or ".join(TYPE_WORDS[k] for k in spec.kinds)
    return f"{name} must be {wanted} (Microsoft documents it so), not {value!r}"


def value_kind(name: str, value: Any) -> str:
    """The value-pair type to send `value` as, or "" when its type does not fit `name`."""
    spec = EXTRA_KEYS.get(name)
    if spec is None:
        return ""
    for kind in spec.kinds:
        if kind == STRING and isinstance(value, str) and value.strip():
            return kind
        if kind == INTEGER and type(value) is int and value in (0, 1):
            return kind
        if kind == BOOLEAN and isinstance(value, bool):
            return kind
    return ""


def pair(name: str, value: Any) -> dict[str, Any]:
    """The configuration pair Graph receives (values trimmed: untrimmed breaks the plug-in)."""
    kind = value_kind(name, value)
    return {"@odata.type": kind, "key": name.strip(), "value": _clean(value)}


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return ", ".join(part.strip() for part in value.split(",") if part.strip())
    return value


def problems(keys: Mapping[str, Any]) -> list[str]:
    return [p for p in (value_problem(k, v) for k, v in keys.items()) if p]


def parse_value(name: str, text: str) -> Any:
    """What an admin typed, as the key's documented type (None = does not fit)."""
    spec = EXTRA_KEYS.get(name)
    raw = text.strip()
    if spec is None or not raw:
        return None
    for kind in spec.kinds:
        if kind == STRING:
            return raw
        if kind == BOOLEAN and raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        if kind == INTEGER and raw in ("0", "1"):
            return int(raw)
    return None
