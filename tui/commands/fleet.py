"""`adue fleet plan|apply|status|check|guide --fleet FILE`: one rollout in many tenants.

Tenants run concurrently (default 8, --concurrency N) in one process, each as the
single-tenant command does; a failing tenant never stops the others. One line per
tenant as it finishes, then a summary table (--json: one object, a list of tenants).
Exit 0 all done or nothing to do, 2 changes pending (plan, status) or checks failing
(check), 1 any tenant failed, 64 usage. docs/fleet.md has the fleet file's format.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from tui.commands.common import (
    EXIT_CHANGES,
    EXIT_ERROR,
    EXIT_OK,
    EXIT_USAGE,
    confirmed,
    say,
    whole_number,
    within,
)

if TYPE_CHECKING:
    from tui.fleet.connect import FleetConnector
    from tui.fleet.file import Fleet, FleetTenant
    from tui.fleet.run import Command, TenantOutcome

ACTIONS = {
    "plan": "show what apply would change in each tenant (exit 0 none, 2 changes, 1 error)",
    "apply": "make the changes in every tenant (asks once unless --yes; safe to re-run)",
    "status": "each tenant's last apply and drift (exit 0 in sync, 2 drift, 1 error)",
    "check": "run the prerequisite checks in each tenant (exit 0 pass, 2 fail, 1 error)",
    "guide": "write each tenant's employee guide beside its session",
}


def _concurrency(text: str) -> int:
    from tui.fleet.file import MAX_CONCURRENCY

    return within(whole_number(text), 1, MAX_CONCURRENCY, "give {low} to {high}, not {value}")


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "fleet",
        help="one rollout in many tenants: plan, apply, status, check, guide (docs/fleet.md)",
        description="Run a command in every tenant of a fleet file, concurrently.",
    )
    # Without an action: the fleet table in a terminal (docs/fleet.md "In the wizard").
    p.add_argument(
        "--fleet", dest="fleet_file", metavar="FILE", help="open the fleet table of FILE"
    )
    actions = p.add_subparsers(dest="fleet_action", metavar="ACTION")
    for name, text in ACTIONS.items():
        a = actions.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        a.add_argument("--fleet", metavar="FILE", required=True, help="the fleet file (.toml)")
        a.add_argument(
            "--only",
            metavar="LABEL",
            nargs="+",
            action="extend",
            help="only these tenants (labels; repeat or comma-separate)",
        )
        if name != "guide":
            a.add_argument(
                "--concurrency",
                metavar="N",
                type=_concurrency,
                help="tenants at the same time (default: the fleet file's, else 8)",
            )
        a.add_argument("--json", action="store_true", help="print one JSON object")
        if name == "apply":
            a.add_argument("--yes", action="store_true", help="do not ask before writing")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    action = getattr(args, "fleet_action", None)
    if not action and getattr(args, "fleet_file", None):
        from tui.commands.fleet_wizard import run_fleet_table

        return run_fleet_table(args)
    if not action:
        say(
            "adue fleet: choose an action: plan, apply, status, check or guide, e.g."
            " adue fleet plan --fleet fleet.toml (adue fleet ACTION --help says more);"
            " adue fleet --fleet fleet.toml opens the fleet table"
        )
        return EXIT_USAGE
    from tui.fleet.file import FleetFileError, load_fleet

    try:
        fleet = load_fleet(args.fleet)
        tenants = fleet.select(args.only)
    except FleetFileError as exc:
        say(f"adue fleet {action}: {exc}")
        if args.json:
            _json({"version": 1, "command": action, "exit_code": EXIT_ERROR, "error": str(exc)})
        return EXIT_ERROR
    if action == "guide":
        return _guide(fleet, tenants, args)
    if action == "apply":
        return _apply(fleet, tenants, args)
    return _read(fleet, tenants, args, action)


def _json(value: Any) -> None:
    from tui.text import json_text

    print(json_text(value))


# --- running -----------------------------------------------------------------------------


class _Printer:
    """A line per tenant as it finishes (and a progress line on a terminal)."""

    def __init__(self, tenants: list[FleetTenant], args: argparse.Namespace) -> None:
        from tui.fleet.output import ProgressLine

        self.quiet = args.json
        self.width = max((len(t.label) for t in tenants), default=0)
        self.progress = ProgressLine(len(tenants))
        self.running = 0

    def start(self, _outcome: TenantOutcome) -> None:
        self.running += 1
        if not self.quiet:
            self.progress.draw(self.running)

    def done(self, outcome: TenantOutcome) -> None:
        from tui.fleet.output import tenant_line

        self.running -= 1
        self.progress.done += 1
        self.progress.failed += outcome.failed
        if not self.quiet:
            self.progress.print(tenant_line(outcome, self.width), self.running)

    def finish(self) -> None:
        self.progress.finish()


def _connect(fleet: Fleet) -> FleetConnector:
    """The fleet's one sign-in, done now (blocking: a device code is shown on stderr)."""
    from tui.fleet.connect import make_connector
    from tui.graph.auth import SettingsError
    from tui.graph.errors import SignInRequired

    interactive = sys.stdin.isatty() and sys.stderr.isatty()
    connector = make_connector(fleet, interactive=interactive)
    try:
        connector.sign_in()
    except SignInRequired as exc:
        connector.close()
        if interactive or fleet.mode != "gdap":
            raise
        # No terminal to show a device code on (a pipeline, cron): say what works there.
        raise SettingsError(
            f"{exc.message}: the gdap sign-in shows the partner admin a device code, which"
            " needs a terminal. Run the fleet command once on a terminal (the sign-in is"
            " then kept in the OS keyring when there is one), or sign in as the fleet's app"
            ' ([sign_in] mode = "app-secret" with $AZURE_CLIENT_SECRET, or'
            ' "app-certificate").'
        ) from None
    except BaseException:
        connector.close()
        raise
    return connector


