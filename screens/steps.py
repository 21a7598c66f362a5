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


STYLES = Path(__file__).parent / "styles"
# The shell and step 1: all the first frame needs, parsed before it.
APP_STYLESHEET = STYLES / "app.tcss"
# The rest, each with the steps whose panels it styles (dialogs: none). The app adds them
# once the first frame is out, so that it does not wait on parsing them; the sheet of the
# step the wizard opens on is added before that step's panel is built.
LATER_STYLESHEETS: dict[Path, tuple[str, ...]] = {
    STYLES / "step_2.tcss": ("prerequisites",),
    STYLES / "steps_3_to_5.tcss": ("sso_extension", "authenticator", "enrollment_profile"),
    STYLES / "steps_6_to_8.tcss": ("priority", "review", "guide"),
    STYLES / "dialogs.tcss": (),
}


def step_stylesheet(step_id: str) -> Path | None:
    """The later stylesheet a step's panel needs, if any (step 1 is in APP_STYLESHEET)."""
    return next((path for path, ids in LATER_STYLESHEETS.items() if step_id in ids), None)


def panel_class(step_id: str) -> type[StepPanel]:
    module_name, class_name = PANEL_CLASSES[step_id].split(":")
    panel: type[StepPanel] = getattr(importlib.import_module(module_name), class_name)
    assert panel.step_id == step_id
    return panel


def preload_panels() -> None:
    """Import every step's module (call from a worker thread, after the first frame)."""
    for step_id in PANEL_CLASSES:
        panel_class(step_id)
