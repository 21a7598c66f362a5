"""The base of every step's panel: title, what the step does, its body, back/next buttons."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Static

from tui.session import Session
from tui.steps import get_step, next_step, previous_step


class StepPanel(VerticalScroll):
    """One wizard step. Subclasses set `step_id` and override `compose_body`."""

    step_id: ClassVar[str]

    class Navigate(Message):
        """Ask the app to show another step."""

        def __init__(self, step_id: str) -> None:
            super().__init__()
            self.step_id = step_id

    class SessionChanged(Message):
        """The panel changed the session (the app saves it and refreshes step states)."""

    def __init__(self, session: Session) -> None:
        super().__init__(id=self.step_id, classes="step-panel")
        self.session = session
        self.step = get_step(self.step_id)

    def compose(self) -> ComposeResult:
        yield Static(self.step.title, classes="step-title")
        yield Static(self.step.summary, classes="step-summary")
        yield from self.compose_body()
        with Horizontal(classes="step-nav"):
            if previous_step(self.step_id):
                yield Button("Back", id=f"{self.step_id}-back", classes="nav-back")
            if next_step(self.step_id):
                yield Button(
                    "Next", id=f"{self.step_id}-next", variant="primary", classes="nav-next"
                )

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        target = None
        if event.button.has_class("nav-next"):
            target = next_step(self.step_id)
        elif event.button.has_class("nav-back"):
            target = previous_step(self.step_id)
        if target:
            event.stop()
            self.post_message(self.Navigate(target))


class PlannedStep(StepPanel):
    """A step whose controls arrive with its own issue: it says what it will do."""

    plan: ClassVar[tuple[str, ...]] = ()

    def compose_body(self) -> ComposeResult:
        yield Static("This step will:", classes="step-plan-heading")
        for line in self.plan:
            yield Static(f"• {line}", classes="step-plan-item")
