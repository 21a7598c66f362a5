"""What `adue plan`, `adue apply` and `adue status` share: printing a plan and --json answers
(they sign in with tui.commands.connect).

Imported only from inside the commands' `run`: it pulls in the Graph layer.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from tui.rollout.model import ActionKind, Plan

if TYPE_CHECKING:
    from tui.graph.target import TargetTenant

SYMBOLS = {
    ActionKind.CREATE: "+",
    ActionKind.UPDATE: "~",
    ActionKind.ASSIGN: ">",
    ActionKind.UNASSIGN: "<",
    ActionKind.SET_PRIORITY: "^",
    ActionKind.DELETE: "-",
    ActionKind.NOTHING: "=",
}


def with_tenant(value: dict[str, Any], target: TargetTenant | None) -> dict[str, Any]:
    """A --json answer with the target tenant and cloud first (docs/plan-json.md)."""
    if target is None:
        return value
    head = {"version": value.get("version", 1)} if "version" in value else {}
    return {
        **head,
        "tenant": {"id": target.id, "name": target.name},
        "cloud": target.cloud,
        **value,
    }


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, sort_keys=False))


def print_plan(plan: Plan, session_path: str) -> None:
    for problem in plan.problems:
        print(f"PROBLEM  {problem}")
    for note in plan.notes:
        print(f"note     {note}")
    for action in plan.actions:
        drift = "  [drift: changed outside adue]" if action.drift else ""
        if action.session_changed:
            drift = "  [changed in the session since the last apply]"
        print(f"{SYMBOLS[action.kind]} {action.title}{drift}")
        for line in action.details:
            print(f"      {line}")
    changes = plan.changes
    if plan.blocked:
        print(f"\nadue will not apply this: fix the {len(plan.problems)} problem(s) above.")
    elif not changes:
        print("\nNo changes: the tenant matches the session.")
    else:
        drifted = sum(1 for a in changes if a.drift)
        extra = f" ({drifted} restore drift)" if drifted else ""
        print(
            f"\n{len(changes)} change(s){extra}. To make them: adue apply --session {session_path}"
        )
