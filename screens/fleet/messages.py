"""Typed messages the fleet table's thread workers post to it (post_message is
thread-safe): the rows read from the sessions, the sign-in's device code and end, each
tenant's apply progress, the end."""

from __future__ import annotations

from collections.abc import Sequence

from textual.message import Message

from tui.fleet.rows import TenantProgress, TenantRow
from tui.graph.sign_in_models import DeviceCodePrompt


class RowsRead(Message, bubble=False):
    """Every tenant's row, read from its session file (at the start, on reload, after an
    apply); for the screen alone."""

    def __init__(self, rows: Sequence[TenantRow]) -> None:
        super().__init__()
        self.rows = list(rows)


class DeviceCodeShown(Message):
    """The fleet's gdap sign-in waits for the partner admin to enter this code."""

    def __init__(self, prompt: DeviceCodePrompt) -> None:
        super().__init__()
        self.prompt = prompt


class SignInEnded(Message):
    """The fleet's one sign-in finished: `account` on success, else `error` says why."""

    def __init__(
        self, account: str, error: str = "", *, then_apply: bool = False, then_open: str = ""
    ) -> None:
        super().__init__()
        self.account = account
        self.error = error
        self.then_apply = then_apply  # the sign-in was for an apply: start it
        self.then_open = then_open  # the sign-in was for this tenant's wizard: open it


class TenantProgressed(Message):
    """A tenant started ("running") or finished its part of the fleet apply."""

    def __init__(self, progress: TenantProgress) -> None:
        super().__init__()
        self.progress = progress


class ApplyEnded(Message):
    """The fleet apply is over: every tenant's result (or `error`, if it could not run)."""

    def __init__(self, results: Sequence[TenantProgress], seconds: float, error: str = "") -> None:
        super().__init__()
        self.results = list(results)
        self.seconds = seconds
        self.error = error
