"""`literal(text)`: text from a tenant, a session file or a keyboard as a widget label.

A plain `str` given to a Static, a Button, a toggle's label, a toast or a border title
is parsed as Textual markup: "[/" raises, "[b]" styles, "[@click=app.quit]" becomes a
clickable action. A Content object is never parsed, so every label that quotes other
people's data is built here, with control, escape and bidi characters made visible
first (tui.text.safe_text; Content itself would pass an ESC to the terminal).
"""

from __future__ import annotations

from textual.content import Content

from tui.text import safe_lines, safe_text


def literal(value: object, *, lines: bool = False, style: str = "") -> Content:
    """`value` shown exactly as written: one line (a newline shows as ␊), or with `lines`
    its newlines kept; `style` (e.g. "bold") styles the whole of it."""
    text = safe_lines(value) if lines else safe_text(value)
    return Content.styled(text, style) if style else Content(text)
