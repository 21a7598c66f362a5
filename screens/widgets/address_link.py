"""A long web address shown short, opened with enter or a click, copied whole with c.

Microsoft's documentation and admin-center addresses run to 80-150 characters: cut or
wrapped at 80x24 they cannot be read or typed. The link shows `tui.text.short_address`; `c`
copies the full address to the clipboard (OSC 52, through Textual) and shows it in a
notification as plain text, for terminals that do not pass the clipboard on.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import Link

from tui.text import safe_text, short_address


class AddressLink(Link):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy_address", "Copy address", id="address-link-copy"),
    ]

    def __init__(self, url: str, *, id: str | None = None) -> None:
        super().__init__(safe_text(short_address(url)), url=url, tooltip=safe_text(url), id=id)
        self.address = url

    def action_copy_address(self) -> None:
        copy_address(self, self.address)


def copy_address(link: Link, address: str) -> None:
    """Put `address` on the clipboard and show it whole (literally, never as markup)."""
    link.app.copy_to_clipboard(address)
    link.notify(safe_text(address), title="Address copied to the clipboard", markup=False)
