"""Checkbox, radio button and switch whose state reads without colour.

Textual draws a checkbox or radio button as the same "X" whichever its state, and a
switch as a slider: only the colour tells on from off. Over SSH with NO_COLOR, in a
vt100 or linux console, or in a plain `tmux capture-pane`, that is invisible. These
keep Textual's widgets (their messages, bindings and CSS type names) and draw the
state as a glyph: ☑/☐, ◉/○, and "● on"/"○ off".
"""

from __future__ import annotations

from textual.app import RenderResult
from textual.content import Content
from textual.geometry import Size
from textual.widgets import Checkbox, RadioButton, Switch


class StateCheckbox(Checkbox):
    """A Checkbox drawn as ☑ (checked) or ☐ (not checked)."""

    @property
    def _button(self) -> Content:
        return Content.styled("☑" if self.value else "☐", self.get_visual_style("toggle--button"))


class StateRadioButton(RadioButton):
    """A RadioButton drawn as ◉ (chosen) or ○ (not chosen)."""

    @property
    def _button(self) -> Content:
        return Content.styled("◉" if self.value else "○", self.get_visual_style("toggle--button"))


class StateSwitch(Switch):
    """A Switch drawn as "● on" or "○ off"."""

    DEFAULT_CSS = """
    StateSwitch {
        width: auto;
    }
    """

    def render(self) -> RenderResult:
        style = self.get_visual_style("switch--slider")
        return Content.styled("● on " if self.value else "○ off", style)

    def get_content_width(self, _container: Size, _viewport: Size) -> int:
        return 5
