"""Priority converges (issue 15.5) and an order changed by someone else (issue 13.3).

The sandbox's setPriority inserts-and-shifts or swaps, and a new profile lands last or
first: Graph documents neither. Under all four, apply reaches the asked order by moving,
re-reading and repeating, touches only iOS profiles, and stops with a clear failure when
someone keeps moving profiles. Real SDK, real HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.plan.helpers import apply_file, plan_file, session_with_ids
from tui.rollout.model import ActionKind
from tui.sandbox.recording import RequestRecord
from tui.sandbox.server import RunningSandbox
from tui.sandbox.tenant import stable_id
from tui.session import Session

CHOICE = stable_id("demo", "profile", "user-choice")
WEB = stable_id("demo", "profile", "web-device")
MACOS = stable_id("demo", "profile", "macos-device")


def _order(sb: RunningSandbox) -> list[str]:
    with sb.lock:
        return [p["id"] for p in sb.state.profiles_by_priority("iOS")]


def _with_order(path: Path, order: list[str]) -> None:
    with Session.open(path, create=False) as session:
        session.set("priority", "order", order)
        session.save()


def _moves(sb: RunningSandbox) -> list[RequestRecord]:
    return [w for w in sb.writes() if w.path.endswith("/setPriority")]


@pytest.mark.parametrize("mode", ["insert", "swap"])
@pytest.mark.parametrize("lands", ["last", "first"])
@pytest.mark.parametrize("asked", ["default", "explicit"])
async def test_the_order_is_reached_under_every_setpriority_behaviour(
    sandbox_factory: Any, tmp_path: Path, mode: str, lands: str, asked: str
) -> None:
    sb = sandbox_factory(seed="demo", priority_mode=mode, new_profile_lands=lands)
    path = session_with_ids(sb, tmp_path)
    if asked == "explicit":
        _with_order(path, [WEB, "enrollment_profile", CHOICE])
    result = await apply_file(sb, path)
    assert result.ok, result.failed
    ours = Session.read_only(path).get("enrollment_profile", "profile_id")
    wanted = [ours, CHOICE, WEB] if asked == "default" else [WEB, ours, CHOICE]
    assert _order(sb) == wanted
    assert Session.read_only(path).get("priority", "applied_order") == wanted
    moves = _moves(sb)
    assert len(moves) <= 3
    if lands == "first" and asked == "default":
        assert moves == []  # already where it must be: nothing assumed, nothing moved
    assert all(MACOS not in m.path for m in moves)
    with sb.lock:  # the macOS profile keeps its own first place
        assert sb.state.enrollment_profiles[MACOS]["priority"] == 0
    assert (await plan_file(sb, path)).is_empty


async def test_a_profile_moved_by_someone_else_each_time_fails_clearly(
    sandbox_factory: Any, tmp_path: Path
) -> None:
    sb = sandbox_factory(seed="demo")
    path = session_with_ids(sb, tmp_path)
    assert (await apply_file(sb, path)).ok
    ours = Session.read_only(path).get("enrollment_profile", "profile_id")
    _with_order(path, ["enrollment_profile"])
    with sb.lock:
        sb.state.move_profile(ours, 2)

    def other_admin(record: RequestRecord) -> None:
        if record.path.endswith("/setPriority") and record.status == 204:
            with sb.lock:  # another admin puts theirs back on top every time
                sb.state.move_profile(WEB, 0)

    remove = sb.on_request(other_admin)
    try:
        sb.clear_requests()
        result = await apply_file(sb, path)
    finally:
        remove()
    assert not result.ok
    message = result.failed["priority:order"]
    assert "did not settle after 5 moves" in message
    assert "run apply again" in message
    assert len(_moves(sb)) == 5
    journal = Session.read_only(path).journal()
    assert [e["result"] for e in journal if e["action"] == "set_priority"][-5:] == ["ok"] * 5


async def test_an_order_changed_outside_this_session_is_shown_and_left_unless_asked(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    sb = fresh
    path = session_with_ids(sb, tmp_path)
    assert (await apply_file(sb, path)).ok
    ours = Session.read_only(path).get("enrollment_profile", "profile_id")
    with sb.lock:  # another admin moves ours down in the admin center
        sb.state.move_profile(ours, 2)
        sb.state.enrollment_profiles[ours]["lastModifiedDateTime"] = "2026-11-30T08:15:00Z"

    plan = await plan_file(sb, path)
    assert not [a for a in plan.changes if a.kind is ActionKind.SET_PRIORITY]
    note = next(n for n in plan.notes if n.startswith("[priority]"))
    assert "changed outside this session (last change 2026-11-30 08:15 UTC" in note
    assert "adue leaves it" in note
    sb.clear_requests()
    assert (await apply_file(sb, path)).ok
    assert _moves(sb) == []
    assert _order(sb)[2] == ours
    assert not [n for n in (await plan_file(sb, path)).notes if n.startswith("[priority]")]

    # Asked for explicitly (the Priority step saves an order): restored, and said why.
    _with_order(path, ["enrollment_profile"])
    with sb.lock:
        sb.state.move_profile(ours, 1)
    plan = await plan_file(sb, path)
    move = next(a for a in plan.changes if a.kind is ActionKind.SET_PRIORITY)
    assert move.drift
    assert any("apply restores the order this session asks for" in d for d in move.details)
    assert (await apply_file(sb, path)).ok
    assert _order(sb)[0] == ours


async def test_a_profile_out_of_place_is_moved_from_the_plans_own_read(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    """When ours exists, the plan's read of the order (moments before) is where the first
    move starts: no second read of the same list first. A run then needs the plan's two
    batched reads and one move, which is what lets apply finish even when each sign-in's
    token lasts only three requests (tests/reliability/test_fault_matrix.py)."""
    sb = fresh
    path = session_with_ids(sb, tmp_path)
    assert (await apply_file(sb, path)).ok
    ours = Session.read_only(path).get("enrollment_profile", "profile_id")
    _with_order(path, ["enrollment_profile"])
    with sb.lock:
        sb.state.move_profile(ours, 2)
    sb.clear_requests()
    assert (await apply_file(sb, path)).ok
    assert _order(sb)[0] == ours
    sent = [
        ("move" if r.path.endswith("/setPriority") else "read")
        for r in sb.top_level_requests()
        if r.method != "POST" or r.path.endswith("/setPriority")
        if "appleUserInitiatedEnrollmentProfiles" in r.path
    ]
    assert sent == ["move", "read"]  # the move, then the read that checks it
