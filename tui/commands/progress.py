"""`adue progress`: who of the rollout's users has enrolled through account-driven User
Enrollment, who has not yet, counts per group and per day; `--csv` writes the users still
to enroll (a reminder mail merge). Reads only. Exit 0 read, 1 could not read.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.commands.common import add_connection_options, add_session_option

if TYPE_CHECKING:
    from tui.progress.report import ProgressReport

EXIT_OK, EXIT_ERROR = 0, 1


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "progress",
        help="show who has enrolled through user enrollment and who has not yet",
        description=(
            "Compare the rollout's targeted users (transitive members of the enrollment"
            " profile's groups, or all users) with Intune's managed iPhones and iPads:"
            " who has a device enrolled through account-driven User Enrollment, who has"
            " none yet, counts per group and per day. Never writes to the tenant."
        ),
    )
    add_session_option(p, subcommand=True)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--csv",
        metavar="FILE",
        type=Path,
        help="write the users still to enroll (displayName, userPrincipalName, mail) to FILE"
        " (mode 0600: it lists people)",
    )
    add_connection_options(p, subcommand=True)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import asyncio

    from tui.commands.common import say
    from tui.commands.connect import confirm_tenant, connect
    from tui.commands.plan_common import print_json, with_tenant
    from tui.error_text import describe_error
    from tui.graph.auth import SettingsError
    from tui.graph.errors import GraphError, SignInCancelled
    from tui.graph.target import TargetTenant
    from tui.progress.export import write_reminder_csv
    from tui.progress.read import progress_targets, read_progress
    from tui.rollout.modes import session_mode, session_profile_name
    from tui.session import Session, SessionError

    try:
        session = Session.read_only(args.session)
    except SessionError as exc:
        say(f"adue progress: {exc}")
        return EXIT_ERROR
    targets = progress_targets(session.data)

    async def read() -> tuple[TargetTenant, ProgressReport]:
        client = connect(args, session, quiet=args.json)
        try:
            target = await confirm_tenant(client, args, session)
            if not args.json:
                print(target.headline(), flush=True)
            report = await read_progress(
                client,
                targets,
                mode=session_mode(session.data),
                profile_name=session_profile_name(session.data),
            )
            return target, report
        finally:
            await client.aclose()

    try:
        target, report = asyncio.run(read())
    except (SettingsError, GraphError, SignInCancelled) as exc:
        error = describe_error(exc, layout="line")
        say(f"adue progress: {error}")
        fix = getattr(exc, "fix", "")
        if fix:
            say(f"  Fix: {fix}")
        if args.json:
            print_json({"version": 1, "error": error})
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
