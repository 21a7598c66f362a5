"""The wizard's steps, in order, and what "done" means for each.

Step ids double as the session file's table names (docs/session-format.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from tui.values import Frozen

StepStatus = Literal["todo", "in_progress", "done"]
STATUSES: tuple[StepStatus, ...] = ("todo", "in_progress", "done")


class Step(Frozen):
    id: str
    title: str
    summary: str  # one line: what the step does, shown in the panel and in help


STEPS: tuple[Step, ...] = (
    Step(
        "sign_in",
        "Sign in",
        "Choose the cloud, tenant and sign-in method, then sign in with a device code.",
    ),
    Step(
        "prerequisites",
        "Prerequisites",
        "Check the Intune licence, Apple push certificate, VPP token, Authenticator, "
        "personal-device restrictions and the service-discovery file.",
    ),
    Step(
        "sso_extension",
        "SSO extension",
        "Define the single sign-on app extension policy: its apps, its two keys and who gets it.",
    ),
    Step(
        "authenticator",
        "Authenticator",
        "Make Microsoft Authenticator (user-licensed VPP app) a required app for the same users.",
    ),
    Step(
        "enrollment_profile",
        "Enrollment profile",
        "Create the account-driven user enrollment profile and assign it to user groups.",
    ),
    Step(
        "priority",
        "Priority",
        "Order the Apple enrollment profiles so that the right one wins for each user.",
    ),
    Step(
        "review",
        "Review & apply",
        "Review every change adue will make, then apply it with live progress.",
    ),
    Step(
        "guide",
        "Employee guide",
        "Write the onboarding guide for employees and export it as Markdown, HTML or PDF.",
    ),
)

STEP_IDS: tuple[str, ...] = tuple(step.id for step in STEPS)
_BY_ID = {step.id: step for step in STEPS}


def get_step(step_id: str) -> Step:
    return _BY_ID[step_id]


def step_index(step_id: str) -> int:
    return STEP_IDS.index(step_id)


def next_step(step_id: str) -> str | None:
    index = step_index(step_id) + 1
    return STEP_IDS[index] if index < len(STEP_IDS) else None


def previous_step(step_id: str) -> str | None:
    index = step_index(step_id) - 1
    return STEP_IDS[index] if index >= 0 else None


def step_status(data: Mapping[str, Any], step_id: str) -> StepStatus:
    """A step's status as the session records it; unknown values read as "todo"."""
    table = data.get(step_id)
    status = table.get("status") if isinstance(table, Mapping) else None
    return status if status in STATUSES else "todo"
