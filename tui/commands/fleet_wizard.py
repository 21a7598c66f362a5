"""`adue fleet --fleet FILE` with no action: the fleet table, and each tenant's wizard.

The table (tui.app.FleetApp) and a tenant's wizard (tui.app.AdueApp, as `adue --session
F` opens it, on `<sessions_dir>/<label>.toml`) are two Textual apps run one after the
other: Enter in the table ends it with the tenant's label, the wizard runs on that
session, and when the person leaves the wizard (Ctrl-Q) the table opens again. One
app at a time keeps each as it is alone (the wizard's screens, bindings and crash
handling unchanged). The fleet's one sign-in (tui.fleet.board.FleetBoard) lives across
them, so the tenant's wizard signs in through it without a second device code.
"""

from __future__ import annotations

import argparse
import sys

from tui.commands.common import EXIT_ERROR, EXIT_OK
from tui.text import safe_lines


def run_fleet_table(args: argparse.Namespace) -> int:
    from tui import startup_gc

    startup_gc.pause()  # as the wizard: collected once the first frame is out
    try:
        return _run(args)
    finally:
        startup_gc.resume()


def _run(args: argparse.Namespace) -> int:
    from tui.fleet.board import FleetBoard
    from tui.fleet.file import FleetFileError, load_fleet

    try:
        fleet = load_fleet(args.fleet_file)
    except FleetFileError as exc:
        print(safe_lines(f"adue fleet: {exc}"), file=sys.stderr)
        return EXIT_ERROR
    board = FleetBoard(fleet)
    note = ""
    try:
        while True:
            label, code, crash = _table(board, note)
            if crash or label is None:
                if crash:
                    print(crash, file=sys.stderr)
                return code
            note = open_tenant_wizard(board, label)
    finally:
        board.close()


def _table(board: object, note: str) -> tuple[str | None, int, str]:
    from tui.app import FleetApp

    app = FleetApp(board, note=note)
    label = app.run()
    if app.crash_line or app.return_code:
        return None, app.return_code or EXIT_ERROR, app.crash_line or "adue fleet: stopped."
    return label, EXIT_OK, ""


def open_tenant_wizard(board: object, label: str) -> str:
    """Run `label`'s wizard on its session; the line the table shows after it."""
    from tui.app import AdueApp
    from tui.fleet.board import FleetBoard
    from tui.session import SessionError

    assert isinstance(board, FleetBoard)
    try:
        session = board.open_session(label)
    except SessionError as exc:
        return f"{label}: {exc}"
    try:
        app = AdueApp(session, backend=board.backend_for(label, session))
        app.run()
    finally:
        session.close()
    if app.crash_line:
        return f"{label}: the wizard stopped: {app.crash_line}"
    return f"Back from {label}'s wizard (its session is saved)."
