"""`adue destroy`: undo what this session created, nothing else (tui.rollout.destroy).

Shows the plan first and asks unless --yes. When devices are enrolled through the
enrollment profile it deletes (or their number cannot be read), --yes is not enough:
pass --force-enrolled too, or type the number of devices when asked. Exit 0 when done
(or nothing was left to undo), 1 on any error or refusal. Safe to re-run at any time.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from tui.commands.common import add_connection_options, add_session_option

if TYPE_CHECKING:
    from tui.graph.target import TargetTenant
    from tui.rollout.destroy import DestroyPlan

EXIT_OK, EXIT_ERROR = 0, 1


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "destroy",
        help="undo what this session created (idempotent; asks first unless --yes)",
        description="Delete the SSO policy, enrollment profile and web clip this session "
        "created and remove the app assignments it added; everything else stays.",
    )
    add_session_option(p, subcommand=True)
    p.add_argument("--yes", action="store_true", help="do not ask before deleting")
    p.add_argument(
        "--force-enrolled",
        action="store_true",
        help="also when devices are enrolled through the profile (needed with --yes then)",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    add_connection_options(p, subcommand=True)
    p.set_defaults(handler=run)


def _ask(question: str) -> str:
    print(question, end="", file=sys.stderr)
    sys.stderr.flush()
    try:
        return input().strip()
    except EOFError:
        return ""


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


def run(args: argparse.Namespace) -> int:
    from tui.commands.interrupts import exit_code, raise_on_sigterm, restore_sigterm, signal_name

    previous = raise_on_sigterm()
    stopped_by: list[int] = []
    try:
        return _run(args, stopped_by)
    except KeyboardInterrupt as exc:
        code = exit_code(exc, stopped_by)
        print(
            f"adue destroy: stopped by {signal_name(code)}. What was removed is recorded in "
            f"the session; run adue destroy --session {args.session} again to finish.",
            file=sys.stderr,
            flush=True,
        )
        return code
    finally:
        restore_sigterm(previous)


def _run(args: argparse.Namespace, stopped_by: list[int]) -> int:
    import asyncio

    from tui.commands.common import say
    from tui.commands.connect import confirm_tenant, connect
    from tui.commands.interrupts import cancel_on_sigterm, raise_on_sigterm
    from tui.commands.plan_common import print_json, with_tenant
    from tui.error_text import describe_error
    from tui.graph.auth import SettingsError
    from tui.graph.errors import GraphError, SignInCancelled
    from tui.rollout.destroy import (
        DestroyResult,
        make_destroy_plan,
        pending_apply,
        run_destroy,
        settle_interrupted_apply,
    )
    from tui.session import Session, SessionError

    if not args.yes and not sys.stdin.isatty():
        say(
            "adue destroy: not asking for confirmation because input is not a terminal: "
            "pass --yes to delete without asking"
        )
        return EXIT_ERROR
    try:
        session = Session.open(args.session, create=False)
    except SessionError as exc:
        say(f"adue destroy: {exc}")
        return EXIT_ERROR

    def show(key: str, event: str, message: str) -> None:
        if not args.json:
            label = {"start": "...", "done": "ok", "failed": "FAILED"}.get(event, event)
            print(f"  {label:<6} {message}", flush=True)

    target: TargetTenant | None = None
    refused: list[str] = []

    async def destroy() -> DestroyResult | None:
        nonlocal target
        cancel_on_sigterm(stopped_by)
        client = connect(args, session, quiet=args.json, writes=True)
        try:
            target = await confirm_tenant(client, args, session)
            if not args.json:
                print(target.headline(), flush=True)
            if pending_apply(session):
                await settle_interrupted_apply(client, session)
            plan = await make_destroy_plan(client, session.data)
            if not args.json:
                _print_plan(plan)
            changes = len(plan.plan.changes)
            if plan.needs_enrolled_confirmation:
                say(_enrolled_warning(plan))
                count = plan.enrolled_devices
                if args.yes and not args.force_enrolled:
                    refused.append(
                        "devices are enrolled through the profile: pass --force-enrolled "
                        "as well as --yes to delete it anyway"
                    )
                    return None
                if not args.yes and not args.force_enrolled:
                    wanted = str(count) if count is not None else "delete"
                    answer = _ask(f"Type {wanted} to confirm you mean to go on: ")
                    if answer != wanted:
                        refused.append("not confirmed: nothing deleted")
                        return None
            if changes and not args.yes:
                question = f"Undo these {changes} change(s) in {target.label}? [y/N] "
                if _ask(question).lower() not in ("y", "yes"):
                    refused.append("nothing deleted")
                    return None
            if changes and not args.json:
                print("\nUndoing:")
            return await run_destroy(client, session, plan, show)
        finally:
            await client.aclose()

    try:
        with session:
            try:
                result = asyncio.run(destroy())
            except (KeyboardInterrupt, asyncio.CancelledError) as exc:
                code = exit_code_for(exc, stopped_by)
                say(
                    "adue destroy: stopped. What was removed is recorded in the session; run "
                    f"adue destroy --session {args.session} again to finish."
                )
                if args.json:
                    print_json({"version": 1, "result": "interrupted"})
                return code
            finally:
                raise_on_sigterm()
    except (SettingsError, GraphError, SignInCancelled) as exc:
        error = describe_error(exc, layout="line")
        say(f"adue destroy: {error}")
        if args.json:
            print_json({"version": 1, "result": "error", "error": error})
        return EXIT_ERROR
    if result is None:
        say(f"adue destroy: {refused[0] if refused else 'nothing deleted'}.")
        if args.json:
            print_json({"version": 1, "result": "refused", "reason": refused[:1]})
        return EXIT_ERROR
    if args.json:
        print_json(with_tenant(result.to_dict(), target))
    elif result.ok:
        print(
            f"\nDone: {result.writes} write(s). The session {args.session} is ready to apply again."
        )
    else:
        print("\nStopped: what was removed is kept; run adue destroy again to finish.")
        for key, message in result.failed.items():
            print(f"  {key}: {message}")
    return EXIT_OK if result.ok else EXIT_ERROR


def exit_code_for(error: BaseException, stopped_by: list[int]) -> int:
    from tui.commands.interrupts import exit_code

    return exit_code(error, stopped_by)
