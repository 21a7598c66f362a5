"""A fleet sandbox: one partner tenant and N customer tenants behind ONE Graph root.

    with start_fleet_sandbox(10) as sb:
        sb.fleet                # [FleetTenantInfo(id, label, name, domain, seed, access)]
        sb.partner_tenant_id    # where the partner admin and the multi-tenant app live
        sb.fleet_client_id, sb.fleet_client_secret   # the app (app-only sign-in)
        sb.tenant_for(tid)      # a customer's Tenant
        write_fleet_file(sb, folder)                 # folder/fleet.toml, ready to run

Graph answers for the tenant of the token's `tid` (tui/sandbox/graph_app.py), so every
customer tenant has its own state, faults and request records (`record.tenant_id`).
The identity emulator (tui/sandbox/identity.py) signs the partner admin in once by
device code at the partner tenant and then issues each customer's token from that
sign-in (GDAP), or app-only tokens for the app's client credentials: what each grant
yields per tenant is the `FleetAccess` below.

Which tenants are broken is fixed by label, so a test or a rehearsal knows where to
look: t03 has an expired APNs certificate (seed expired-apns), t07 is "missing
permission" (its tokens lack the Intune write permissions: the first write is a 403),
and with 10 tenants or more t10 refuses the fleet sign-in (no GDAP relationship for
the partner admin, the app not consented there). Ids, names and domains depend on the
label only (stable_id), so they are the same on every run.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.files import write_private
from tui.sandbox.faults import FaultPlan
from tui.sandbox.seeds import build_in_directory
from tui.sandbox.server import HOST, RunningSandbox, _fault_plan, launch
from tui.sandbox.state_file import load_fleet_state
from tui.sandbox.tenant import Tenant, stable_id
from tui.sandbox.tls import make_app_certificate
from tui.sandbox.tokens import ALL_SCOPES, RUN_SCOPES

PARTNER = ("fleet-partner", "northwind-msp.example", "Northwind MSP")
APP_NAME = "Northwind MSP fleet rollout (sandbox)"
EXPIRED_APNS_LABEL = "t03"
MISSING_PERMISSION_LABEL = "t07"
REFUSED_LABEL = "t10"  # only when the fleet has 10 tenants or more

# The Intune write permissions a "missing permission" tenant's tokens lack; it keeps the
# read ones, so everything up to the first write works (as an admin whose GDAP roles
# allow reading Intune only: Graph answers the write 403).
WRITE_PERMISSIONS = (
    "DeviceManagementApps.ReadWrite.All",
    "DeviceManagementConfiguration.ReadWrite.All",
    "DeviceManagementServiceConfig.ReadWrite.All",
)
READ_INSTEAD = (
    "DeviceManagementApps.Read.All",
    "DeviceManagementConfiguration.Read.All",
    "DeviceManagementServiceConfig.Read.All",
)

# Microsoft's fictitious company names, for customer tenants (a second round gets " 2").
COMPANIES = (
    "Fabrikam",
    "Adatum",
    "Alpine Ski House",
    "Bellows College",
    "Coho Winery",
    "Fourth Coffee",
    "Litware",
    "Lucerne Publishing",
    "Margie's Travel",
    "Proseware",
    "Relecloud",
    "Tailspin Toys",
    "Trey Research",
    "VanArsdel",
    "Wide World Importers",
    "Wingtip Toys",
    "Woodgrove Bank",
    "Blue Yonder Airlines",
    "City Power & Light",
    "Consolidated Messenger",
    "First Up Consultants",
    "Graphic Design Institute",
    "Humongous Insurance",
    "Lamna Healthcare",
    "Munson's Pickles and Preserves",
    "School of Fine Art",
    "Southridge Video",
    "Best For You Organics",
    "Contoso Pharmaceuticals",
    "Northwind Traders",
)

# What the fleet app is consented for in each tenant: the run's permissions as application
# permissions (same names, learn.microsoft.com/graph/permissions-reference) plus the reads
# adue check and progress make. Delegated-only ones (User.Read) have no app equivalent.
APP_ROLES: tuple[str, ...] = (
    *RUN_SCOPES,
    "Device.Read.All",
    "DeviceManagementManagedDevices.Read.All",
    # The compatibility audit reads a group's parents (transitiveMemberOf): an app needs
    # Directory.Read.All there (Graph's permission table; README, "Permissions for a fleet
    # sign-in"), which the fleet's app is granted in every tenant as the README asks.
    "Directory.Read.All",
    "Domain.Read.All",
    "GroupMember.Read.All",
    "User.Read.All",
)

ACCESS_OK = "ok"
ACCESS_MISSING_PERMISSION = "missing-permission"
ACCESS_REFUSED = "refused"  # no GDAP relationship, the app not consented


@dataclass(frozen=True)
class FleetTenantInfo:
    id: str
    label: str
    name: str
    domain: str
    seed: str
    access: str = ACCESS_OK

    @property
    def admin_upn(self) -> str:
        return f"admin@{self.domain}"


@dataclass
class FleetAccess:
    """What the identity emulator grants in each tenant of a fleet sandbox."""

    partner_tenant_id: str
    client_id: str
    client_secret: str
    app_name: str = APP_NAME
    scopes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # delegated, per tid
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)  # application, per tid
    refused: frozenset[str] = frozenset()  # tids without GDAP relationship / consent
    certificate_pem: str = ""  # the app's certificate (public part): client assertions

    def serves_gdap(self, tenant_id: str) -> bool:
        return tenant_id not in self.refused

    def consented(self, tenant_id: str) -> bool:
        return tenant_id not in self.refused


def fleet_label(index: int) -> str:
    """t01, t02, ... for index 1, 2, ..."""
    return f"t{index:02d}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


ACCESSES = (ACCESS_OK, ACCESS_MISSING_PERMISSION, ACCESS_REFUSED)


def fleet_members(
    count: int,
    seeds: Mapping[str, str] | None = None,
    access: Mapping[str, str] | None = None,
) -> list[FleetTenantInfo]:
    """Who the `count` customer tenants are (no tenant is built). `seeds` and `access`
    (label -> ok | missing-permission | refused) replace the fixed mix per label."""
    if count < 1:
        raise ValueError(f"a fleet sandbox needs 1 tenant or more, not {count}")
    chosen = dict(seeds or {})
    granted = dict(access or {})
    for label, value in granted.items():
        if value not in ACCESSES:
            raise ValueError(f"access for {label}: {value!r}; choose one of {', '.join(ACCESSES)}")
    members = []
    for index in range(1, count + 1):
        label = fleet_label(index)
        company = COMPANIES[(index - 1) % len(COMPANIES)]
        round_ = (index - 1) // len(COMPANIES)
        name = company if round_ == 0 else f"{company} {round_ + 1}"
        domain = f"{_slug(company)}{round_ + 1 if round_ else ''}.example"
        seed = chosen.pop(label, "expired-apns" if label == EXPIRED_APNS_LABEL else "demo")
        default = ACCESS_OK
        if label == MISSING_PERMISSION_LABEL:
            default = ACCESS_MISSING_PERMISSION
        elif label == REFUSED_LABEL:
            default = ACCESS_REFUSED
        members.append(
            FleetTenantInfo(
                id=stable_id(f"fleet-{label}", "tenant"),
                label=label,
                name=name,
                domain=domain,
                seed=seed,
                access=granted.pop(label, default),
            )
        )
    unknown = sorted({*chosen, *granted})
    if unknown:
        raise ValueError(
            f"seeds or access for tenants the fleet does not have: {', '.join(unknown)} "
            f"(labels t01..{fleet_label(count)})"
        )
    return members


def _access(members: list[FleetTenantInfo], partner_id: str) -> FleetAccess:
    access = FleetAccess(
        partner_tenant_id=partner_id,
        client_id=stable_id("fleet-partner", "app", "fleet-rollout"),
        client_secret=secrets.token_urlsafe(30),
    )
    access.scopes[partner_id] = ALL_SCOPES
    access.roles[partner_id] = APP_ROLES
    for member in members:
        scopes, roles = ALL_SCOPES, APP_ROLES
        if member.access == ACCESS_MISSING_PERMISSION:
            scopes = _without_writes(scopes)
            roles = _without_writes(roles)
        access.scopes[member.id] = scopes
        access.roles[member.id] = roles
    access.refused = frozenset(m.id for m in members if m.access == ACCESS_REFUSED)
    return access


def _without_writes(permissions: tuple[str, ...]) -> tuple[str, ...]:
    kept = [p for p in permissions if p not in WRITE_PERMISSIONS]
    return tuple(sorted({*kept, *READ_INSTEAD}))


def _build_tenants(
    members: list[FleetTenantInfo], state_path: Path | None
) -> tuple[Tenant, list[Tenant]]:
    wanted = [m.id for m in members]
    if state_path is not None and state_path.exists():
        loaded = load_fleet_state(state_path)
        ids = [t.tenant_id for t in loaded[1:]]
        partner_id = stable_id(PARTNER[0], "tenant")
        if not loaded or loaded[0].tenant_id != partner_id or ids != wanted:
            raise ValueError(
                f"sandbox state file {state_path} holds another fleet ({len(ids)} customer "
                f"tenants, this one has {len(wanted)}): pass --tenants {len(ids)}, another "
                "--state path, or delete the file"
            )
        return loaded[0], loaded[1:]
    base, domain, name = PARTNER
    partner = build_in_directory("demo", base=base, domain=domain, name=name)
    customers = [
        build_in_directory(m.seed, base=f"fleet-{m.label}", domain=m.domain, name=m.name)
        for m in members
    ]
    return partner, customers


def start_fleet_sandbox(
    count: int,
    *,
    seeds: Mapping[str, str] | None = None,
    access: Mapping[str, str] | None = None,
    latency_ms: float = 0,
    identity_latency_ms: float = 0,
    identity_keep_alive: bool = False,
    faults: FaultPlan | Iterable[str] | None = None,
    tenant_faults: Mapping[str, Iterable[str]] | None = None,
    state_file: str | Path | None = None,
    device_auto_approve_seconds: float | None = None,
    port: int = 0,
    https_port: int = 0,
    host: str = HOST,
    fault_seed: int = 0,
    retry_after: int = 1,
) -> RunningSandbox:
    """Serve the partner tenant and `count` customer tenants on one Graph root.

    `seeds`: label -> seed for customer tenants (default demo; t03 expired-apns).
    `access`: label -> ok | missing-permission | refused (default: t07 missing-permission,
    t10 refused), e.g. {"t10": "ok"} for a fleet whose every tenant lets the sign-in in.
    `faults`: fault specs for every tenant; `tenant_faults`: label -> fault specs for
    that tenant only (instead of `faults`). `identity_latency_ms`: added to every answer
    of the identity emulator (openid-configuration, device code, token), as `latency_ms`
    is to Graph's; `identity_keep_alive`: its answers keep the connection open, as Entra
    ID's do (a client that exits before the sandbox stops; else each answer closes its
    connection, since an idle one would hold up the stop). `state_file`: every tenant is
    loaded from it (when it exists) and saved to it after changes. ValueError for a bad count, seed,
    label or fault spec; SandboxStartError when a port is taken.
    """
    members = fleet_members(count, seeds, access)
    plan = _fault_plan(faults, latency_ms, fault_seed, None, retry_after)
    state_path = Path(state_file) if state_file is not None else None
    partner, customers = _build_tenants(members, state_path)
    for tenant in (partner, *customers):
        tenant.group_index  # noqa: B018 - build the search index now, not on the first search
    sb = RunningSandbox(
        partner,
        plan,
        state_file=state_path,
        discovery_variant="ok",
        device_auto_approve_seconds=device_auto_approve_seconds,
    )
    sb.tenants.update({t.tenant_id: t for t in customers})
    by_label = {m.label: m for m in members}
    for label, specs in (tenant_faults or {}).items():
        if label not in by_label:
            raise ValueError(f"tenant_faults for {label!r}: the fleet has t01..{members[-1].label}")
        sb.tenant_faults[by_label[label].id] = FaultPlan.parse(
            specs, latency_ms=latency_ms, seed=fault_seed, retry_after=retry_after
        )
    sb.fleet = members
    sb.identity_latency_ms = identity_latency_ms
    sb.identity_keep_alive = identity_keep_alive
    sb.partner_tenant_id = partner.tenant_id
    grants = _access(members, partner.tenant_id)
    sb.fleet_access = grants
    sb.fleet_client_id = grants.client_id
    sb.fleet_client_secret = grants.client_secret
    grants.certificate_pem, sb.fleet_certificate_pem = make_app_certificate(APP_NAME)
    if state_path is not None and not state_path.exists():
        sb.save_state()
    hostnames = [partner.sign_in_domain, *(m.domain for m in members)]
    return launch(sb, host=host, port=port, https_port=https_port, hostnames=hostnames)


# ---- the ready fleet file ------------------------------------------------------------------

CA_FILE = "sandbox-ca.pem"


def fleet_document(sb: RunningSandbox, ca_file: str) -> Any:
    """The fleet.toml for this sandbox (docs/fleet.md): gdap sign-in at the partner tenant
    through the sandbox's identity emulator, the demo rollout as the template, one
    [[tenant]] per customer with its own domain and organisation."""
    import tomlkit

    doc = tomlkit.document()
    doc.add(tomlkit.comment(f"A fleet of {len(sb.fleet)} sandbox tenants, written by adue sandbox"))
    doc.add(tomlkit.comment("--tenants: the ports and the CA change with every sandbox run."))
    fleet = tomlkit.table()
    fleet["name"] = f"Sandbox fleet: {len(sb.fleet)} tenants"
    fleet["concurrency"] = 8
    doc["fleet"] = fleet
    sign_in = tomlkit.table()
    sign_in["mode"] = "gdap"
    sign_in["partner_tenant"] = sb.partner_tenant_id
    sign_in["client_id"] = ""
    sign_in["cloud"] = "global"
    sign_in["graph_url"] = sb.graph_url
    sign_in["authority"] = sb.https_url
    sign_in["ca_file"] = ca_file
    doc["sign_in"] = sign_in
    doc["template"] = _template()
    tenants = tomlkit.aot()
    for member in sb.fleet:
        entry = tomlkit.table()
        entry["id"] = member.id
        entry["label"] = member.label
        entry["name"] = member.name
        overrides = tomlkit.table()
        overrides["tenant.sign_in_domain"] = member.domain
        overrides["guide.organization"] = member.name
        overrides["guide.support_contact"] = f"it-help@{member.domain}"
        if member.label == "t02":
            overrides["enrollment_profile.groups"] = _groups("BYOD pilot")
        if member.label == "t04":
            overrides["guide.languages"] = ["de", "en"]
        entry["overrides"] = overrides
        tenants.append(entry)
    doc["tenant"] = tenants
    return doc


def _template() -> Any:
    import tomlkit

    template = tomlkit.table()
    template["sso_extension"] = {
        "name": "iOS – Entra ID SSO extension (account-driven UE)",
        "all_users": False,
        "groups": _groups("BYOD pilot", "All iOS users"),
        "exclude_groups": _groups("Executives"),
        "browser_sso_interaction_enabled": True,
    }
    template["authenticator"] = {"same_groups_as_sso": True}
    template["web_clip"] = {"enabled": True}
    template["enrollment_profile"] = {
        "name": "iOS – account-driven user enrollment",
        "groups": _groups("BYOD pilot", "All iOS users"),
    }
    template["priority"] = {"order": tomlkit.array()}  # ours first, the others keep their order
    template["guide"] = {
        "organization": "Northwind MSP customer",
        "identity": "federated",
        "languages": ["en"],
        "formats": ["html"],
    }
    return template


def _groups(*names: str) -> Any:
    """Groups by name as an inline array, as people write them: [{ name = "..." }]."""
    import tomlkit

    groups = tomlkit.array()
    for name in names:
        group = tomlkit.inline_table()
        group["name"] = name
        groups.append(group)
    return groups


def write_fleet_file(sb: RunningSandbox, folder: str | Path) -> Path:
    """Write `folder`/fleet.toml (and the sandbox's CA beside it, which the file names)
    for this fleet sandbox; returns the fleet file's path. Both 0600, atomic. Neither
    holds a secret: gdap signs in by device code, the app secret is never in the file."""
    import tomlkit

    if not sb.fleet:
        raise ValueError("write_fleet_file needs a fleet sandbox (start_fleet_sandbox)")
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    ca = target / CA_FILE
    write_private(ca, Path(sb.ca_path).read_text(encoding="ascii"))
    path = target / "fleet.toml"
    write_private(path, tomlkit.dumps(fleet_document(sb, str(ca.resolve()))))
    return path
