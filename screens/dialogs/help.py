"""F1: what adue does, the keys, and where the session lives."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Markdown

HELP = """\
# adue help

adue sets up **account-driven Apple User Enrollment** in Microsoft Intune, step by step.
Every change is saved to the session file at once: quit at any time and run adue
again with the same `--session` to continue exactly where you stopped.

| key | does |
|---|---|
| `ctrl+n` | next step |
| `escape` | previous step |
| `tab` / `shift+tab` | move between fields |
| `ctrl+p` | command palette (jump to any step) |
| `F1` | this help |
| `ctrl+q` | save and quit |

The step list on the left is clickable, and `enter` on a step opens it.
"""


class HelpDialog(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1", "dismiss", "Close", id="close-help")]

    def __init__(self, session_path: str) -> None:
        super().__init__(id="help-dialog")
        self.session_path = session_path

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Markdown(HELP + f"\nSession file: `{self.session_path}`\n")
            yield Button("Close", id="help-close", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss()
