"""The fleet app's client secret, asked inside the TUI when $AZURE_CLIENT_SECRET is not
set (the terminal belongs to the TUI, so getpass cannot ask). Masked as typed; kept in
memory for this run only, never written anywhere.

Dismisses with the secret, or None (cancelled, also on escape or an empty answer).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from tui.text import safe_text


class SecretDialog(ModalScreen[str | None]):
    DEFAULT_CSS = """
    SecretDialog {
        align: center middle;
    }
    #secret-input {
        margin-top: 1;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="secret-cancel-key")]

    def __init__(self, question: str) -> None:
        super().__init__(id="secret-dialog", classes="confirm-dialog")
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="confirm-box"):
            yield Static("Sign in for the fleet", classes="dialog-title", markup=False)
            # The question names the app id from the fleet file: plain and safe.
            yield Static(safe_text(self.question), markup=False)
            yield Input(password=True, placeholder="the app's client secret", id="secret-input")
            with Horizontal(classes="actions"):
                yield Button("Cancel", id="secret-cancel")
                yield Button("Sign in", id="secret-ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#secret-input", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value or None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id != "secret-ok":
            self.dismiss(None)
            return
        self.dismiss(self.query_one("#secret-input", Input).value or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
