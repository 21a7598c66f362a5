"""Helpers for the fleet tests: a fleet of separate sandbox tenants (one `start_sandbox()`
each, real SDK over real loopback HTTP) and a connector handing out each one's token.

Until the multi-tenant sandbox (tui.sandbox.fleet) serves a whole fleet on one root,
each tenant here is its own sandbox, made a distinct tenant (its own id and name) before
any request: the demo seed gives every sandbox the same tenant id otherwise.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.fleet.file import FleetTenant
from tui.graph.auth import StaticTokenCredential
from tui.graph.retry import RetryPolicy
from tui.sandbox.server import RunningSandbox, start_sandbox

ROOT = Path(__file__).resolve().parents[2]
SCOPE = "https://graph.microsoft.com/.default"
FAST_RETRY = RetryPolicy(max_retries=3, base_delay=0.0)


def tenant_id_for(label: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"adue-fleet-test:{label}"))


def make_distinct(sb: RunningSandbox, label: str, name: str) -> None:
    """Give sandbox `sb` its own tenant id and display name (before any request)."""
    tid = tenant_id_for(label)
    with sb.lock:
        sb.state.tenant_id = tid
        sb.state.organization["id"] = tid
        sb.state.organization["displayName"] = name
        sb._identify()
        sb.token = sb.mint_token()


@dataclass
class SandboxFleet:
    """N running sandboxes by label, and each tenant's token (`tokens` may be changed)."""

    sandboxes: dict[str, RunningSandbox]
    tokens: dict[str, str] = field(default_factory=dict)
    refuse: dict[str, str] = field(default_factory=dict)  # label -> why no token

    def writes(self) -> dict[str, int]:
        return {label: len(sb.writes()) for label, sb in self.sandboxes.items()}

    def connector_data(self) -> dict[str, Any]:
        """What a child process needs to build the same connector (tests/fleet/cli.py)."""
        return {
            label: {"graph_url": sb.graph_url, "token": self.tokens[label]}
            for label, sb in self.sandboxes.items()
        }


@contextmanager
def running_fleet(
    count: int, seeds: dict[str, str] | None = None, **kwargs: Any
) -> Iterator[SandboxFleet]:
    """`count` tenants t01.. (Tenant 01 ...), demo seed unless `seeds` says otherwise."""
    seeds = seeds or {}
    started: dict[str, RunningSandbox] = {}
    try:
        for number in range(1, count + 1):
            label = f"t{number:02d}"
            sb = start_sandbox(seed=seeds.get(label, "demo"), **kwargs)
            started[label] = sb
            make_distinct(sb, label, f"Tenant {number:02d}")
        yield SandboxFleet(started, {label: sb.token for label, sb in started.items()})
    finally:
        for sb in started.values():
            sb.stop()


class StaticConnector:
    """tui.fleet.connect.FleetConnector over static tokens: `data` = label -> graph_url, token."""

    def __init__(self, data: dict[str, Any], refuse: dict[str, str] | None = None) -> None:
        self.data = data
        self.refuse = refuse or {}
        self.signed_in = 0
        self.closed = False

    def sign_in(self) -> None:
        self.signed_in += 1

    def credential_for(self, tenant: FleetTenant) -> StaticTokenCredential:
        from tui.graph.errors import GraphError

        if tenant.label in self.refuse:
            raise GraphError(self.refuse[tenant.label], fix="grant adue access to it")
        return StaticTokenCredential(self.data[tenant.label]["token"])

    def graph_root_for(self, tenant: FleetTenant) -> str:
        return str(self.data[tenant.label]["graph_url"])

    def scopes_for(self, tenant: FleetTenant) -> Sequence[str]:
        return [SCOPE]

    def close(self) -> None:
        self.closed = True


TEMPLATE = """\
[fleet]
name = "Test MSP"
concurrency = {concurrency}

[sign_in]
mode = "gdap"
partner_tenant = "partner.example"

[template.sso_extension]
all_users = false
groups = [{{ name = "BYOD pilot" }}, {{ name = "All iOS users" }}]
exclude_groups = [{{ name = "Executives" }}]
bundle_ids = ["com.contoso.expenses"]

[template.authenticator]
same_groups_as_sso = true

[template.web_clip]
enabled = true

[template.enrollment_profile]
groups = [{{ name = "BYOD pilot" }}]

[template.priority]
order = []

[template.guide]
organization = "Test MSP customer"
support_contact = "help@partner.example"
languages = ["en"]
formats = ["md"]
"""


def write_fleet_file(
    folder: Path,
    labels: Sequence[str],
    *,
    overrides: dict[str, str] | None = None,
    concurrency: int = 4,
    ids: dict[str, str] | None = None,
) -> Path:
    """A fleet file for tenants `labels` (ids from tenant_id_for unless `ids` says);
    `overrides`: label -> the lines of its [tenant.overrides] table."""
    overrides = overrides or {}
    ids = ids or {}
    parts = [TEMPLATE.format(concurrency=concurrency)]
    for label in labels:
        parts.append(
            f'\n[[tenant]]\nid = "{ids.get(label, tenant_id_for(label))}"\nlabel = "{label}"\n'
        )
        if label in overrides:
            parts.append(f"[tenant.overrides]\n{overrides[label]}\n")
    path = folder / "fleet.toml"
    path.write_text("".join(parts), encoding="utf-8")
    return path
