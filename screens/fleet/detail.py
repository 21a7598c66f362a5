"""The highlighted tenant in full, under the table: what a narrow row cuts short
(the whole name and id, each step by name, the last result's reason, the session)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from screens.widgets.literal import literal
from screens.widgets.step_list import ICONS
from tui.fleet.rows import TenantRow
from tui.steps import STEPS

STATE_WORDS = {"todo": "to do", "in_progress": "in progress", "done": "done"}


def shown(path: Path) -> str:
    """A path relative to the current folder when it is under it (as typed, mostly)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def detail_text(row: TenantRow, result: str, note: str) -> str:
    steps = "  ".join(
        f"{ICONS[state]} {number} {step.title}"
        for number, (step, state) in enumerate(zip(STEPS, row.steps, strict=True), start=1)
    )
    lines = [
        f"{row.label} · {row.name or '(name not known yet)'} · {row.tenant_id}",
        f"Steps: {steps}" if row.known else "Steps: reading the session…",
        f"Last apply: {result}" + (f": {note}" if note else ""),
        f"Session: {shown(row.session_path)}"
        + ("" if row.session_path.exists() else " (written at the first apply or open)"),
    ]
    return "\n".join(lines)


class TenantDetail(Static):
    DEFAULT_CSS = """
    TenantDetail {
        height: auto;
        max-height: 8;
        border-top: solid $primary;
        padding: 0 1;
    }
    """

    def __init__(self) -> None:
        super().__init__("", id="fleet-detail", markup=False)

    def show(self, row: TenantRow, result: str, note: str) -> None:
        # Names, ids and reasons are data: literal() makes them plain, safe text.
        self.update(literal(detail_text(row, result, note), lines=True))
