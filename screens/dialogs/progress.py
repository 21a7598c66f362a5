"""The wizard's Progress view: who of the rollout's users has enrolled (read-only).

Opened from Review once an apply succeeded (the "Rollout progress" button under the
outcome, or the key p). The report is read off the UI thread by the Review step
(tui.progress.read) and handed here as text lines (tui.progress.text, the same as
`adue progress` prints); names from the tenant are shown literally (tui/text.py).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.text import safe_lines


class ProgressDialog(ModalScreen[None]):
    DEFAULT_CSS = """
    .step-help {
        color: $text-muted;
        height: auto;
    }
    """

    BINDINGS = [Binding("escape", "close", "Close", id="progress-close-key")]

    def __init__(self, lines: list[str], hint: str) -> None:
        super().__init__(id="progress-dialog", classes="confirm-dialog")
        self.lines = lines
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="confirm-box"):
            yield Static("Rollout progress", classes="dialog-title", markup=False)
            with VerticalScroll(id="progress-body"):
                yield Static(safe_lines("\n".join(self.lines)), id="progress-text", markup=False)
            yield Static(safe_lines(self.hint), classes="step-help", markup=False)
            with Horizontal(classes="actions"):
                yield Button("Close", id="progress-close")

    def on_mount(self) -> None:
        self.query_one("#progress-close", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
