"""`adue progress`: who of the rollout's users has enrolled through account-driven User
Enrollment, who has not yet, counts per group and per day; `--csv` writes the users still
to enroll (a reminder mail merge). Reads only. Exit 0 read, 1 could not read.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.commands.common import EXIT_ERROR, EXIT_OK, add_tenant_command

if TYPE_CHECKING:
    from tui.graph.client import GraphClient
    from tui.graph.target import TargetTenant
    from tui.progress.report import ProgressReport


def register(subparsers: Any) -> None:
    p = add_tenant_command(
        subparsers,
        "progress",
        run,
        help="show who has enrolled through user enrollment and who has not yet",
        description=(
            "Compare the rollout's targeted users (transitive members of the enrollment"
            " profile's groups, or all users) with Intune's managed iPhones and iPads:"
            " who has a device enrolled through account-driven User Enrollment, who has"
            " none yet, counts per group and per day. Never writes to the tenant."
        ),
        json_help="print the report as JSON",
    )
    p.add_argument(
        "--csv",
        metavar="FILE",
        type=Path,
        help="write the users still to enroll (displayName, userPrincipalName, mail) to FILE"
        " (mode 0600: it lists people)",
    )


def run(args: argparse.Namespace) -> int:
    import asyncio

    from tui.commands.common import say
    from tui.commands.plan_common import (
        TENANT_ERRORS,
        in_tenant,
        open_session,
        print_json,
        report_error,
        with_tenant,
    )
    from tui.progress.export import write_reminder_csv
    from tui.progress.read import read_progress
    from tui.progress.targets import progress_targets
    from tui.rollout.modes import session_mode, session_profile_name

    session = open_session(args, "progress")
    if session is None:
        return EXIT_ERROR
    targets = progress_targets(session.data)

    async def read(client: GraphClient, _: TargetTenant) -> ProgressReport:
        return await read_progress(
            client,
            targets,
            mode=session_mode(session.data),
            profile_name=session_profile_name(session.data),
        )

    try:
        target, report = asyncio.run(in_tenant(args, session, read))
    except TENANT_ERRORS as exc:
        report_error("progress", exc, args)
        fix = getattr(exc, "fix", "")
        if fix:
            say(f"  Fix: {fix}")
        return EXIT_ERROR
    written = write_reminder_csv(report, args.csv) if args.csv else None
    if args.json:
        body = {"version": 1, **report.to_dict()}
        if written:
            body["csv"] = str(written)
        print_json(with_tenant(body, target))
    else:
        from tui.progress.text import report_lines

        for line in report_lines(report):
            print(line)
        if written:
            print(f"\nWrote the {len(report.to_enroll)} users still to enroll to {written}.")
    return EXIT_OK
