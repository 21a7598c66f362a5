"""Which domain the device asks, and which of the tenant's domains can be checked.

The device splits the sign-in name at the LAST `@` and asks that domain
(reference/graph.md, "Service discovery").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)\Z")

# Domains Microsoft owns: a tenant cannot publish files there.
_MICROSOFT_OWNED = (".onmicrosoft.com", ".onmicrosoft.us", ".partner.onmschina.cn")


def domain_of(user_identifier: str) -> str:
    """The domain part of a sign-in name (after the last `@`), lower-cased."""
    if "@" not in user_identifier:
        raise ValueError(
            f"user: {user_identifier!r} is not a sign-in name; expected user@domain, "
            "e.g. alex@contoso.com"
        )
    return normalise_domain(user_identifier.rsplit("@", 1)[1], field="user")


def normalise_domain(value: str, *, field: str = "domain") -> str:
    """A bare host name from what an admin may type (URL, trailing dot, capitals)."""
    text = value.strip()
    if "://" in text:
        text = urlsplit(text).hostname or ""
    elif "@" in text:
        text = text.rsplit("@", 1)[1]
    text = text.strip().rstrip(".").lower()
    if "/" in text or ":" in text:
        text = text.split("/", 1)[0].split(":", 1)[0]
    try:
        ascii_name = text.encode("idna").decode("ascii") if text else ""
    except UnicodeError:
        ascii_name = ""
    labels = ascii_name.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise ValueError(
            f"{field}: {value!r} is not a domain name; give the domain users sign in with, "
            "e.g. contoso.com (the part after @ in their work account)"
        )
    return ascii_name


@dataclass(frozen=True)
class DomainChoice:
    """A verified domain of the tenant, as the wizard offers it for the check."""

    name: str
    is_default: bool
    can_host: bool  # False for Microsoft-owned *.onmicrosoft.com names
    note: str


def sign_in_domains(verified_domains: Iterable[Mapping[str, object]]) -> list[DomainChoice]:
    """The tenant's verified domains (Graph `organization.verifiedDomains`), default first.

    Microsoft-owned initial domains are listed with `can_host=False`: users who sign in
    with them cannot use account-driven enrollment, because nobody can publish the
    well-known file there.
    """
    choices: list[DomainChoice] = []
    for item in verified_domains:
        name = str(item.get("name") or "").strip().lower()
        if not name:
            continue
        owned = name.endswith(_MICROSOFT_OWNED)
        note = (
            "Microsoft-owned: the well-known file cannot be published here"
            if owned
            else "default domain"
            if item.get("isDefault")
            else ""
        )
        choices.append(DomainChoice(name, bool(item.get("isDefault")), not owned, note))
    choices.sort(key=lambda c: (not c.can_host, not c.is_default, c.name))
    return choices
