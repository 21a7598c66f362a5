"""The service-discovery file for this tenant and how to publish it, per web server."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static, TabbedContent, TabPane, TextArea

from tui.discovery.recipes import Recipe, recipes
from tui.discovery.well_known import FILE_NAME
from tui.text import safe_text

if TYPE_CHECKING:
    from tui.backend import Backend


class DiscoveryDialog(ModalScreen[None]):
    DEFAULT_CSS = """
    DiscoveryDialog {
        align: center middle;
    }
    #discovery-box {
        width: 96%;
        height: 96%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    #discovery-tabs {
        height: 1fr;
    }
    .recipe-text {
        height: 1fr;
    }
    """

    BINDINGS = [Binding("escape", "dismiss", "Close", id="close-discovery")]

    def __init__(self, tenant_id: str, cloud: str, folder: Path, backend: Backend) -> None:
        super().__init__(id="discovery-dialog")
        self.backend = backend  # saves the file (the dialog writes none itself)
        self.tenant_id = tenant_id
        self.cloud = cloud
        self.folder = folder
        self.recipes: list[Recipe] = recipes(tenant_id, cloud)

    def compose(self) -> ComposeResult:
        with Vertical(id="discovery-box"):
            yield Static(
                "Publish this at https://<sign-in domain>/.well-known/com.apple.remotemanagement "
                "(no file extension, Content-Type application/json, valid HTTPS):",
                classes="dialog-title",
            )
            with TabbedContent(id="discovery-tabs"):
                for number, recipe in enumerate(self.recipes):
                    with TabPane(recipe.name, id=f"recipe-{number}"):
                        if recipe.notes:
                            yield Static(recipe.notes, classes="recipe-notes")
                        yield Static(f"File: {recipe.filename}", classes="recipe-file")
                        yield TextArea(recipe.text, read_only=True, classes="recipe-text")
            with Horizontal(classes="actions"):
                yield Button("Copy this tab", id="discovery-copy", variant="primary")
                yield Button(f"Save {FILE_NAME}", id="discovery-save")
                yield Button("Close", id="discovery-close")
            yield Static("", id="discovery-saved", markup=False)

    def _current(self) -> Recipe:
        active = self.query_one(TabbedContent).active or "recipe-0"
        return self.recipes[int(active.removeprefix("recipe-"))]

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "discovery-copy":
            recipe = self._current()
            self.app.copy_to_clipboard(recipe.text)
            self.query_one("#discovery-saved", Static).update(
                f"Copied {recipe.filename} to the clipboard (OSC 52)."
            )
        elif event.button.id == "discovery-save":
            path = self.folder / FILE_NAME
            self.backend.save_discovery_file(path, self.tenant_id, self.cloud)
            self.query_one("#discovery-saved", Static).update(f"Saved {safe_text(path)}")
        else:
            self.dismiss()
