"""`adue`: argument parsing, subcommands and exit codes.

Kept import-light on purpose: `adue --help` and `adue --version` must not import
textual, msgraph or azure.identity. Each subcommand lives in `tui.commands.<name>`
and imports what it needs inside its handler.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from tui import __version__
from tui.commands.common import (
    EXIT_ERROR,
    EXIT_USAGE,
    add_connection_options,
    add_session_option,
)

# Exit codes beyond every command's own (tui.commands.common). Usage errors get 64
# (EX_USAGE) rather than argparse's 2, because 2 means "changes pending / checks failing"
# for plan and check.
EXIT_CRASH = 70  # EX_SOFTWARE: a bug in adue; the crash report says more
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl+C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as shells report `yes | head -1`

# Subcommand modules under tui/commands, in the order `adue --help` lists them.
SUBCOMMANDS: tuple[str, ...] = (
    "plan",
    "apply",
    "destroy",
    "status",
    "progress",
    "check",
    "discovery",
    "guide",
    "fleet",
    "sandbox",
)


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        from tui.text import safe_lines

        self.print_usage(sys.stderr)
        # The message quotes what was typed: shown, never acted on by the terminal.
        self.exit(EXIT_USAGE, safe_lines(f"{self.prog}: error: {message}\n"))


class _Unparsed(Exception):
    """A parse with only the named subcommands failed: the full parser says why."""


class _NamedOnly(Parser):
    def error(self, message: str) -> NoReturn:
        raise _Unparsed(message)


def build_parser(*, subcommands: bool = True, only: Sequence[str] = ()) -> Parser:
    """The parser; without `subcommands` only the wizard's own options (a faster start).
    `only`: just these subcommands, whose errors raise _Unparsed (see _parse)."""
    kind = _NamedOnly if only else Parser
    parser = kind(
        prog="adue",
        description="Set up account-driven Apple User Enrollment in Microsoft Intune.",
    )
    parser.add_argument("--version", action="version", version=f"adue {__version__}")
    add_session_option(parser)
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="run against the built-in sandbox tenant (no Microsoft account needed)",
    )
    add_connection_options(parser)
    if subcommands:
        subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=kind)
        for name in only or SUBCOMMANDS:
            importlib.import_module(f"tui.commands.{name}").register(subparsers)
    return parser


def _parse(arguments: Sequence[str]) -> argparse.Namespace:
    """The command line, parsed with only the subcommands it names when that parses:
    importing all ten command modules (check's, sandbox's, discovery's...) is ~40 ms of a
    headless `adue plan` (bench/headless_plan.py). Anything that does not parse so, and
    any help, goes to the full parser, so every message and help page is as before."""
    named = [name for name in SUBCOMMANDS if name in arguments]
    if named and not {"-h", "--help"} & set(arguments):
        with contextlib.suppress(_Unparsed):
            return build_parser(only=named).parse_args(arguments)
    return build_parser().parse_args(arguments)


def _needs_subcommands(argv: Sequence[str]) -> bool:
    """Whether parsing `argv` needs the subcommand modules (a name of one, or help).

    Plain `adue [--session F] [--sandbox]` starts the wizard without importing
    them: the first frame comes sooner.
    """
    return any(arg in SUBCOMMANDS or arg in ("-h", "--help") for arg in argv)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    args: argparse.Namespace | None = None
    if not _needs_subcommands(arguments):
        args, rest = build_parser(subcommands=False).parse_known_args(arguments)
        if rest:  # let the full parser name what is wrong, e.g. an unknown command
            args = None
    if args is None:
        args = _parse(arguments)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        from tui.commands.wizard import run_wizard

        return run_guarded(run_wizard, args, arguments)
    if getattr(args, "sandbox", False):
        refused = _sandbox_session(args)
        if refused:
            _say(refused)
            return EXIT_USAGE
    command = handler
    return _with_safe_output(lambda given: run_guarded(command, given, arguments), args)


# Subcommands that reach the wizard's sandbox tenant with --sandbox (and its session,
# ./adue-sandbox-session.toml, by default); `check` starts a sandbox of its own.
SANDBOX_COMMANDS = ("plan", "apply", "status", "guide", "destroy", "progress", "check")
# `adue --sandbox discovery check` checks the sandbox's own discovery host (no session).
SANDBOX_OWN = (("discovery", "check"),)


def _sandbox_session(args: argparse.Namespace) -> str:
    """`adue --sandbox COMMAND`: the wizard's sandbox session unless --session names one;
    a message for a command that has no use for --sandbox (never silently ignored)."""
    from tui.commands.common import DEFAULT_SESSION
    from tui.commands.wizard import SANDBOX_SESSION

    command = str(getattr(args, "command", "") or "")
    if (command, str(getattr(args, "discovery_action", "") or "")) in SANDBOX_OWN:
        return ""
    if command not in SANDBOX_COMMANDS:
        return (
            f"adue: --sandbox does not apply to `adue {command}` (it works with the wizard "
            f"and {', '.join(SANDBOX_COMMANDS)}): leave it out"
            + ("; use --seed and --state to choose the tenant" if command == "sandbox" else "")
        )
    if command != "check" and getattr(args, "session", None) == DEFAULT_SESSION:
        args.session = SANDBOX_SESSION
    return ""


def run_guarded(
    handler: Callable[[argparse.Namespace], int], args: argparse.Namespace, argv: Sequence[str]
) -> int:
    """Run a command so that no traceback reaches the person (the last-resort handler).

    A closed pipe (`adue plan | head -1`) ends quietly; a session or file that cannot
    be used, and a disk that is full or read-only, give their one-line message; anything
    else gives one line and a crash report file.
    """
    from tui.files import FileWriteError
    from tui.session.schema import SessionError

    try:
        code = handler(args)
        sys.stdout.flush()  # a reader that went away is found here, not at exit
        return code
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        _say("adue: interrupted.")
        return EXIT_INTERRUPTED
    except (SessionError, FileWriteError) as exc:
        _say(f"adue: {exc}")
        return EXIT_ERROR
    except Exception as exc:
        from tui.crash import crash_message, write_report

        _say(crash_message(exc, write_report(exc, argv)))
        return EXIT_CRASH


def _say(line: str) -> None:
    with contextlib.suppress(OSError):  # stderr gone too: nothing left to tell
        print(line, file=sys.stderr, flush=True)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's own flush at exit cannot fail
    (what the Python docs advise for SIGPIPE)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _with_safe_output(
    handler: Callable[[argparse.Namespace], int], args: argparse.Namespace
) -> int:
    """Run a subcommand with stdout and stderr made safe: names from the tenant or a session
    file are printed with control and escape characters made visible (tui/text.py). Not
    the wizard: Textual writes its own escape sequences."""
    from tui.text import SafeStream

    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(sys.stdout), SafeStream(sys.stderr)
    try:
        return handler(args)
    finally:
        sys.stdout, sys.stderr = saved


if __name__ == "__main__":
    sys.exit(main())
