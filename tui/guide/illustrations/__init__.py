"""Drawings of the device's screen for the enrollment steps, made by the project.

    drawing = draw(picture)            # Picture from the document -> shapes
    drawing_svg(drawing, "step-1")     # inline SVG for the HTML page
    draw_pdf(pdf, drawing, x, y, w, …) # the same shapes on an fpdf2 page

`shapes` is the vocabulary, `phone` the screen furniture, `steps` one description
per step. Labels are plain text until a renderer escapes them.
"""

from __future__ import annotations

from tui.guide.illustrations.shapes import Drawing
from tui.guide.illustrations.steps import STEP_DRAWINGS, Picture, draw
from tui.guide.illustrations.svg import drawing_svg

__all__ = ["STEP_DRAWINGS", "Drawing", "Picture", "draw", "drawing_svg"]
