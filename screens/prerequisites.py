"""Wizard step: prerequisites."""

from __future__ import annotations

from screens.widgets.step_panel import PlannedStep


class PrerequisitesStep(PlannedStep):
    step_id = "prerequisites"
    plan = (
        "check the Intune licence, the Apple push certificate (expiry, Apple ID) and the VPP token",
        "find Microsoft Authenticator as a user-licensed VPP app with free licences",
        "make sure personal iOS/iPadOS enrollment is not blocked and the permissions are granted",
        "generate the service-discovery file and check it live on your sign-in domain",
        "ask you to confirm managed Apple IDs or federation with Apple Business Manager",
    )
