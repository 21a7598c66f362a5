"""Wizard step: priority."""

from __future__ import annotations

from screens.widgets.step_panel import PlannedStep


class PriorityStep(PlannedStep):
    step_id = "priority"
    plan = (
        "list every Apple enrollment profile in the tenant with its groups, highest priority first",
        "let you move profiles with shift+up/down or the mouse",
        "answer which profile wins for a given user",
    )
