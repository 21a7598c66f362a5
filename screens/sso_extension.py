"""Wizard step: sso extension."""

from __future__ import annotations

from screens.widgets.step_panel import PlannedStep


class SsoExtensionStep(PlannedStep):
    step_id = "sso_extension"
    plan = (
        "name the Microsoft Entra ID single sign-on app extension policy",
        "collect the non-Microsoft apps (bundle ids) that should use it, validated as you type",
        "show the two keys exactly as sent: device_registration"
        " and browser_sso_interaction_enabled",
        "assign it to all users or to groups, with exclusions, from a searchable group picker",
    )
