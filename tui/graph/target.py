"""The tenant a run reads and writes: named, and checked against the session before any write.

A session is pinned to one tenant by `[tenant] tenant_id` (a directory id, or a verified
domain of that tenant). The sign-in decides which tenant Graph actually answers for, so
before anything is written adue reads GET /organization with the signed-in token (the
only request of the check) and compares: a GUID must equal the tenant's id, a domain
must be one of its verifiedDomains (graph.md, "Tenant"). A mismatch is refused naming
both tenants; nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui.graph.errors import GraphError, PermissionMissing
from tui.graph.models import Organization
from tui.validators import is_guid, tenant_value_problem

if TYPE_CHECKING:
    from tui.graph.client import GraphClient

# --tenant values that name no single directory (a sign-in picks it): nothing to pin.
MULTI_TENANT = frozenset({"", "organizations", "common"})
SESSION_KEY = "[tenant] tenant_id"


class TenantMismatch(GraphError):
    """The signed-in tenant is not the one the session (or --tenant) names."""

    kind = "tenant_mismatch"


@dataclass(frozen=True)
class TargetTenant:
    """The tenant a run talks to, as Graph reported it for the signed-in token."""

    id: str
    name: str
    cloud: str
    domains: tuple[str, ...] = ()
    organization: Organization | None = None

    @property
    def label(self) -> str:
        """ "Name (id)" for a terminal: a tenant's name is data, its control characters
        (escape sequences, line breaks, bidi overrides) are made visible as everywhere."""
        from tui.text import safe_text

        return safe_text(f"{self.name} ({self.id})" if self.name else self.id)

    def headline(self) -> str:
        """The first line of plan, apply, status, check and guide."""
        return f"Tenant: {self.label} · cloud: {self.cloud}"

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "cloud": self.cloud}


def session_target(tenant_table: Mapping[str, Any], cloud: str = "") -> TargetTenant:
    """The tenant as the session last recorded it (no sign-in: `adue guide`, `--offline`)."""
    return TargetTenant(
        id=str(tenant_table.get("tenant_id") or "") or "not recorded yet",
        name=str(tenant_table.get("organization") or ""),
        cloud=cloud or str(tenant_table.get("cloud") or "global"),
    )


def expected_tenants(
    tenant_table: Mapping[str, Any], cli_tenant: str | None
) -> list[tuple[str, str]]:
    """(where it comes from, value) for every tenant this run is pinned to."""
    pins: list[tuple[str, str]] = []
    stored = str(tenant_table.get("tenant_id") or "").strip()
    if stored.lower() not in MULTI_TENANT:
        pins.append((f"the session's {SESSION_KEY}", stored))
    given = (cli_tenant or "").strip()
    if given.lower() not in MULTI_TENANT and given.lower() != stored.lower():
        pins.append(("--tenant", given))
    return pins


def _matches(value: str, organization: Organization, tenant_id: str) -> bool:
    if is_guid(value):
        return value.strip().strip("{}").lower() == tenant_id.lower()
    wanted = value.strip().rstrip(".").lower()
    return any(d.name.rstrip(".").lower() == wanted for d in organization.verified_domains)


def _expected_label(source: str, value: str, tenant_table: Mapping[str, Any]) -> str:
    name = str(tenant_table.get("organization") or "") if source != "--tenant" else ""
    if is_guid(value):
        return f"{name} ({value})" if name else value
    what = f"{name}, " if name else ""
    return f"the tenant with the verified domain {value} ({what}id not known yet)"


def check_target(
    organization: Organization,
    *,
    token_tenant_id: str,
    cloud: str,
    pins: Sequence[tuple[str, str]],
    tenant_table: Mapping[str, Any],
) -> TargetTenant:
    """Raise TenantMismatch unless the signed-in tenant is every pinned one."""
    tenant_id = organization.id or token_tenant_id
    target = TargetTenant(
        id=tenant_id,
        name=organization.display_name,
        cloud=cloud,
        domains=tuple(d.name for d in organization.verified_domains),
        organization=organization,
    )
    for source, value in pins:
        problem = tenant_value_problem(value)
        if problem:
            where = SESSION_KEY if source != "--tenant" else "--tenant"
            raise TenantMismatch(f"{where}: {problem}", fix="nothing was written")
        if _matches(value, organization, tenant_id):
            continue
        expected = _expected_label(source, value, tenant_table)
        raise TenantMismatch(
            f"Wrong tenant: {source} names {expected}, but the sign-in is for"
            f" {target.label}. adue wrote nothing",
            fix=f"sign in to {value} (e.g. --tenant {value}); or, to roll out to"
            f" {target.name or target.id}, start a new session for it (an empty {SESSION_KEY}"
            " takes the tenant you sign in to)",
        )
    return target


async def confirm_target(
    client: GraphClient,
    *,
    cloud: str,
    tenant_table: Mapping[str, Any],
    cli_tenant: str | None = None,
) -> TargetTenant:
    """Read the signed-in tenant (GET /organization, nothing else) and check it is the
    session's. Raises TenantMismatch (nothing is written) or a GraphError of the read."""
    from tui.graph.operations import decode_access_token, get_organization

    pins = expected_tenants(tenant_table, cli_tenant)
    for source, value in pins:  # a bad value is refused before any request
        problem = tenant_value_problem(value)
        if problem:
            where = SESSION_KEY if source != "--tenant" else "--tenant"
            raise TenantMismatch(f"{where}: {problem}", fix="nothing was written")
    token_tenant = decode_access_token(client.access_token()).tenant_id
    try:
        organization = await get_organization(client)
    except PermissionMissing:
        # Without a permission to read the organization, a tenant id can still be compared
        # with the token's `tid`; a domain cannot be checked, so that stays an error.
        if not token_tenant or any(not is_guid(value) for _, value in pins):
            raise
        organization = Organization(
            id=token_tenant, display_name="", verified_domains=(), mdm_authority=""
        )
    return check_target(
        organization,
        token_tenant_id=token_tenant,
        cloud=cloud,
        pins=pins,
        tenant_table=tenant_table,
    )


def record_target(tenant_table: Mapping[str, Any], target: TargetTenant) -> dict[str, str]:
    """The [tenant] keys to save after a checked sign-in: the GUID replaces an empty or
    domain tenant_id (so the session stays pinned however the domains change later), and
    the tenant's current display name. Empty when nothing changes."""
    changes: dict[str, str] = {}
    stored = str(tenant_table.get("tenant_id") or "").strip()
    if target.id and not is_guid(stored):
        changes["tenant_id"] = target.id
    if target.name and tenant_table.get("organization") != target.name:
        changes["organization"] = target.name
    return changes
