"""The plan says only what is true (issue 17, point 2): no drift on a first apply, no
"already right" line beside a problem about the same object, no group without a name,
and an enrollment profile without a target is refused, in the plan and by `adue apply`.

Every seed of the sandbox is walked with the session the wizard writes on it (its
defaults, the Authenticator it finds stored as app_id), over real HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.plan.helpers import apply_file, group_id, make_client, plan_file, session_with_ids
from tests.plan.test_commands import adue
from tui.graph.operations import find_authenticator_apps
from tui.rollout.model import ActionKind, Chain, Plan
from tui.rollout.plan import make_plan
from tui.sandbox.seeds import SEED_NAMES
from tui.sandbox.server import RunningSandbox, start_sandbox
from tui.session import Session

# The table each chain's problems start with: a problem there means no "already right".
CHAIN_TABLES = {
    Chain.SSO: "[sso_extension]",
    Chain.AUTHENTICATOR: "[authenticator]",
    Chain.PROFILE: "[enrollment_profile]",
    Chain.WEB_CLIP: "[web_clip]",
}


def _lines(plan: Plan) -> list[str]:
    return [text for a in plan.actions for text in (a.title, *a.details)]


def _contradictions(plan: Plan) -> list[str]:
    """Plan lines that a problem line of the same plan says are not so."""
    found = []
    for action in plan.actions:
        table = CHAIN_TABLES[action.chain]
        troubled = [p for p in plan.problems if p.startswith(table)]
        if action.kind is ActionKind.NOTHING and troubled:
            found.append(f"{action.title!r} beside {troubled[0]!r}")
    for line in _lines(plan):
        if "group ''" in line or 'group ""' in line:
            found.append(f"a group without a name: {line!r}")
    return found


async def _wizard_session(sb: RunningSandbox, profile: dict[str, Any]) -> dict[str, Any]:
    """What the wizard leaves on this tenant when steps 3-5 keep their defaults: SSO for
    all users, the Authenticator it finds (most free licences) stored, the given profile."""
    client = make_client(sb)
    try:
        best = (await find_authenticator_apps(client)).best
    finally:
        await client.aclose()
    return {
        "sso_extension": {"all_users": True, "groups": [], "bundle_ids": []},
        "authenticator": {"app_id": best.id if best else "", "same_groups_as_sso": True},
        "enrollment_profile": profile,
        "web_clip": {"enabled": True},
    }


PROFILES: dict[str, dict[str, Any]] = {
    "a group by name": {"groups": [{"name": "BYOD pilot"}]},
    "an unknown group": {"groups": [{"name": "Nobody has this name"}]},
    "all users": {"all_users": True},
}


@pytest.mark.parametrize("seed", [s for s in SEED_NAMES if s != "large"])
async def test_no_seed_gives_contradictory_lines_or_false_drift(seed: str) -> None:
    with start_sandbox(seed=seed) as sb:
        client = make_client(sb)
        try:
            for words, profile in PROFILES.items():
                plan = await make_plan(client, await _wizard_session(sb, profile))
                where = f"seed {seed}, profile for {words}"
                assert _contradictions(plan) == [], where
                # Nothing was applied yet: nothing can have been changed outside adue.
                assert not plan.has_drift, (where, [a.title for a in plan.changes if a.drift])
        finally:
            await client.aclose()


async def test_store_only_names_the_missing_app_and_claims_nothing_about_it() -> None:
    with start_sandbox(seed="authenticator-store-only") as sb:
        plan = await plan_file_data(sb, await _wizard_session(sb, PROFILES["all users"]))
    assert any(p.startswith("[authenticator] app_id: the tenant has no") for p in plan.problems)
    assert not [a for a in plan.actions if a.chain is Chain.AUTHENTICATOR]
    assert not any("already required" in line for line in _lines(plan))


async def plan_file_data(sb: RunningSandbox, data: dict[str, Any]) -> Plan:
    client = make_client(sb)
    try:
        return await make_plan(client, data)
    finally:
        await client.aclose()


async def test_a_first_apply_restores_nothing_and_a_later_portal_change_is_drift(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    sb = fresh
    path = session_with_ids(sb, tmp_path)
    # The wizard stores the Authenticator it found before anything is applied.
    data = await _wizard_session(sb, {})
    with Session.open(path, create=False) as session:
        session.set("authenticator", "app_id", data["authenticator"]["app_id"])
        session.save()
    first = await plan_file(sb, path)
    app = next(a for a in first.changes if a.chain is Chain.AUTHENTICATOR)
    assert app.object_id
    assert not app.drift
    assert not first.has_drift

    assert (await apply_file(sb, path)).ok
    byod = group_id(sb, "BYOD pilot")
    with sb.lock:  # someone makes it "available" in the admin center
        for assignment in sb.state.app_assignments[app.object_id]:
            if assignment["target"].get("groupId") == byod:
                assignment["intent"] = "available"
    later = await plan_file(sb, path)
    (changed,) = [a for a in later.changes if a.chain is Chain.AUTHENTICATOR]
    assert changed.drift


def test_a_profile_without_target_is_refused_by_plan_and_apply(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    sb = fresh
    path = session_with_ids(sb, tmp_path)
    text = path.read_text(encoding="utf-8")
    start = text.index("[enrollment_profile]")
    profile = text[start:]
    groups = profile[profile.index("\ngroups") : profile.index("]", profile.index("\ngroups")) + 1]
    pinned = f'tenant_id = "{sb.tenant_id}"\norganization = "Contoso"\ncloud = "global"'
    head = text[:start].replace('cloud = "global"', pinned, 1)
    path.write_text(head + profile.replace(groups, "\ngroups = []"), encoding="utf-8")
    before = path.read_bytes()  # pinned already: a refused apply leaves it byte-identical

    planned = adue(sb, tmp_path, "plan", "--session", str(path))
    assert planned.returncode == 1, planned.stdout
    assert "PROBLEM  [enrollment_profile] groups: the enrollment profile has no target" in (
        planned.stdout
    )
    applied = adue(sb, tmp_path, "apply", "--session", str(path), "--yes")
    assert applied.returncode == 1, applied.stdout
    out = applied.stdout + applied.stderr
    assert "[enrollment_profile] groups: the enrollment profile has no target" in out
    assert "step 5, Enrollment profile" in out
    assert "all_users = true" in out
    assert "Traceback" not in out
    assert sb.writes() == []
    assert path.read_bytes() == before
