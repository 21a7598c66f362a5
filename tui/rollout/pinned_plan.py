"""The plan with the tenant check in its first round trip, the code that reads its answers
and the plan engine imported while that round trip is on the wire.

The pin's GET /organization rides in the plan's first `$batch` (one round trip fewer
than checking first). Sending that batch needs the session's desired state and what the
first round trip asks for (tui.rollout.desired, tui.rollout.first_round), not the code
that reads the answers (tui.rollout.read, with the models, parsers and operations it
imports) nor the comparison (tui.rollout.plan and its model): those are imported in the
wait (tui.import_ahead), so a headless `adue plan` puts its first request on the wire
that much sooner (bench/headless_plan.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tui.import_ahead import import_ahead
from tui.rollout.desired import DesiredStateError, desired_state
from tui.rollout.first_round import read_pinned_tenant

if TYPE_CHECKING:
    from tui.graph.client import GraphClient
    from tui.graph.target import TargetTenant, TenantPin
    from tui.rollout.model import Plan

# What reading the answers and comparing need, in the order they are needed.
PLAN_ENGINE = ("tui.rollout.read", "tui.rollout.plan")


async def pinned_plan(
    client: GraphClient, session_data: Mapping[str, Any], pin: TenantPin
) -> tuple[TargetTenant, Plan]:
    """`tui.rollout.plan.make_plan` with the tenant check in its first round trip. Raises
    TenantMismatch when the sign-in is for another tenant, before any answer is used;
    never writes, so a caller that writes (apply) does so after it. Bad session content
    still checks the tenant (alone) before its problems are given."""
    try:
        desired = desired_state(session_data)
    except DesiredStateError as exc:
        from tui.rollout.plan import plan_from_problems

        return await pin.confirm(client), plan_from_problems(exc.problems)

    def compare_ahead() -> None:
        import_ahead(PLAN_ENGINE)

    target, state = await read_pinned_tenant(client, desired, pin, on_sent=compare_ahead)
    from tui.rollout.plan import build_plan

    return target, build_plan(desired, state)
