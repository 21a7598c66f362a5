"""What the headless commands that read or write one tenant (`adue plan`, `apply`,
`status`, `destroy`, `progress`) share: opening the session, the signed-in and checked
client (tui.commands.connect), the one-line error, printing a plan and --json answers.

Imported only from inside the commands' `run`: it pulls in the Graph layer.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from tui.commands.common import EXIT_CHANGES, EXIT_ERROR, EXIT_OK, say
from tui.graph.auth import SettingsError
from tui.graph.errors import GraphError, SignInCancelled

if TYPE_CHECKING:
    from tui.graph.client import GraphClient
    from tui.graph.target import TargetTenant, TenantPin
    from tui.rollout.model import ActionKind, Plan
    from tui.session import Session

T = TypeVar("T")
F = TypeVar("F")  # what the tenant check's round trip read besides the tenant

# What signing in and talking to Graph may raise for a person to read (describe_error).
TENANT_ERRORS = (SettingsError, GraphError, SignInCancelled)


def _symbols() -> dict[ActionKind, str]:
    """Each action's mark in a printed plan. Made when a plan is printed: the plan's model
    is imported while the plan's first round trip is on the wire (tui.rollout.pinned_plan),
    not before it."""
    from tui.rollout.model import ActionKind

    return {
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
    symbols = _symbols()
    for problem in plan.problems:
        print(f"PROBLEM  {problem}")
    for note in plan.notes:
        print(f"note     {note}")
    for action in plan.actions:
        drift = "  [drift: changed outside adue]" if action.drift else ""
        if action.session_changed:
            drift = "  [changed in the session since the last apply]"
        print(f"{symbols[action.kind]} {action.title}{drift}")
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


def open_session(args: argparse.Namespace, command: str, *, writes: bool = False) -> Session | None:
    """The session of --session (locked when the command `writes`), or None after saying
    why it cannot be opened."""
    from tui.session import Session, SessionError

    try:
        if writes:
            return Session.open(args.session, create=False)
        return Session.read_only(args.session)
    except SessionError as exc:
        say(f"adue {command}: {exc}")
        return None


async def in_tenant(
    args: argparse.Namespace,
    session: Session,
    work: Callable[[GraphClient, TargetTenant], Awaitable[T]],
    *,
    headline: bool = True,
    writes: bool = False,
) -> tuple[TargetTenant, T]:
    """Sign in, check the tenant against the session before anything else (GET
    /organization alone), print its headline (not with --json), run `work`, and close the
    client whatever happens."""

    async def check(client: GraphClient, pin: TenantPin) -> tuple[TargetTenant, None]:
        return await pin.confirm(client), None

    async def then(client: GraphClient, target: TargetTenant, _: None) -> T:
        return await work(client, target)

    return await _signed_in(args, session, check, then, headline=headline, writes=writes)


async def planned_in_tenant(
    args: argparse.Namespace,
    session: Session,
    work: Callable[[GraphClient, TargetTenant, Plan], Awaitable[T]],
    *,
    headline: bool = True,
    writes: bool = False,
) -> tuple[TargetTenant, T]:
    """`in_tenant` for a command that starts from the plan (plan, status, apply): the
    tenant check rides in the plan's first `$batch` (tui.rollout.pinned_plan), one
    round trip fewer, and is passed before the plan, the headline or any write."""

    async def check(client: GraphClient, pin: TenantPin) -> tuple[TargetTenant, Plan]:
        from tui.rollout.pinned_plan import pinned_plan

        return await pinned_plan(client, session.data, pin)

    return await _signed_in(args, session, check, work, headline=headline, writes=writes)


async def keep_plan(_client: GraphClient, _target: TargetTenant, plan: Plan) -> Plan:
    """The `work` of a command that only shows the plan."""
    return plan


async def tenant_plan(
    args: argparse.Namespace, session: Session, *, headline: bool = True
) -> tuple[TargetTenant, Plan]:
    """`planned_in_tenant` for a command that only shows the plan (plan, status)."""
    return await planned_in_tenant(args, session, keep_plan, headline=headline)


def plan_exit(plan: Plan) -> int:
    """The exit status a shown plan gives (plan, status): 1 blocked, 0 nothing to
    change, 2 changes to make."""
    if plan.blocked:
        return EXIT_ERROR
    return EXIT_OK if plan.is_empty else EXIT_CHANGES


async def _signed_in(
    args: argparse.Namespace,
    session: Session,
    check: Callable[[GraphClient, TenantPin], Awaitable[tuple[TargetTenant, F]]],
    work: Callable[[GraphClient, TargetTenant, F], Awaitable[T]],
    *,
    headline: bool,
    writes: bool,
) -> tuple[TargetTenant, T]:
    from tui import startup_gc
    from tui.commands.connect import connect, tenant_pin_for

    client = connect(args, session, quiet=args.json, writes=writes)
    try:
        target, first = await check(client, tenant_pin_for(client, args, session))
        startup_gc.resume()  # start-up is done (tui.commands.common.add_tenant_command)
        if headline and not args.json:
            print(target.headline(), flush=True)
        return target, await work(client, target, first)
    finally:
        await client.aclose()


def report_error(command: str, exc: BaseException, args: argparse.Namespace, **head: str) -> str:
    """The error as one line on stderr and, with --json, as the answer (`head`: keys that
    come before "error", e.g. result="error"); returns the line."""
    from tui.error_text import describe_error

    error = describe_error(exc, layout="line")
    say(f"adue {command}: {error}")
    if args.json:
        print_json({"version": 1, **head, "error": error})
    return error


def write_in_tenant(
    command: str,
    session: Session,
    enter: Callable[[], Awaitable[tuple[TargetTenant, T]]],
    *,
    args: argparse.Namespace,
    stopped_by: list[int],
    interrupted: Callable[[BaseException], int],
) -> tuple[TargetTenant, T] | int:
    """`adue apply` and `destroy`: `enter` (their work in the checked tenant: in_tenant
    or planned_in_tenant with writes=True), with the session locked and SIGTERM
    cancelling the event loop (noted in `stopped_by`). Returns the tenant and what the
    work returned, or an exit code: `interrupted(error)`'s after Ctrl-C or SIGTERM, 1
    after an error said on stderr (and with --json as the answer)."""
    import asyncio

    from tui.commands.interrupts import cancel_on_sigterm, raise_on_sigterm

    async def main() -> tuple[TargetTenant, T]:
        cancel_on_sigterm(stopped_by)
        return await enter()

    try:
        with session:
            try:
                return asyncio.run(main())
            except (KeyboardInterrupt, asyncio.CancelledError) as exc:
                return interrupted(exc)
            finally:
                raise_on_sigterm()  # closing the loop put SIGTERM back to its default
    except TENANT_ERRORS as exc:
        report_error(command, exc, args, result="error")
        return 1
