"""Wizard step: authenticator."""

from __future__ import annotations

from screens.widgets.step_panel import PlannedStep


class AuthenticatorStep(PlannedStep):
    step_id = "authenticator"
    plan = (
        "show the Microsoft Authenticator VPP app (com.microsoft.azureauthenticator)"
        " and its licences",
        "make it a required app for the same users as the SSO policy, or for groups you pick",
    )
