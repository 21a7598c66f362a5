"""The list of steps on the left, each with its status; select one to jump to it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.steps import STEPS, step_status

ICONS = {"todo": "○", "in_progress": "◐", "done": "●"}


class StepList(OptionList):
    def __init__(self) -> None:
        super().__init__(*[Option(step.title, id=step.id) for step in STEPS], id="step-list")

    def show_states(self, data: Mapping[str, Any], current: str) -> None:
        """Redraw each step's label with its status icon; highlight the current step."""
        for number, step in enumerate(STEPS, start=1):
            status = step_status(data, step.id)
            label = f"{ICONS[status]} {number} {step.title}"
            self.replace_option_prompt(step.id, label)
        self.highlighted = self.get_option_index(current)
