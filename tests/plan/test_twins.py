"""Same-named twins no run can settle: the session records one policy (and profile), and
another with exactly the same name and type exists that this run did not create (e.g. a
second admin's run was stopped before it deleted its copy). Plan names it as a conflict
with both ids; apply writes nothing and deletes nothing."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from tests.plan.helpers import apply_file, count_named, plan_file, session_with_ids
from tui.rollout.apply import ApplyRefused
from tui.sandbox.server import RunningSandbox, start_sandbox
from tui.session import Session


def _twin(sb: RunningSandbox, collection: str, object_id: str) -> str:
    """A copy of the object with another id, created a second later (as Graph would)."""
    with sb.lock:
        objects = getattr(sb.state, collection)
        twin = copy.deepcopy(objects[object_id])
        twin["id"] = sb.state.new_id()
        twin["createdDateTime"] = sb.state.stamp()
        objects[twin["id"]] = twin
        if collection == "enrollment_profiles":
            twin["priority"] = len(objects) - 1
    return str(twin["id"])


@pytest.mark.parametrize("which", ["device_configurations", "enrollment_profiles"])
async def test_twins_no_run_created_are_a_conflict_plan_names(which: str, tmp_path: Path) -> None:
    with start_sandbox(seed="demo") as sb:
        path = session_with_ids(sb, tmp_path)
        assert (await apply_file(sb, path)).ok
        session = Session.read_only(path)
        ours = session.get(
            *(
                ("sso_extension", "policy_id")
                if which == "device_configurations"
                else ("enrollment_profile", "profile_id")
            )
        )
        twin = _twin(sb, which, ours)
        plan = await plan_file(sb, path)
        assert plan.blocked
        problem = next(p for p in plan.problems if twin in p)
        assert ours in problem
        assert "exactly this name" in problem
        assert "created" in problem
        before = path.read_bytes()
        requests = len(sb.requests)
        with pytest.raises(ApplyRefused):
            await apply_file(sb, path)
        writes = [r for r in sb.requests[requests:] if r.method != "GET" and "$batch" not in r.path]
        assert writes == []  # nothing written, nothing deleted
        assert count_named(sb) == ((2, 1) if which == "device_configurations" else (1, 2))
        assert path.read_bytes() == before
