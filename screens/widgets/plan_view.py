"""The plan in plain words, grouped by what happens, with each action's live apply state.

Sections: what will be created, changed, assigned, reordered, and what is left
alone; then the problems that block apply and notes worth knowing. During apply
each action row shows its state (waiting, running, retrying, done, failed) and
the Graph request-id of its write.
"""

from __future__ import annotations

from typing import Literal

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tui.rollout.model import Action, ActionKind, Plan
from tui.text import safe_lines, safe_text

RowState = Literal["planned", "running", "retrying", "done", "failed", "skipped"]

SECTIONS: tuple[tuple[str, tuple[ActionKind, ...]], ...] = (
    ("Will create", (ActionKind.CREATE,)),
    ("Will change", (ActionKind.UPDATE,)),
    ("Will assign", (ActionKind.ASSIGN, ActionKind.UNASSIGN)),
    ("Will reorder", (ActionKind.SET_PRIORITY,)),
    ("Left alone (already right)", (ActionKind.NOTHING,)),
)
MARKS: dict[RowState, str] = {
    "planned": "•",
    "running": "◐",
    "retrying": "↻",
    "done": "✓",
    "failed": "✗",
    "skipped": "–",
}
STATE_WORDS: dict[RowState, str] = {
    "planned": "",
    "running": "working…",
    "retrying": "",
    "done": "done",
    "failed": "failed",
    "skipped": "not tried: an earlier step of this object failed",
}


class ActionRow(Vertical):
    """One action: a mark and its title, then its details and its apply state (indented)."""

    def __init__(self, action: Action, row_id: str) -> None:
        super().__init__(id=row_id, classes="plan-action")
        self.action = action
        self.state: RowState = "planned"
        self.note = ""
        self.request_id = ""
        self.retries = 0  # throttled / unavailable answers the pipeline retried

    def compose(self) -> ComposeResult:
        yield Static("", classes="plan-action-title", markup=False)
        yield Static("", classes="plan-action-details", markup=False)

    def on_mount(self) -> None:
        self._render_row()

    def set_state(self, state: RowState, note: str = "", request_id: str = "") -> None:
        self.state = state
        if state == "retrying":
            self.retries += 1
        elif state == "done" and self.retries:
            times = "once" if self.retries == 1 else f"{self.retries} times"
            note = note or f"done; Graph was busy, retried {times}"
        self.note = note
        self.request_id = request_id or self.request_id
        self.set_class(state == "failed", "-failed")
        self.set_class(state == "done", "-done")
        self._render_row()

    def _render_row(self) -> None:
        action = self.action
        lines = []
        if action.drift:
            lines.append("restores a change made outside adue (e.g. in the admin center)")
        elif action.session_changed:
            lines.append("changed in the session since the last apply")
        lines += list(action.details)
        status = self.note or STATE_WORDS[self.state]
        if status:
            lines.append(f"→ {status}")
        if self.request_id and self.state in ("done", "failed"):
            lines.append(f"Graph request-id: {self.request_id}")
        # Titles and details name the tenant's objects and groups: shown, never acted on.
        title = f"{MARKS[self.state]} {safe_text(action.title)}"
        self.query_one(".plan-action-title", Static).update(title)
        details = self.query_one(".plan-action-details", Static)
        details.update(safe_lines("\n".join(lines)))
        details.display = bool(lines)


class PlanView(Vertical):
    """Shows one Plan; `row(key)` finds an action's row for progress updates."""

    DEFAULT_CSS = """
    PlanView {
        height: auto;
    }
    .plan-heading {
        text-style: bold;
        margin-top: 1;
    }
    .plan-action {
        height: auto;
    }
    .plan-action.-done {
        color: $success;
    }
    .plan-action.-failed, .plan-problem {
        color: $error;
    }
    .plan-note {
        color: $text-muted;
    }
    .plan-action-details {
        padding-left: 2;
        color: $text-muted;
    }
    """

    def __init__(self, plan: Plan, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="plan-view")
        self.plan = plan
        self._rows: dict[str, ActionRow] = {}

    def compose(self) -> ComposeResult:
        plan = self.plan
        if plan.problems:
            yield Static("Fix these first (nothing is written until then):", classes="plan-heading")
            for problem in plan.problems:
                yield Static(f"✗ {safe_lines(problem)}", classes="plan-problem", markup=False)
        index = 0
        for heading, kinds in SECTIONS:
            actions = [a for a in plan.actions if a.kind in kinds]
            if not actions:
                continue
            yield Static(heading, classes="plan-heading")
            for action in actions:
                row = ActionRow(action, f"plan-action-{index}")
                index += 1
                self._rows[action.key] = row
                yield row
        if plan.notes:
            yield Static("Good to know", classes="plan-heading")
            for note in plan.notes:
                yield Static(f"• {safe_lines(note)}", classes="plan-note", markup=False)

    def row(self, key: str) -> ActionRow | None:
        return self._rows.get(key)

    def rows(self) -> list[ActionRow]:
        return list(self._rows.values())


def plan_summary(plan: Plan) -> str:
    """One line: how many writes, of which kinds, or why nothing happens."""
    if plan.problems:
        count = len(plan.problems)
        return f"{count} problem{'' if count == 1 else 's'} to fix before apply can run."
    changes = plan.changes
    if not changes:
        return "Nothing to change: the tenant already matches this session."
    counts: dict[str, int] = {}
    for action in changes:
        word = {
            ActionKind.CREATE: "create",
            ActionKind.UPDATE: "change",
            ActionKind.ASSIGN: "assign",
            ActionKind.UNASSIGN: "unassign",
            ActionKind.SET_PRIORITY: "reorder",
            ActionKind.DELETE: "delete",
        }.get(action.kind, action.kind.value)
        counts[word] = counts.get(word, 0) + 1
    parts = ", ".join(f"{n} {word}" for word, n in counts.items())
    total = len(changes)
    return f"{total} change{'' if total == 1 else 's'} to apply ({parts})."
