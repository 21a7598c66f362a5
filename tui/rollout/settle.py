"""Settle the write a stopped apply left `pending` in the journal, before anything else.

A run stopped (Ctrl-C, SIGTERM, a kill) between journalling a write and saving its
result leaves a `pending` [[journal]] entry: the write may or may not have reached the
tenant. The next apply's plan has just re-read the tenant, so it can tell:

- a pending create whose object the plan found (by stored id or exact display name
  and type) was made: the entry becomes `ok` with that id, and the plan adopts it;
- a pending create the plan did not find was not made: `failed`, this apply makes it;
- any other pending write is done when the plan no longer wants it (`ok`), and not
  done when the plan still has that action (`failed`, this apply makes it again).
"""

from __future__ import annotations

from tui.rollout.model import Plan
from tui.session import Session

SETTLED = "interrupted before its result was saved; settled by the next apply: "


def settle_pending(session: Session, plan: Plan) -> int:
    """Give every `pending` journal entry its real result from `plan`; returns how many.
    Does not save: the caller saves with its own changes."""
    wanted = {action.key for action in plan.changes}
    settled = 0
    for index, entry in enumerate(session.journal()):
        if entry.get("result") != "pending":
            continue
        settled += 1
        if entry.get("action") == "create":
            found = next(
                (
                    o
                    for o in plan.objects
                    if o.object_type.value == entry.get("object_type") and o.id
                ),
                None,
            )
            if found is not None:
                session.journal_update(
                    index,
                    result="ok",
                    object_id=found.id,
                    detail=SETTLED + f"the object had been created (found by {found.found_by})",
                )
            else:
                session.journal_update(
                    index,
                    result="failed",
                    detail=SETTLED + "the object had not been created; this apply creates it",
                )
        elif entry.get("intent") in wanted:
            session.journal_update(
                index,
                result="failed",
                detail=SETTLED + "the write had not taken effect; this apply makes it again",
            )
        else:
            session.journal_update(
                index, result="ok", detail=SETTLED + "the tenant shows the write took effect"
            )
    return settled
