"""Wizard step: sign in."""

from __future__ import annotations

from screens.widgets.step_panel import PlannedStep


class SignInStep(PlannedStep):
    step_id = "sign_in"
    plan = (
        "ask for the cloud (global, GCC High, DoD, 21Vianet), the tenant and the sign-in method",
        "show the device code, its URL, a countdown and a QR code right here (safe over SSH)",
        "show the signed-in account, the tenant and the granted permissions,"
        " naming any missing one",
    )
