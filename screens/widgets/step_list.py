"""The list of steps on the left, each with its status; select one to jump to it.

One widget that renders eight lines itself, rather than an OptionList: it is on the
first frame, and an OptionList's per-option rendering cost about 20 ms of start-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from tui.steps import STEPS, step_index, step_status

ICONS = {"todo": "○", "in_progress": "◐", "done": "●"}


class StepList(Widget, can_focus=True):
    """Keyboard: up/down (or k/j) move the cursor, enter opens the step. Mouse: click one."""

    DEFAULT_CSS = """
    StepList {
        width: 26;
        height: 1fr;
        border-right: solid $primary-darken-2;
        background: $surface;
        & > .step-list--cursor {
            color: $block-cursor-blurred-foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .step-list--cursor {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
                text-style: $block-cursor-text-style;
            }
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="step-list-up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="step-list-down"),
        Binding("home", "first", "First", show=False, id="step-list-first"),
        Binding("end", "last", "Last", show=False, id="step-list-last"),
        Binding("enter", "choose", "Open step", show=False, id="step-list-choose"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"step-list--cursor"}

    highlighted: reactive[int] = reactive(0)

    class StepChosen(Message):
        """The person picked a step (enter or a click)."""

        def __init__(self, step_id: str) -> None:
            super().__init__()
            self.step_id = step_id

    def __init__(self, data: Mapping[str, Any], current: str) -> None:
        super().__init__(id="step-list")
        self._labels = self._make_labels(data)
        self.set_reactive(StepList.highlighted, step_index(current))

    def label(self, index: int) -> str:
        """The text of the step at `index` (icon, number, title)."""
        return self._labels[index]

    def show_states(self, data: Mapping[str, Any], current: str) -> None:
        """Redraw each step's label with its status icon; put the cursor on the current step."""
        self._labels = self._make_labels(data)
        self.highlighted = step_index(current)
        self.refresh()

    @staticmethod
    def _make_labels(data: Mapping[str, Any]) -> list[str]:
        return [
            f"{ICONS[step_status(data, step.id)]} {number} {step.title}"
            for number, step in enumerate(STEPS, start=1)
        ]

    def render(self) -> Content:
        width = self.size.width
        cursor = self.get_visual_style("step-list--cursor")
        lines = []
        for index, label in enumerate(self._labels):
            # The cursor row carries a marker as well as its colour: readable with NO_COLOR.
            marker = "▸" if index == self.highlighted else " "
            line = Content(f"{marker}{label}").truncate(width, pad=True)
            lines.append(line.stylize(cursor) if index == self.highlighted else line)
        return Content("\n").join(lines)

    def watch_highlighted(self) -> None:
        self.refresh()

    def action_cursor_up(self) -> None:
        self.highlighted = max(0, self.highlighted - 1)

    def action_cursor_down(self) -> None:
        self.highlighted = min(len(STEPS) - 1, self.highlighted + 1)

    def action_first(self) -> None:
        self.highlighted = 0

    def action_last(self) -> None:
        self.highlighted = len(STEPS) - 1

    def action_choose(self) -> None:
        self.post_message(self.StepChosen(STEPS[self.highlighted].id))

    def on_click(self, event: events.Click) -> None:
        if 0 <= event.y < len(STEPS):
            self.highlighted = event.y
            self.action_choose()


class StepIndicator(Static):
    """One line instead of the step list on a narrow terminal: "Step 3/8 ○ SSO extension"."""

    DEFAULT_CSS = """
    /* Shown instead of the step list below 72 columns (AdueApp's DEFAULT_CSS). */
    StepIndicator {
        display: none;
        height: 1;
        padding: 0 1;
        background: $surface;
        color: $text-muted;
    }
    """

    def __init__(self, data: Mapping[str, Any], current: str) -> None:
        super().__init__(self._text(data, current), id="step-indicator", markup=False)

    @staticmethod
    def _text(data: Mapping[str, Any], current: str) -> str:
        number = next(i for i, step in enumerate(STEPS, start=1) if step.id == current)
        step = STEPS[number - 1]
        icon = ICONS[step_status(data, step.id)]
        return f"Step {number}/{len(STEPS)} {icon} {step.title}  ·  F2: all steps"

    def show_states(self, data: Mapping[str, Any], current: str) -> None:
        self.update(self._text(data, current))
