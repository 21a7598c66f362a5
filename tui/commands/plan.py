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

    from tui.commands.plan_common import (
        TENANT_ERRORS,
        in_tenant,
        open_session,
        print_json,
        print_plan,
        report_error,
        with_tenant,
    )
    from tui.rollout.plan import make_plan

    session = open_session(args, "plan")
    if session is None:
        return EXIT_ERROR
    try:
        target, result = asyncio.run(
            in_tenant(args, session, lambda client, _: make_plan(client, session.data))
        )
    except TENANT_ERRORS as exc:
        report_error("plan", exc, args)
        return EXIT_ERROR
    if args.json:
        print_json(with_tenant(result.to_dict(), target))
    else:
        print_plan(result, args.session)
    sys.stdout.flush()
    if result.blocked:
        return EXIT_ERROR
    return EXIT_OK if result.is_empty else EXIT_CHANGES
