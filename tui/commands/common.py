"""Options shared by the wizard and the headless commands (design.md)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import Any

from tui.choices import AUTH_METHODS
from tui.graph.clouds import CLOUD_NAMES

DEFAULT_SESSION = "adue-session.toml"

# Every command's exit codes: done; could not (an error said on stderr); done, and there
# are changes to make or checks that failed; the command line was wrong (EX_USAGE).
EXIT_OK, EXIT_ERROR, EXIT_CHANGES, EXIT_USAGE = 0, 1, 2, 64
EXIT_FAILURES = EXIT_CHANGES


def whole_number(text: str) -> int:
    """An option's value as an int (argparse `type=`); the callers check its range."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def within(value: int, low: int, high: int | None, outside: str) -> int:
    """`value` when it is from `low` to `high` (None: no top), else argparse's error
    `outside`, which may name {value}, {low} and {high}: each type says its range once."""
    if value < low or (high is not None and value > high):
        raise argparse.ArgumentTypeError(outside.format(value=value, low=low, high=high))
    return value


def add_session_option(
    parser: argparse.ArgumentParser,
    *,
    required: bool = False,
    subcommand: bool = False,
    what: str = "session file",
) -> None:
    """--session (its help starts with `what`). On a subcommand the top-level parser
    supplies the default, so that `adue --session F plan` and `adue plan --session F`
    mean the same."""
    parser.add_argument(
        "--session",
        metavar="PATH",
        default=argparse.SUPPRESS if subcommand else None if required else DEFAULT_SESSION,
        required=required,
        help=f"{what} (default: ./{DEFAULT_SESSION})" if not required else what,
    )


def add_connection_options(parser: argparse.ArgumentParser, *, subcommand: bool = False) -> None:
    """--cloud, --tenant, --client-id, --graph-url, --auth and the token-cache opt-in.

    Defaults are None so that values stored in the session apply unless the
    command line overrides them. On a subcommand every default is SUPPRESS: the
    top-level parser's value stands unless the option is repeated after the
    subcommand (`adue --tenant X check` keeps X).
    """
    group = parser.add_argument_group("connection")
    first = len(parser._actions)
    group.add_argument("--cloud", choices=CLOUD_NAMES, help="national cloud (default: global)")
    group.add_argument("--tenant", metavar="ID_OR_DOMAIN", help="tenant id or verified domain")
    group.add_argument("--client-id", metavar="GUID", help="app registration to sign in with")
    group.add_argument(
        "--graph-url",
        metavar="ROOT",
        default=os.environ.get("ADUE_GRAPH_URL") or None,
        help="Graph root before /v1.0 and /beta, e.g. a sandbox (default: $ADUE_GRAPH_URL)",
    )
    group.add_argument(
        "--auth",
        choices=AUTH_METHODS,
        help="sign-in method (default: device-code; token when $ADUE_ACCESS_TOKEN is set)",
    )
    group.add_argument(
        "--certificate-path",
        metavar="PEM",
        help="certificate for --auth certificate (the path is stored, never the key)",
    )
    group.add_argument(
        "--allow-plaintext-token-cache",
        action="store_true",
        help="keep the token cache in a 0600 file when no keyring is usable",
    )
    if subcommand:
        # set_defaults would store the marker itself in the namespace; the actions won't.
        for action in parser._actions[first:]:
            action.default = argparse.SUPPRESS


def add_tenant_command(
    subparsers: Any,
    name: str,
    handler: Callable[[argparse.Namespace], int],
    *,
    help: str,
    description: str,
    json_help: str,
    yes_help: str = "",
) -> argparse.ArgumentParser:
    """A command that reads or writes one tenant: --session, --yes (with `yes_help`),
    --json and the connection options; the caller adds its own options."""
    p: argparse.ArgumentParser = subparsers.add_parser(name, help=help, description=description)
    add_session_option(p, subcommand=True)
    if yes_help:
        p.add_argument("--yes", action="store_true", help=yes_help)
    p.add_argument("--json", action="store_true", help=json_help)
    add_connection_options(p, subcommand=True)
    p.set_defaults(handler=_start_up_uncollected(handler))
    return p


def _start_up_uncollected(
    handler: Callable[[argparse.Namespace], int],
) -> Callable[[argparse.Namespace], int]:
    """The command with the garbage collector paused (tui.startup_gc) until its start-up
    is done: the Graph layer's and the plan engine's imports, the sign-in and the tenant
    check (plan_common resumes it then). Its scans of those long-lived objects as they
    were made were 25 M of the 1,316 M instructions of a headless `adue plan`. Resumed
    at the latest when the command ends."""

    def run(args: argparse.Namespace) -> int:
        from tui import startup_gc

        startup_gc.pause()
        try:
            return handler(args)
        finally:
            startup_gc.resume()

    return run


def say(text: str) -> None:
    """A line for the person on stderr (prompts, notices, errors): stdout stays the
    command's answer (a table or --json)."""
    print(text, file=sys.stderr, flush=True)


def ask(question: str) -> str:
    """The person's answer to `question`, asked on stderr as `say` speaks (no newline:
    they type after it), stripped; "" when input has ended."""
    print(question, end="", file=sys.stderr, flush=True)
    try:
        return input().strip()
    except EOFError:
        return ""


def confirmed(question: str) -> bool:
    """Whether the person answers `question` (a [y/N] one) with y or yes."""
    return ask(question).lower() in ("y", "yes")
