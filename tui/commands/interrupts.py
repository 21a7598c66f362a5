"""Ctrl-C and SIGTERM stop a headless command cleanly: no traceback, exit 130 / 143.

Outside an event loop SIGTERM raises `Terminated` (a KeyboardInterrupt, so every place
that handles Ctrl-C handles it too). Inside `asyncio.run`, where an exception raised by
a signal handler could land anywhere in the loop, SIGTERM instead cancels the main task,
as asyncio itself does for Ctrl-C; `asyncio.run` then raises CancelledError, and
`stopped_by` says which signal it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from types import FrameType
from typing import Any

EXIT_SIGINT = 128 + signal.SIGINT  # 130, what a shell reports for Ctrl-C
EXIT_SIGTERM = 128 + signal.SIGTERM  # 143


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: stop as cleanly as after Ctrl-C."""


def _raise_terminated(_signum: int, _frame: FrameType | None) -> None:
    raise Terminated()


def raise_on_sigterm() -> Any:
    """From now on (outside an event loop) SIGTERM raises Terminated; returns the handler
    it replaced (for `restore_sigterm`)."""
    with contextlib.suppress(ValueError):  # not the main thread (e.g. a test calling run)
        return signal.signal(signal.SIGTERM, _raise_terminated)
    return None


def restore_sigterm(previous: Any) -> None:
    if previous is not None:
        with contextlib.suppress(ValueError, TypeError):
            signal.signal(signal.SIGTERM, previous)


def cancel_on_sigterm(stopped_by: list[int]) -> None:
    """Inside a coroutine run by asyncio.run: SIGTERM cancels it (and is noted)."""
    task = asyncio.current_task()
    if task is None:
        return

    def stop() -> None:
        stopped_by.append(signal.SIGTERM)
        task.cancel()

    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop)


def exit_code(error: BaseException | None, stopped_by: list[int]) -> int:
    """130 for Ctrl-C, 143 for SIGTERM."""
    if isinstance(error, Terminated) or signal.SIGTERM in stopped_by:
        return EXIT_SIGTERM
    return EXIT_SIGINT


def signal_name(code: int) -> str:
    return "SIGTERM" if code == EXIT_SIGTERM else "Ctrl-C (SIGINT)"


def run_stoppable(body: Callable[[list[int]], int], stopped: Callable[[int], str]) -> int:
    """`body(stopped_by)` with SIGTERM raising Terminated outside its event loop (put back
    after). Ctrl-C or SIGTERM before or after the loop, when nothing is in flight: the
    line `stopped(exit code)` on stderr, and that exit code."""
    import sys

    previous = raise_on_sigterm()
    stopped_by: list[int] = []  # SIGTERM noted while the event loop ran
    try:
        return body(stopped_by)
    except KeyboardInterrupt as exc:
        code = exit_code(exc, stopped_by)
        print(stopped(code), file=sys.stderr, flush=True)
        return code
    finally:
        restore_sigterm(previous)
