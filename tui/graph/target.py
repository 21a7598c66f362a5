"""The tenant a run reads and writes: named, and checked against the session before any write.

A session is pinned to one tenant by `[tenant] tenant_id` (a directory id, or a verified
domain of that tenant). The sign-in decides which tenant Graph actually answers for, so
before anything is used or written adue reads GET /organization with the signed-in token
(the only read of the check: alone, or in the plan's first `$batch`, TenantPin) and
compares: a GUID must equal the tenant's id, a domain must be one of its verifiedDomains
(graph.md, "Tenant"). A mismatch is refused naming both tenants; nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tui.graph.batch_items import BatchAnswer, BatchRead
from tui.graph.errors import GraphError, PermissionMissing
from tui.validators import is_guid, tenant_value_problem
from tui.values import Frozen

if TYPE_CHECKING:
    from tui.graph.client import GraphClient
    from tui.graph.models import Organization

# --tenant values that name no single directory (a sign-in picks it): nothing to pin.
MULTI_TENANT = frozenset({"", "organizations", "common"})
SESSION_KEY = "[tenant] tenant_id"
PIN_READ_ID = "tenant_pin"  # the check's read inside a run's first $batch


class TenantMismatch(GraphError):
    """The signed-in tenant is not the one the session (or --tenant) names."""

    kind = "tenant_mismatch"


class TargetTenant(Frozen):
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


def refuse_invalid(pins: Sequence[tuple[str, str]]) -> None:
    """TenantMismatch naming the key for a pinned value that is neither a GUID nor a
    domain (before any request)."""
    for source, value in pins:
        problem = tenant_value_problem(value)
        if problem:
            where = SESSION_KEY if source != "--tenant" else "--tenant"
            raise TenantMismatch(f"{where}: {problem}", fix="nothing was written")


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
    refuse_invalid(pins)
    for source, value in pins:
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


class TenantPin(Frozen):
    """A run's tenant check, made ready before any request: the pinned values are valid
    and the token's tenant is known. Its one read, GET /organization, goes alone
    (`confirm`), or rides in the run's first `$batch` beside the reads of the plan
    (`read`; `check_answer` then runs before any other answer is looked at:
    tui.rollout.read), which saves a round trip; either way nothing is used, shown or
    written before the check passed."""

    pins: tuple[tuple[str, str], ...]
    token_tenant: str
    cloud: str
    tenant_table: Mapping[str, Any]

    @property
    def read(self) -> BatchRead:
        """The check's read as a `$batch` item (v1.0), under the id PIN_READ_ID."""
        from tui.graph.paths import ORGANIZATION_QUERY

        return BatchRead(PIN_READ_ID, "organization", tuple(ORGANIZATION_QUERY.items()))

    async def confirm(self, client: GraphClient) -> TargetTenant:
        """GET /organization on its own, then the check."""
        from tui.graph.operations import get_organization

        try:
            organization = await get_organization(client)
        except PermissionMissing as exc:
            organization = self._without_organization(exc)
        return self._check(organization)

    def check_answer(self, answer: BatchAnswer) -> TargetTenant:
        """The check on the answer to `read` from a `$batch`; raises as `confirm` does."""
        from tui.graph.client import GraphResponse
        from tui.graph.errors import error_from_response
        from tui.graph.paths import Scope

        what = "read the organization"
        if not answer.ok:
            error = error_from_response(
                answer.status,
                dict(answer.headers),
                answer.body,
                what=what,
                required_scopes=Scope.ORGANIZATION,
            )
            if not isinstance(error, PermissionMissing):
                raise error
            return self._check(self._without_organization(error))
        found = GraphResponse(answer.status, dict(answer.headers), answer.body).json()
        organizations = found.get("value")
        if not isinstance(organizations, list) or not organizations:
            raise error_from_response(404, {}, None, what=what)
        from tui.graph import parse

        return self._check(parse.organization(organizations[0]))

    def _without_organization(self, error: PermissionMissing) -> Organization:
        # Without a permission to read the organization, a tenant id can still be compared
        # with the token's `tid`; a domain cannot be checked, so that stays an error.
        if not self.token_tenant or any(not is_guid(value) for _, value in self.pins):
            raise error
        from tui.graph.models import Organization

        return Organization(
            id=self.token_tenant, display_name="", verified_domains=(), mdm_authority=""
        )

    def _check(self, organization: Organization) -> TargetTenant:
        return check_target(
            organization,
            token_tenant_id=self.token_tenant,
            cloud=self.cloud,
            pins=self.pins,
            tenant_table=self.tenant_table,
        )


def tenant_pin(
    client: GraphClient,
    *,
    cloud: str,
    tenant_table: Mapping[str, Any],
    cli_tenant: str | None = None,
) -> TenantPin:
    """The check of the session's tenant (and --tenant) for this sign-in, before any
    request: a bad pinned value is refused here (TenantMismatch, nothing sent)."""
    from tui.graph.jwt import decode_access_token

    pins = expected_tenants(tenant_table, cli_tenant)
    refuse_invalid(pins)
    token_tenant = decode_access_token(client.access_token()).tenant_id
    return TenantPin(tuple(pins), token_tenant, cloud, tenant_table)


async def confirm_target(
    client: GraphClient,
    *,
    cloud: str,
    tenant_table: Mapping[str, Any],
    cli_tenant: str | None = None,
) -> TargetTenant:
    """Read the signed-in tenant (GET /organization, nothing else) and check it is the
    session's. Raises TenantMismatch (nothing is written) or a GraphError of the read.
    A run whose first reads are a plan's saves that round trip with
    tui.rollout.pinned_plan.pinned_plan (the pin rides in the plan's first `$batch`)."""
    pin = tenant_pin(client, cloud=cloud, tenant_table=tenant_table, cli_tenant=cli_tenant)
    return await pin.confirm(client)


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
