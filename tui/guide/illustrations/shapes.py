"""The drawing vocabulary: a few flat shapes in drawing units, shared by the SVG and PDF renderers.

A drawing is 220 units wide (about one CSS pixel each at phone width) with the
origin top left; `Label.y` is the text baseline. Colours are `#rrggbb`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

WIDTH = 220.0

ACCENT = "#0b5cad"  # the guide's accent: the thing to tap
ACCENT_SOFT = "#dcebfb"
TEXT = "#1b1f24"
MUTED = "#6b7280"
FAINT = "#c9ced6"  # placeholder text bars, separators
SCREEN = "#f2f2f7"
CARD = "#ffffff"
BEZEL = "#4b5563"
DIM = "#8a9099"  # the screen behind a sheet or prompt
WHITE = "#ffffff"


@dataclass(frozen=True)
class Box:
    """A rectangle, optionally with rounded corners, filled and/or outlined."""

    x: float
    y: float
    w: float
    h: float
    fill: str | None = None
    stroke: str | None = None
    stroke_width: float = 1.0
    radius: float = 0.0
    opacity: float = 1.0  # of the fill: a dimmed screen behind a sheet


@dataclass(frozen=True)
class Dot:
    """A circle around (cx, cy)."""

    cx: float
    cy: float
    r: float
    fill: str | None = None
    stroke: str | None = None
    stroke_width: float = 1.0


@dataclass(frozen=True)
class Stroke:
    """A straight line (separators, chevrons)."""

    x1: float
    y1: float
    x2: float
    y2: float
    colour: str
    width: float = 1.0


@dataclass(frozen=True)
class Label:
    """One line of text; `text` is plain (renderers escape it), `y` its baseline."""

    x: float
    y: float
    text: str
    size: float
    colour: str = TEXT
    bold: bool = False
    anchor: Literal["start", "middle", "end"] = "start"


Shape = Box | Dot | Stroke | Label


@dataclass(frozen=True)
class Drawing:
    """One picture: what it shows (`description`, the text alternative) and its shapes."""

    name: str
    description: str
    height: float
    shapes: tuple[Shape, ...]
    width: float = WIDTH

    @property
    def texts(self) -> list[str]:
        return [shape.text for shape in self.shapes if isinstance(shape, Label)]
