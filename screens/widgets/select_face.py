"""`SelectFace`: a Select's current value (SelectCurrent), drawn by itself in one widget.

Textual's SelectCurrent is a row of three Statics (the label, a down arrow and a hidden up
arrow) laid out in a Horizontal: four widgets to build, style and lay out per Select,
and most of what a closed Select costs on the first frame (the sign-in form has three).
SelectFace is a SelectCurrent with no children: it renders the label (wrapped to the
width the label's Static would have, 1fr beside the arrow) and the arrow (▼, or ▲ while
its Select is open) itself, in the colours SelectCurrent's stylesheet gives those
Statics, restated as component classes. Being a SelectCurrent to CSS and to queries,
every rule of Select's and SelectCurrent's that styles the row (border, background,
focus tint, padding) applies to it as it is. tests/wizard/test_deferred_select.py
compares the picture with a stock Select's, key for key and click for click.
"""

from __future__ import annotations

from typing import ClassVar, cast

from rich.console import RenderableType
from rich.segment import Segment
from textual.content import Content
from textual.css.styles import RulesMap
from textual.geometry import Size
from textual.strip import Strip
from textual.visual import Visual
from textual.widgets._select import NoSelection, Select, SelectCurrent

# SelectCurrent's `.arrow`: one cell, after one cell of left padding.
ARROW_CELLS = 2


class SelectFace(SelectCurrent):
    # SelectCurrent's rules for its Statics (Textual 8.2: `Static#label`,
    # `&.-has-value Static#label`, `.arrow`), as this widget's parts.
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "select-face--prompt",
        "select-face--value",
        "select-face--arrow",
    }
    DEFAULT_CSS = """
    SelectFace {
        & > .select-face--prompt { color: $foreground 50%; }
        & > .select-face--value { color: $foreground; }
        & > .select-face--arrow { color: $foreground 50%; }
    }
    """

    def compose(self) -> list[object]:  # type: ignore[override]  # no children: see render
        return []

    def update(self, label: RenderableType | NoSelection) -> None:
        self.label = label
        self.has_value = label is not Select.NULL
        self.refresh(layout=True)

    def _watch_has_value(self, has_value: bool) -> None:
        super()._watch_has_value(has_value)
        self.refresh()

    def _label_content(self) -> Content:
        # What SelectCurrent's label Static would show: a str is markup to a Static.
        label = self.placeholder if isinstance(self.label, NoSelection) else self.label
        return Content.from_markup(label) if isinstance(label, str) else Content(str(label))

    def _label_strips(self, width: int) -> list[Strip]:
        """The label as its Static draws it, 1fr beside the arrow: wrapped, then padded
        with the background alone."""
        style = self.get_visual_style(
            "select-face--value" if self.has_value else "select-face--prompt"
        )
        label_width = max(width - ARROW_CELLS, 1)
        return Visual.to_strips(self, self._label_content(), label_width, None, style)

    def get_content_height(self, _container: Size, _viewport: Size, width: int) -> int:
        label_width = max(width - ARROW_CELLS, 1)
        # The widget's styles as its rules, as Widget.get_content_height passes them.
        rules = cast(RulesMap, self.styles)
        return max(self._label_content().get_height(rules, label_width), 1)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        labels = self._label_strips(width)
        background = self.visual_style.background_style.rich_style
        label = (labels[y] if y < len(labels) else Strip.blank(0)).extend_cell_length(
            max(width - ARROW_CELLS, 1), background
        )
        if y:  # the arrow's Static is one line high: the row's background below it
            return Strip.join([label, Strip.blank(ARROW_CELLS, background)])
        expanded = isinstance(self.parent, Select) and self.parent.expanded
        arrow_style = self.get_visual_style("select-face--arrow").rich_style
        arrow = Strip([Segment(" ", background), Segment("▲" if expanded else "▼", arrow_style)])
        return Strip.join([label, arrow])
