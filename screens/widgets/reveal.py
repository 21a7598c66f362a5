"""Keep a list's highlighted row on screen, not only inside the list.

A list scrolls its own rows to the highlight, but a step panel that scrolls around
the list does not follow: at 80x24 the highlighted row of a list near the bottom of
a step went below the panel's edge. These scroll every container around the list
so the row itself is visible, the way `Widget.scroll_visible` does for a widget.
"""

from __future__ import annotations

from textual.geometry import Offset, Region
from textual.widget import Widget
from textual.widgets import OptionList


def reveal_rows(widget: Widget, y: int, height: int) -> None:
    """Scroll the containers around `widget` until its content lines y..y+height
    (in the widget's own scrolled content) are on screen."""
    top = y - round(widget.scroll_y)
    region = (
        Region(0, top, max(widget.scrollable_content_region.width, 1), max(height, 1))
        .translate(widget.styles.gutter.top_left)
        .translate(widget.virtual_region.offset)
    )
    node = widget
    while isinstance(node.parent, Widget) and region:
        container = node.parent
        shift = Offset(0, 0)
        if node.styles.dock == "none":
            shift = container.scroll_to_region(region, animate=False, immediate=True)
        # Into the coordinates of the container's own parent (as Widget.scroll_to_widget).
        region = (
            region.translate(-shift)
            .translate(container.styles.border.spacing.top_left)
            .translate(container.virtual_region.offset)
        )
        node = container


def reveal_highlight(widget: Widget) -> None:
    """The highlighted option of an OptionList or item of a ListView, on screen."""
    if not widget.is_mounted or not widget.has_focus:
        return  # moved by the keyboard only: a list filling in never scrolls the step
    if isinstance(widget, OptionList):
        index = widget.highlighted
        if index is None:
            return
        widget.scroll_to_highlight()
        lines = getattr(widget, "_index_to_line", {})
        heights = getattr(widget, "_heights", {})
        if index in lines:
            reveal_rows(widget, lines[index], heights.get(index, 1))
        return
    # Only a step that shows a ListView imports it (not the first frame's).
    from textual.widgets import ListView

    if isinstance(widget, ListView):
        item = widget.highlighted_child
        if item is not None:
            item.scroll_visible(animate=False, immediate=True)
