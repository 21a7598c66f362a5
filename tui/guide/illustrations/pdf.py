"""A drawing on an fpdf2 page: the same shapes as the SVG, in millimetres, text in the
guide's DejaVu font (so the PDF's labels are real, extractable text)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tui.guide.illustrations.shapes import Box, Dot, Drawing, Label, Stroke

if TYPE_CHECKING:
    from fpdf import FPDF

_PT_PER_MM = 72 / 25.4


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _style(fill: str | None, stroke: str | None) -> str:
    return ("F" if fill else "") + ("D" if stroke else "")


def draw_pdf(
    pdf: FPDF,
    drawing: Drawing,
    x: float,
    y: float,
    width: float,
    font: str,
    printable: Callable[[str], str],
) -> float:
    """Draws `drawing` `width` mm wide with its top left at (x, y); returns its height in mm.
    `printable` replaces characters the font lacks (as for the rest of the PDF)."""
    scale = width / drawing.width
    height = drawing.height * scale
    with pdf.local_context(), pdf.rect_clip(x, y, width, height):
        for shape in drawing.shapes:
            if isinstance(shape, Box):
                if not shape.fill and not shape.stroke:
                    continue
                if shape.fill:
                    pdf.set_fill_color(*_rgb(shape.fill))
                if shape.stroke:
                    pdf.set_draw_color(*_rgb(shape.stroke))
                    pdf.set_line_width(shape.stroke_width * scale)
                radius = min(shape.radius, shape.w / 2, shape.h / 2) * scale
                with pdf.local_context(fill_opacity=shape.opacity):
                    pdf.rect(
                        x + shape.x * scale,
                        y + shape.y * scale,
                        shape.w * scale,
                        shape.h * scale,
                        style=_style(shape.fill, shape.stroke),
                        round_corners=radius > 0,
                        corner_radius=radius,
                    )
            elif isinstance(shape, Dot):
                if shape.fill:
                    pdf.set_fill_color(*_rgb(shape.fill))
                if shape.stroke:
                    pdf.set_draw_color(*_rgb(shape.stroke))
                    pdf.set_line_width(shape.stroke_width * scale)
                r = shape.r * scale
                pdf.ellipse(
                    x + shape.cx * scale - r,
                    y + shape.cy * scale - r,
                    2 * r,
                    2 * r,
                    style=_style(shape.fill, shape.stroke),
                )
            elif isinstance(shape, Stroke):
                pdf.set_draw_color(*_rgb(shape.colour))
                pdf.set_line_width(shape.width * scale)
                pdf.line(
                    x + shape.x1 * scale,
                    y + shape.y1 * scale,
                    x + shape.x2 * scale,
                    y + shape.y2 * scale,
                )
            elif isinstance(shape, Label):
                _label(pdf, shape, x, y, scale, font, printable)
    return height


def _label(
    pdf: FPDF,
    label: Label,
    x: float,
    y: float,
    scale: float,
    font: str,
    printable: Callable[[str], str],
) -> None:
    pdf.set_font(font, "B" if label.bold else "", label.size * scale * _PT_PER_MM)
    pdf.set_text_color(*_rgb(label.colour))
    text = printable(label.text)
    left = x + label.x * scale
    if label.anchor != "start":
        shift = pdf.get_string_width(text)
        left -= shift / 2 if label.anchor == "middle" else shift
    pdf.text(left, y + label.y * scale, text)
