"""An edit of the session after an apply is the admin's own change, not drift: the plan
says "changed in the session" (drift is a change made in the tenant by someone else).
Apply records what it wrote ([review] applied_inputs); through the real SDK against the
sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.plan.helpers import apply_file, group_id, plan_file, session_with_ids
from tui.commands.plan_common import print_plan
from tui.sandbox.server import RunningSandbox
from tui.session import Session


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


async def test_session_edits_after_an_apply_are_not_drift(
    fresh: RunningSandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sb = fresh
    path = session_with_ids(sb, tmp_path)
    assert (await apply_file(sb, path)).ok
    assert Session.read_only(path).get("review", "applied_inputs")  # apply recorded it
    assert (await plan_file(sb, path)).is_empty

    # The admin edits the session: the SSO policy's apps, the profile's description, a
    # new group for the SSO policy (and so for Authenticator), and the iOS order.
    sales = group_id(sb, "Sales")
    _edit(path, 'bundle_ids = ["com.contoso.expenses"', 'bundle_ids = ["com.contoso.travel"')
    _edit(path, 'description = "Personal iPhones and iPads: work', 'description = "BYOD: work')
    _edit(path, "groups = [{ id", f'groups = [{{ id = "{sales}", name = "Sales" }}, {{ id')
    _edit(path, "order = []", 'order = ["enrollment_profile"]')
    plan = await plan_file(sb, path)
    keys = {a.key for a in plan.changes}
    assert {"sso_extension:update", "sso_extension:assign", "authenticator:assign"} <= keys
    assert "enrollment_profile:update" in keys
    assert not plan.blocked, [a.key for a in plan.changes if a.drift]
    assert not plan.has_drift, [a.key for a in plan.changes if a.drift]
    edited = {a.key for a in plan.changes if a.session_changed}
    assert {"sso_extension:update", "sso_extension:assign", "enrollment_profile:update"} <= edited
    assert "authenticator:assign" in edited
    assert all(a.to_dict()["session_changed"] for a in plan.changes if a.key in edited)

    print_plan(plan, str(path))
    out = capsys.readouterr().out
    assert "[drift" not in out
    assert "[changed in the session since the last apply]" in out

    # Applied, the edits are the new record: nothing left, and no word of a change.
    assert (await apply_file(sb, path)).ok
    assert (await plan_file(sb, path)).is_empty


async def test_a_tenant_change_beside_a_session_edit_is_still_drift(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    sb = fresh
    path = session_with_ids(sb, tmp_path)
    assert (await apply_file(sb, path)).ok
    s = Session.read_only(path)
    profile_id = s.get("enrollment_profile", "profile_id")
    byod = group_id(sb, "BYOD pilot")
    # The session changes the SSO policy; someone removes a profile assignment in the portal.
    _edit(path, 'bundle_ids = ["com.contoso.expenses"', 'bundle_ids = ["com.contoso.travel"')
    with sb.lock:
        t = sb.state
        t.profile_assignments[profile_id] = [
            a for a in t.profile_assignments[profile_id] if a["target"].get("groupId") != byod
        ]
    plan = await plan_file(sb, path)
    by_key = {a.key: a for a in plan.changes}
    update = by_key["sso_extension:update"]
    assert update.session_changed
    assert not update.drift
    profile = [a for a in plan.changes if a.key.startswith("enrollment_profile:assign")]
    assert profile
    assert all(a.drift and not a.session_changed for a in profile)


async def test_a_session_applied_before_the_record_keeps_its_drift(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    """Without [review] applied_inputs (a session applied by an older adue) a difference
    on an object adue wrote stays drift, as before."""
    sb = fresh
    path = session_with_ids(sb, tmp_path)
    assert (await apply_file(sb, path)).ok
    with Session.open(path, create=False) as session:
        session.set("review", "applied_inputs", [])
        session.save()
    _edit(path, 'bundle_ids = ["com.contoso.expenses"', 'bundle_ids = ["com.contoso.travel"')
    update = {a.key: a for a in (await plan_file(sb, path)).changes}["sso_extension:update"]
    assert update.drift
    assert not update.session_changed
