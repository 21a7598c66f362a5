"""Wizard step: guide."""

from __future__ import annotations

from screens.widgets.step_panel import PlannedStep


class GuideStep(PlannedStep):
    step_id = "guide"
    plan = (
        "write the employees' onboarding guide for your organisation and sign-in domain",
        "preview it live, in English, German, French or Spanish",
        "export it as Markdown, HTML or PDF, or copy it to the clipboard",
    )
