"""What `adue fleet` prints: a line per tenant as it finishes, a summary table, --json.

Names and reasons come from tenants and files: they are data, printed through
tui.text.safe_text (one line each, every control character made visible).
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from typing import Any, TextIO

from tui.fleet.run import TenantOutcome
from tui.text import safe_text

SUCCESS = frozenset({"in sync", "changes", "applied", "written", "pass"})


def tenant_label(outcome: TenantOutcome) -> str:
    """ "Name (id)", or the id alone before a sign-in said the name."""
    tenant_id = outcome.tenant_id or outcome.tenant.id
    return safe_text(f"{outcome.name} ({tenant_id})" if outcome.name else tenant_id)


def changes_text(outcome: TenantOutcome) -> str:
    if outcome.writes:
        return f"{outcome.writes} write(s)"
    return f"{outcome.changes} change(s)" if outcome.changes else "-"


def tenant_line(outcome: TenantOutcome, width: int = 0) -> str:
    """One tenant's line, e.g. `t03  Contoso (2f7b…)  3 change(s)  failed  1.2 s`."""
    line = (
        f"{outcome.label:<{width}}  {tenant_label(outcome)}  {changes_text(outcome)}"
        f"  {outcome.result}  {outcome.seconds:.1f} s"
    )
    if outcome.reason and outcome.result not in (
        "in sync",
        "changes",
        "applied",
        "written",
        "pass",
    ):
        line += f"\n{'':<{width}}    {safe_text(outcome.reason)}"
    return line


def summary(outcomes: Sequence[TenantOutcome], fleet_name: str, seconds: float) -> str:
    """The table after the run, then one line of counts."""
    rows = [("tenant", "name (id)", "changes", "result", "time")]
    rows += [
        (o.label, tenant_label(o), changes_text(o), o.result, f"{o.seconds:.1f} s")
        for o in outcomes
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    counts = Counter(o.result for o in outcomes)
    told = ", ".join(f"{n} {result}" for result, n in counts.most_common())
    lines.append(
        f"\n{safe_text(fleet_name)}: {len(outcomes)} tenant(s) in {seconds:.1f} s: {told}."
    )
    return "\n".join(line.rstrip() for line in lines)


def outcome_json(outcome: TenantOutcome, command: str) -> dict[str, Any]:
    """One tenant in --json: label, tenant and cloud first (as plan_common.with_tenant)."""
    value: dict[str, Any] = {
        "label": outcome.label,
        "tenant": outcome.target_dict(),
        "cloud": outcome.cloud,
        "result": outcome.result,
        "changes": outcome.changes,
        "writes": outcome.writes,
        "seconds": round(outcome.seconds, 3),
        "reason": outcome.reason,
    }
    if command in ("plan", "apply"):
        value["plan"] = outcome.plan.to_dict() if outcome.plan else None
    if command == "apply":
        value["apply"] = outcome.applied.to_dict() if outcome.applied else None
        if value["apply"]:
            value["apply"].pop("plan", None)  # the same plan as above
    if command in ("status", "check"):
        value[command] = outcome.details or None
    return value


def fleet_json(
    outcomes: Sequence[TenantOutcome], *, command: str, fleet_name: str, exit_code: int
) -> dict[str, Any]:
    return {
        "version": 1,
        "fleet": fleet_name,
        "command": command,
        "exit_code": exit_code,
        "summary": dict(Counter(o.result for o in outcomes)),
        "tenants": [outcome_json(o, command) for o in outcomes],
    }


class ProgressLine:
    """`[12/100] 8 running, 1 failed` kept on the last line of a terminal, redrawn in place;
    nothing at all when stdout is not a terminal (a pipe or a file gets clean lines)."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.done = 0
        self.failed = 0
        self.stream = stream or sys.stdout
        raw = getattr(self.stream, "wrapped", self.stream)  # tui.text.SafeStream's own
        self.raw: TextIO | None = raw if _is_terminal(raw) else None

    def clear(self) -> None:
        if self.raw is not None:
            self.raw.write("\r\x1b[2K")

    def draw(self, running: int) -> None:
        if self.raw is None:
            return
        filled = int(20 * self.done / self.total) if self.total else 20
        bar = "#" * filled + "." * (20 - filled)
        failed = f", {self.failed} failed" if self.failed else ""
        self.raw.write(f"\r\x1b[2K[{bar}] {self.done}/{self.total} done, {running} running{failed}")
        self.raw.flush()

    def print(self, text: str, running: int) -> None:
        """A finished tenant's line above the progress line."""
        self.clear()
        print(text, file=self.stream, flush=True)
        self.draw(running)

    def finish(self) -> None:
        self.clear()
        if self.raw is not None:
            self.raw.flush()


def _is_terminal(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False
