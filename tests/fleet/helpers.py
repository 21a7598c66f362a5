"""Helpers for the fleet tests: the fleet sandbox (tui.sandbox.fleet: N customer tenants
on one Graph root, Graph picking the tenant by the token's tid) and its fleet file,
signed in as the fleet app (app-secret, no person needed) unless a test says otherwise;
per-tenant counts and snapshots of what apply touches."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import tomlkit

from tests.plan.helpers import PROFILE_NAME, SSO_NAME, snapshot
from tui.fleet.connect import SignInConnector
from tui.fleet.file import FleetTenant
from tui.sandbox.fleet import FleetTenantInfo, start_fleet_sandbox, write_fleet_file
from tui.sandbox.server import RunningSandbox
from tui.sandbox.tenant import Tenant

ROOT = Path(__file__).resolve().parents[2]


def member(sb: RunningSandbox, label: str) -> FleetTenantInfo:
    return next(m for m in sb.fleet if m.label == label)


def tenant(sb: RunningSandbox, label: str) -> Tenant:
    return sb.tenant_for(member(sb, label).id)


def writes_by_label(sb: RunningSandbox) -> dict[str, int]:
    """Writes each customer tenant saw (inside $batch too), by label."""
    records = sb.writes()
    return {m.label: sum(1 for r in records if r.tenant_id == m.id) for m in sb.fleet}


def count_named(sb: RunningSandbox, label: str) -> tuple[int, int]:
    """(SSO policies, enrollment profiles) with adue's names in tenant `label`."""
    t = tenant(sb, label)
    with sb.lock:
        configs = sum(1 for c in t.device_configurations.values() if c["displayName"] == SSO_NAME)
        profiles = sum(
            1 for p in t.enrollment_profiles.values() if p["displayName"] == PROFILE_NAME
        )
    return configs, profiles


def snapshot_of(sb: RunningSandbox, label: str) -> dict[str, Any]:
    """tests.plan.helpers.snapshot of one customer tenant (ids of new objects left out)."""
    return snapshot(SimpleNamespace(lock=sb.lock, state=tenant(sb, label)))  # type: ignore[arg-type]


def group_id(sb: RunningSandbox, label: str, name: str) -> str:
    t = tenant(sb, label)
    with sb.lock:
        [found] = [g["id"] for g in t.groups.values() if g.get("displayName") == name]
    return str(found)


def profile_groups(sb: RunningSandbox, label: str) -> set[str]:
    t = tenant(sb, label)
    with sb.lock:
        [profile] = [p for p in t.enrollment_profiles.values() if p["displayName"] == PROFILE_NAME]
        return {
            str(a["target"].get("groupId")) for a in t.profile_assignments.get(profile["id"], [])
        }


def fleet_file(
    sb: RunningSandbox,
    folder: Path,
    *,
    mode: str = "app-secret",
    overrides: dict[str, dict[str, Any]] | None = None,
    only: Sequence[str] | None = None,
    concurrency: int | None = None,
) -> Path:
    """The sandbox's own fleet file (write_fleet_file), signed in as `mode`, with
    `overrides` (label -> table.key -> value) added and only the tenants `only` names."""
    path = write_fleet_file(sb, folder)
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    if mode != "gdap":
        doc["sign_in"]["mode"] = mode
        doc["sign_in"]["client_id"] = sb.fleet_client_id
    if concurrency is not None:
        doc["fleet"]["concurrency"] = concurrency
    kept = tomlkit.aot()
    for entry in doc["tenant"]:
        if only and entry["label"] not in only:
            continue
        for key, value in (overrides or {}).get(str(entry["label"]), {}).items():
            entry["overrides"][key] = value
        kept.append(entry)
    doc["tenant"] = kept
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return path


@contextmanager
def fleet_sandbox(
    count: int, monkeypatch: pytest.MonkeyPatch | None = None, **kwargs: Any
) -> Iterator[RunningSandbox]:
    """A fleet sandbox; with `monkeypatch`, $AZURE_CLIENT_SECRET is its fleet app's."""
    with start_fleet_sandbox(count, device_auto_approve_seconds=0, **kwargs) as sb:
        if monkeypatch is not None:
            monkeypatch.setenv("AZURE_CLIENT_SECRET", sb.fleet_client_secret)
        yield sb


class SwappedConnector(SignInConnector):
    """The real fleet sign-in, except that tenant `wrong` gets the credential of the
    tenant `right_id`: its tokens are for another tenant (what tenant pinning refuses)."""

    def __init__(self, fleet: Any, *, wrong: str, right_id: str) -> None:
        super().__init__(fleet, interactive=False)
        self.wrong, self.right_id = wrong, right_id

    def credential_for(self, tenant: FleetTenant) -> Any:
        if tenant.label == self.wrong:
            return self.fleet_sign_in.credential_for(self.right_id)
        return super().credential_for(tenant)
