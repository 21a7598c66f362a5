"""Where each step's panel class lives. Imported on a step's first visit, not at start-up:
the later steps pull in Markdown, TextArea, the group picker and more, which the
first frame does not need."""

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


# Stylesheets (in screens/styles/) a step needs beyond app.tcss, read on its first visit.
STEP_STYLESHEETS: dict[str, str] = {
    "sso_extension": "steps_3_to_5.tcss",
    "authenticator": "steps_3_to_5.tcss",
    "enrollment_profile": "steps_3_to_5.tcss",
    "priority": "steps_6_to_8.tcss",
    "review": "steps_6_to_8.tcss",
    "guide": "steps_6_to_8.tcss",
}
STYLES = Path(__file__).parent / "styles"


def panel_class(step_id: str) -> type[StepPanel]:
    module_name, class_name = PANEL_CLASSES[step_id].split(":")
    panel: type[StepPanel] = getattr(importlib.import_module(module_name), class_name)
    assert panel.step_id == step_id
    return panel