def _run(
    fleet: Fleet,
    tenants: list[FleetTenant],
    command: Command,
    connector: FleetConnector,
    args: argparse.Namespace,
    stopped_by: list[int],
) -> list[TenantOutcome]:
    """Run `command` in `tenants`; on Ctrl-C/SIGTERM raise _Stopped with what was recorded."""
    import asyncio

    from tui.commands.interrupts import cancel_on_sigterm, raise_on_sigterm
    from tui.fleet.run import FleetRun

    printer = _Printer(tenants, args)
    runner = FleetRun(
        fleet,
        tenants,
        command,
        connector,
        concurrency=getattr(args, "concurrency", None) or fleet.concurrency,
        on_start=printer.start,
        on_done=printer.done,
    )

    async def main() -> list[TenantOutcome]:
        cancel_on_sigterm(stopped_by)
        return await runner.run()

    try:
        return asyncio.run(main())
    except (KeyboardInterrupt, asyncio.CancelledError) as exc:
        raise _Stopped(runner.outcomes, exc) from None
    finally:
        printer.finish()
        raise_on_sigterm()  # closing the loop put SIGTERM back to its default


class _Stopped(Exception):
    def __init__(self, outcomes: list[TenantOutcome], error: BaseException) -> None:
        super().__init__("stopped")
        self.outcomes = outcomes
        self.error = error


def _exit_code(outcomes: list[TenantOutcome], command: str) -> int:
    if any(o.failed for o in outcomes):
        return EXIT_ERROR
    pending = "checks fail" if command == "check" else "changes"
    return EXIT_CHANGES if any(o.result == pending for o in outcomes) else EXIT_OK


def _report(
    fleet: Fleet, outcomes: list[TenantOutcome], command: str, args: argparse.Namespace, t0: float
) -> int:
    import time

    from tui.fleet.output import fleet_json, summary

    code = _exit_code(outcomes, command)
    if args.json:
        answer = fleet_json(outcomes, command=command, fleet_name=fleet.name, exit_code=code)
        answer["seconds"] = round(time.monotonic() - t0, 3)  # the fleet sign-in included
        _json(answer)
    else:
        print()
        print(summary(outcomes, fleet.name, time.monotonic() - t0), flush=True)
    return code


def _guarded(
    fleet: Fleet, args: argparse.Namespace, action: str, body: Any, stopped_by: list[int]
) -> int:
    """Sign-in errors and interruptions of a fleet command, as the single-tenant ones."""
    import time

    from tui.commands.interrupts import exit_code, raise_on_sigterm, restore_sigterm, signal_name
    from tui.graph.auth import SettingsError
    from tui.graph.errors import GraphError, SignInCancelled

    previous = raise_on_sigterm()
    t0 = time.monotonic()
    try:
        outcomes: list[TenantOutcome] = body()
        return _report(fleet, outcomes, action, args, t0)
    except (SettingsError, GraphError, SignInCancelled) as exc:
        message = str(exc) or type(exc).__name__
        say(f"adue fleet {action}: {message}")
        if args.json:
            _json({"version": 1, "command": action, "exit_code": EXIT_ERROR, "error": message})
        return EXIT_ERROR
    except _Stopped as stop:
        code = exit_code(stop.error, stopped_by)
        _report(fleet, stop.outcomes, action, args, t0)
        what = (
            " What was written is recorded in each tenant's session; run it again to"
            " finish (each tenant first settles the write that was in flight)."
            if action == "apply"
            else ""
        )
        say(f"adue fleet {action}: stopped by {signal_name(code)}.{what}")
        return code
    except KeyboardInterrupt as exc:  # before or after the event loop: nothing in flight
        code = exit_code(exc, stopped_by)
        say(f"adue fleet {action}: stopped by {signal_name(code)}.")
        return code
    finally:
        restore_sigterm(previous)


