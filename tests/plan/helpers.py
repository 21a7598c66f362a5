"""Helpers for the plan/apply tests: clients on the real msgraph-sdk pipeline, sessions
written from examples/sandbox-demo.toml, a snapshot of the tenant that ignores ids the
sandbox hands out, and a round-trip counter."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tui.graph.auth import StaticTokenCredential
from tui.graph.client import GraphClient, build_graph_client
from tui.graph.retry import RetryPolicy
from tui.sandbox.server import RunningSandbox
from tui.session import Session

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "sandbox-demo.toml"
SCOPES = ["https://graph.microsoft.com/.default"]
FAST_RETRY = RetryPolicy(max_retries=3, base_delay=0.0)
SSO_NAME = "iOS – Entra ID SSO extension (account-driven UE)"
PROFILE_NAME = "iOS – account-driven user enrollment"


def make_client(sb: RunningSandbox, token: str | None = None) -> GraphClient:
    return build_graph_client(
        StaticTokenCredential(token or sb.token),
        graph_root=sb.graph_url,
        scopes=SCOPES,
        retry=FAST_RETRY,
    )


def group_id(sb: RunningSandbox, name: str) -> str:
    with sb.lock:
        found = [g["id"] for g in sb.state.groups.values() if g.get("displayName") == name]
    assert len(found) == 1, name
    return str(found[0])


def example_session(tmp_path: Path, name: str = "rollout.toml") -> Path:
    path = tmp_path / name
    shutil.copyfile(EXAMPLE, path)
    path.chmod(0o600)
    return path


def session_with_ids(sb: RunningSandbox, tmp_path: Path) -> Path:
    """The example with every group given by id and name, as the wizard writes them."""
    path = example_session(tmp_path)
    text = path.read_text(encoding="utf-8")
    for name in ("BYOD pilot", "All iOS users", "Executives"):
        text = text.replace(
            f'{{ name = "{name}" }}', f'{{ id = "{group_id(sb, name)}", name = "{name}" }}'
        )
    path.write_text(text, encoding="utf-8")
    return path


async def apply_file(
    sb: RunningSandbox, path: Path, token: str | None = None, progress: Any = None
) -> Any:
    """Plan and apply `path` in-process, as the wizard would."""
    from tui.rollout.apply import apply_session

    c = make_client(sb, token)
    try:
        with Session.open(path, create=False) as session:
            return await apply_session(c, session, progress)
    finally:
        await c.aclose()


async def plan_file(sb: RunningSandbox, path: Path) -> Any:
    from tui.rollout.plan import make_plan

    c = make_client(sb)
    try:
        return await make_plan(c, Session.read_only(path).data)
    finally:
        await c.aclose()


def _target(target: dict[str, Any]) -> tuple[str, str]:
    return (str(target.get("@odata.type", "")), str(target.get("groupId") or ""))


def snapshot(sb: RunningSandbox) -> dict[str, Any]:
    """The tenant parts apply touches, without the ids and timestamps new objects get."""
    with sb.lock:
        t = sb.state
        configs = []
        for config in t.device_configurations.values():
            targets = sorted(
                _target(a["target"]) for a in t.config_assignments.get(config["id"], [])
            )
            extension = config.get("iosSingleSignOnExtension")
            configs.append((config["displayName"], json.dumps(extension, sort_keys=True), targets))
        apps = {}
        for app in t.mobile_apps.values():
            apps[app["id"]] = sorted(
                (
                    _target(a["target"]),
                    a.get("intent"),
                    json.dumps(a.get("settings"), sort_keys=True),
                )
                for a in t.app_assignments.get(app["id"], [])
            )
        profiles = [
            (
                p["displayName"],
                p["defaultEnrollmentType"],
                json.dumps(p["availableEnrollmentTypeOptions"], sort_keys=True),
                sorted(_target(a["target"]) for a in t.profile_assignments.get(p["id"], [])),
            )
            for p in t.profiles_by_priority()
        ]
    return {"configs": sorted(configs), "apps": apps, "profiles": profiles}


def count_named(sb: RunningSandbox) -> tuple[int, int]:
    with sb.lock:
        configs = sum(
            1 for c in sb.state.device_configurations.values() if c["displayName"] == SSO_NAME
        )
        profiles = sum(
            1 for p in sb.state.enrollment_profiles.values() if p["displayName"] == PROFILE_NAME
        )
    return configs, profiles


def round_trips(sb: RunningSandbox) -> int:
    """The longest chain of top-level requests where each starts after the previous one
    ended: how many sequential round trips the client needed (a $batch counts once)."""
    records = sorted(sb.top_level_requests(), key=lambda r: r.time)
    depth: list[tuple[float, int]] = []  # (end time, depth)
    for record in records:
        before = [d for end, d in depth if end <= record.time]
        depth.append((record.time + record.duration_ms / 1000, 1 + max(before, default=0)))
    return max((d for _, d in depth), default=0)
