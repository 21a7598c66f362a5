"""`adue destroy`: undo what this session created, nothing else (tui.rollout.destroy).

Shows the plan first and asks unless --yes. When devices are enrolled through the
enrollment profile it deletes (or their number cannot be read), --yes is not enough:
pass --force-enrolled too, or type the number of devices when asked. Exit 0 when done
(or nothing was left to undo), 1 on any error or refusal. Safe to re-run at any time.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from tui.commands.common import EXIT_ERROR, add_tenant_command

if TYPE_CHECKING:
    from tui.graph.client import GraphClient
    from tui.graph.target import TargetTenant
    from tui.rollout.destroy_model import DestroyPlan, DestroyResult


def register(subparsers: Any) -> None:
    p = add_tenant_command(
        subparsers,
        "destroy",
        run,
        help="undo what this session created (idempotent; asks first unless --yes)",
        description="Delete the SSO policy, enrollment profile and web clip this session "
        "created and remove the app assignments it added; everything else stays.",
        json_help="print the result as JSON",
        yes_help="do not ask before deleting",
    )
    p.add_argument(
        "--force-enrolled",
        action="store_true",
        help="also when devices are enrolled through the profile (needed with --yes then)",
    )


def _print_plan(destroy: DestroyPlan) -> None:
    for note in destroy.plan.notes:
        print(f"note     {note}")
    for action in destroy.plan.changes:
        print(f"- {action.title}")
        for line in action.details:
            print(f"      {line}")
    if not destroy.plan.changes:
        print("\nNothing to undo: the tenant holds nothing this session created.")
    else:
        print(f"\n{len(destroy.plan.changes)} change(s) to undo.")


def _enrolled_warning(destroy: DestroyPlan) -> str:
    if destroy.enrolled_devices is None:
        return (
            f"WARNING: {destroy.count_problem}. Devices may be enrolled through the "
            "enrollment profile this deletes."
        )
    return (
        f"WARNING: {destroy.enrolled_devices} device(s) are enrolled through the enrollment "
        "profile this deletes: they stay enrolled, but lose the SSO extension and the "
        "assignments this rollout gave them, and nobody can enroll through it any more."
    )


def _refusal(plan: DestroyPlan, target: TargetTenant, args: argparse.Namespace) -> str:
    """Why nothing is deleted ("" to go on): devices enrolled through the profile need
    --force-enrolled or their number typed; any change needs --yes or a yes."""
    from tui.commands.common import ask, confirmed, say

    if plan.needs_enrolled_confirmation:
        say(_enrolled_warning(plan))
        count = plan.enrolled_devices
        if args.yes and not args.force_enrolled:
            return (
                "devices are enrolled through the profile: pass --force-enrolled "
                "as well as --yes to delete it anyway"
            )
        if not args.yes and not args.force_enrolled:
            wanted = str(count) if count is not None else "delete"
            answer = ask(f"Type {wanted} to confirm you mean to go on: ")
            if answer != wanted:
                return "not confirmed: nothing deleted"
    changes = len(plan.plan.changes)
    if changes and not args.yes:
        question = f"Undo these {changes} change(s) in {target.label}? [y/N] "
        if not confirmed(question):
            return "nothing deleted"
    return ""


def run(args: argparse.Namespace) -> int:
    from tui.commands.interrupts import run_stoppable, signal_name

    return run_stoppable(
        lambda stopped_by: _run(args, stopped_by),
        lambda code: (
            f"adue destroy: stopped by {signal_name(code)}. What was removed is recorded in "
            f"the session; run adue destroy --session {args.session} again to finish."
        ),
    )


def _run(args: argparse.Namespace, stopped_by: list[int]) -> int:
    from tui.commands.common import say
    from tui.commands.plan_common import in_tenant, print_json
    from tui.commands.writes import run_write, write_session
    from tui.rollout.destroy import (
        make_destroy_plan,
        pending_apply,
        run_destroy,
        settle_interrupted_apply,
    )

    session = write_session("destroy", args, "delete without asking")
    if session is None:
        return EXIT_ERROR

    def show(_key: str, event: str, message: str) -> None:
        if not args.json:
            label = {"start": "...", "done": "ok", "failed": "FAILED"}.get(event, event)
            print(f"  {label:<6} {message}", flush=True)

    refused: list[str] = []

    async def destroy(client: GraphClient, target: TargetTenant) -> DestroyResult | None:
        if pending_apply(session):
            await settle_interrupted_apply(client, session)
        plan = await make_destroy_plan(client, session.data)
        if not args.json:
            _print_plan(plan)
        changes = len(plan.plan.changes)
        refusal = _refusal(plan, target, args)
        if refusal:
            refused.append(refusal)
            return None
        if changes and not args.json:
            print("\nUndoing:")
        return await run_destroy(client, session, plan, show)

    def refuse() -> int:
        say(f"adue destroy: {refused[0] if refused else 'nothing deleted'}.")
        if args.json:
            print_json({"version": 1, "result": "refused", "reason": refused[:1]})
        return EXIT_ERROR

    return run_write(
        "destroy",
        session,
        lambda: in_tenant(args, session, destroy, writes=True),
        args=args,
        stopped_by=stopped_by,
        interrupted=lambda exc: _interrupted(args, exc, stopped_by),
        refused=refuse,
        print_result=_print_result,
    )


def _print_result(result: DestroyResult, session_path: str) -> None:
    if result.ok:
        print(
            f"\nDone: {result.writes} write(s). The session {session_path} is ready to apply again."
        )
    else:
        print("\nStopped: what was removed is kept; run adue destroy again to finish.")
        for key, message in result.failed.items():
            print(f"  {key}: {message}")


def _interrupted(args: argparse.Namespace, error: BaseException, stopped_by: list[int]) -> int:
    """Ctrl-C or SIGTERM while deleting: what was removed is recorded already."""
    from tui.commands.common import say
    from tui.commands.interrupts import exit_code
    from tui.commands.plan_common import print_json

    say(
        "adue destroy: stopped. What was removed is recorded in the session; run "
        f"adue destroy --session {args.session} again to finish."
    )
    if args.json:
        print_json({"version": 1, "result": "interrupted"})
    return exit_code(error, stopped_by)
