"""The fleet's tenants as a table: label, name, id, each step's state, the last apply.

Readable without colour: a step's state is its glyph (○ to do, ◐ in progress, ● done,
as the wizard's step list), a result is a word. Every cell is a rich Text built from
safe_text: tenant names and reasons are data (a plain str cell would be parsed as
markup by DataTable), never markup or control sequences.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from screens.widgets.step_list import ICONS
from tui.fleet.rows import TenantProgress, TenantRow
from tui.text import safe_text

COLUMNS = ("tenant", "name", "id", "steps", "result", "note")
HEADERS = {
    "tenant": "Tenant",
    "name": "Name",
    "id": "Tenant id",
    "steps": "Steps",
    "result": "Result",
    "note": "Last apply",
}
# The words a row's result shows (the session's [review] last_result, or the run's).
RESULT_WORDS = {"": "never", "ok": "applied", "interrupted": "stopped"}


def steps_text(row: TenantRow) -> str:
    if not row.known:
        return "…"  # the session is being read
    return "".join(ICONS[state] for state in row.steps)


def short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


class FleetTable(DataTable[Text]):
    """One row per tenant (row key: its label); `show_progress` updates a row live."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open wizard", id="fleet-open-tenant"),
    ]

    DEFAULT_CSS = """
    FleetTable {
        height: 1fr;
        min-height: 5;
    }
    """

    def __init__(self, rows: list[TenantRow]) -> None:
        super().__init__(id="fleet-table", cursor_type="row", zebra_stripes=False)
        self.rows_by_label = {row.label: row for row in rows}
        self.progress: dict[str, TenantProgress] = {}
        self._laid_out_for = 0

    def on_mount(self) -> None:
        self._build(self.app.size.width)

    def on_resize(self) -> None:
        if self.size.width and self.size.width != self._laid_out_for:
            self._build(self.size.width)

    def widths(self, total: int) -> dict[str, int]:
        labels = max((len(label) for label in self.rows_by_label), default=6)
        # The whole id only where the reason still gets room (the detail shows it always).
        fixed = {
            "tenant": max(6, min(labels, 16)),
            "name": 24 if total >= 110 else 16,
            "id": 36 if total >= 160 else 9,
            "steps": 8,
            "result": 10,
        }
        # Each column has one cell of padding either side; two for the scrollbar.
        rest = total - sum(fixed.values()) - 2 * len(COLUMNS) - 4
        return {**fixed, "note": max(12, rest)}

    def _build(self, total: int) -> None:
        self._laid_out_for = total
        widths = self.widths(total)
        cursor = self.cursor_row
        self.clear(columns=True)
        for key in COLUMNS:
            self.add_column(HEADERS[key], width=widths[key], key=key)
        for label in self.rows_by_label:
            self.add_row(*self._cells(label, widths), key=label)
        if self.row_count:
            self.move_cursor(row=min(max(cursor, 0), self.row_count - 1))

    def _cells(self, label: str, widths: dict[str, int]) -> list[Text]:
        row = self.rows_by_label[label]
        progress = self.progress.get(label)
        name = progress.name if progress and progress.name else row.name
        tenant_id = progress.tenant_id if progress and progress.tenant_id else row.tenant_id
        result, note = self.result_and_note(label)
        values = {
            "tenant": row.label,
            "name": short(safe_text(name), widths["name"]),
            "id": short(safe_text(tenant_id), widths["id"]),
            "steps": steps_text(row),
            "result": result,
            "note": short(safe_text(note), widths["note"]),
        }
        return [Text(values[key], no_wrap=True, overflow="ellipsis") for key in COLUMNS]

    def result_and_note(self, label: str) -> tuple[str, str]:
        """The row's result word and its note: the live run's, else the session's."""
        row = self.rows_by_label[label]
        progress = self.progress.get(label)
        if progress is not None:
            if progress.result in ("running", "waiting"):
                return ("running…" if progress.result == "running" else "waiting"), ""
            writes = progress.writes
            note = progress.reason or f"{writes} write{'' if writes == 1 else 's'}, "
            return progress.result, note + ("" if progress.reason else f"{progress.seconds:.1f}s")
        if row.problem:
            return "unreadable", row.problem
        if not row.known:
            return "…", ""
        return RESULT_WORDS.get(row.last_result, row.last_result), row.last_apply

    def show_rows(self, rows: list[TenantRow]) -> None:
        """Re-read rows (after a run or a wizard): the sessions' states."""
        self.rows_by_label = {row.label: row for row in rows}
        self._build(self.size.width or self.app.size.width)

    def show_progress(self, progress: TenantProgress) -> None:
        self.progress[progress.label] = progress
        if progress.label not in self.rows_by_label:
            return
        widths = self.widths(self._laid_out_for or self.app.size.width)
        for key, cell in zip(COLUMNS, self._cells(progress.label, widths), strict=True):
            self.update_cell(progress.label, key, cell)

    @property
    def highlighted_label(self) -> str | None:
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        return str(key.value) if key.value is not None else None
