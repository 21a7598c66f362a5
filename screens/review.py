"""Wizard step: review."""

from __future__ import annotations

from screens.widgets.step_panel import PlannedStep


class ReviewStep(PlannedStep):
    step_id = "review"
    plan = (
        "show in plain words what will be created, changed, assigned, reordered or left alone",
        "apply it with live progress, retries and throttling visible",
        "on failure say what happened, with Graph's request id; running apply again resumes",
    )