def _read(fleet: Fleet, tenants: list[FleetTenant], args: argparse.Namespace, action: str) -> int:
    """plan, status, check: never write (not even the sessions: they are built in memory)."""
    stopped_by: list[int] = []
    command: Command = action  # type: ignore[assignment]

    def body() -> list[TenantOutcome]:
        connector = _connect(fleet)
        try:
            return _run(fleet, tenants, command, connector, args, stopped_by)
        finally:
            connector.close()

    return _guarded(fleet, args, action, body, stopped_by)


def _apply(fleet: Fleet, tenants: list[FleetTenant], args: argparse.Namespace) -> int:
    if not args.yes and not sys.stdin.isatty():
        say(
            "adue fleet apply: not asking for confirmation because input is not a terminal:"
            " pass --yes to apply without asking (review with adue fleet plan first)"
        )
        return EXIT_ERROR
    stopped_by: list[int] = []

    def body() -> list[TenantOutcome]:
        connector = _connect(fleet)
        try:
            if args.yes:
                return _run(fleet, tenants, "apply", connector, args, stopped_by)
            planned = _run(fleet, tenants, "plan", connector, args, stopped_by)
            pending = [o for o in planned if o.result == "changes"]
            if not pending:
                return planned
            if not _confirm(pending, fleet):
                say("adue fleet apply: nothing written.")
                return [o for o in planned if o.result != "changes"] + [
                    _declined(o) for o in pending
                ]
            applied = _run(fleet, [o.tenant for o in pending], "apply", connector, args, stopped_by)
            by_label = {o.label: o for o in applied}
            return [by_label.get(o.label, o) for o in planned]
        finally:
            connector.close()

    return _guarded(fleet, args, "apply", body, stopped_by)


def _declined(outcome: TenantOutcome) -> TenantOutcome:
    """A tenant whose changes were not applied because the person said no: exit 1, as
    adue apply gives when its question is declined."""
    outcome.result = "not started"
    outcome.reason = "not applied: declined at the prompt (nothing written)"
    return outcome


def _confirm(pending: list[TenantOutcome], fleet: Fleet) -> bool:
    from tui.text import safe_text

    changes = sum(o.changes for o in pending)
    return confirmed(
        f"\nApply these {changes} change(s) in {len(pending)} tenant(s) of"
        f" {safe_text(fleet.name)}? [y/N] "
    )


# --- guide -------------------------------------------------------------------------------


def _guide(fleet: Fleet, tenants: list[FleetTenant], args: argparse.Namespace) -> int:
    """Each tenant's guide, in the formats and languages its session lists, into its
    [guide] output_dir (beside its session: `<sessions_dir>/<label>/` by default). Local:
    no sign-in, nothing of the sessions written."""
    from tui.fleet.output import tenant_line
    from tui.fleet.run import TenantOutcome
    from tui.fleet.sessions import open_read_only
    from tui.guide import GuideError, GuideSettings, GuideSettingsError, default_filename, export
    from tui.session import SessionError

    outcomes: list[TenantOutcome] = []
    files: dict[str, list[str]] = {}
    width = max((len(t.label) for t in tenants), default=0)
    for tenant in tenants:
        outcome = TenantOutcome(tenant, name=tenant.name, tenant_id=tenant.id, cloud=fleet.cloud)
        written: list[str] = []
        try:
            session = open_read_only(fleet, tenant)
            data = session.data
            table = session.table("tenant")
            outcome.tenant_id = str(table.get("tenant_id") or tenant.id)
            outcome.name = str(table.get("organization") or tenant.name)
            settings = GuideSettings.from_session(data)
            folder = session.path.parent / (settings.output_dir or tenant.label)
            for lang in settings.languages:
                for fmt in settings.formats:
                    written.append(
                        str(export(settings, lang, fmt, folder / default_filename(lang, fmt)))
                    )
            outcome.result = "written"
            outcome.writes = len(written)
        except GuideSettingsError as exc:
            outcome.result = "failed"
            outcome.reason = (
                "; ".join(str(p) for p in exc.problems)
                + f" (in {fleet.path.name}: [template.TABLE] KEY, or the tenant's"
                ' [tenant.overrides] "TABLE.KEY")'
            )
        except (GuideError, SessionError, OSError) as exc:
            outcome.result = "failed"
            outcome.reason = str(exc)
        files[tenant.label] = written
        outcomes.append(outcome)
        if not args.json:
            print(tenant_line(outcome, width).replace("write(s)", "guide file(s)"), flush=True)
            for path in written:
                print(f"{'':<{width}}    {path}")
    code = EXIT_ERROR if any(o.failed for o in outcomes) else EXIT_OK
    if args.json:
        from tui.fleet.output import fleet_json

        answer = fleet_json(outcomes, command="guide", fleet_name=fleet.name, exit_code=code)
        for entry in answer["tenants"]:
            entry["files"] = files.get(entry["label"], [])
        _json(answer)
    return code
