"""The device-code sign-in, shown inside the TUI (never printed to the terminal).

The code, the URL, a countdown and a QR code of the URL, so the admin can finish
sign-in on a phone or another computer while adue runs over SSH.
"""

from __future__ import annotations

import threading

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.graph.sign_in_models import DeviceCodePrompt
from tui.qr_text import qr_lines
from tui.text import safe_lines, safe_text


def countdown_text(seconds: int) -> str:
    minutes, rest = divmod(max(0, seconds), 60)
    return f"The code expires in {minutes}:{rest:02d}."


class DeviceCodeDialog(ModalScreen[None]):
    DEFAULT_CSS = """
    DeviceCodeDialog {
        align: center middle;
    }
    #device-code-box {
        width: auto;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    #device-code-text {
        width: 38;
        height: auto;
        padding: 0 0 0 1;
    }
    #device-code-url, #device-code-help, #device-code-countdown {
        height: auto;
        margin-bottom: 1;
    }
    #device-code {
        text-style: bold;
        color: $success;
        margin-bottom: 1;
    }
    #device-code-qr {
        width: auto;
        height: auto;
        background: white;
        color: black;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel sign-in", id="cancel-sign-in")]

    def __init__(self, prompt: DeviceCodePrompt, cancel: threading.Event, note: str = "") -> None:
        super().__init__(id="device-code-dialog")
        self.prompt = prompt
        self.cancel_event = cancel
        self.note = note

    def compose(self) -> ComposeResult:
        with Horizontal(id="device-code-box"):
            yield Static("\n".join(qr_lines(self.prompt.verification_uri)), id="device-code-qr")
            with Vertical(id="device-code-text"):
                yield Static("Sign in with a device code", classes="dialog-title")
                # The address and code come from the identity provider: plain text.
                yield Static(
                    f"On any device, open\n{safe_text(self.prompt.verification_uri)}\n"
                    "and enter the code",
                    id="device-code-url",
                    markup=False,
                )
                yield Static(safe_text(self.prompt.user_code), id="device-code", markup=False)
                yield Static(countdown_text(self.prompt.seconds_left()), id="device-code-countdown")
                yield Static(
                    "Or scan the QR code with a phone. adue waits here until you have signed in."
                    + (f"\n{safe_lines(self.note)}" if self.note else ""),
                    id="device-code-help",
                    markup=False,
                )
                yield Button("Cancel", id="device-code-cancel", variant="error")

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        self.query_one("#device-code-countdown", Static).update(
            countdown_text(self.prompt.seconds_left())
        )

    def action_cancel(self) -> None:
        self.cancel_event.set()
        self.dismiss()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()
