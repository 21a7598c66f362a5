"""What the fleet table shows, as plain values: what became of a tenant, its row, its
part of a fleet apply, the one-line summary. tui.fleet.run and tui.fleet.board make them;
screens/fleet shows them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tui.steps import StepStatus

# What became of a tenant. "changes": a plan or status with changes pending; "applied":
# apply wrote them all; "in sync": nothing to do; "refused": the plan has problems (or
# another tenant answered), nothing written; "failed": an error, the reason says which.
Result = Literal[
    "in sync",
    "changes",
    "applied",
    "written",
    "pass",
    "checks fail",
    "refused",
    "failed",
    "interrupted",
    "not started",
]
FAILED: frozenset[str] = frozenset({"refused", "failed", "interrupted", "not started"})


@dataclass(frozen=True)
class TenantRow:
    """One tenant as its session file records it (or the fleet file, before any run)."""

    label: str
    name: str
    tenant_id: str
    steps: tuple[StepStatus, ...]  # in tui.steps.STEPS order
    last_result: str  # [review] last_result: "" = never applied
    last_apply: str  # "2026-12-02 01:23 UTC", "" = never
    session_path: Path
    problem: str = ""  # the session file cannot be read: what is wrong
    known: bool = True  # False: from the fleet file only, the session not read yet


@dataclass(frozen=True)
class TenantProgress:
    """A tenant's part of a fleet apply, as it starts ("running") and as it ends."""

    label: str
    result: str
    reason: str = ""
    changes: int = 0
    writes: int = 0
    seconds: float = 0.0
    name: str = ""
    tenant_id: str = ""

    @property
    def failed(self) -> bool:
        return self.result in FAILED


def summary_line(results: Sequence[TenantProgress], seconds: float) -> str:
    """`10 tenant(s) in 3.2 s: 8 applied, 2 failed.`"""
    counts = Counter(r.result for r in results)
    told = ", ".join(f"{n} {result}" for result, n in counts.most_common())
    return f"{len(results)} tenant(s) in {seconds:.1f} s: {told}."
