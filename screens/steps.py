"""The panel class of each step, in wizard order."""

from __future__ import annotations

from screens.authenticator import AuthenticatorStep
from screens.enrollment_profile import EnrollmentProfileStep
from screens.guide import GuideStep
from screens.prerequisites import PrerequisitesStep
from screens.priority import PriorityStep
from screens.review import ReviewStep
from screens.sign_in import SignInStep
from screens.sso_extension import SsoExtensionStep
from screens.widgets.step_panel import StepPanel

PANELS: tuple[type[StepPanel], ...] = (
    SignInStep,
    PrerequisitesStep,
    SsoExtensionStep,
    AuthenticatorStep,
    EnrollmentProfileStep,
    PriorityStep,
    ReviewStep,
    GuideStep,
)
