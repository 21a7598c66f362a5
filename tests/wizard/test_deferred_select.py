"""DeferredSelect looks and behaves as Textual's Select, key for key and click for click.

The same app is run twice, once with a stock Select and once with a DeferredSelect (same
options and value), and driven the same way; after every step both screens must be the
same picture (the SVG screenshot: text, colours, borders) with the same value and the
same Select.Changed messages.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from pytest_textual_snapshot import normalize_svg
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Button, Select
from textual.widgets._select import SelectOverlay

from screens.widgets.deferred_select import DeferredSelect

OPTIONS = [("Global (commercial)", "global"), ("US Government", "usgov"), ("China", "china")]


class OneSelect(App[None]):
    """A button above a Select, as on the Sign in step (the title is the same for both)."""

    TITLE = "select"

    def __init__(
        self, kind: type[Select[str]], options: list[tuple[str, str]] = OPTIONS, **kwargs: Any
    ) -> None:
        super().__init__()
        self.kind = kind
        self.options = options
        self.kwargs = kwargs
        self.changes: list[object] = []

    def compose(self) -> ComposeResult:
        yield Button("Before", id="before")
        yield self.kind(self.options, id="pick", **self.kwargs)

    def on_select_changed(self, event: Select.Changed) -> None:
        self.changes.append(event.value)


Step = Callable[[Pilot[Any]], Awaitable[object]]


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()


async def press(pilot: Pilot[Any], *keys: str) -> None:
    await pilot.press(*keys)
    await pilot.pause()


STEPS: dict[str, list[Step]] = {
    "keyboard": [
        lambda p: press(p, "tab"),  # focus the Select
        lambda p: press(p, "enter"),  # open
        lambda p: press(p, "down"),
        lambda p: press(p, "enter"),  # choose US Government
        lambda p: press(p, "space"),  # open again, on the chosen one
        lambda p: press(p, "escape"),  # close without choosing
        lambda p: press(p, "up"),  # opens too
        lambda p: press(p, "c"),  # type to search: China
        lambda p: press(p, "enter"),
    ],
    "mouse": [
        lambda p: p.click("#pick"),  # focuses and opens
        settle,
        lambda p: p.click(SelectOverlay, offset=(2, 3)),  # the third option
        settle,
        lambda p: p.click("#pick"),
        settle,
        lambda p: p.click("#before"),  # clicking elsewhere closes it
        settle,
    ],
    "from code": [
        lambda p: set_value(p, "china"),
        lambda p: open_from_code(p),
        lambda p: press(p, "up", "enter"),
    ],
}


async def set_value(pilot: Pilot[Any], value: str) -> None:
    pilot.app.query_one("#pick", Select).value = value
    await pilot.pause()


async def open_from_code(pilot: Pilot[Any]) -> None:
    pilot.app.query_one("#pick", Select).expanded = True
    await pilot.pause()
    await pilot.pause()


def picture(app: App[Any]) -> str:
    """The screen as the snapshot tests compare it: contiguous cells of one style as one run
    (how Textual splits a row into segments is not what the person sees), and without
    the SVG's id, which is a hash of those segments."""
    shown: str = normalize_svg(app.export_screenshot(simplify=True))  # the plugin's own
    return shown


async def run(
    kind: type[Select[str]], steps: list[Step], size: tuple[int, int] = (50, 12), **kwargs: Any
) -> list[tuple[Any, ...]]:
    """What the person sees and what the program gets, after each step."""
    app = OneSelect(kind, **kwargs)
    seen: list[tuple[Any, ...]] = []
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for step in [settle, *steps]:
            await step(pilot)
            select = app.query_one("#pick", Select)
            seen.append((picture(app), select.value, select.expanded, list(app.changes)))
    return seen


@pytest.mark.parametrize("how", list(STEPS))
@pytest.mark.parametrize(
    "kwargs",
    [{"value": "global", "allow_blank": False}, {"allow_blank": False}, {}],
    ids=["value", "first option", "blank allowed"],
)
async def test_a_deferred_select_is_a_select_to_the_person_using_it(
    how: str, kwargs: dict[str, Any]
) -> None:
    stock = await run(Select, STEPS[how], **kwargs)
    deferred = await run(DeferredSelect, STEPS[how], **kwargs)
    assert len(stock) == len(deferred)
    for number, (want, got) in enumerate(zip(stock, deferred, strict=True)):
        assert got[1:] == want[1:], f"after step {number}"
        assert got[0] == want[0], f"screen after step {number}"
    assert stock[-1][3], "the steps changed the value"


# Wider than the Select at 26 columns: the label wraps (its Static is 1fr beside the arrow).
LONG = [
    ("Keep my sign-in in the OS keyring, encrypted", "keyring"),
    ("In memory only", "memory"),
]


@pytest.mark.parametrize(
    "kwargs", [{"value": "keyring", "allow_blank": False}, {}], ids=["long value", "prompt"]
)
async def test_a_long_label_wraps_as_in_a_stock_select(kwargs: dict[str, Any]) -> None:
    steps: list[Step] = [
        lambda p: press(p, "tab"),
        lambda p: press(p, "enter"),
        lambda p: press(p, "escape"),
        lambda p: set_value(p, "memory"),
        lambda p: set_value(p, "keyring"),
    ]
    stock = await run(Select, steps, size=(26, 14), options=LONG, **kwargs)
    deferred = await run(DeferredSelect, steps, size=(26, 14), options=LONG, **kwargs)
    assert "keyring" in stock[-1][0]
    for number, (want, got) in enumerate(zip(stock, deferred, strict=True)):
        assert got == want, f"after step {number}"


async def test_its_option_list_is_built_only_when_it_first_opens() -> None:
    app = OneSelect(DeferredSelect, value="usgov", allow_blank=False)
    async with app.run_test(size=(50, 12)) as pilot:
        await pilot.pause()
        assert not app.query(SelectOverlay)
        await press(pilot, "tab", "enter")
        overlay = app.query_one(SelectOverlay)
        assert overlay.display
        assert overlay.highlighted == 1  # the value's option
