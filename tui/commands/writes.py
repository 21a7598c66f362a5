"""What `adue apply` and `adue destroy` (the two commands that write to a tenant) share:
refusing to prompt without a terminal, opening the session locked, and running the write
in the checked tenant and answering with its result (a summary, or with --json the
result and the tenant).

Imported only from inside the commands' `run`: it pulls in the Graph layer.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from tui.commands.common import EXIT_ERROR, EXIT_OK, say
from tui.commands.plan_common import open_session, print_json, with_tenant, write_in_tenant

if TYPE_CHECKING:
    import argparse
    from collections.abc import Awaitable, Callable

    from tui.graph.target import TargetTenant
    from tui.session import Session


class WriteResult(Protocol):
    """ApplyResult and DestroyResult: whether every write went, and the --json answer."""

    @property
    def ok(self) -> bool: ...

    def to_dict(self) -> dict[str, Any]: ...


R = TypeVar("R", bound=WriteResult)


def cannot_ask(command: str, args: argparse.Namespace, without_asking: str) -> bool:
    """True (said on stderr) when the command would prompt but stdin is no terminal."""
    if args.yes or sys.stdin.isatty():
        return False
    say(
        f"adue {command}: not asking for confirmation because input is not a terminal: "
        f"pass --yes to {without_asking}"
    )
    return True


def write_session(command: str, args: argparse.Namespace, without_asking: str) -> Session | None:
    """The session, locked for the write; None (said on stderr) when the command may not
    ask for confirmation (cannot_ask) or the session cannot be opened."""
    if cannot_ask(command, args, without_asking):
        return None
    return open_session(args, command, writes=True)


def run_write(
    command: str,
    session: Session,
    enter: Callable[[], Awaitable[tuple[TargetTenant, R | None]]],
    *,
    args: argparse.Namespace,
    stopped_by: list[int],
    interrupted: Callable[[BaseException], int],
    refused: Callable[[], int],
    print_result: Callable[[R, str], None],
) -> int:
    """`enter` in the checked tenant (write_in_tenant); its result None means it wrote
    nothing and `refused()` answers. Exit 0 when every write went, 1 otherwise."""
    done = write_in_tenant(
        command, session, enter, args=args, stopped_by=stopped_by, interrupted=interrupted
    )
    if isinstance(done, int):
        return done
    target, result = done
    if result is None:
        return refused()
    if args.json:
        print_json(with_tenant(result.to_dict(), target))
    else:
        print_result(result, args.session)
    return EXIT_OK if result.ok else EXIT_ERROR
