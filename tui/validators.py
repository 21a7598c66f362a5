"""Pure checks for what people type: bundle ids, GUIDs, domains, display names.

Each returns a problem in plain words (what is wrong and how to fix it), or ""
when the value is fine. The plan engine refuses a session with problems before
any write; the wizard's screens run the same functions as-you-type.
"""

from __future__ import annotations

import re

AUTHENTICATOR_BUNDLE_ID = "com.microsoft.azureauthenticator"
# Microsoft's own apps are covered by the SSO extension already (graph.md); listing
# them is refused. Their bundle ids all start with one of these prefixes.
MICROSOFT_BUNDLE_PREFIXES = ("com.microsoft.", "com.skype.", "com.yammer.", "com.linkedin.")
DISPLAY_NAME_MAX = 200  # Intune's portal limit for policy and profile names

_GUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\Z")
# Apple: reverse-DNS, letters, digits, hyphens and dots; at least two parts.
_BUNDLE_PART = re.compile(r"^[A-Za-z0-9-]+\Z")
_DOMAIN_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)\Z")


def bundle_id_problem(value: str) -> str:
    """Why `value` cannot go into the SSO extension's bundle id list ("" = fine)."""
    text = value.strip()
    if not text:
        return "a bundle id is empty: remove the empty entry"
    if any(c.isspace() for c in text):
        return f"bundle id {text!r} contains spaces: bundle ids have none (e.g. com.contoso.app)"
    parts = text.split(".")
    if len(parts) < 2 or not all(_BUNDLE_PART.match(p) for p in parts):
        return (
            f"bundle id {text!r} is not reverse-DNS: use letters, digits and hyphens "
            "separated by dots, e.g. com.contoso.expenses"
        )
    lowered = text.lower()
    if lowered == AUTHENTICATOR_BUNDLE_ID:
        return (
            f"bundle id {text!r} is Microsoft Authenticator: the extension runs inside it, "
            "so Microsoft says not to list it; remove it"
        )
    if lowered.startswith(MICROSOFT_BUNDLE_PREFIXES):
        return (
            f"bundle id {text!r} is a Microsoft app: the SSO extension covers Microsoft apps "
            "already and Microsoft says not to list them; remove it"
        )
    return ""


def bundle_ids_problems(values: list[str] | tuple[str, ...]) -> list[str]:
    """Problems of a whole list, duplicates included."""
    problems = [p for p in (bundle_id_problem(v) for v in values) if p]
    seen: set[str] = set()
    for value in values:
        key = value.strip().lower()
        if key and key in seen:
            problems.append(f"bundle id {value.strip()!r} is listed twice: keep one")
        seen.add(key)
    return problems


def guid_problem(value: str, what: str = "id") -> str:
    text = value.strip()
    if _GUID.match(text):
        return ""
    return (
        f"{what} {text!r} is not a GUID: it looks like 00000000-0000-0000-0000-000000000000 "
        "(copy it from the admin center)"
    )


def is_guid(value: str) -> bool:
    return bool(_GUID.match(value.strip()))


def domain_problem(value: str) -> str:
    text = value.strip().rstrip(".").lower()
    if not text:
        return "the domain is empty: type the domain people sign in with, e.g. contoso.com"
    if "@" in text or "/" in text or ":" in text:
        return (
            f"{value.strip()!r} is not a bare domain: give only the part after @, e.g. contoso.com"
        )
    labels = text.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.match(label) for label in labels):
        return f"{value.strip()!r} is not a domain name: use something like contoso.com"
    if len(text) > 253:
        return "the domain is longer than 253 characters"
    return ""


def display_name_problem(value: str, what: str = "name") -> str:
    text = value.strip()
    if not text:
        return f"the {what} is empty: give it a name people will recognise in the admin center"
    if len(text) > DISPLAY_NAME_MAX:
        return f"the {what} is longer than {DISPLAY_NAME_MAX} characters: shorten it"
    if any(ord(c) < 32 for c in text):
        return f"the {what} contains control characters (a tab or line break): remove them"
    return ""


def tenant_value_problem(value: str) -> str:
    """What is wrong with a tenant_id value ("" = fine: empty, a GUID or a domain name)."""
    text = value.strip()
    if text.lower() in ("organizations", "common"):  # no single tenant: chosen at sign-in
        return ""
    if not text or is_guid(text) or not domain_problem(text):
        return ""
    return (
        f"{text!r} is neither a tenant id nor a domain: give the directory (tenant) id, a GUID"
        " like 00000000-0000-0000-0000-000000000000 (Microsoft Entra admin center > Overview >"
        ' Tenant ID), or a verified domain of the tenant such as contoso.com, or "" to choose'
        " the tenant at sign-in"
    )
