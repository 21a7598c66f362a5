"""Wizard step: enrollment profile."""

from __future__ import annotations

from screens.widgets.step_panel import PlannedStep


class EnrollmentProfileStep(PlannedStep):
    step_id = "enrollment_profile"
    plan = (
        "name the account-driven user enrollment profile for personal devices",
        "assign it to user groups (device groups are refused: user enrollment targets users)",
        "remind you that iOS/iPadOS earlier than 15 falls back to Company Portal enrollment",
    )
