"""`adue plan`: what apply would change; exit 0 none, 2 changes, 1 error (docs/plan-json.md)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tui.commands.common import EXIT_ERROR, add_tenant_command


def register(subparsers: Any) -> None:
    add_tenant_command(
        subparsers,
        "plan",
        run,
        help="show what apply would change in the tenant (exit 0 none, 2 changes, 1 error)",
        description="Compare the session's desired state with the tenant. Never writes.",
        json_help="print the plan as JSON",
    )


def run(args: argparse.Namespace) -> int:
    import asyncio

    from tui.commands.plan_common import (
        TENANT_ERRORS,
        open_session,
        plan_exit,
        print_json,
        print_plan,
        report_error,
        tenant_plan,
        with_tenant,
    )

    session = open_session(args, "plan")
    if session is None:
        return EXIT_ERROR
    try:
        target, result = asyncio.run(tenant_plan(args, session))
    except TENANT_ERRORS as exc:
        report_error("plan", exc, args)
        return EXIT_ERROR
    if args.json:
        print_json(with_tenant(result.to_dict(), target))
    else:
        print_plan(result, args.session)
    sys.stdout.flush()
    return plan_exit(result)
