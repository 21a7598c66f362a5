"""Where each step's panel class lives. Not imported at start-up: the later steps pull in
Markdown, TextArea, the group picker and more, which the first frame does not need;
the app imports them in a worker thread right after the first frame."""

from __future__ import annotations

import importlib
from pathlib import Path

from screens.widgets.step_panel import StepPanel

PANEL_CLASSES: dict[str, str] = {
    "sign_in": "screens.sign_in:SignInStep",
    "prerequisites": "screens.prerequisites:PrerequisitesStep",
    "sso_extension": "screens.sso_extension:SsoExtensionStep",
    "authenticator": "screens.authenticator:AuthenticatorStep",
    "enrollment_profile": "screens.enrollment_profile:EnrollmentProfileStep",
    "priority": "screens.priority:PriorityStep",
    "review": "screens.review:ReviewStep",
    "guide": "screens.guide:GuideStep",
}


# The one app-level sheet: rules every screen shares. Each widget's, step's and dialog's
# own styles are in its DEFAULT_CSS, parsed by Textual when the first one mounts.
APP_STYLESHEET = Path(__file__).parent / "styles" / "app.tcss"


def panel_class(step_id: str) -> type[StepPanel]:
    module_name, class_name = PANEL_CLASSES[step_id].split(":")
    panel: type[StepPanel] = getattr(importlib.import_module(module_name), class_name)
    assert panel.step_id == step_id
    return panel


def preload_panels() -> None:
    """Import every step's module (call from a worker thread, after the first frame)."""
    for step_id in PANEL_CLASSES:
        panel_class(step_id)
