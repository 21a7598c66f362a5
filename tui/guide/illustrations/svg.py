"""A drawing as inline SVG: every text and attribute XML-escaped, named for screen readers."""

from __future__ import annotations

from html import escape

from tui.guide.illustrations.shapes import Box, Dot, Drawing, Shape, Stroke

# The page's own font stack: the labels look like the text around them.
FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _paint(fill: str | None, stroke: str | None, width: float) -> str:
    paint = f' fill="{fill or "none"}"'
    if stroke:
        paint += f' stroke="{stroke}" stroke-width="{_number(width)}"'
    return paint


def _shape(shape: Shape) -> str:
    n = _number
    if isinstance(shape, Box):
        corners = f' rx="{n(shape.radius)}"' if shape.radius else ""
        if shape.opacity < 1:
            corners += f' fill-opacity="{n(shape.opacity)}"'
        return (
            f'<rect x="{n(shape.x)}" y="{n(shape.y)}" width="{n(shape.w)}" height="{n(shape.h)}"'
            f"{corners}{_paint(shape.fill, shape.stroke, shape.stroke_width)}/>"
        )
    if isinstance(shape, Dot):
        return (
            f'<circle cx="{n(shape.cx)}" cy="{n(shape.cy)}" r="{n(shape.r)}"'
            f"{_paint(shape.fill, shape.stroke, shape.stroke_width)}/>"
        )
    if isinstance(shape, Stroke):
        return (
            f'<line x1="{n(shape.x1)}" y1="{n(shape.y1)}" x2="{n(shape.x2)}" y2="{n(shape.y2)}"'
            f' stroke="{shape.colour}" stroke-width="{n(shape.width)}" stroke-linecap="round"/>'
        )
    weight = ' font-weight="700"' if shape.bold else ""
    anchor = f' text-anchor="{shape.anchor}"' if shape.anchor != "start" else ""
    return (
        f'<text x="{n(shape.x)}" y="{n(shape.y)}" font-size="{n(shape.size)}"'
        f'{weight}{anchor} fill="{shape.colour}">{escape(shape.text)}</text>'
    )


def drawing_svg(drawing: Drawing, element_id: str) -> str:
    """`<svg role="img">` with a `<title>` (its accessible name); no size: CSS sets it."""
    title_id = f"{element_id}-title"
    body = "".join(_shape(shape) for shape in drawing.shapes)
    return (
        f'<svg class="step-picture" id="{escape(element_id)}" role="img"'
        f' aria-labelledby="{escape(title_id)}" viewBox="0 0 {_number(drawing.width)}'
        f' {_number(drawing.height)}" xmlns="http://www.w3.org/2000/svg"'
        f' font-family="{escape(FONT_FAMILY)}" data-picture="{escape(drawing.name)}">'
        f'<title id="{escape(title_id)}">{escape(drawing.description)}</title>'
        f"{body}</svg>"
    )
