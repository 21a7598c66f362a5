"""A yes/no question before something that writes to the tenant.

Dismisses with True (confirmed) or False (cancelled, also on escape). The safe
choice, Cancel, has the focus first, so an absent-minded enter changes nothing.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.text import safe_lines, safe_text


class ConfirmDialog(ModalScreen[bool]):
    DEFAULT_CSS = """
    ConfirmDialog {
        align: center middle;
    }
    .confirm-text {
        margin-top: 1;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="confirm-cancel-key")]

    def __init__(self, title: str, text: str, confirm_label: str, *, id: str) -> None:
        super().__init__(id=id, classes="confirm-dialog")
        self.title_text = title
        self.text = text
        self.confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="confirm-box"):
            # The text may name the tenant's objects: plain and safe (tui/text.py).
            yield Static(safe_text(self.title_text), classes="dialog-title", markup=False)
            yield Static(safe_lines(self.text), classes="confirm-text", markup=False)
            with Horizontal(classes="actions"):
                yield Button("Cancel", id="confirm-cancel")
                yield Button(self.confirm_label, id="confirm-ok", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#confirm-cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-ok")

    def action_cancel(self) -> None:
        self.dismiss(False)
