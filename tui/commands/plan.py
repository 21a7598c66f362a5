"""`adue plan`: what apply would change; exit 0 none, 2 changes, 1 error (docs/plan-json.md)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tui.commands.common import add_connection_options, add_session_option

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "plan",
        help="show what apply would change in the tenant (exit 0 none, 2 changes, 1 error)",
        description="Compare the session's desired state with the tenant. Never writes.",
    )
    add_session_option(p, subcommand=True)
    p.add_argument("--json", action="store_true", help="print the plan as JSON")
    add_connection_options(p, subcommand=True)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import asyncio

    from tui.commands.common import say
    from tui.commands.connect import confirm_tenant, connect
    from tui.commands.plan_common import print_json, print_plan, with_tenant
    from tui.error_text import describe_error
    from tui.graph.auth import SettingsError
    from tui.graph.errors import GraphError, SignInCancelled
    from tui.graph.target import TargetTenant
    from tui.rollout.model import Plan
    from tui.rollout.plan import make_plan
    from tui.session import Session, SessionError

    try:
        session = Session.read_only(args.session)
    except SessionError as exc:
        say(f"adue plan: {exc}")
        return EXIT_ERROR

    async def plan() -> tuple[TargetTenant, Plan]:
        client = connect(args, session, quiet=args.json)
        try:
            target = await confirm_tenant(client, args, session)
            if not args.json:
                print(target.headline(), flush=True)
            return target, await make_plan(client, session.data)
        finally:
            await client.aclose()

    try:
        target, result = asyncio.run(plan())
    except (SettingsError, GraphError, SignInCancelled) as exc:
        error = describe_error(exc, layout="line")
        say(f"adue plan: {error}")
        if args.json:
            print_json({"version": 1, "error": error})
        return EXIT_ERROR
    if args.json:
        print_json(with_tenant(result.to_dict(), target))
    else:
        print_plan(result, args.session)
    sys.stdout.flush()
    if result.blocked:
        return EXIT_ERROR
    return EXIT_OK if result.is_empty else EXIT_CHANGES
