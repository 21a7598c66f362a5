"""The reorderable list of Apple enrollment profiles (highest priority first).

Keyboard: shift+up / shift+down move the highlighted profile. Mouse: click a
profile to select it, then the panel's Move up / Move down buttons (Textual has
no drag and drop). Every move posts `PriorityList.Moved` so the panel saves it.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import ListItem, ListView, Static

from tui.rollout.priority import PriorityEntry
from tui.text import safe_text


class ProfileItem(ListItem):
    """One profile: its place and name, then its enrollment type and groups."""

    def __init__(self, entry: PriorityEntry, position: int) -> None:
        super().__init__(classes="priority-item ours" if entry.is_ours else "priority-item")
        self.entry = entry
        self._position = position

    def compose(self) -> ComposeResult:
        yield Static(self._title(), classes="priority-name", markup=False)
        yield Static(self._detail(), classes="priority-detail", markup=False)

    def _title(self) -> str:
        mark = " (adue)" if self.entry.is_ours and not self.entry.is_new else ""
        return f"{self._position}. {safe_text(self.entry.label)}{mark}"

    def _detail(self) -> str:
        return safe_text(f"{self.entry.enrollment_type} · {self.entry.targets_text}")

    def renumber(self, position: int) -> None:
        self._position = position
        if self.is_mounted:
            self.query_one(".priority-name", Static).update(self._title())


class PriorityList(ListView):
    DEFAULT_CSS = """
    .priority-item {
        height: auto;
        padding: 0 1;
    }
    .priority-item.ours .priority-name {
        text-style: bold;
        color: $success;
    }
    .priority-detail {
        color: $text-muted;
        padding-left: 3;
    }
    """

    # Not in the footer: at 80 columns they pushed "Back" and "Help" off it, and the step
    # says itself that shift+↑/↓ (or its buttons) move the highlighted profile.
    BINDINGS = [
        Binding("shift+up", "move(-1)", "Move up", show=False, id="priority-move-up"),
        Binding("shift+down", "move(1)", "Move down", show=False, id="priority-move-down"),
    ]

    class Moved(Message):
        """The order changed (by keys or buttons)."""

        def __init__(self, entries: list[PriorityEntry]) -> None:
            super().__init__()
            self.entries = entries

    def entries(self) -> list[PriorityEntry]:
        return [item.entry for item in self.query_children(ProfileItem)]

    async def show(self, entries: Sequence[PriorityEntry], highlight: str = "") -> None:
        """Replace the rows; keep the profile keyed `highlight` highlighted."""
        await self.clear()
        await self.extend(ProfileItem(e, n) for n, e in enumerate(entries, start=1))
        keys = [e.key for e in entries]
        self.index = keys.index(highlight) if highlight in keys else (0 if keys else None)

    def action_move(self, step: int) -> None:
        self.move_highlighted(step)

    def move_highlighted(self, step: int) -> bool:
        """Move the highlighted profile `step` places (negative = up); False at an edge."""
        items = list(self.query_children(ProfileItem))
        index = self.index
        if index is None or not 0 <= index < len(items):
            return False
        target = index + step
        if not 0 <= target < len(items):
            self.app.bell()
            return False
        item = items[index]
        if step < 0:
            self.move_child(item, before=items[target])
        else:
            self.move_child(item, after=items[target])
        self.index = target
        for position, row in enumerate(self.query_children(ProfileItem), start=1):
            row.renumber(position)
        self.post_message(self.Moved(self.entries()))
        return True
