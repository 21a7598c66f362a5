"""`adue apply`: make the plan's changes; asks first unless --yes (docs/plan-json.md).

Exit 0 when everything was applied (or nothing was to do), 1 on any error or
refusal. Safe to re-run at any time: it resumes where a failed or killed run stopped.
"""

from __future__ import annotations

import argparse
import contextlib
from typing import TYPE_CHECKING, Any

from tui.commands.common import EXIT_ERROR, add_tenant_command

if TYPE_CHECKING:
    from tui.graph.client import GraphClient
    from tui.graph.target import TargetTenant
    from tui.rollout.apply import ApplyResult
    from tui.rollout.model import Plan


def register(subparsers: Any) -> None:
    add_tenant_command(
        subparsers,
        "apply",
        run,
        help="make the changes plan shows (idempotent; safe to re-run after any failure)",
        description="Apply the session's desired state to the tenant. Asks before writing "
        "unless --yes.",
        json_help="print the result as JSON",
        yes_help="do not ask before writing",
    )


def run(args: argparse.Namespace) -> int:
    from tui.commands.interrupts import run_stoppable, signal_name

    return run_stoppable(
        lambda stopped_by: _run(args, stopped_by),
        lambda code: f"adue apply: stopped by {signal_name(code)}.",
    )


def _run(args: argparse.Namespace, stopped_by: list[int]) -> int:
    from tui.commands.common import confirmed, say
    from tui.commands.plan_common import planned_in_tenant, print_json, print_plan, with_tenant
    from tui.commands.writes import run_write, write_session
    from tui.graph.target import record_target
    from tui.rollout.apply import Progress, apply_plan

    session = write_session("apply", args, "apply without asking (review with adue plan first)")
    if session is None:
        return EXIT_ERROR

    def show(event: Progress) -> None:
        if args.json:
            return
        rid = f" (request-id {event.request_id})" if event.request_id else ""
        label = {"start": "...", "retry": "wait", "done": "ok", "failed": "FAILED"}[event.event]
        print(f"  {label:<6} {event.message}{rid}", flush=True)

    async def apply(client: GraphClient, target: TargetTenant, plan: Plan) -> ApplyResult | None:
        # The plan was read in the tenant check's round trip (planned_in_tenant): nothing
        # of it is used, and nothing written, unless the tenant is the session's.
        recorded = record_target(session.table("tenant"), target)
        if recorded:  # the first checked sign-in pins the session to the tenant's GUID
            session.update("tenant", recorded)
            session.save()
        if not args.json:
            print_plan(plan, args.session)
        if plan.blocked:
            if args.json:
                refused = {"version": 1, "result": "refused", "plan": plan.to_dict()}
                print_json(with_tenant(refused, target))
            return None
        question = f"Apply these {len(plan.changes)} change(s) to {target.label}? [y/N] "
        if plan.changes and not args.yes and not confirmed(question):
            say("adue apply: nothing written.")
            return None
        if not args.json and plan.changes:
            print("\nApplying:")
        return await apply_plan(client, session, plan, show)

    return run_write(
        "apply",
        session,
        lambda: planned_in_tenant(args, session, apply, writes=True),
        args=args,
        stopped_by=stopped_by,
        interrupted=lambda exc: _interrupted(session, args, exc, stopped_by),
        refused=lambda: EXIT_ERROR,
        print_result=_print_result,
    )


def _print_result(result: ApplyResult, session_path: str) -> None:
    if result.ok:
        print(f"\nDone: {result.writes} write(s). The session {session_path} records them.")
    else:
        print(
            f"\nStopped: {len(result.failed)} write(s) failed"
            + (f", {len(result.skipped)} not tried" if result.skipped else "")
            + ". What was done is kept; run adue apply again to finish."
        )
        for key, message in result.failed.items():
            print(f"  {key}: {message}")


def _interrupted(
    session: Any, args: argparse.Namespace, error: BaseException, stopped_by: list[int]
) -> int:
    """Ctrl-C or SIGTERM: record it (a write may be pending: the next apply settles it)."""
    from tui.commands.common import say
    from tui.commands.interrupts import exit_code, signal_name
    from tui.commands.plan_common import print_json

    code = exit_code(error, stopped_by)
    with contextlib.suppress(Exception):  # the lock or the disk may be what failed
        session.set("review", "last_result", "interrupted")
        session.save()
    say(
        f"adue apply: stopped by {signal_name(code)}. What was written is recorded in the"
        " session; "
        f"run adue apply --session {args.session} again to finish (it first settles the "
        "write that was in flight)."
    )
    if args.json:
        print_json({"version": 1, "result": "interrupted"})
    return code
