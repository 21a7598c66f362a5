"""Group search on the sandbox `large` seed (100,000 groups): from the last keystroke in
the GroupPicker (screens/widgets/group_picker.py) to its results shown on screen.

The picker is the real widget, signed in through the real Backend (token auth,
msgraph-sdk over loopback HTTP), headless under Textual's `run_test`. "Shown" is the
first screen refresh after the picker put the answer into its result list. Typing
includes the picker's 250 ms debounce (it searches once typing pauses); enter
searches at once.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

QUERIES = ("Finance", "Sales", "Marketing", "Engineering", "Support", "Legal", "Research")


async def _measure(runs: int) -> tuple[list[float], list[float], int]:
    from textual.app import App, ComposeResult

    from screens.widgets.group_picker import GroupPicker
    from tui.backend import Backend, WizardOptions
    from tui.sandbox.server import start_sandbox
    from tui.session import Session

    shown_at: list[float] = []

    class TimedPicker(GroupPicker):
        """The real picker; notes when a page of results has been painted."""

        def _show_page(self, page: Any, *, append: bool) -> None:
            super()._show_page(page, append=append)
            self.call_after_refresh(lambda: shown_at.append(time.perf_counter()))

    class Harness(App[None]):
        CSS_PATH = ROOT / "screens" / "styles" / "app.tcss"

        def __init__(self, backend: Backend) -> None:
            super().__init__()
            self.backend = backend

        def compose(self) -> ComposeResult:
            yield TimedPicker(self.backend, id="picker")

        def on_unmount(self) -> None:
            self.backend.close()

    typed: list[float] = []
    entered: list[float] = []
    with tempfile.TemporaryDirectory() as folder, start_sandbox(seed="large") as sb:
        groups = len(sb.state.groups)
        os.environ["ADUE_ACCESS_TOKEN"] = sb.token
        session = Session.open(Path(folder) / "s.toml", lock=False)
        backend = Backend(session, WizardOptions(auth="token"), running_sandbox=sb)
        backend.sign_in(lambda _: None, threading.Event())
        backend.warm_up()
        app = Harness(backend)
        async with app.run_test(size=(100, 30)) as pilot:
            picker = app.query_one(TimedPicker)

            async def search(text: str, submit: bool) -> float:
                picker.search_input.focus()
                picker.search_input.value = ""
                await pilot.pause(0.35)
                await app.workers.wait_for_complete()
                shown_at.clear()
                keys = [*text, "enter"] if submit else list(text)
                await pilot.press(*keys[:-1])
                last_key = time.perf_counter()  # the last key goes in now
                await pilot.press(keys[-1])
                await _until(pilot, lambda: bool(shown_at) and picker._answered == text)
                return shown_at[-1] - last_key

            await search("Warmup", submit=True)  # first search pays one-off imports
            for index in range(runs):
                typed.append(await search(QUERIES[index % len(QUERIES)], submit=False))
                entered.append(await search(QUERIES[(index + 3) % len(QUERIES)], submit=True))
    return typed, entered, groups


async def _until(pilot: Any, condition: Callable[[], bool], limit_s: float = 30) -> None:
    try:
        async with asyncio.timeout(limit_s):
            while not condition():
                await pilot.pause(0.002)
    except TimeoutError:
        raise TimeoutError("the search results never appeared") from None


def measure(runs: int = 5) -> tuple[float, float, int]:
    """(typed, enter) medians in seconds, and the tenant's number of groups."""
    typed, entered, groups = asyncio.run(_measure(runs))
    return statistics.median(typed), statistics.median(entered), groups


if __name__ == "__main__":
    print(measure(3))
