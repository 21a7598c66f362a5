"""Undo's plan and result, and what the wizard's confirmation says: plain values.

tui.rollout.destroy reads the tenant and carries the plan out; the wizard's Review step
and `adue destroy` show what is here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tui.rollout.model import DeleteObject, ObjectType, Plan, run_json


@dataclass(frozen=True)
class DestroyPlan:
    plan: Plan
    # Devices enrolled through the profile this destroy deletes (None: could not count).
    enrolled_devices: int | None = 0
    count_problem: str = ""
    gone: tuple[ObjectType, ...] = ()  # recorded ids that no longer exist: cleared

    @property
    def needs_enrolled_confirmation(self) -> bool:
        deletes_profile = any(
            isinstance(a.op, DeleteObject) and a.op.object_type is ObjectType.ENROLLMENT_PROFILE
            for a in self.plan.changes
        )
        return deletes_profile and self.enrolled_devices != 0

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.plan.to_dict(),
            "enrolled_devices": self.enrolled_devices,
            "enrolled_devices_problem": self.count_problem,
        }


@dataclass
class DestroyResult:
    destroy: DestroyPlan
    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    writes: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_dict(self) -> dict[str, Any]:
        failed = [{"key": k, "message": m} for k, m in self.failed.items()]
        return {**run_json(self.ok, self.writes, self.done, failed), "plan": self.destroy.to_dict()}


def confirm_text(destroy: DestroyPlan, tenant: str) -> str:
    """What the wizard's confirmation says: the tenant, every object, the enrolled devices."""
    lines = [f"adue removes from {tenant} what this session created:"]
    lines += [f"  - {a.title[0].lower()}{a.title[1:]}" for a in destroy.plan.changes]
    lines += [f"  (note: {n})" for n in destroy.plan.notes]
    if destroy.needs_enrolled_confirmation:
        count = destroy.enrolled_devices
        lines.append(
            f"WARNING: {count} device(s) are enrolled through the enrollment profile: they stay "
            "enrolled but lose what this rollout gave them, and nobody can enroll through it."
            if count is not None
            else f"WARNING: {destroy.count_problem}: devices may be enrolled through the profile."
        )
    lines.append(
        "Every other assignment stays exactly as it is; the session keeps its settings, "
        "so Apply can roll it out again."
    )
    return "\n".join(lines)
