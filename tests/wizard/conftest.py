"""Waiting helpers shared by the wizard's Pilot tests (one copy, each failing loudly).

    await until(pilot, condition)        # every worker done, then condition() holds
    await wait_until(pilot, condition)   # condition() holds, workers running or not
    await settle(app, pilot)             # no worker left running (nor any they started)

A condition that never comes true is an AssertionError naming what was awaited: a
test never carries on past a state the wizard did not reach.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.message import Message

DEFAULT_TIMEOUT = 40.0  # seconds; the machine running the suite may be loaded


async def until(
    pilot: Any,
    condition: Callable[[], bool],
    timeout: float = DEFAULT_TIMEOUT,
    *,
    workers: bool = True,
    what: str = "",
) -> None:
    """Let the app run until `condition()` holds (widgets mounted; with `workers`, every
    worker finished first — pass False to catch a state in the middle of one)."""
    deadline = time.monotonic() + timeout
    while True:
        if workers:
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if condition():
            return
        if time.monotonic() > deadline:
            raise AssertionError(
                f"the wizard did not reach {what or 'the expected state'} in {timeout} s"
            )
        await pilot.pause(0.02)


async def wait_until(
    pilot: Any, condition: Callable[[], bool], what: str = "", timeout: float = DEFAULT_TIMEOUT
) -> None:
    """Until `condition()` holds, checked every 0.1 s while the app runs."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never: {what or 'the condition'} (waited {timeout} s)")
        await pilot.pause(0.1)


async def settle(app: App[Any], pilot: Any, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Until no worker is left running, including those that finished ones started
    (a search starts the users/devices look-ups of the rows it shows)."""
    deadline = time.monotonic() + timeout
    while True:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause(0.05)
        if all(worker.is_finished for worker in app.workers):
            return
        if time.monotonic() > deadline:
            running = [w.name for w in app.workers if not w.is_finished]
            raise AssertionError(f"workers still running after {timeout} s: {running}")


class Posted:
    """Every message the app handles, for `app.run_test(message_hook=posted)`."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def __call__(self, message: Message) -> None:
        self.messages.append(message)

    def of(self, kind: type[Message]) -> list[Any]:
        """The messages of `kind` (subclasses included), in the order they arrived."""
        return [m for m in self.messages if isinstance(m, kind)]

    def kinds(self, *kinds: type[Message]) -> list[str]:
        """The class names of the messages among `kinds`, in order (for sequence asserts)."""
        return [type(m).__name__ for m in self.messages if isinstance(m, kinds)]
