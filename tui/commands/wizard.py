"""`adue` with no subcommand: open (or create) the session and run the wizard."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from tui.commands.common import DEFAULT_SESSION
from tui.text import safe_lines

if TYPE_CHECKING:
    from tui.backend import WizardOptions

# `make run` and `adue --sandbox` rehearse on their own session file, so a
# sandbox rehearsal never mixes with a session that targets a real tenant.
SANDBOX_SESSION = "adue-sandbox-session.toml"


def run_wizard(args: argparse.Namespace) -> int:
    from tui import startup_gc

    startup_gc.pause()  # the app resumes it once start-up's imports are done
    try:
        return _run_wizard(args)
    finally:
        startup_gc.resume()


def _run_wizard(args: argparse.Namespace) -> int:
    from tui.session import Session, SessionError

    path = args.session
    if args.sandbox and path == DEFAULT_SESSION:
        path = SANDBOX_SESSION
    try:
        session = Session.open(path)
    except SessionError as exc:
        print(safe_lines(f"adue: {exc}"), file=sys.stderr)
        return 1
    try:
        from tui.app import AdueApp
        from tui.backend import Backend

        app = AdueApp(session, backend=Backend(session, wizard_options(args)))
        result = app.run()
    finally:
        session.close()
    if app.crash_line or app.return_code:
        # The wizard never exits 0 after a crash (Textual's return value is None then).
        print(app.crash_line or "adue: the wizard stopped on an error.", file=sys.stderr)
        return app.return_code or 1
    print(resume_hint(path, sandbox=args.sandbox, step=session.current_step))
    return result or 0


def wizard_options(args: argparse.Namespace) -> WizardOptions:
    """The wizard's command-line options, as the Backend takes them (no argparse there)."""
    from tui.backend import WizardOptions

    def text(name: str) -> str | None:
        value = getattr(args, name, None)
        return str(value) if value is not None else None

    return WizardOptions(
        sandbox=bool(getattr(args, "sandbox", False)),
        cloud=text("cloud"),
        tenant=text("tenant"),
        client_id=text("client_id"),
        graph_url=text("graph_url"),
        auth=text("auth"),
        certificate_path=text("certificate_path"),
        allow_plaintext_token_cache=bool(getattr(args, "allow_plaintext_token_cache", False)),
    )


def resume_hint(path: str, *, sandbox: bool, step: str) -> str:
    """Where the session is saved and the command that reopens it on the same step."""
    import shlex

    from tui.steps import get_step, step_index

    command = ["adue"]
    if sandbox:
        command.append("--sandbox")
    if path != (SANDBOX_SESSION if sandbox else DEFAULT_SESSION):
        command += ["--session", path]
    title = get_step(step).title
    headless = [*command[:2], "plan"] if sandbox else [command[0], "plan"]
    headless += command[2:] if sandbox else command[1:]
    return (
        f"Session saved in {path} (step {step_index(step) + 1} of 8: {title}).\n"
        f"Resume with: {shlex.join(command)}\n"
        f"Without the wizard: {shlex.join(headless)} (then apply)"
    )
